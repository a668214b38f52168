/**
 * Defaults of a catalogue node, in one place.
 */
import { homedir } from 'node:os'
import { join } from 'node:path'

export { second } from '../protocols/constants.ts'

/** Default HTTP API address: loopback only. */
export const DEFAULT_HTTP_HOST = '127.0.0.1'
export const DEFAULT_HTTP_PORT = 7420
/** Default node URL for the CLI's client commands. */
export const DEFAULT_NODE_URL = `http://${DEFAULT_HTTP_HOST}:${DEFAULT_HTTP_PORT}`
/** Default data directory: $GXCAT_DATA, else ~/.gxcat. */
export const DEFAULT_DATA_DIR = process.env.GXCAT_DATA ?? join(homedir(), '.gxcat')

/** Largest HTTP request body; larger bodies get 413 before parsing. */
export const MAX_HTTP_BODY_BYTES = 4 * 1024 * 1024
/** How often the node samples its counts for GET /v1/history, and how many samples it keeps (a day). */
export const STATUS_HISTORY_INTERVAL_MS = 60 * 1000
export const STATUS_HISTORY_POINTS = 1440
/** Values per facet (type, issuer, keyword) that /v1/facets answers by default, and at most. */
export const DEFAULT_FACETS = 20
export const MAX_FACETS = 1000
/** LegalPerson versions whose name (issuerName) a node keeps read */
export const MAX_CACHED_ISSUER_NAMES = 4096
/** Largest page of a list query. */
export const MAX_PAGE_SIZE = 1000
export const DEFAULT_PAGE_SIZE = 100
/** Most versions written in one atomic store batch (group commit). */
export const MAX_WRITE_BATCH = 1000
/** Most credentials loaded into Oxigraph in one parse. */
export const RDF_BATCH_SIZE = 2000
/**
 * How long new versions gather before they go to the RDF worker (unless RDF_BATCH_SIZE gather
 * first): one message and one wake-up of the worker per 50 ms, not one per tick of the HTTP
 * server. A SPARQL query sends what has gathered before it runs, so it sees every stored version.
 */
export const RDF_GATHER_MS = 50
/**
 * Batches a rebuild of the RDF index may have sent the worker and not yet seen loaded: the main
 * thread reads faster than Oxigraph loads, and each batch waiting is megabytes held.
 */
export const RDF_BATCHES_AHEAD = 2
/** How long opening the store waits for another process to release its lock. */
export const STORE_LOCK_WAIT_MS = 15_000
/** Longest a SPARQL query may run; past it the query is stopped (its worker replaced). */
export const SPARQL_TIMEOUT_MS = 10_000
/** How long a SPARQL query waits for the index being rebuilt after a start before it is answered 503. */
export const SPARQL_LOAD_WAIT_MS = 2_000
/** How often `gxcat start` logs how far the SPARQL index has loaded, while it loads. */
export const SPARQL_PROGRESS_LOG_MS = 10_000
/** Most SPARQL queries waiting for the engine, and the longest wait a new one may face; past either: 503 NodeBusyError. */
export const SPARQL_MAX_QUEUED = 256
/** SPARQL query time one client (address, or the operator's token) may use per window: a minute of engine time per minute, as the Wikidata Query Service gives */
export const SPARQL_BUDGET = { ms: 60_000, windowMs: 60_000 }
/** queries sent ahead to each SPARQL engine: enough for this long of its work, so that it never waits for a busy main thread to send the next */
export const SPARQL_PIPELINE_MS = 50
/** and at most so many */
export const SPARQL_MAX_PIPELINE = 64
/** an engine whose query has run this long gets no more queries sent ahead: it may be a bomb, which is stopped with what waits behind it */
export const SPARQL_LONG_RUN_MS = 100
/** most SPARQL engines a node runs (each holds the whole index: about 700 MiB per 100,000 entries) */
export const MAX_SPARQL_WORKERS = 8
export const SPARQL_MAX_WAIT_MS = 2_000
/** An external SPARQL store (--sparql-store): queries it runs at once for the node, and for one client of the node */
export const SPARQL_STORE_QUERIES = 4
export const SPARQL_STORE_CLIENT_QUERIES = 2
/**
 * Changes written to an external SPARQL store at a time: the graphs dropped go in one update, and
 * those put go SPARQL_STORE_WRITERS at a time, one Graph Store PUT each (Virtuoso 7.2, 2 cores:
 * 1.8 ms a graph with 4 at a time, 2.9 with one, 2.4 with 8), or where the store has no Graph Store
 * endpoint, SPARQL_STORE_UPDATE_GRAPHS to an update (Virtuoso compiles an update to SQL: past about
 * 30 graphs it refuses one as too long, and a graph costs 3.2 ms in updates of 50)
 */
