/**
 * A whole node as a participant runs it: the catalogue core on a data directory, the HTTP
 * API, and (when the network layer is enabled) libp2p. Used by `gxcat start` and tests.
 */
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { pino, type Logger as PinoLogger } from 'pino'
import { createCatalogueNode, type CatalogueNode } from './catalogue-node.ts'
import { loadConfig, loadNodeKey, parseHostPort, type NodeConfig } from './config.ts'
import { removePidFile, stopPreviousNode, writePidFile } from './pid-file.ts'
import { createHttpApi, isLoopback, type NetworkView } from './http/server.ts'
import type { FastifyInstance } from 'fastify'

export interface RunNodeOptions {
  dataDir: string
  /** overrides of the config file */
  config?: Partial<NodeConfig>
  logger?: PinoLogger
}

export interface RunningNode {
  node: CatalogueNode
  http: FastifyInstance
  url: string
  peerId: string
  addrs: string[]
  config: NodeConfig
  stop (): Promise<void>
}

export async function runNode (options: RunNodeOptions): Promise<RunningNode> {
  const fileConfig = await loadConfig(options.dataDir)
  const config: NodeConfig = { ...fileConfig, ...Object.fromEntries(Object.entries(options.config ?? {}).filter(([, v]) => v !== undefined)) }
  const logger = options.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2))
  const privateKey = await loadNodeKey(options.dataDir)
  const peerId = peerIdFromPrivateKey(privateKey).toString()
  const { host, port } = parseHostPort(config.http)
  const requireToken = !isLoopback(host)

  const previous = await stopPreviousNode(options.dataDir)
  if (previous != null) logger.warn({ pid: previous }, 'another gxcat node held this data directory; asked it to stop and taking over')
  const node = createCatalogueNode({ dataDir: options.dataDir, didWebOrigins: config.didWebOrigins, revokers: config.trustedIssuers })
  await node.start()
  await writePidFile(options.dataDir)
  const network: NetworkView = { peerId: () => peerId, addrs: () => [], peers: () => [] }
  const http = createHttpApi({ node, network, token: config.token, requireToken, logger })
  try {
    await http.listen({ host, port })
  } catch (err) {
    await node.stop()
    throw err
  }
  const address = http.server.address()
  const boundPort = typeof address === 'object' && address != null ? address.port : port
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`
  logger.info({ peerId, url, entries: node.counts().entries }, 'gxcat node started')
  return {
    node,
    http,
    url,
    peerId,
    addrs: network.addrs(),
    config,
    async stop () {
      await http.close()
      await node.stop()
      await removePidFile(options.dataDir)
      logger.info('gxcat node stopped')
    }
  }
}
