/**
 * Every node decides alike from the same credentials: two nodes that receive a label and the
 * credentials it covers over gossip, in whatever order, and a node that joins later and gets
 * them by sync, reach the same verdicts.
 */
import assert from 'node:assert/strict'
import { didOf, generateIssuerKey, signCredential } from '../../../protocols/self-description/index.ts'
import { signLabel } from '../../fixtures/compliance.ts'
import { startMember, stopMembers, waitForMesh, type NetworkMember } from '../../fixtures/network.ts'
import { serviceOffering } from '../../fixtures/subjects.ts'
import { waitFor } from '../../fixtures/wait.ts'

describe('Gaia-X compliance labels across the network', function () {
  this.timeout(90_000)

  it('two nodes over gossip and a late joiner by sync reach the same verdicts', async () => {
    const clearingHouse = generateIssuerKey()
    const provider = generateIssuerKey()
    const init = { complianceIssuers: [didOf(clearingHouse.kid)] }
    const members: NetworkMember[] = []
    try {
      const a = await startMember([], {}, init)
      members.push(a)
      const b = await startMember(a.network.addrs(), {}, init)
      members.push(b)
      await waitForMesh([a, b], 1)

      const offerings = await Promise.all(['one', 'two', 'three'].map(async name => await signCredential(serviceOffering(`https://provider.example/services/${name}`), provider)))
      const early = await signLabel(clearingHouse, { level: 'L1', covers: [{ jws: offerings[0] }, { jws: offerings[1], rule: 'jcs-base64' }] })
      const late = await signLabel(clearingHouse, { level: 'L2', covers: [{ jws: offerings[2], form: 'wild' }] })
      // the first label before what it covers, the second after
      await a.node.publish(early)
      for (const jws of offerings) await a.node.publish(jws)
      await a.node.publish(late)
      await waitFor(() => b.node.counts().entries === 5, 30_000, 'the second node to hold all five credentials')

      const verdicts = async (member: NetworkMember): Promise<Array<[string, string | null]>> =>
        (await member.node.list({ type: 'gx:ServiceOffering' })).items.map(item => [item.subject, item.compliance?.label ?? null] as [string, string | null]).sort()
      const expected: Array<[string, string | null]> = [
        ['https://provider.example/services/one', 'L1'],
        ['https://provider.example/services/three', 'L2'],
        ['https://provider.example/services/two', 'L1']
      ]
      assert.deepEqual(await verdicts(a), expected)
      await waitFor(async () => JSON.stringify(await verdicts(b)) === JSON.stringify(expected), 10_000, 'the second node to reach the same verdicts')

      const joiner = await startMember(a.network.addrs(), {}, init)
      members.push(joiner)
      await waitFor(() => joiner.node.counts().entries === 5, 30_000, 'the late joiner to hold all five credentials')
      assert.deepEqual(await verdicts(joiner), expected)
      assert.deepEqual((await joiner.node.facets(10)).labels, (await a.node.facets(10)).labels)
    } finally {
      await stopMembers(members)
    }
  })
})