export const SPARQL_STORE_BATCH = 100
export const SPARQL_STORE_WRITERS = 4
export const SPARQL_STORE_UPDATE_GRAPHS = 20
/** changes that may wait for an external SPARQL store while the replica is compared with it (each holds its credential) */
export const SPARQL_STORE_AHEAD = 4_000
/** after a failed update, the store is tried again this long later, doubling up to the most */
export const SPARQL_STORE_RETRY_MS = { first: 1_000, most: 30_000 }
/** changes kept for a store that does not answer; past them the node forgets them and compares its whole replica with the store once it answers */
export const SPARQL_STORE_MAX_PENDING = 20_000
/** graph names read per request when the node compares the store with its replica (under Virtuoso's default 10,000 rows per answer) */
export const SPARQL_STORE_GRAPH_PAGE = 5_000
/** Most costly requests (publish, revoke, validate, sync) worked on at once; past it: 503 NodeBusyError with Retry-After. */
export const MAX_COSTLY_IN_FLIGHT = 256
/** Largest SPARQL answer (serialised); past it the query is refused and its memory released. */
export const SPARQL_MAX_RESULT_BYTES = 32 * 1024 * 1024
/** How long a stopping node lets running HTTP requests finish before it closes their connections. */
export const HTTP_CLOSE_GRACE_MS = 1500
/**
 * Longest a client may take to send one whole HTTP request, headers and body; past it 408 and
 * the connection is closed. Without it a client that trickles its bodies holds its connections,
 * and the node's places for costly work, for as long as it likes. 4 MiB, the largest body, fits at
 * about 70 KB/s.
 */
export const HTTP_REQUEST_TIMEOUT_MS = 60_000
/** Longest a client may take to send a request's headers (at most HTTP_REQUEST_TIMEOUT_MS). */
export const HTTP_HEADERS_TIMEOUT_MS = 20_000
/** Most HTTP connections a node holds at once (its file descriptors serve the store and libp2p too); one past it is closed at once. */
export const HTTP_MAX_CONNECTIONS = 1024
/** Most HTTP connections one client may hold at once, beyond loopback, counted by address prefix (/24 for IPv4, /64 for IPv6); one past it is closed at once. */
export const HTTP_CLIENT_CONNECTIONS = 64
/** HTTP connections that clients beyond loopback never take: the operator on loopback always gets in. */
export const HTTP_RESERVED_CONNECTIONS = 64
/**
 * How long a connection of a client beyond loopback must have had no request under way (an idle
 * keep-alive connection, or headers trickling in) before a newcomer may take its place when the
 * places are full. Long enough for a client between two requests, short against the 20 s of
 * headers and 72 s of keep-alive a connection may otherwise hold.
 */
