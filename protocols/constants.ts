/**
 * Protocol constants: everything two nodes must agree on, and the limits that keep
 * untrusted input cheap to refuse. Node defaults live in node/constants.ts.
 */

export const second = 1000
export const minute = 60 * second

/** JWS algorithms a credential may be signed with (docs/envelope.md: never `none`, never HMAC). */
export const ALLOWED_ALGORITHMS = ['EdDSA', 'ES256', 'ES384', 'PS256'] as const

/** `typ` of a VC-JWT (VC-JOSE and Gaia-X Loire). */
export const CREDENTIAL_TYPES = ['vc+jwt', 'vc+ld+json+jwt', 'vc+ld+jwt'] as const
/** `cty` of a VC-JWT; optional, but when present it must be one of these. */
export const CREDENTIAL_CONTENT_TYPES = ['vc', 'vc+ld+json', 'vc+ld'] as const
/** `typ` of a VP-JWT. */
export const PRESENTATION_TYPES = ['vp+jwt', 'vp+ld+json+jwt', 'vp+ld+jwt'] as const
/** `cty` of a VP-JWT. */
export const PRESENTATION_CONTENT_TYPES = ['vp', 'vp+ld+json', 'vp+ld'] as const
/** `typ` of a gxcat revocation. */
export const REVOCATION_TYPE = 'gxcat-revocation+jwt'

/** Largest compact JWS of one credential, checked before any parsing. */
export const MAX_CREDENTIAL_BYTES = 256 * 1024
/** Largest revocation JWS. */
export const MAX_REVOCATION_BYTES = 8 * 1024
/** Deepest JSON nesting accepted in a header or payload. */
export const MAX_JSON_DEPTH = 32
/**
 * Most values one property of a credential may hold (a JSON array's items), and most values a
 * credential may hold in all (every property value and node, the subjects' types included):
 * what the shapes, the RDF index and the structured indexes cost grows with them. The
 * third-party Gaia-X corpus (test/fixtures/third-party) holds at most 4 values per property and
 * 161 in all; a compliance label listing a hundred credentials by digest holds about 500.
 */
export const MAX_VALUES_PER_PROPERTY = 1000
export const MAX_CREDENTIAL_VALUES = 4000
/** Largest JOSE header (decoded), checked before parsing it. */
export const MAX_HEADER_BYTES = 16 * 1024

/** Allowed clock skew when checking validity periods. */
export const CLOCK_TOLERANCE_MS = 5 * minute

/** The VC 2.0 base context: the first `@context` of every credential. */
export const VC2_CONTEXT = 'https://www.w3.org/ns/credentials/v2'
/** The W3C examples context of VC 2.0 (`@vocab` https://www.w3.org/ns/credentials/examples#). */
export const VC2_EXAMPLES_CONTEXT = 'https://www.w3.org/ns/credentials/examples/v2'
/** The VC data model's vocabulary: what its terms (`VerifiableCredential`, `digestSRI`…) expand to. */
export const VC_VOCABULARY = 'https://www.w3.org/2018/credentials#'
/** The VC 1.1 context, used by legacy (Tagus/Elbe) credentials, which are refused. */
export const VC1_CONTEXT = 'https://www.w3.org/2018/credentials/v1'
/** The Gaia-X 2511 vocabulary (current release). */
export const GX_2511 = 'https://w3id.org/gaia-x/2511#'
/** The Gaia-X development vocabulary used by the Loire examples. */
export const GX_DEVELOPMENT = 'https://w3id.org/gaia-x/development#'

/** Multicodec prefixes of public keys in did:key (varint-encoded). */
export const MULTICODEC_ED25519_PUB = Uint8Array.of(0xed, 0x01)
export const MULTICODEC_P256_PUB = Uint8Array.of(0x80, 0x24)

