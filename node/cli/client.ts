/**
 * The CLI's HTTP client of a node: errors from the node come back as typed errors with the
 * node's name for them, so the CLI prints `ErrorName: reason`.
 */
import { DEFAULT_NODE_URL } from '../constants.ts'

export class NodeUnreachableError extends Error {
  static name = 'NodeUnreachableError'
  name = 'NodeUnreachableError'
}

export class NodeError extends Error {
  readonly status: number
  constructor (name: string, message: string, status: number) {
    super(message)
    this.name = name
    this.status = status
  }
}

export function nodeUrl (option: string | undefined): string {
  return (option ?? process.env.GXCAT_NODE ?? DEFAULT_NODE_URL).replace(/\/+$/, '')
}

export interface ClientOptions {
  node: string
  token?: string
}

export async function call (options: ClientOptions, method: string, path: string, body?: string, contentType = 'application/vc+jwt', accept = 'application/json'): Promise<{ status: number, body: any, text: string }> {
  const headers: Record<string, string> = { accept }
  if (body != null) headers['content-type'] = contentType
  const token = options.token ?? process.env.GXCAT_TOKEN
  if (token != null && token !== '') headers.authorization = `Bearer ${token}`
  let response: Response
  try {
    response = await fetch(options.node + path, { method, headers, body })
  } catch (err: any) {
    throw new NodeUnreachableError(`cannot reach the node at ${options.node}: ${err.cause?.code ?? err.cause?.message ?? err.message}`)
  }
  const text = await response.text()
  let parsed: any
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  if (response.status >= 400) {
    throw new NodeError(parsed?.error?.name ?? `HTTP${response.status}`, parsed?.error?.message ?? text.slice(0, 200), response.status)
  }
  return { status: response.status, body: parsed, text }
}
