/**
 * Status, peers, metrics and the OpenAPI document.
 */
import { NotFoundError } from '../../errors.ts'
import { createStatusHistory } from '../status-history.ts'
import { WRITE } from '../route-policy.ts'
import { errors, HistoryReply, PeersReply, StatusReply, SyncReply } from '../schemas.ts'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { ApiContext } from '../api-context.ts'

export function registerNodeInfoRoutes ({ app: api, node, network, version, syncWith }: ApiContext): void {
  const app = api.withTypeProvider<TypeBoxTypeProvider>()
  // the official shapes are parsed in the workers as the node starts (about a second each release):
  // until then what arrives waits for them
  let ready = node.shapes.ready == null
  void node.shapes.ready?.().then(() => { ready = true }, () => { ready = true })
  app.get('/v1/status', { schema: { summary: 'what this node holds and runs: counts, peers, readiness, trust in force, SPARQL', response: { 200: StatusReply } } }, async () => {
    const counts = node.counts()
    return {
      peerId: network?.peerId() ?? null,
      addrs: network?.addrs() ?? [],
      entries: counts.entries,
      revoked: counts.revoked,
      versions: counts.versions,
      peers: network?.peers().length ?? 0,
      ...(network?.reachability?.() ?? { reachability: 'unknown' as const, reason: 'this node runs no network', dht: 'off' as const, relays: [] }),
      ready,
      sparql: node.sparqlStatus(),
      trust: {
        mode: node.trust.mode,
        anchors: node.trust.anchors.length,
        trustedIssuers: node.trust.issuers.size,
        revokedIssuers: node.trust.revoked.size,
        complianceIssuers: [...node.compliance.issuers],
        lists: [...node.trust.lists]
      },
      version
    }
  })

  app.get('/v1/peers', { schema: { summary: 'connected peers', response: { 200: PeersReply } } }, async () => ({ peers: network?.peers() ?? [] }))

  const history = createStatusHistory({
    sample: () => {
      const counts = node.counts()
      return { entries: counts.entries, revoked: counts.revoked, peers: network?.peers().length ?? 0 }
    }
  })
  app.addHook('onReady', async () => { history.start() })
  app.addHook('onClose', async () => { history.stop() })
  app.get('/v1/history', { schema: { summary: 'the node\'s counts over the last day, a sample a minute since it started', response: { 200: HistoryReply } } }, async () => ({ intervalMs: history.intervalMs, points: history.points() }))

  app.post('/v1/sync', {
    config: WRITE,
    schema: { summary: 'anti-entropy now with one peer ({"peer": ID or multiaddr}) or a random connected one; answers the session\'s figures', security: [{ token: [] }], response: { 200: SyncReply, ...errors(400, 401, 404) } }
  }, async (request) => {
    if (syncWith == null) throw new NotFoundError('this node runs without a network')
    const body = request.body as { peer?: unknown } | string | undefined
    const peer = typeof body === 'object' && body != null && typeof body.peer === 'string' ? body.peer : undefined
    return syncWith(peer)
  })

  app.get('/metrics', { schema: { summary: 'Prometheus metrics (text exposition format)' } }, async (_request, reply) => {
    const registry = node.metrics.registry
    return reply.type(registry.contentType).send(await registry.metrics())
  })

  // generated from the routes' schemas once they are all declared
  app.get('/openapi.json', { schema: { summary: 'this document (OpenAPI 3.1)' } }, async () => api.swagger())
}