/** did:web resolution. */
export const DID_WEB_TIMEOUT_MS = 10 * second
export const DID_WEB_MAX_DOCUMENT_BYTES = 256 * 1024
export const DID_WEB_CACHE_ENTRIES = 1024
export const DID_WEB_CACHE_TTL_MS = 10 * minute
/** How long a failed DID document, chain or status-list fetch is remembered and not tried again. */
export const DID_WEB_FAILURE_TTL_MS = 30 * second
/** Most outbound fetches (DID documents, chains, status lists) at once, and to one host. */
export const OUTBOUND_MAX_CONCURRENT = 16
export const OUTBOUND_MAX_PER_HOST = 4
/** An x5u certificate chain (PEM) larger than this is refused. */
export const CERTIFICATE_CHAIN_MAX_BYTES = 64 * 1024
/** An x5u chain with more certificates than this is refused. */
export const CERTIFICATE_CHAIN_MAX_LENGTH = 8

/** A status-list credential larger than this is refused (131,072 entries gzip to a few hundred bytes). */
export const STATUS_LIST_MAX_BYTES = 256 * 1024
/** A decompressed bitstring larger than this is refused (16 Mi entries). */
export const STATUS_LIST_MAX_BITSTRING_BYTES = 2 * 1024 * 1024
/** How long a verified status list is reused when neither its validUntil nor its server says. */
export const STATUS_LIST_CACHE_TTL_MS = 5 * minute

/** The gossipsub topic that carries new versions and revocations. */
export const CATALOGUE_TOPIC = '/gxcat/catalogue/1.0.0'
/** Our own Kademlia protocol, so gxcat never joins (or pollutes) the public IPFS DHT. */
export const DHT_PROTOCOL = '/gxcat/kad/1.0.0'
/** Namespace of DHT value records: /gxcat/<entry id> → latest JWS of the entry. */
export const DHT_NAMESPACE = 'gxcat'
/** The peer-list protocol served by every node (bootstrap nodes above all). */
export const PEER_LIST_PROTOCOL = '/gxcat/peers/1.0.0'
/** Most peers one peer-list answer carries, and the largest answer in bytes. */
export const PEER_LIST_MAX_PEERS = 64
export const PEER_LIST_MAX_BYTES = 64 * 1024
/** Largest gossip message: a credential and its one-byte kind. */
export const MAX_GOSSIP_MESSAGE_BYTES = MAX_CREDENTIAL_BYTES + 1
/** How long a peer pruned from a gossip mesh waits before grafting again. */
export const GOSSIP_PRUNE_BACKOFF_MS = 15 * second

/** The anti-entropy (set reconciliation) protocol. */
export const SYNC_PROTOCOL = '/gxcat/sync/3.0.0'
/** How many versions refused by a node's trust policy sync remembers, so as not to fetch them again. */
export const SYNC_REFUSED_MEMORY = 100_000
/** Subranges a mismatched range is split into. */
export const SYNC_BRANCHING = 16
/** Where a side holds at most this many items of a mismatched range, the responder lists its ids and the initiator asks for that list, instead of splitting. */
export const SYNC_SMALL_RANGE = 32
/** Largest sync frame; larger frames end the session. */
export const SYNC_MAX_FRAME_BYTES = 16 * 1024 * 1024
/** Most ranges in one frame, and most ids in one range list. */
export const SYNC_MAX_RANGES = 16_384
export const SYNC_MAX_IDS = 200_000
/** Most reconciliation round trips of one session (splitting always ends well before this). */
export const SYNC_MAX_ROUNDS = 24
/** Batches of versions a fetching side asks for ahead of the one it is verifying. */
export const SYNC_PIPELINE = 3
/** Versions asked for per frame in the transfer phase. */
export const SYNC_TRANSFER_BATCH = 256
/** Ids the initiator offers per frame (what the responder lacks); the responder pulls those it takes. */
export const SYNC_OFFER_BATCH = 2048
/** A whole session, and one frame, must finish within these. */
export const SYNC_SESSION_TIMEOUT_MS = 5 * minute
export const SYNC_FRAME_TIMEOUT_MS = 30 * second

/** Largest VP-JWT, most credentials it may envelop. */
export const MAX_PRESENTATION_BYTES = 4 * 1024 * 1024
export const MAX_PRESENTATION_CREDENTIALS = 1000
