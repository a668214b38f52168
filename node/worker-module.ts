/**
 * Where a worker thread's module is: beside the module that starts it, with that module's own
 * extension (.ts when gxcat runs from its source, .js in the built package).
 */
export function siblingModule (name: string, from: string): URL {
  return new URL(`./${name}${from.slice(from.lastIndexOf('.'))}`, from)
}
