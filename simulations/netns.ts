/**
 * The network of the `--netns` mode: one Linux network namespace per simulation process, each
 * joined to one bridge by a veth pair, so that the nodes' traffic crosses real kernel TCP
 * stacks and devices instead of loopback. Set up with iproute2 (`ip`, `tc`) before the
 * processes start and torn down after them (also at exit, on Ctrl-C and on SIGTERM). Bandwidth is shaped in the kernel
 * with `tc tbf` on each namespace's uplink; latency, jitter and loss with `tc netem` where the
 * kernel has it, and otherwise by the application link model, as in the other modes: the lab
 * says which parts the kernel emulates. No library manages namespaces from Node, hence the
 * commands here.
 */
import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

export class NetnsUnavailableError extends Error {
  static readonly name = 'NetnsUnavailableError'
  readonly name = 'NetnsUnavailableError'
}

export interface NetnsLink {
  latencyMs: number
  jitterMs: number
  bandwidthKbps: number
  loss: number
  /** per-pair latencies from a measured matrix: netem's one delay per uplink cannot give them */
  matrix?: string
}

export interface NetnsLab {
  /** the address each process's nodes listen on, by process */
  readonly addresses: string[]
  /** what the kernel emulates, and what is left to the application's link model */
  readonly emulation: { kernel: string[], application: string[] }
  /** the link the application must still apply: what the kernel does is zeroed */
  readonly applicationLink: NetnsLink
  /** how to fork process `k` inside its namespace (child_process.fork options) */
  forkOptions (k: number): { execPath: string, execArgv: string[] }
  close (): Promise<void>
}

const SUBNET_PREFIX = '10.231'

async function ip (args: string[]): Promise<void> {
  await run('ip', args)
}

/**
 * Makes `router` a NAT: what leaves `lan` by its `wan` device is masqueraded (nftables), and
 * nothing new comes in. Throws NetnsUnavailableError without nft.
 */
async function masquerade (router: string, lan: string): Promise<void> {
  const rules = `table ip nat {
  chain postrouting {
    type nat hook postrouting priority srcnat;
    oifname "wan" ip saddr ${lan} masquerade
  }
}
table inet filter {
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan" accept
  }
}
`
  await new Promise<void>((resolve, reject) => {
    const child = execFile('ip', ['netns', 'exec', router, 'nft', '-f', '-'], err => {
      if (err == null) resolve()
      else reject(/not found|ENOENT|No such file/.test(String((err as any).stderr ?? err.message)) ? new NetnsUnavailableError('--nat needs nftables (nft) to build its routers: apt-get install nftables') : err)
    })
    child.stdin?.end(rules)
  })
}