export const HTTP_EVICT_IDLE_MS = 1000
/** How long a kept-alive HTTP connection may stay idle (fastify's default: longer than the 60 s of common load balancers). */
export const HTTP_KEEP_ALIVE_TIMEOUT_MS = 72_000
/** Most requests one HTTP connection may have waiting for their answers (pipelined); a connection past it is closed. */
export const HTTP_UNANSWERED_PER_CONNECTION = 2
/** How long an HTTP connection's answers may wait with none of their bytes taken by the client (it reads nothing); past it the connection is closed. */
export const HTTP_ANSWER_STALL_MS = 60_000
/**
 * Most bytes of HTTP answers waiting for their clients to read them, all connections together;
 * past it the connections stalled longest are closed. Eight of the largest SPARQL answers (256 MiB).
 */
export const HTTP_MAX_UNSENT_BYTES = 8 * SPARQL_MAX_RESULT_BYTES
/**
 * Most memory a node may grow by while one SPARQL query runs, and how often it is looked at;
 * past it the query is stopped (QueryTooLargeError) and its engine replaced, which releases the
 * memory. Eight times the largest answer: room for the answer, its copies and the engine's work.
 */
export const SPARQL_MAX_QUERY_MEMORY = 8 * SPARQL_MAX_RESULT_BYTES
export const SPARQL_MEMORY_WATCH_MS = 50
/** Longest SPARQL query text accepted. */
export const MAX_SPARQL_BYTES = 64 * 1024
/** Most tokens of one self-description in the full-text index. */
export const MAX_TOKENS_PER_ENTRY = 256
/** Longest property value kept in the property-equality index. */
export const MAX_INDEXED_VALUE_LENGTH = 256
/** How often a node checks the status lists (W3C Bitstring Status List) of what it stores again. */
export const STATUS_RECHECK_MS = 5 * 60_000
/** Costly HTTP requests (publish, revoke, validate, SPARQL, sync) one client may make per window, beyond loopback. */
export const CLIENT_REQUESTS = 1200
export const CLIENT_WINDOW_MS = 60_000
/** Gossip messages one peer may send per window (all kinds, checked before verifying); past it they are ignored. Above what an honest node publishes or relays in a bulk import (about 1,000 a second on 2 cores): an honest relay is never throttled, sync recovers anything ignored. */
export const GOSSIP_PEER_MESSAGES = 10_000
export const GOSSIP_PEER_WINDOW_MS = 10_000
/**
 * Values of credentials (graph-bounds.ts) one peer's gossip may bring per window; past it its
 * messages are ignored, past twice it rejected. 300,000 values are 7,500 credentials of 40 values
 * (a LegalPerson or ServiceOffering holds 15-40) every 10 s, above what a node takes on 2 cores
 * (about 1,000 a second), so an honest relay of a bulk import is not throttled; a peer sending
 * credentials of thousands of values each costs the node at most about 8 s of CPU per window.
 */
export const GOSSIP_PEER_VALUES = 300_000
export const GOSSIP_PEER_VALUES_WINDOW_MS = 10_000
/**
 * New entries one peer's gossip may bring per window (each from a fresh identity costs nothing
 * to make); past it ignored, past twice it rejected. As many as one peer may push by sync in the
 * same time (SYNC_PEER_PUSHES): a bulk import of 10,000 entries relayed by one peer passes.
 */
export const GOSSIP_PEER_NEW_ENTRIES = 10_000
export const GOSSIP_PEER_NEW_ENTRIES_WINDOW_MS = 60_000
/** Versions a node takes, per window, of what one peer offers in the sync sessions that peer starts; past it the peer is told to stop offering (the node pulls the rest itself). */
export const SYNC_PEER_PUSHES = 10_000
export const SYNC_PEER_PUSH_WINDOW_MS = 60_000
/** New versions of one entry taken per window; past it they are refused (429) until the window ends. */
export const ENTRY_VERSIONS_PER_WINDOW = 10
export const ENTRY_VERSION_WINDOW_MS = 60_000
/** Concurrency of bulk publishing from the CLI. */
export const PUBLISH_CONCURRENCY = 16

