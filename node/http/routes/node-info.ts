/**
 * Status, peers, metrics and the OpenAPI document.
 */
import { openApiDocument } from '../openapi.ts'
import type { ApiContext } from '../server.ts'

export function registerNodeInfoRoutes ({ app, node, network, version }: ApiContext): void {
  app.get('/v1/status', async () => {
    const counts = node.counts()
    return {
      peerId: network?.peerId() ?? null,
      addrs: network?.addrs() ?? [],
      entries: counts.entries,
      revoked: counts.revoked,
      versions: counts.versions,
      peers: network?.peers().length ?? 0,
      version
    }
  })

  app.get('/v1/peers', async () => ({ peers: network?.peers() ?? [] }))

  app.get('/metrics', async (_request, reply) => {
    const registry = node.metrics.registry
    return reply.type(registry.contentType).send(await registry.metrics())
  })

  const document = openApiDocument(version)
  app.get('/openapi.json', async () => document)
}