/** Whether this kernel has the netem qdisc (tried on the loopback device of `namespace`). */
async function hasNetem (namespace: string): Promise<boolean> {
  try {
    await ip(['netns', 'exec', namespace, 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'])
    await ip(['netns', 'exec', namespace, 'tc', 'qdisc', 'del', 'dev', 'lo', 'root'])
    return true
  } catch {
    return false
  }
}

/**
 * Creates `count` namespaces on one bridge. `nodesPer(k)` nodes run in namespace k: its uplink
 * is shaped to that many times the scenario's per-link bandwidth (each node's access link).
 * Throws NetnsUnavailableError, having cleaned up, where it lacks the privilege or the tools.
 */
export async function createNetnsLab (count: number, link: NetnsLink, nodesPer: (k: number) => number, behindNat: (k: number) => boolean = () => false): Promise<NetnsLab> {
  if (process.platform !== 'linux') throw new NetnsUnavailableError('--netns needs Linux network namespaces')
  if (count > 250 * 250) throw new NetnsUnavailableError('--netns takes at most 62,500 processes')
  const tag = (process.pid % 100_000).toString(36)
  const bridge = `gxb${tag}`
  const namespaces = Array.from({ length: count }, (_, k) => `gxsim-${tag}-${k}`)
  const outside = Array.from({ length: count }, (_, k) => `${SUBNET_PREFIX}.${Math.floor(k / 250)}.${(k % 250) + 1}`)
  // a namespace behind NAT has its own LAN behind a router that holds its outside address
  const lanPrefix = (k: number): string => `172.${16 + Math.floor(k / 250)}.${k % 250}`
  const addresses = outside.map((address, k) => behindNat(k) ? `${lanPrefix(k)}.10` : address)
  const created: string[] = []
  let bridgeMade = false
  // teardown is synchronous: it must also run at exit, and on Ctrl-C or SIGTERM (which end the
  // process without an exit event), where nothing asynchronous completes
  const teardown = (): void => {
    // deleting a namespace deletes the veth end inside it, and so its peer on the bridge
    for (const ns of created.splice(0)) {
      try { execFileSync('ip', ['netns', 'delete', ns], { stdio: 'ignore' }) } catch {}
    }
    if (bridgeMade) {
      try { execFileSync('ip', ['link', 'delete', bridge], { stdio: 'ignore' }) } catch {}
    }
    bridgeMade = false
  }
  const close = async (): Promise<void> => {
    teardown()
    forget()
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    teardown()
    forget()
    process.kill(process.pid, signal) // as if never caught: the default ends the process
  }
  const forget = (): void => {
    process.off('exit', teardown)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
  process.on('exit', teardown)
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    try {
      await ip(['link', 'add', bridge, 'type', 'bridge'])
    } catch (err: any) {
      const why = String(err.stderr ?? err.message).trim()
      throw new NetnsUnavailableError(`--netns cannot create network devices here (${why || err.code}): it needs root or CAP_NET_ADMIN and iproute2; run the other modes, or this one as root`)
    }
    bridgeMade = true
    await ip(['link', 'set', bridge, 'up'])
    for (const [k, ns] of namespaces.entries()) {
      await ip(['netns', 'add', ns])
      created.push(ns)
      await ip(['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up'])
      const port = `gxo${tag}-${k}`.slice(0, 15)
      if (!behindNat(k)) {
        await ip(['link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns])
        await ip(['link', 'set', port, 'master', bridge, 'up'])
        await ip(['netns', 'exec', ns, 'ip', 'addr', 'add', `${addresses[k]}/16`, 'dev', 'eth0'])
        await ip(['netns', 'exec', ns, 'ip', 'link', 'set', 'eth0', 'up'])
        continue
      }
      // bridge ↔ router (outside address, masquerade) ↔ the process's namespace (LAN address)
      const router = `${ns}-nat`
      await ip(['netns', 'add', router])
      created.push(router)
      await ip(['link', 'add', port, 'type', 'veth', 'peer', 'name', 'wan', 'netns', router])
      await ip(['link', 'set', port, 'master', bridge, 'up'])
      await ip(['-n', router, 'addr', 'add', `${outside[k]}/16`, 'dev', 'wan'])
      await ip(['-n', router, 'link', 'set', 'wan', 'up'])
      await ip(['link', 'add', 'lan', 'netns', router, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns])
      await ip(['-n', router, 'addr', 'add', `${lanPrefix(k)}.1/24`, 'dev', 'lan'])
      await ip(['-n', router, 'link', 'set', 'lan', 'up'])
      await ip(['-n', ns, 'addr', 'add', `${addresses[k]}/24`, 'dev', 'eth0'])
      await ip(['-n', ns, 'link', 'set', 'eth0', 'up'])
      await ip(['-n', ns, 'route', 'add', 'default', 'via', `${lanPrefix(k)}.1`])
      await ip(['netns', 'exec', router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'])
      await masquerade(router, `${lanPrefix(k)}.0/24`)
    }
    const netem = link.matrix == null && await hasNetem(namespaces[0])
    const kernel = ['TCP: each process in its own network namespace, its own kernel TCP/IP stack, over veth pairs and a Linux bridge']
    const application: string[] = []
    const applicationLink = { ...link }
    for (const [k, ns] of namespaces.entries()) {
      // one root qdisc per uplink: netem (delay, jitter, loss) with a tbf child for bandwidth, or tbf alone
      const rateKbit = link.bandwidthKbps * nodesPer(k)
      const tbf = ['tbf', 'rate', `${rateKbit}kbit`, 'burst', `${Math.max(32, Math.ceil(rateKbit / 8 / 100))}kb`, 'latency', '400ms']
      if (netem && (link.latencyMs > 0 || link.jitterMs > 0 || link.loss > 0)) {
        // half the latency on each side of a link: namespace to bridge, then bridge to namespace
        const half = link.latencyMs / 2
        await ip(['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'handle', '1:', 'netem', 'delay', `${half}ms`, `${link.jitterMs / 2}ms`, 'loss', `${link.loss * 100}%`])
        if (rateKbit > 0) await ip(['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', 'eth0', 'parent', '1:1', 'handle', '10:', ...tbf])
      } else if (rateKbit > 0) {
        await ip(['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', 'eth0', 'root', ...tbf])
      }
    }
    if (link.bandwidthKbps > 0) {
      kernel.push(`bandwidth: tc tbf on each namespace's uplink, ${link.bandwidthKbps} kbit/s per node in it`)
      applicationLink.bandwidthKbps = 0
    }
    if (netem) {
      kernel.push('latency, jitter and loss: tc netem on each uplink (one uniform latency, half on each side of a link)')
      Object.assign(applicationLink, { latencyMs: 0, jitterMs: 0, loss: 0 })
    } else {
      application.push(`latency, jitter and loss: the application link model, as in the other modes (${link.matrix != null ? 'netem cannot give per-pair latencies from a matrix' : 'this kernel has no netem qdisc'})`)
    }
    return {
      addresses,
      emulation: { kernel, application },
      applicationLink,
      forkOptions: k => ({ execPath: 'ip', execArgv: ['netns', 'exec', namespaces[k], process.execPath, ...process.execArgv] }),
      close
    }
  } catch (err) {
    await close()
    throw err
  }
}