/** Default listen address of a bootstrap node: a fixed, well-known port. */
export const DEFAULT_BOOTSTRAP_LISTEN = '/ip4/0.0.0.0/tcp/4401'
/** A bootstrap node keeps room for many connections. */
export const BOOTSTRAP_MAX_CONNECTIONS = 500
/** Versions of one entry kept: its head and the newest superseded ones; older ones are pruned. */
export const KEEP_VERSIONS = 3
/** File beside the store recording how many batches the store acknowledged (its high-water mark). */
export const STORE_MARK_FILE = 'store.mark'
/** the posting lists a store wrote as it closed (node/store/postings.ts), in its data directory */
export const POSTINGS_FILE = 'store.postings'
/** every entry's head a store wrote as it closed (node/store/heads-snapshot.ts), in its data directory */
export const HEADS_FILE = 'store.heads'
/** heads of that file compared with their records at open (spread over all); one that differs and the records are read instead */
export const HEADS_SPOT_CHECK = 1000
/** certificate chains a store keeps in memory once read back (node/store/chains.ts), the least recently read dropped first */
export const CHAIN_CACHE_ENTRIES = 1024
/** heads added to the posting lists per turn of the event loop while a store rebuilds them */
export const POSTINGS_LOAD_CHUNK = 4096
/** Most worker threads that check signatures and run the official shapes (one per core beyond the main thread's, up to this). */
export const MAX_SHAPES_WORKERS = 8
/**
 * From how many shape workers they also decode and check each credential for the main thread
 * (prepare.ts). With one, that worker already carries the larger share of each credential
 * (signature and shapes, against the main thread's HTTP, store and routing): moving more to it
 * cost a 2-core node 6-12 % of its ingest rate. With two or more the workers have room, and the
 * main thread is what bounds the node.
 */
export const PREPARE_IN_WORKERS_FROM = 2
/** a node whose store holds this many entries or more rebuilds its RDF index before the shape workers parse the shapes */
export const SHAPES_AFTER_REBUILD_ENTRIES = 10_000
/**
 * Most credentials sent to a shapes worker in one message, and validated there in one call:
 * results come back batch by batch, so the main thread stores the first while the worker runs
 * the next, and small batches that queued in the worker share a call's fixed cost.
 */
export const SHAPES_BATCH = 32
/**
 * Shape verdicts remembered per process, by the credential's JSON text (a signed version's by its CID): a verdict depends on
 * nothing else, and the nodes of a simulation (hundreds per process) each validate every
 * credential, as a node does one that reaches it twice.
 */
export const SHAPES_VERDICT_CACHE = 4096
/** DHT puts of accepted entries: how many a node starts per second, and how many run at once (paced, off the ingest path). */
export const DHT_PUTS_PER_SECOND = 20
export const DHT_PUTS_AT_ONCE = 4

/**
 * Ping streams at once, each way, on a connection: libp2p's connection monitor pings every 10 s
 * and waits up to 60 s for an answer, so up to six may overlap before one times out.
 */
export const PING_STREAMS = 6

/**
 * The SPARQL predicate linking a compliant version's graph to the graph of the label that covers
 * it: `<urn:gxcat:version:CID> <urn:gxcat:complianceLabel> <urn:gxcat:version:LABEL-CID>`, in a
 * named graph of its own (`urn:gxcat:compliance:CID`).
 */
export const COMPLIANCE_PREDICATE = 'urn:gxcat:complianceLabel'

/** relay slots an unreachable node reserves (one per relay) */
export const RELAY_SLOTS = 1
/** reservations a relay holds for unreachable peers at once */
export const RELAY_RESERVATIONS = 128
/**
 * what one relayed connection may carry before the relay closes it: identify and the hole punch
 * (DCUtR) that leads to a direct connection. Gossip and sync do not run on relayed connections
 * (libp2p's default for protocols): they go through reachable peers, or wait for the direct one
 */
export const RELAY_LIMITS = { durationMs: 2 * 60_000, bytes: BigInt(1024 * 1024) }
/** how long a relay reservation may take to be granted */
export const RELAY_RESERVATION_TIMEOUT_MS = 10_000
