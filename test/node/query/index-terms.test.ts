import assert from 'node:assert/strict'
import { checkCredential, decodeJws, didOf, generateIssuerKey, signCredential, signJws, type IssuerKey } from '../../../protocols/self-description/index.ts'
import { indexTerms, tokenize } from '../../../node/query/index-terms.ts'
import { serviceOffering } from '../../fixtures/subjects.ts'

/** Words as the index has always read them: NFKC, then runs of Unicode letters and digits. */
function referenceTokens (text: string): string[] {
  const stopwords = new Set(['a', 'an', 'and', 'are', 'as', 'at', 'be', 'by', 'for', 'from', 'in', 'is', 'it', 'of', 'on', 'or', 'the', 'to', 'with'])
  return [...text.toLowerCase().normalize('NFKC').matchAll(/[\p{L}\p{N}]+/gu)].map(m => m[0]).filter(w => w.length > 1 && w.length <= 64 && !stopwords.has(w))
}

describe('index terms', () => {
  it('reads the words of ASCII and of other text alike', () => {
    const texts = [
      'Storage of the GAIA-X data, 24/7 & EU-hosted (v2.1)',
      'Kelvin: 3\u212Aelvin', // the Kelvin sign lower-cases to an ASCII k
      'Ｆｕｌｌｗｉｄｔｈ ＡＢＣ', // NFKC folds these to ASCII letters
      'Données hébergées à Zürich, İstanbul',
      'x'.repeat(64) + ' ' + 'y'.repeat(65),
      'a an of to ab',
      ''
    ]
    for (const text of texts) assert.deepEqual(tokenize(text), referenceTokens(text), text)
  })

  it('keys properties by each credential\'s own contexts', async () => {
    const key: IssuerKey = generateIssuerKey('ed25519')
    const termsOf = (jws: string): ReturnType<typeof indexTerms> => indexTerms(checkCredential(decodeJws(jws, 1e6, 'x'), Date.now()))
    const terms = async (subject: Record<string, unknown>): Promise<ReturnType<typeof indexTerms>> => termsOf(await signCredential(subject, key))
    const first = await terms(serviceOffering('https://provider.example/a'))
    const second = await terms(serviceOffering('https://provider.example/b'))
    assert.deepEqual(first.properties.map(([p]) => p).sort(), second.properties.map(([p]) => p).sort())
    assert.ok(first.properties.some(([p]) => p === 'https://schema.org/name') && first.properties.some(([p]) => p === 'gx:keyword'), JSON.stringify(first.properties))
    // the same term under another context names another property
    const withVocab = async (vocab: string): Promise<ReturnType<typeof indexTerms>> => termsOf(await signJws({
      '@context': ['https://www.w3.org/ns/credentials/v2', { '@vocab': vocab }],
      type: ['VerifiableCredential'],
      issuer: didOf(key.kid),
      validFrom: new Date(Date.now() - 1000).toISOString(),
      credentialSubject: { id: 'https://provider.example/c', type: 'Thing', colour: 'blue' }
    }, key, { typ: 'vc+jwt', cty: 'vc', iss: didOf(key.kid) }))
    assert.deepEqual((await withVocab('https://example.org/one#')).properties, [['https://example.org/one#colour', 'blue']])
    assert.deepEqual((await withVocab('https://example.org/two#')).properties, [['https://example.org/two#colour', 'blue']])
  })
})
