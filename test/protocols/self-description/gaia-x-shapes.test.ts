import assert from 'node:assert/strict'
import { GX_2511, VC2_CONTEXT } from '../../../protocols/constants.ts'
import { gaiaxShapes, SHAPE_RELEASES, ShapeViolationError, validateGaiaxShapes } from '../../../protocols/self-description/index.ts'
import { legalPerson2511, serviceOffering, serviceOffering2511 } from '../../fixtures/subjects.ts'

const credential = (subject: Record<string, unknown>): Record<string, unknown> => ({
  '@context': [VC2_CONTEXT, GX_2511],
  type: ['VerifiableCredential'],
  issuer: 'did:web:provider.example',
  validFrom: '2026-01-01T00:00:00Z',
  credentialSubject: subject
})

describe('the official Gaia-X 2511 shapes', function () {
  this.timeout(30_000)

  it('says where in the submitted JSON a violation is, and what was expected', async () => {
    // the development vocabulary's sample (an IRI for gx:url) under the 2511 shapes, which want an xsd:anyURI literal
    const [url] = await validateGaiaxShapes(credential(serviceOffering()))
    assert.equal(url.focusNode.startsWith('_:'), true, 'SHACL reports a blank node')
    assert.equal(url.at, 'credentialSubject.gx:serviceOfferingTermsAndConditions.gx:url')
    assert.match(new ShapeViolationError([url]).message,
      /^credentialSubject\.gx:serviceOfferingTermsAndConditions\.gx:url: Value does not have datatype xsd:anyURI \(value: https:\/\/provider\.example\/terms\)$/)
    // the element of an array, told apart by its values; keys as written (bare terms of the context, full IRIs)
    const terms = { type: 'gx:TermsAndConditions', 'gx:url': { '@value': 'https://provider.example/terms', '@type': 'xsd:anyURI' } }
    const two = { ...serviceOffering2511(), 'gx:serviceOfferingTermsAndConditions': [{ ...terms, 'gx:hash': 'a1' }, { ...terms, 'gx:hash': 7 }] }
    assert.deepEqual((await validateGaiaxShapes(credential(two))).map(v => v.at), ['credentialSubject.gx:serviceOfferingTermsAndConditions[1].gx:hash'])
    const { 'gx:registrationNumber': _, ...bare } = legalPerson2511()
    const missing = await validateGaiaxShapes(credential({ ...bare, [`${GX_2511}legalAddress`]: bare['gx:legalAddress'], 'gx:legalAddress': undefined }))
    assert.deepEqual(missing.map(v => v.at).sort(), ['credentialSubject.gx:registrationNumber'])
    assert.match(new ShapeViolationError(missing).message, /^credentialSubject\.gx:registrationNumber: needs at least 1 value$/)
  })

  it('loads the shipped shapes once', () => {
    assert.ok(SHAPE_RELEASES.every(r => gaiaxShapes().shapeCount(r.namespace) > 100))
    assert.equal(gaiaxShapes(), gaiaxShapes())
  })

  it('passes conforming LegalPerson and ServiceOffering credentials', async () => {
    assert.deepEqual(await validateGaiaxShapes(credential(legalPerson2511())), [])
    assert.deepEqual(await validateGaiaxShapes(credential(serviceOffering2511())), [])
  })

  it('does not judge a referenced entity the graph does not describe, but judges one it describes', async () => {
    // gx:registrationNumber → an IRI with no description here: its own credential is checked on its own
    assert.deepEqual(await validateGaiaxShapes(credential(legalPerson2511())), [])
    // described, with a subclass of gx:RegistrationNumber from the ontology: conforms
    const local = { ...legalPerson2511(), 'gx:registrationNumber': { id: 'https://provider.example/lrn', type: 'gx:LocalRegistrationNumber', 'gx:local': 'HRB 1234' } }
    assert.deepEqual(await validateGaiaxShapes(credential(local)), [])
    // described as something that is not a registration number: a violation
    const wrong = { ...legalPerson2511(), 'gx:registrationNumber': { id: 'https://provider.example/lrn', type: 'gx:Address', 'gx:countryCode': 'DE' } }
    const violations = await validateGaiaxShapes(credential(wrong))
    assert.deepEqual(violations.map(v => [v.path, v.constraint]), [[`${GX_2511}registrationNumber`, 'sh:ClassConstraintComponent']])
  })

  it('judges an optional property where the credential has it, and a required one where it lacks it', async () => {
    const paths = async (subject: Record<string, unknown>): Promise<string[][]> =>
      (await validateGaiaxShapes(credential(subject))).map(v => [v.path as string, v.constraint as string]).sort()
    const offering = serviceOffering2511()
    // gx:serviceScope: optional, at most one, a string literal
    assert.deepEqual(await paths(offering), [])
    assert.deepEqual(await paths({ ...offering, 'gx:serviceScope': 'storage in Frankfurt' }), [])
    assert.deepEqual(await paths({ ...offering, 'gx:serviceScope': ['storage', 'compute'] }), [[`${GX_2511}serviceScope`, 'sh:MaxCountConstraintComponent']])
    assert.deepEqual(await paths({ ...offering, 'gx:serviceScope': { id: 'https://provider.example/scope' } }),
      [[`${GX_2511}serviceScope`, 'sh:DatatypeConstraintComponent'], [`${GX_2511}serviceScope`, 'sh:NodeKindConstraintComponent']])
    // gx:providedBy: required
    const { 'gx:providedBy': _providedBy, ...unprovided } = offering
    assert.deepEqual(await paths(unprovided), [[`${GX_2511}providedBy`, 'sh:MinCountConstraintComponent']])
  })

  it('takes characters beyond the Basic Multilingual Plane as the characters they are, and still checks the lexical form', async () => {
    const paths = async (subject: Record<string, unknown>): Promise<string[][]> =>
      (await validateGaiaxShapes(credential(subject))).map(v => [v.path as string, v.constraint as string]).sort()
    // 𠮷 (CJK Extension B) and emoji are one character each in XSD's strings, as the checkers others run take them
    assert.deepEqual(await paths({ ...legalPerson2511(), 'schema:name': '𠮷野家 Holdings 😀' }), [])
    const offering = serviceOffering2511()
    assert.deepEqual(await paths({ ...offering, 'gx:serviceScope': 'storage 🗄 in 𠮷野' }), [])
    // the lexical form is still checked: U+FFFF is no character of a string, and a number stays a number
    const datatype = [[`${GX_2511}serviceScope`, 'sh:DatatypeConstraintComponent']]
    assert.deepEqual(await paths({ ...offering, 'gx:serviceScope': 'broken \uffff text 😀' }), datatype)
    assert.deepEqual(await paths({ ...offering, 'gx:serviceScope': { '@value': '1😀', '@type': 'http://www.w3.org/2001/XMLSchema#integer' } }), datatype)
  })

  it('validates credentials of one tick in one batch, each on its own graph', async () => {
    const bad = legalPerson2511('https://bad.example/lp')
    delete bad['gx:headquartersAddress']
    const results = await Promise.all([
      validateGaiaxShapes(credential(legalPerson2511('https://a.example/lp'))),
      validateGaiaxShapes(credential(bad)),
      validateGaiaxShapes(credential(serviceOffering2511('https://a.example/s', 'https://a.example/lp')))
    ])
    assert.deepEqual(results.map(r => r.map(v => v.path)), [[], [`${GX_2511}headquartersAddress`], []])
    assert.equal(results[1][0].focusNode, 'https://bad.example/lp')
  })

  it('checks sh:in lists, alone and inside sh:or, after lifting them out of the shapes graph', async () => {
    const address = (fields: Record<string, unknown>): Record<string, unknown> => ({ ...legalPerson2511(), 'gx:legalAddress': { type: 'gx:Address', ...fields } })
    // gx:countryCode: sh:or of three sh:in lists (ISO 3166-1 alpha-2, alpha-3, numeric)
    for (const code of ['DE', 'DEU', '276']) assert.deepEqual(await validateGaiaxShapes(credential(address({ 'gx:countryCode': code }))), [], code)
    const unknownCountry = await validateGaiaxShapes(credential(address({ 'gx:countryCode': 'XX' })))
    assert.deepEqual(unknownCountry.map(v => [v.path, v.constraint, v.value]), [[`${GX_2511}countryCode`, 'sh:OrConstraintComponent', 'XX']])
    // vcard:region: one sh:in list of NUTS 2 codes
    assert.deepEqual(await validateGaiaxShapes(credential(address({ 'gx:countryCode': 'DE', 'vcard:region': 'DE30' }))), [])
    const unknownRegion = await validateGaiaxShapes(credential(address({ 'gx:countryCode': 'DE', 'vcard:region': 'DE99' })))
    assert.deepEqual(unknownRegion.map(v => [v.path, v.constraint, v.value]), [['http://www.w3.org/2006/vcard/ns#region', 'sh:InConstraintComponent', 'DE99']])
    assert.match(unknownRegion[0].message, /DE30/, 'the message names the allowed values')
  })

  it('leaves credentials without the 2511 vocabulary to the development checks', async () => {
    const development = { ...credential(serviceOffering()), '@context': [VC2_CONTEXT, 'https://w3id.org/gaia-x/development#'] }
    assert.deepEqual(await validateGaiaxShapes(development), [])
  })
})
