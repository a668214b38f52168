/**
 * Gaia-X compliance labels on a real node: which versions a trusted clearing house's label
 * covers, whatever order label and credentials arrive in, and how the node shows it (entries,
 * lists, facets, the client, the CLI, SPARQL).
 */
import assert from 'node:assert/strict'
import { createCatalogueClient } from '../../../client/index.ts'
import { didOf, generateIssuerKey, signCredential, type IssuerKey } from '../../../protocols/self-description/index.ts'
import { gxcat } from '../../fixtures/cli.ts'
import { signLabel } from '../../fixtures/compliance.ts'
import { startDidWebHost, type DidWebHost } from '../../fixtures/gaia-x-issuer.ts'
import { get, post, startTestNode, type TestNode } from '../../fixtures/node.ts'
import { signStatusList, statusEntry } from '../../fixtures/status-list.ts'
import { serviceOffering } from '../../fixtures/subjects.ts'
import { waitFor } from '../../fixtures/wait.ts'

const entryUrl = (t: TestNode, key: IssuerKey, subject: string): string => `${t.url}/v1/entries/${encodeURIComponent(didOf(key.kid))}/${encodeURIComponent(subject)}`

describe('Gaia-X compliance labels', function () {
  this.timeout(60_000)
  let clearingHouse: IssuerKey
  let stranger: IssuerKey
  let provider: IssuerKey
  let t: TestNode
  let lists: DidWebHost

  before(async () => {
    clearingHouse = generateIssuerKey()
    stranger = generateIssuerKey()
    provider = generateIssuerKey()
    lists = await startDidWebHost('status.compliance.test')
    t = await startTestNode({ node: { complianceIssuers: [didOf(clearingHouse.kid)], didWebOrigins: [lists.override], statusRecheckMs: 0 } })
  })

  after(async () => {
    await t?.destroy()
    await lists?.close()
  })

  const offering = async (name: string, validFrom?: string): Promise<{ jws: string, subject: string }> => {
    const subject = `https://provider.example/services/${name}`
    return { jws: await signCredential(serviceOffering(subject), provider, validFrom != null ? { validFrom } : {}), subject }
  }
  const publish = async (jws: string): Promise<void> => {
    const answer = await post(`${t.url}/v1/self-descriptions`, jws)
    assert.ok(answer.status === 201 || answer.status === 200, JSON.stringify(answer.body))
  }
  const complianceOf = async (subject: string): Promise<any> => (await get(entryUrl(t, provider, subject))).body.compliance

  it('marks both credentials a trusted label covers: one by a hex digest of its JWS, one by a base64 digest of its JCS form', async () => {
    const a = await offering('hex')
    const b = await offering('jcs')
    await publish(a.jws)
    await publish(b.jws)
    const label = await signLabel(clearingHouse, { level: 'L1', covers: [{ jws: a.jws, rule: 'jws-hex' }, { jws: b.jws, rule: 'jcs-base64' }] })
    await publish(label)
    for (const subject of [a.subject, b.subject]) {
      const compliance = await complianceOf(subject)
      assert.equal(compliance.label, 'L1')
      assert.equal(compliance.issuer, didOf(clearingHouse.kid))
      assert.equal(compliance.rulesVersion, 'CD25.03')
      assert.equal(typeof compliance.validUntil, 'string')
      assert.equal((await get(`${t.url}/v1/self-descriptions/${compliance.labelCredential}`)).body.types.includes('gx:LabelCredential'), true)
    }
  })

  it('reads labels as compliance services write them: {id, type, gx:digestSRI} items, SHA-384 and SHA-512 digests, level BL', async () => {
    const a = await offering('wild-384')
    const b = await offering('wild-512')
    await publish(a.jws)
    await publish(b.jws)
    await publish(await signLabel(clearingHouse, { level: 'BL', covers: [{ jws: a.jws, rule: 'jws-sha384-base64', form: 'wild' }, { jws: b.jws, rule: 'jcs-sha512-hex', form: 'wild' }] }))
    assert.equal((await complianceOf(a.subject)).label, 'BL')
    assert.equal((await complianceOf(b.subject)).label, 'BL')
  })

  it('marks nothing for a tampered digest, an untrusted compliance issuer, or an id that is not the credential\'s', async () => {
    const tampered = await offering('tampered')
    const untrusted = await offering('untrusted')
    const otherId = await offering('other-id')
    for (const { jws } of [tampered, untrusted, otherId]) await publish(jws)
    const digest = `sha256-${'0'.repeat(64)}`
    await publish(await signLabel(clearingHouse, { level: 'L3', covers: [{ jws: tampered.jws, digest }] }))
    await publish(await signLabel(stranger, { level: 'L3', covers: [{ jws: untrusted.jws }] }))
    const label = await signLabel(clearingHouse, { level: 'L3', covers: [{ jws: otherId.jws, form: 'wild' }] })
    // the same digest, but the item names another credential id
    await publish(await signLabel(clearingHouse, { level: 'L3', covers: [{ jws: (await offering('decoy')).jws, form: 'wild', digest: JSON.parse(Buffer.from(label.split('.')[1], 'base64url').toString()).credentialSubject['gx:compliantCredentials'][0]['gx:digestSRI'] }] }))
    for (const { subject } of [tampered, untrusted, otherId]) assert.equal(await complianceOf(subject), null, subject)
  })

  it('links a label that arrives before the credentials it covers as they arrive', async () => {
    const a = await offering('later-a')
    const b = await offering('later-b')
    await publish(await signLabel(clearingHouse, { level: 'L2', covers: [{ jws: a.jws }, { jws: b.jws, rule: 'jcs-base64' }] }))
    await publish(a.jws)
    await publish(b.jws)
    assert.equal((await complianceOf(a.subject)).label, 'L2')
    assert.equal((await complianceOf(b.subject)).label, 'L2')
  })

  it('does not carry compliance over to a newer version of a covered entry until a label covers it', async () => {
    const first = await offering('versions', new Date(Date.now() - 120_000).toISOString())
    await publish(first.jws)
    await publish(await signLabel(clearingHouse, { level: 'SC', covers: [{ jws: first.jws }] }))
    assert.equal((await complianceOf(first.subject)).label, 'SC')
    const second = await offering('versions')
    await publish(second.jws)
    assert.equal(await complianceOf(first.subject), null)
    await publish(await signLabel(clearingHouse, { level: 'L1', covers: [{ jws: second.jws }] }))
    assert.equal((await complianceOf(first.subject)).label, 'L1')
  })

  it('counts the highest level of several labels', async () => {
    const a = await offering('several')
    await publish(a.jws)
    await publish(await signLabel(clearingHouse, { level: 'L2', covers: [{ jws: a.jws }] }))
    await publish(await signLabel(clearingHouse, { level: 'SC', covers: [{ jws: a.jws }] }))
    assert.equal((await complianceOf(a.subject)).label, 'L2')
  })

  it('marks nothing once the label expires', async () => {
    const a = await offering('expiring')
    await publish(a.jws)
    await publish(await signLabel(clearingHouse, { level: 'L3', covers: [{ jws: a.jws }], validUntil: new Date(Date.now() + 1500).toISOString() }))
    assert.equal((await complianceOf(a.subject)).label, 'L3')
    await waitFor(async () => await complianceOf(a.subject) == null, 10_000, 'the label to expire')
  })

  it('marks nothing once the label is revoked in its status list', async () => {
    const url = `http://${lists.host}/labels/status`
    lists.serve('/labels/status', await signStatusList(clearingHouse, didOf(clearingHouse.kid), url, 'revocation', []), 'application/vc+jwt', 'no-store')
    const a = await offering('revoked-label')
    await publish(a.jws)
    await publish(await signLabel(clearingHouse, { level: 'L1', covers: [{ jws: a.jws }], credentialStatus: statusEntry(url, 7) }))
    assert.equal((await complianceOf(a.subject)).label, 'L1')
    lists.serve('/labels/status', await signStatusList(clearingHouse, didOf(clearingHouse.kid), url, 'revocation', [7]), 'application/vc+jwt', 'no-store')
    assert.ok((await t.node.recheckStatusLists()).changed >= 1)
    assert.equal(await complianceOf(a.subject), null)
  })

  it('answers ?compliant=true and ?label=, counts labels in the facets, and the client and the CLI agree', async () => {
    const compliant = (await get(`${t.url}/v1/self-descriptions?compliant=true&type=gx:ServiceOffering`)).body.items
    const subjects = compliant.map((item: any) => item.subject).sort()
    assert.deepEqual(subjects, ['hex', 'jcs', 'wild-384', 'wild-512', 'later-a', 'later-b', 'versions', 'several'].map(n => `https://provider.example/services/${n}`).sort())
    assert.ok(compliant.every((item: any) => item.compliance != null))
    const atL1 = (await get(`${t.url}/v1/self-descriptions?label=L1`)).body.items.map((item: any) => [item.subject.split('/').pop(), item.compliance.label]).sort()
    assert.deepEqual(atL1, [['hex', 'L1'], ['jcs', 'L1'], ['later-a', 'L2'], ['later-b', 'L2'], ['several', 'L2'], ['versions', 'L1']])
    assert.equal((await get(`${t.url}/v1/self-descriptions?label=L4`)).status, 400)
    const facets = (await get(`${t.url}/v1/facets`)).body
    assert.deepEqual(Object.fromEntries(facets.labels.map((f: any) => [f.value, f.count])), { L1: 3, L2: 3, BL: 2 })
    const client = createCatalogueClient({ url: t.url })
    assert.deepEqual((await client.list({ label: 'L2' })).items.map(i => i.subject.split('/').pop()).sort(), ['later-a', 'later-b', 'several'])
    assert.equal((await client.list({ compliant: true, limit: 1000 })).items.length, compliant.length)
    const cli = await gxcat(['query', '--node', t.url, '--compliant', '--label', 'L2'])
    assert.equal(cli.code, 0, cli.stderr)
    const printed = JSON.parse(cli.stdout)
    assert.equal(printed.count, 3)
    assert.ok(printed.items.every((item: any) => item.compliance === 'L2'))
  })

  it('shows the link from each compliant version to its label in SPARQL', async () => {
    const query = 'SELECT ?version ?label WHERE { ?version <urn:gxcat:complianceLabel> ?label }'
    const answer = await post(`${t.url}/v1/sparql`, query, 'application/sparql-query')
    assert.equal(answer.status, 200, JSON.stringify(answer.body))
    const compliant = (await get(`${t.url}/v1/self-descriptions?compliant=true&limit=1000`)).body.items
    const linked = new Set(answer.body.results.bindings.map((b: any) => b.version.value))
    for (const item of compliant) assert.ok(linked.has(`urn:gxcat:version:${item.cid}`), item.subject)
  })

  it('keeps its verdicts across a restart', async () => {
    const before = (await get(`${t.url}/v1/self-descriptions?compliant=true&limit=1000`)).body.items.map((i: any) => [i.cid, i.compliance.label])
    await t.stop()
    t = await startTestNode({ dir: t.dir, node: { complianceIssuers: [didOf(clearingHouse.kid)], didWebOrigins: [lists.override], statusRecheckMs: 0 } })
    const after = (await get(`${t.url}/v1/self-descriptions?compliant=true&limit=1000`)).body.items.map((i: any) => [i.cid, i.compliance.label])
    assert.deepEqual(after, before)
  })
})
