/**
 * Gaia-X 2511 Loire credentials for the benchmarks: a did:web issuer whose PS256 key has an x5u
 * chain of 3 (leaf, notary CA, trust anchor), served by a local host, issuing 2511
 * LegalPerson and ServiceOffering credentials in turn.
 */
import { createGaiaxIssuer, createIntermediateCa, createRootCa, startDidWebHost, type CertificateAuthority, type DidWebHost } from '../test/fixtures/gaia-x-issuer.ts'
import { legalPerson2511, serviceOffering2511 } from '../test/fixtures/subjects.ts'

export interface LoireCorpus {
  /** serves the issuer's DID document and chain: nodes reach it through `web.override` */
  web: DidWebHost
  /** the trust anchor the chain ends at */
  root: CertificateAuthority
  credentials: string[]
}

export async function createLoireCorpus (count: number): Promise<LoireCorpus> {
  const web = await startDidWebHost()
  const root = await createRootCa('Bench Trust Anchor')
  const intermediate = await createIntermediateCa('Bench Notary CA', root)
  const issuer = await createGaiaxIssuer(web, { alg: 'PS256', name: 'bench', chain: [intermediate, root] })
  const credentials: string[] = []
  for (let i = 0; i < count; i++) {
    const person = `https://p${i >> 1}.bench.example/lp`
    credentials.push(await issuer.issue(i % 2 === 0 ? legalPerson2511(person) : serviceOffering2511(`https://p${i >> 1}.bench.example/service`, person)))
  }
  return { web, root, credentials }
}
