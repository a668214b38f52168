/**
 * The media types a node reads as text: compact JWS (VC-JWT, VP-JWT) in their registered and
 * in-the-wild names, SPARQL queries, and JSON-LD credentials (a legacy Tagus one is refused by
 * name, one to validate is parsed there).
 */
export const JWS_TYPES = [
  'application/vc+jwt', 'application/vc+ld+json+jwt', 'application/vc+ld+jwt', 'application/vp+jwt', 'application/vp+ld+json+jwt', 'application/vp+ld+jwt',
  'application/jwt', 'application/jose', 'text/plain', 'application/sparql-query', 'application/octet-stream',
  // JSON-LD credentials are read as text: a legacy (Tagus) one is refused by name, one to validate is parsed there
  'application/ld+json', 'application/vc+ld+json', 'application/vc'
]
