import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import oxigraph from 'oxigraph'
import { GX_2511, GX_DEVELOPMENT, VC2_CONTEXT } from '../../../protocols/constants.ts'
import { expandTerm, inlineContexts, inlinedContextText, payloadOfVerifiedJws, readContexts } from '../../../protocols/self-description/index.ts'
import { syntheticSelfDescriptions } from '../../../simulations/generator.ts'
import { legalPerson2511, serviceOffering, serviceOffering2511 } from '../../fixtures/subjects.ts'

/** N-Quads of a document, blank node labels blanked, sorted: comparable across parses. */
function quadsOf (context: unknown, body: Record<string, unknown>): string[] {
  const store = new oxigraph.Store()
  store.load(JSON.stringify({ '@context': context, ...body }), { format: 'application/ld+json' })
  return store.dump({ format: 'application/n-quads' }).split('\n').filter(l => l !== '').map(l => l.replace(/_:[A-Za-z0-9]+/g, '_:b')).sort()
}

describe('bundled contexts as given to Oxigraph', () => {
  const credentials: Array<Record<string, any>> = [
    ...[...syntheticSelfDescriptions({ count: 12, seed: 7 })].slice(0, 12).map(sd => ({ '@context': [VC2_CONTEXT, GX_DEVELOPMENT], type: ['VerifiableCredential'], issuer: 'did:key:z', validFrom: '2026-01-01T00:00:00Z', credentialSubject: sd.subject })),
    { '@context': [VC2_CONTEXT, GX_2511], type: ['VerifiableCredential', 'gx:LegalPerson'], issuer: 'did:key:z', validFrom: '2026-01-01T00:00:00Z', credentialSubject: legalPerson2511() },
    { '@context': [VC2_CONTEXT, GX_2511], type: ['VerifiableCredential'], issuer: 'did:key:z', validFrom: '2026-01-01T00:00:00Z', credentialSubject: serviceOffering2511() },
    { '@context': [VC2_CONTEXT, GX_DEVELOPMENT], type: ['VerifiableCredential'], issuer: { id: 'did:key:z', name: 'Z' }, validFrom: '2026-01-01T00:00:00Z', credentialSubject: serviceOffering() },
    { '@context': [VC2_CONTEXT, GX_DEVELOPMENT], type: ['VerifiableCredential', 'LegalPerson'], issuer: 'did:key:z', validFrom: '2026-01-01T00:00:00Z', credentialSubject: { id: 'x:bare', name: 'Bare', registrationNumber: { type: 'LocalRegistrationNumber', local: 'HRB 1' }, legalAddress: { type: 'Address', countryCode: 'DE' }, gaiaxTermsAndConditions: 'x' } },
    ...['notary-telekom', 'notary-deltadao'].map(name => payloadOfVerifiedJws(readFileSync(new URL(`../../fixtures/third-party/gaia-x-go/${name}.jwt`, import.meta.url), 'utf8').trim()))
  ]

  it('yield the same triples cut down to the terms a credential uses as whole', () => {
    for (const credential of credentials) {
      const { '@context': context, ...body } = credential
      const published = quadsOf(inlineContexts(credential)['@context'], body)
      const cut = quadsOf(JSON.parse(inlinedContextText(context, [body])), body)
      assert.ok(published.length > 3)
      assert.deepEqual(cut, published, JSON.stringify(credential).slice(0, 200))
    }
  })

  it('cut a Gaia-X context to a small part of it', () => {
    const { '@context': context, ...body } = credentials[0]
    assert.ok(inlinedContextText(context, [body]).length < JSON.stringify(inlineContexts(credentials[0])['@context']).length / 5)
  })
})

describe('contexts as others name them', () => {
  it('answer to a Gaia-X context\'s IRI with #, with /, bare and with /context alike', () => {
    for (const namespace of [GX_2511, GX_DEVELOPMENT]) {
      const bare = namespace.slice(0, -1)
      const quads = [namespace, `${bare}/`, bare, `${bare}/context`].map(name => {
        const terms = readContexts([VC2_CONTEXT, name])
        return expandTerm('LegalPerson', terms)
      })
      assert.deepEqual(quads, Array(4).fill(`${namespace}LegalPerson`))
    }
  })

  it('read the vCard and DCAT namespaces named as contexts as ontology-management-base\'s catalogue does: the schema.org context', () => {
    for (const name of ['http://www.w3.org/2006/vcard/ns#', 'http://www.w3.org/ns/dcat#', 'https://schema.org/']) {
      assert.equal(expandTerm('description', readContexts([VC2_CONTEXT, GX_DEVELOPMENT, name])), 'http://schema.org/description', name)
    }
    assert.throws(() => readContexts([VC2_CONTEXT, 'https://example.org/unknown-context']), { name: 'UnknownContextError' })
  })
})
