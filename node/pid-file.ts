/**
 * The data directory's pid file. A node started on a directory that another running gxcat
 * node holds asks that node to stop (SIGTERM) and then takes the store over once its lock is
 * released: a restart works even where a wrapper (npm exec, a shell) was killed but the node
 * under it was not.
 */
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const PID_FILE = 'node.pid'

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function isGxcat (pid: number): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('gxcat')
  } catch {
    return true // no /proc: trust the pid file
  }
}

/** The pid of another running gxcat node that holds `dir`, if there is one. */
export async function runningNodePid (dir: string): Promise<number | undefined> {
  let pid: number
  try {
    pid = Number((await readFile(join(dir, PID_FILE), 'utf8')).trim())
  } catch {
    return undefined
  }
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid || !alive(pid) || !(await isGxcat(pid))) return undefined
  return pid
}

/** Asks the node that holds `dir` to stop; returns its pid, if there was one. */
export async function stopPreviousNode (dir: string): Promise<number | undefined> {
  const pid = await runningNodePid(dir)
  if (pid != null) process.kill(pid, 'SIGTERM')
  return pid
}

export async function writePidFile (dir: string): Promise<void> {
  await writeFile(join(dir, PID_FILE), `${process.pid}\n`)
}

export async function removePidFile (dir: string): Promise<void> {
  try {
    if (Number((await readFile(join(dir, PID_FILE), 'utf8')).trim()) === process.pid) await rm(join(dir, PID_FILE))
  } catch {}
}
