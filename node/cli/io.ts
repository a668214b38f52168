/**
 * Reading the CLI's inputs: key files, JSON documents, a file or standard input.
 */
import { readFile } from 'node:fs/promises'
import { parseIssuerKey, type IssuerKey } from '../../protocols/self-description/keys.ts'
import { UsageError } from './errors.ts'

export async function readInput (file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  }
  try {
    return await readFile(file, 'utf8')
  } catch (err: any) {
    throw new UsageError(`cannot read ${file}: ${err.code ?? err.message}`)
  }
}

export async function readJsonFile (file: string): Promise<any> {
  const text = await readInput(file)
  try {
    return JSON.parse(text)
  } catch (err: any) {
    throw new UsageError(`${file} is not JSON: ${err.message}`)
  }
}

export async function readKeyFile (file: string): Promise<IssuerKey> {
  return parseIssuerKey(await readJsonFile(file))
}

/** Collects repeated option values (`--x a --x b` and `--x a b`). */
export function collect (value: string, previous: string[] = []): string[] {
  return [...previous, value]
}
