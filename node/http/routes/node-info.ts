/**
 * Status, peers, metrics and the OpenAPI document.
 */
import { NotFoundError } from '../../errors.ts'
import { openApiDocument } from '../openapi.ts'
import { createStatusHistory } from '../status-history.ts'
import type { ApiContext } from '../api-context.ts'

export function registerNodeInfoRoutes ({ app, node, network, version, syncWith, requireWrite }: ApiContext): void {
  // the official shapes are parsed in the workers as the node starts (about a second each release):
  // until then what arrives waits for them
  let ready = node.shapes.ready == null
  void node.shapes.ready?.().then(() => { ready = true }, () => { ready = true })
  app.get('/v1/status', async () => {
    const counts = node.counts()
    return {
      peerId: network?.peerId() ?? null,
      addrs: network?.addrs() ?? [],
      entries: counts.entries,
      revoked: counts.revoked,
      versions: counts.versions,
      peers: network?.peers().length ?? 0,
      ready,
      sparql: node.sparqlStatus(),
      trust: {
        mode: node.trust.mode,
        anchors: node.trust.anchors.length,
        trustedIssuers: node.trust.issuers.size,
        revokedIssuers: node.trust.revoked.size,
        complianceIssuers: [...node.compliance.issuers],
        lists: node.trust.lists
      },
      version
    }
  })

  app.get('/v1/peers', async () => ({ peers: network?.peers() ?? [] }))

  const history = createStatusHistory({
    sample: () => {
      const counts = node.counts()
      return { entries: counts.entries, revoked: counts.revoked, peers: network?.peers().length ?? 0 }
    }
  })
  app.addHook('onReady', async () => { history.start() })
  app.addHook('onClose', async () => { history.stop() })
  app.get('/v1/history', async () => ({ intervalMs: history.intervalMs, points: history.points() }))

  app.post('/v1/sync', { onRequest: requireWrite }, async (request) => {
    if (syncWith == null) throw new NotFoundError('this node runs without a network')
    const body = request.body as { peer?: unknown } | string | undefined
    const peer = typeof body === 'object' && body != null && typeof body.peer === 'string' ? body.peer : undefined
    return syncWith(peer)
  })

  app.get('/metrics', async (_request, reply) => {
    const registry = node.metrics.registry
    return reply.type(registry.contentType).send(await registry.metrics())
  })

  const document = openApiDocument(version)
  app.get('/openapi.json', async () => document)
}
