import { Interner, LatencyHistogram, aleaNext, distributionKind } from "@kube-netsim/core";
import type { Distribution, EventHandler, HandlerId, RandomStream, Scheduler, SimTime } from "@kube-netsim/core";
import type { ServiceFrontend } from "@kube-netsim/proxy";
import { ROUTE_REJECTED } from "@kube-netsim/proxy";
import type { ApplicationModel } from "./application.js";
import { resolveApplicationModel } from "./application.js";
import { OUTCOMES, OUTCOME_COMPLETED, OUTCOME_DNS_FAILED, OUTCOME_DROPPED, OUTCOME_REFUSED, OUTCOME_RESET, OUTCOME_TIMED_OUT } from "./outcome.js";
import type { Outcome, RequestOutcome } from "./outcome.js";

// Event kinds, in the low 2 bits of the event argument.
const EV_ARRIVAL = 0;
const EV_COMPLETE = 1;
const EV_TIMEOUT = 2;
const EV_RESOLVED = 3; // a request's name lookup ended (see RequestResolver)

// Request states.
const FREE = 0;
const CONNECTING = 1;
const QUEUED = 2;
const IN_SERVICE = 3;
const ZOMBIE = 4; // ended while an event of it is still pending: the slot is freed when the last one fires
const HUNG = 5; // held by an application that hangs: it ends when the client's timeout fires
const RESOLVING = 6; // waiting for its name lookup, which will succeed
const RESOLVING_FAILED = 7; // waiting for its name lookup, which will fail

// Applications' hot fields: one fixed-size record per application in one ArrayBuffer,
// viewed as doubles (appF) and as int32s (appI). With thousands of pods every event
// touches a different application; a record keeps what an arrival or a completion reads
// and writes together (a cache line or two), where an App object, its RandomStream, its
// Distribution and a queue array of its own were four or five scattered heap objects.
// Doubles (index APP_F * app + ...):
const APP_F = 8; // record stride in doubles: 64 bytes
const F_ALEA = 0; // 4 doubles: the service-time stream's alea state (see RandomStream.moveStateTo), while A_BOUND
const F_MEAN = 4; // service time of an exponential or constant serviceTime
// Int32s (index APP_I * app + ...), in the record's last 24 bytes:
const APP_I = 2 * APP_F;
const I_BUSY = 10; // requests in service
const I_CONCURRENCY = 11; // at most this many in service (clamped to int32: no more requests can exist)
const I_QUEUE_LIMIT = 12; // at most this many waiting (likewise clamped: Infinity => 2^31 - 1)
const I_QUEUE_LENGTH = 13; // requests waiting
const I_QUEUE_TAIL = 14; // last waiting request: the queue is a circular list through reqNext (tail -> head -> ... -> tail)
const I_FLAGS = 15;
// Flag bits.
const A_HUNG = 1; // the process hangs: it accepts connections but answers nothing
const A_DRAINING = 2; // App.onDrained is set
const A_FORWARDER = 4; // App.forwarder is set
const A_BOUND = 8; // the record holds the service-time stream's state (F_ALEA)
const A_KIND = 0x30; // how the service time is drawn:
const KIND_OTHER = 0x00; // App.serviceTime.sample(App.random)
const KIND_EXPONENTIAL = 0x10; // -ln(1 - u) * F_MEAN, u from the stream (inline when A_BOUND)
const KIND_CONSTANT = 0x20; // F_MEAN, no draw
const INT32_MAX = 0x7fffffff;

// Destination states (destApp values below 0).
const DEST_CLOSED = -1; // the pod IP exists, nothing listens: RST => refused
const DEST_UNREACHABLE = -2; // no such IP: packets are lost => client timeout

/**
 * What routes a client's new connections: a node's kube-proxy (`KubeProxy` implements
 * it), or something in front of nodes (a cloud load balancer choosing a node, then that
 * node's kube-proxy).
 *
 * @example
 * ```ts
 * const router: ConnectionRouter = sim.kubeProxy("node-1"); // a KubeProxy is one
 * const frontend = sim.kubeProxy("node-1").frontend("10.96.0.10:80/TCP");
 * const dest = router.connect(frontend, parseIPv4("10.244.2.5")); // the client pod's IP
 * // dest >= 0: an interned "IP:port" of the chosen endpoint; < 0: ROUTE_REJECTED, ROUTE_DROPPED or ROUTE_NO_RULE
 * ```
 */
export interface ConnectionRouter {
  /** A new connection from `clientIP` to `frontend`: a destination id (>= 0) or a `ROUTE_*` code. Must not allocate. */
  connect(frontend: ServiceFrontend, clientIP: number): number;
  /** Whether {@link ConnectionRouter.connectionClosed} must be called for every close. */
  readonly tracksConnections: boolean;
  /** A connection this router sent to `destination` closed. */
  connectionClosed(frontend: ServiceFrontend, destination: number): void;
  /** Subscribes to UDP conntrack entries deleted after a sync (see `KubeProxy.onStaleUdpEntries`). */
  onStaleUdpEntries(listener: (frontend: ServiceFrontend, destinations: readonly number[]) => void): () => void;
}

/**
 * A client that sends requests to a Service address: one request per connection by
 * default, or over a keep-alive pool or multiplexed connections ({@link ClientOptions.connections}).
 *
 * @example
 * ```ts
 * const client = engine.addClient({
 *   name: "frontend",
 *   sourceIP: parseIPv4("10.244.2.5"),
 *   proxy: kubeProxy,                           // the client node's KubeProxy
 *   frontend: kubeProxy.frontend("10.96.0.10:80/TCP"),
 *   interarrival: exponential(1000 / 200),      // Poisson, 200 requests/s
 *   random: random.stream("client/frontend"),
 *   connectTimeout: 1000,
 *   connections: { mode: "keep-alive", poolSize: 16 },
 * });
 * ```
 */
export interface ClientOptions {
  /** Name, unique within the simulation (e.g. `frontend`). */
  readonly name: string;
  /** Source IP of the client's connections (its pod IP). */
  readonly sourceIP: number;
  /** The kube-proxy of the client's node (its rules choose the endpoint), or another {@link ConnectionRouter}. */
  readonly proxy: ConnectionRouter;
  /** The Service address, as programmed on the client's node. */
  readonly frontend: ServiceFrontend;
  /**
   * Time between request starts (open loop): `exponential(1000 / rps)` makes a Poisson
   * source. Give this or {@link ClientOptions.users}.
   */
  readonly interarrival?: Distribution;
  /**
   * Closed loop: the number of concurrent users. Each user sends one request, waits for it
   * to end (whatever the outcome), thinks for {@link ClientOptions.thinkTime}, then sends
   * the next. Give this or {@link ClientOptions.interarrival}.
   */
  readonly users?: number;
  /** Closed loop: a user's pause between the end of a request and the start of its next. Default: 0. */
  readonly thinkTime?: Distribution;
  /** Stream for the client's own draws (interarrival and think times). */
  readonly random: RandomStream;
  /**
   * How long the client waits for an answer that never comes (a connection attempt, or a
   * request on an open connection whose packets are lost), in ms. Default 1000.
   */
  readonly connectTimeout?: number;
  /** How the client uses connections. Default: a new connection per request. TCP only. */
  readonly connections?: ConnectionPolicy;
  /**
   * `UDP`: the client sends each request as a datagram from one socket (like a DNS
   * stub resolver). The first datagram creates a conntrack entry on the client's node
   * that pins later ones to the same endpoint while it lives (refreshed by each datagram,
   * `udpConntrackTimeout`), even after that endpoint is gone, until kube-proxy's next
   * sync deletes the stale entry. Default `TCP`.
   */
  readonly protocol?: "TCP" | "UDP";
  /** Lifetime of an idle UDP conntrack entry that has seen replies (nf_conntrack_udp_timeout_stream, 120 s). */
  readonly udpConntrackTimeout?: number;
  /** When to send the first request (absolute ms; closed loop: every user's first). Default: one interarrival (or think) time from now. */
  readonly startAt?: SimTime;
  /**
   * Looks the target's name up before each request connects (the client calls
   * `getaddrinfo` per request). The request waits {@link RequestResolver.delay} ms, then
   * connects to `frontend` as usual, or ends as `dnsFailed` when the lookup failed.
   * Absent: the address is used as it is, at no cost.
   */
  readonly resolver?: RequestResolver;
}

/**
 * A client's per-request name lookup (see {@link ClientOptions.resolver}). Called on the
 * hot path: `lookup` returns whether the name resolved and leaves the time it took in
 * `delay`, so that nothing is allocated per request.
 *
 * @example
 * ```ts
 * // A stub that always resolves in 2 ms (the scenario package builds real ones from its DNS model).
 * const resolver: RequestResolver = { delay: 2, lookup: (_now) => true };
 * engine.addClient({ ...clientOptions, resolver });
 * ```
 */
export interface RequestResolver {
  /** Resolves the client's target at `now`; returns true when it resolved. Sets {@link RequestResolver.delay} (and {@link RequestResolver.destination}). */
  lookup(now: SimTime): boolean;
  /** Time the last lookup took, ms (0 when answered from a cache in the process). */
  readonly delay: number;
  /**
   * True when lookups yield the endpoint itself (a headless Service's pod IPs): the
   * request then connects straight to {@link RequestResolver.destination}, with no
   * kube-proxy rule involved. Per-request TCP clients only.
   */
  readonly direct?: boolean;
  /** With `direct`: the destination id (interned `IP:port`) the last successful lookup chose. */
  readonly destination?: number;
}

/**
 * A reverse proxy's routing (an Ingress controller's nginx, see
 * {@link TrafficEngine.setForwarder}): once the proxy's application has spent its own
 * service time on a request, the forwarder chooses the upstream the proxy sends it to,
 * or answers it itself. Called on the hot path: must not allocate.
 *
 * @example
 * ```ts
 * // Sends every request to one upstream pod (addresses: the engine's Interner).
 * const upstream = addresses.id("10.244.1.7:8080");
 * let errors = 0;
 * const forwarder: RequestForwarder = {
 *   forward: (_client) => upstream, // or -503: the proxy answers 503 itself
 *   answered: (_client, status, _upstream) => { if (status !== 200) errors++; },
 * };
 * engine.setForwarder(proxyApp, forwarder, 3); // proxyApp: from engine.startApplication
 * ```
 */
export interface RequestForwarder {
  /**
   * The upstream for a request of client `client` (its engine index): a destination id
   * (>= 0, an endpoint's interned `IP:port`, reached directly without kube-proxy), or a
   * negative HTTP status the proxy answers with itself (`-404`: no rule matched, `-503`:
   * the backend has no endpoints).
   */
  forward(client: number): number;
  /**
   * A request this proxy took ended: `status` is 200 when the upstream served it, 502 when
   * every try was refused or the upstream reset it, 499 when the client gave up while
   * the upstream held it, or the status {@link RequestForwarder.forward} answered with.
   * `upstream` is the last upstream tried (-1 when none).
   */
  answered(client: number, status: number, upstream: number): void;
}

/**
 * How a client uses TCP connections. kube-proxy balances connections, not requests
 * (spec "ten things" 3), so this decides how requests spread.
 *
 * - `per-request`: a new connection (and a new endpoint choice) for every request.
 * - `keep-alive`: an HTTP/1.1 pool of at most `poolSize` connections, one request at a
 *   time each; idle connections are reused (LIFO, like Go's http.Transport) and closed
 *   after `idleTimeout`, or after `maxRequestsPerConnection` requests. A request that
 *   finds every connection busy and the pool full waits for one.
 * - `multiplexed`: one long-lived connection carrying every request concurrently
 *   (HTTP/2, gRPC), reopened only when it closes.
 *
 * @example
 * ```ts
 * const perRequest: ConnectionPolicy = { mode: "per-request" };
 * const pool: ConnectionPolicy = { mode: "keep-alive", poolSize: 16, idleTimeout: 90_000, maxRequestsPerConnection: 1000 };
 * const grpc: ConnectionPolicy = { mode: "multiplexed" };
 * ```
 */
export type ConnectionPolicy =
  | { readonly mode: "per-request" }
  | { readonly mode: "keep-alive"; readonly poolSize?: number; readonly idleTimeout?: number; readonly maxRequestsPerConnection?: number }
  | { readonly mode: "multiplexed" };

/**
 * Per-outcome request counts. Where counts come from a simulation, `dnsFailed` is added
 * only when some client resolves names ({@link ClientOptions.resolver}), so results
 * without DNS keep their shape.
 *
 * @example
 * ```ts
 * const o: OutcomeCounts = sim.results().outcomes;
 * const failed = o.refused + o.reset + o.timedOut + o.dropped;
 * ```
 */
export type OutcomeCounts = Readonly<Record<Outcome, number>>;

/**
 * Options of a {@link TrafficEngine}.
 *
 * @example
 * ```ts
 * const addresses = new Interner(); // the same one the kube-proxies use
 * const engine = new TrafficEngine(scheduler, { addresses, stopAfterCompleted: 100_000 });
 * ```
 */
export interface TrafficEngineOptions {
  /** Interns `IP:port` to destination ids (shared with kube-proxy). */
  readonly addresses: Interner;
  /** Stop the scheduler as soon as this many requests have completed. */
  readonly stopAfterCompleted?: number;
  /**
   * Called once per request when it ends, for per-request traces. Off by default: the
   * engine then keeps only streaming statistics. The endpoint is `IP:port`, or "" when
   * no endpoint was chosen.
   */
  readonly onRequestEnd?: RequestEndListener;
}

/**
 * Receives each request's end: see {@link TrafficEngineOptions.onRequestEnd}.
 *
 * @example
 * ```ts
 * const onEnd: RequestEndListener = (outcome, start, end, endpoint, client) => {
 *   if (outcome !== "completed") console.log(`${client}: ${outcome} after ${end - start} ms (endpoint "${endpoint}")`);
 * };
 * const engine = new TrafficEngine(scheduler, { addresses, onRequestEnd: onEnd });
 * ```
 */
export type RequestEndListener = (outcome: RequestOutcome, start: SimTime, end: SimTime, endpoint: string, client: string) => void;

// An application's cold fields (its hot ones are in the engine's record, see APP_F).
interface App {
  readonly name: string;
  readonly serviceTime: Distribution;
  readonly random: RandomStream;
  readonly addresses: readonly number[];
  running: boolean;
  /** Called once a draining application holds nothing more (it then exits). Mirrored by A_DRAINING. */
  onDrained: (() => void) | undefined;
  /** Its port is open (false while it warms up: connections are refused). */
  listening: boolean;
  /** A reverse proxy: requests it served go on to an upstream (see {@link RequestForwarder}). Mirrored by A_FORWARDER. */
  forwarder: RequestForwarder | undefined;
  /** Upstreams a proxy tries for one request. */
  tries: number;
}

/**
 * What a health probe of an application gets (see {@link TrafficEngine.probeApplication}).
 *
 * @example
 * ```ts
 * const app = engine.startApplication("api-1", ["10.244.1.7:8080"], { serviceTime: exponential(5) }, random.stream("app/api-1"));
 * const answer: ApplicationProbeAnswer = engine.probeApplication(app); // "success"
 * engine.hangApplication(app);
 * engine.probeApplication(app); // "no-answer"
 * ```
 */
export type ApplicationProbeAnswer = "success" | "refused" | "no-answer";

interface Client {
  readonly options: ClientOptions;
  readonly connectTimeout: number;
  active: boolean;
  /** Whether an arrival event of this client is in the scheduler (open loop). */
  armed: boolean;
  /** Closed loop: the users (0: open loop). */
  readonly users: number;
  /** Closed loop: the think time. */
  readonly thinkTime: Distribution | undefined;
  /** Closed loop: users that found the client stopped and wait for {@link TrafficEngine.resumeClient}. */
  parked: number;
  started: number;
  /** 0 per-request; otherwise the most connections the client keeps. */
  readonly poolSize: number;
  /** Requests one connection carries at once: 1 (HTTP/1.1) or Infinity (multiplexed). */
  readonly streams: number;
  readonly idleTimeout: number;
  readonly maxRequests: number;
  /** Open connections. */
  readonly open: number[];
  /** Idle connections, most recently used last. */
  readonly idle: number[];
  /** Requests waiting for a connection, first-in first-out. */
  readonly waiting: number[];
  waitingHead: number;
  /** The client's kube-proxy counts connections (IPVS): report every close. */
  readonly tracks: boolean;
  /** UDP: the client's conntrack entry (destination id, -1 when none) and its expiry. */
  readonly udp: boolean;
  readonly udpTimeout: number;
  flowDest: number;
  flowExpires: SimTime;
  readonly resolver: RequestResolver | undefined;
  /** The resolver yields endpoints: requests connect to them without kube-proxy. */
  readonly direct: boolean;
  /** Completed requests per destination id. */
  completedByDest: Float64Array;
}

/**
 * The data path of a simulation: clients open connections to Service addresses,
 * kube-proxy's rules on the client's node pick an endpoint, and the endpoint's
 * application queues and serves the request.
 *
 * @remarks
 * **Details.** Requests live in typed arrays (struct of arrays with a free list);
 * events carry the request or client index in their integer argument; latency goes
 * into a streaming {@link LatencyHistogram}. Nothing is allocated per request once the
 * arrays have grown to the peak number of requests in flight.
 *
 * Every request ends in exactly one {@link RequestOutcome}; at any moment
 * `started = sum(outcomes) + inFlight`.
 *
 * @example
 * ```ts
 * // Usually reached through a Simulation:
 * const t = sim.traffic;
 * t.started === Object.values(t.outcomes()).reduce((a, b) => a + b, 0) + t.inFlight; // true at any moment
 * t.openConnections; // keep-alive and multiplexed connections open now
 * ```
 */
export class TrafficEngine implements EventHandler {
  private readonly handler: HandlerId;
  private readonly addresses: Interner;
  // Requests (struct of arrays).
  private cap = 1024;
  private reqStart: Float64Array = new Float64Array(this.cap);
  private reqClient: Int32Array = new Int32Array(this.cap);
  private reqApp: Int32Array = new Int32Array(this.cap);
  private reqDest: Int32Array = new Int32Array(this.cap);
  private reqState: Uint8Array = new Uint8Array(this.cap);
  // Reverse proxies: the proxy application that forwarded the request (-1: none), and its upstream.
  private reqProxy: Int32Array = new Int32Array(this.cap).fill(-1);
  private reqUpstream: Int32Array = new Int32Array(this.cap).fill(-1);
  // Events (completion, timeout) pending for each request slot.
  private reqEvents: Uint8Array = new Uint8Array(this.cap);
  private freeList: Int32Array = new Int32Array(this.cap);
  private freeCount = 0;
  private used = 0;
  // Destinations: id -> app index or DEST_* state.
  private destApp: Int32Array = new Int32Array(1024).fill(DEST_UNREACHABLE);
  private destCompleted: Float64Array = new Float64Array(1024);
  // Pod IPs that exist (see openHost), and each destination's IP as a host id (-1: not looked up yet).
  private readonly hosts = new Interner();
  private hostLive: Int32Array = new Int32Array(64);
  private destHost: Int32Array = new Int32Array(1024).fill(-1);
  private readonly apps: App[] = [];
  // Applications' hot fields (see APP_F): two views of one buffer, grown by doubling.
  private appCap = 0;
  private appF: Float64Array = new Float64Array(0);
  private appI: Int32Array = new Int32Array(0);
  // Next request in its application's queue (a circular list, see I_QUEUE_TAIL).
  private reqNext: Int32Array = new Int32Array(this.cap);
  private readonly clients: Client[] = [];
  // Requests' connections (-1: per-request connection, nothing to release).
  private reqConn: Int32Array = new Int32Array(this.cap).fill(-1);
  // Connections (struct of arrays, free list): client, destination, requests in flight and served, idle timer.
  private connCap = 0;
  private connClient: Int32Array = new Int32Array(0);
  private connDest: Int32Array = new Int32Array(0);
  private connInflight: Int32Array = new Int32Array(0);
  private connServed: Float64Array = new Float64Array(0);
  private connOpen: Uint8Array = new Uint8Array(0);
  private connTimer: Int32Array = new Int32Array(0);
  private readonly connFree: number[] = [];
  private connUsed = 0;
  private idleHandler = -1;
  private readonly counts = new Float64Array(OUTCOMES.length);
  private startedCount = 0;
  private inFlightCount = 0;
  private resolving = false;
  private readonly stopAfter: number;
  private onRequestEnd: RequestEndListener | undefined;
  /** Latency of completed requests (ms). */
  readonly latency: LatencyHistogram = new LatencyHistogram();

  constructor(
    private readonly scheduler: Scheduler,
    options: TrafficEngineOptions,
  ) {
    this.handler = scheduler.register(this);
    this.addresses = options.addresses;
    this.stopAfter = options.stopAfterCompleted ?? Infinity;
    this.onRequestEnd = options.onRequestEnd;
  }

  /** Sets (or clears) the per-request end listener (see {@link TrafficEngineOptions.onRequestEnd}). */
  setRequestEndListener(listener: RequestEndListener | undefined): void {
    this.onRequestEnd = listener;
  }

  /** Requests started so far. */
  get started(): number {
    return this.startedCount;
  }

  /** Requests started and not yet ended. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Requests by outcome (`dnsFailed` only when some client resolves names). */
  outcomes(): OutcomeCounts & { readonly dnsFailed?: number } {
    const c = this.counts;
    if (this.resolving) return { completed: c[0], refused: c[1], reset: c[2], timedOut: c[3], dropped: c[4], dnsFailed: c[5] };
    return { completed: c[0], refused: c[1], reset: c[2], timedOut: c[3], dropped: c[4] };
  }

  /** Completed requests served at each `IP:port` that served any, sorted by address. */
  completedByAddress(): Map<string, number> {
    const rows: [string, number][] = [];
    for (let id = 0; id < this.addresses.size && id < this.destCompleted.length; id++) {
      if (this.destCompleted[id] > 0) rows.push([this.addresses.name(id), this.destCompleted[id]]);
    }
    rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return new Map(rows);
  }

  /**
   * Starts an application listening on `addresses` (`IP:port` strings).
   * @returns the application's index.
   */
  startApplication(name: string, addresses: readonly string[], model: ApplicationModel, random: RandomStream): number {
    const m = resolveApplicationModel(model, `application "${name}"`);
    const ids = addresses.map((a) => this.addresses.id(a));
    const index = this.apps.length;
    this.apps.push({ name, serviceTime: m.serviceTime, random, addresses: ids, running: true, onDrained: undefined, listening: true, forwarder: undefined, tries: 3 });
    if (index === this.appCap) this.growApps();
    const f = APP_F * index;
    const i = APP_I * index;
    const kind = distributionKind(m.serviceTime);
    this.appF[f + F_MEAN] = m.serviceTime.mean;
    this.appI[i + I_BUSY] = 0;
    this.appI[i + I_CONCURRENCY] = Math.min(m.concurrency, INT32_MAX);
    this.appI[i + I_QUEUE_LIMIT] = Math.min(m.queueLimit, INT32_MAX);
    this.appI[i + I_QUEUE_LENGTH] = 0;
    this.appI[i + I_QUEUE_TAIL] = -1;
    this.appI[i + I_FLAGS] = kind === "exponential" ? KIND_EXPONENTIAL : kind === "constant" ? KIND_CONSTANT : KIND_OTHER;
    // Exponential service times are drawn inline from the stream's state kept in the
    // record. The stream stays the one source of truth: it steps the state here, and a
    // restarted pod's application (same stream) takes the state over (see bindStream).
    if (kind === "exponential") this.bindStream(index);
    for (const id of ids) {
      this.ensureDest(id);
      this.destApp[id] = index;
    }
    return index;
  }

  /**
   * Stops an application (its process exits): its addresses refuse new connections
   * and every request it was holding is reset.
   */
  stopApplication(index: number, now: SimTime): void {
    const app = this.apps[index];
    if (!app || !app.running) return;
    app.running = false;
    this.setOnDrained(index, undefined);
    for (const id of app.addresses) if (this.destApp[id] === index) this.destApp[id] = DEST_CLOSED;
    // The process exits: the kernel closes its sockets, so clients see their open
    // connections to it close (requests on them are reset below).
    const stopped = new Set(app.addresses);
    const affected = new Set<number>();
    for (let k = 0; k < this.connUsed; k++) {
      if (this.connOpen[k] === 1 && stopped.has(this.connDest[k])) {
        affected.add(this.connClient[k]);
        this.closeConnection(k, false);
      }
    }
    for (let r = this.dequeue(index); r >= 0; r = this.dequeue(index)) this.fail(r, OUTCOME_RESET);
    for (let r = 0; r < this.used; r++) {
      const st = this.reqState[r];
      // In service, or held by a hung process: the kernel resets the connection. A pending
      // completion or timeout event keeps the slot until it fires (ZOMBIE).
      if ((st === IN_SERVICE || st === HUNG) && this.reqApp[r] === index) this.fail(r, OUTCOME_RESET);
    }
    this.appI[APP_I * index + I_BUSY] = 0;
    this.appI[APP_I * index + I_FLAGS] &= ~A_HUNG;
    // Clients that lost connections open new ones for the requests waiting on them.
    for (const ci of [...affected].sort((a, b) => a - b)) this.pump(ci, now);
  }

  /**
   * SIGTERM to an application that drains: it stops accepting connections (its addresses
   * refuse new ones), closes its idle keep-alive connections, serves what it holds, closes
   * each busy connection after its response, and exits; `exited` is called then (at once
   * if it holds nothing). {@link TrafficEngine.stopApplication} cuts it short.
   */
  drainApplication(index: number, exited: () => void): void {
    const app = this.apps[index];
    if (!app || !app.running) {
      exited();
      return;
    }
    for (const id of app.addresses) if (this.destApp[id] === index) this.destApp[id] = DEST_CLOSED;
    const stopped = new Set(app.addresses);
    const affected = new Set<number>();
    for (let k = 0; k < this.connUsed; k++) {
      if (this.connOpen[k] !== 1 || !stopped.has(this.connDest[k])) continue;
      const c = this.clients[this.connClient[k]];
      if (this.connInflight[k] === 0) {
        affected.add(this.connClient[k]);
        this.closeConnection(k, false);
      } else if (c.streams > 1) {
        // A busy multiplexed connection gets a GOAWAY (Go's http.Server.Shutdown): the
        // client sends no new stream on it and opens another connection for new requests,
        // while the streams in flight finish (golang.org/x/net/http2 transport.go:
        // processGoAway marks the ClientConn unusable for new requests).
        const i = c.open.indexOf(k);
        if (i >= 0) c.open.splice(i, 1);
        affected.add(this.connClient[k]);
      }
    }
    this.setOnDrained(index, exited);
    this.checkDrained(index);
    for (const ci of [...affected].sort((a, b) => a - b)) this.pump(ci, this.scheduler.now);
  }

  /**
   * The application hangs (a deadlock, a stuck event loop): it keeps accepting connections
   * but answers nothing. Every request it holds, and every one that reaches it from now on,
   * ends `timedOut` when its client's timeout (`connectTimeout`) runs out from now (or
   * from its arrival); a kill ({@link TrafficEngine.stopApplication}) resets them first.
   */
  hangApplication(index: number): void {
    const app = this.apps[index];
    if (!app || !app.running || this.hung(index)) return;
    this.appI[APP_I * index + I_FLAGS] |= A_HUNG;
    for (let r = this.dequeue(index); r >= 0; r = this.dequeue(index)) this.hold(r);
    for (let r = 0; r < this.used; r++) if (this.reqState[r] === IN_SERVICE && this.reqApp[r] === index) this.hold(r);
    this.appI[APP_I * index + I_BUSY] = 0;
  }

  /**
   * A hung application answers again (the stall passed): new requests are served; those
   * caught in the hang still end `timedOut` when their clients give up.
   */
  resumeApplication(index: number): void {
    const app = this.apps[index];
    if (!app || !app.running || !this.hung(index)) return;
    this.appI[APP_I * index + I_FLAGS] &= ~A_HUNG;
    if (app.onDrained !== undefined) this.checkDrained(index);
  }

  /**
   * Opens or closes the application's port without stopping it (closed while it warms up):
   * a closed port refuses new connections; requests already held go on.
   */
  setListening(index: number, listening: boolean): void {
    const app = this.apps[index];
    if (!app || !app.running || app.listening === listening) return;
    app.listening = listening;
    if (app.onDrained !== undefined) return; // draining: the listener is closed for good
    for (const id of app.addresses) {
      if (listening && this.destApp[id] === DEST_CLOSED) this.destApp[id] = index;
      else if (!listening && this.destApp[id] === index) this.destApp[id] = DEST_CLOSED;
    }
  }

  /**
   * A health probe of the application (the kubelet's httpGet or tcpSocket): `refused` when
   * it does not run, is not listening yet or is draining (its listener is closed),
   * `no-answer` when it hangs, `success` otherwise. Probes do not queue behind requests:
   * an overloaded application still answers them.
   */
  probeApplication(index: number): ApplicationProbeAnswer {
    const app = this.apps[index];
    if (!app || !app.running || !app.listening || app.onDrained !== undefined) return "refused";
    return this.hung(index) ? "no-answer" : "success";
  }

  /**
   * Makes an application a reverse proxy (an Ingress controller pod): a request it has
   * served (its service time is the proxy's own overhead) is not answered but sent on to
   * the upstream `forwarder` chooses, as a new upstream request of the proxy's: the
   * proxy's slot is free again at once (nginx is event driven), and the client's request
   * ends when the upstream answers. An upstream that refuses is retried on the next one
   * `forward` gives, up to `tries` in all (ingress-nginx `proxy-next-upstream: error
   * timeout`, `proxy-next-upstream-tries: 3`), then answered 502; one that resets the
   * request (its process stopped) is answered 502; one whose IP is gone is waited for
   * until the client's own timeout (nginx's `proxy-connect-timeout` of 5 s is longer).
   */
  setForwarder(index: number, forwarder: RequestForwarder | undefined, tries: number = 3): void {
    const app = this.apps[index];
    if (!app) throw new RangeError(`setForwarder: application ${index}: Not found`);
    if (!Number.isInteger(tries) || tries < 1) throw new RangeError(`setForwarder: tries: Invalid value: ${tries}: must be an integer >= 1`);
    app.forwarder = forwarder;
    app.tries = tries;
    if (forwarder !== undefined) this.appI[APP_I * index + I_FLAGS] |= A_FORWARDER;
    else this.appI[APP_I * index + I_FLAGS] &= ~A_FORWARDER;
  }

  // Request r was served by proxy application ai: send it upstream, or answer it.
  private forwardRequest(r: number, ai: number, fwd: RequestForwarder, now: SimTime): void {
    const client = this.reqClient[r];
    this.reqProxy[r] = ai;
    this.reqUpstream[r] = -1; // none tried yet (the slot may hold an earlier request's)
    const tries = this.apps[ai].tries;
    for (let attempt = 0; attempt < tries; attempt++) {
      const d = fwd.forward(client);
      if (d < 0) {
        this.answerAtProxy(r, -d);
        return;
      }
      this.reqUpstream[r] = d;
      const app = d < this.destApp.length ? this.destApp[d] : DEST_UNREACHABLE;
      if (app >= 0) {
        this.enqueue(app, r);
        return;
      }
      if (app === DEST_CLOSED || this.hostExists(d)) continue; // refused: the next upstream
      this.waitForTimeout(r, this.clients[client]); // packets lost: the client gives up first
      return;
    }
    this.answerAtProxy(r, 502);
  }

  // The proxy answers request r itself with an HTTP status: the client gets a response.
  private answerAtProxy(r: number, status: number): void {
    const ai = this.reqProxy[r];
    this.reqProxy[r] = -1;
    (this.apps[ai].forwarder as RequestForwarder).answered(this.reqClient[r], status, this.reqUpstream[r]);
    this.recordCompleted(r);
    this.end(r, OUTCOME_COMPLETED);
    if (this.reqEvents[r] > 0) this.reqState[r] = ZOMBIE;
    else this.release(r);
  }

  // A request ends with `outcome`, unless a proxy holds it upstream and turns a reset into a 502.
  private fail(r: number, outcome: number): void {
    if (outcome === OUTCOME_RESET && this.reqProxy[r] >= 0) this.answerAtProxy(r, 502);
    else this.finish(r, outcome);
  }

  private recordCompleted(r: number): void {
    const now = this.scheduler.now;
    this.latency.record(now - this.reqStart[r]);
    const dest = this.reqDest[r];
    this.destCompleted[dest]++;
    const cl = this.clients[this.reqClient[r]];
    if (dest >= cl.completedByDest.length) cl.completedByDest = growTo(cl.completedByDest, dest);
    cl.completedByDest[dest]++;
  }

  // A hung application holds request r: it waits for its client's timeout.
  private hold(r: number): void {
    this.reqState[r] = HUNG;
    this.reqEvents[r]++;
    this.scheduler.schedule(this.clients[this.reqClient[r]].connectTimeout, this.handler, r * 4 + EV_TIMEOUT);
  }

  private checkDrained(index: number): void {
    const app = this.apps[index];
    const i = APP_I * index;
    if (app.onDrained === undefined || this.appI[i + I_BUSY] > 0 || this.appI[i + I_QUEUE_LENGTH] > 0 || !app.running || this.hung(index)) return;
    app.running = false;
    const exited = app.onDrained;
    this.setOnDrained(index, undefined);
    exited();
  }

  /** The pod IP behind these addresses is gone: packets to them are now lost (clients time out). */
  releaseAddresses(addresses: readonly string[]): void {
    for (const a of addresses) {
      const id = this.addresses.lookup(a);
      if (id >= 0 && id < this.destApp.length && this.destApp[id] < 0) this.destApp[id] = DEST_UNREACHABLE;
    }
  }

  /**
   * A pod IP now exists (the kubelet set up the pod's network): a connection to one of
   * its ports where no application listens gets a TCP RST, so the client sees `refused`
   * rather than a timeout.
   */
  openHost(ip: string): void {
    this.hostLive[this.hostId(ip)]++;
  }

  /** The pod IP is gone (see {@link TrafficEngine.openHost}): packets to its ports are lost again. */
  closeHost(ip: string): void {
    const h = this.hosts.lookup(ip);
    if (h >= 0 && this.hostLive[h] > 0) this.hostLive[h]--;
  }

  /** Adds a client and schedules its first request. @returns its index. */
  addClient(options: ClientOptions): number {
    const connectTimeout = options.connectTimeout ?? 1000;
    if (!(connectTimeout > 0) || !Number.isFinite(connectTimeout)) {
      throw new RangeError(`client "${options.name}": connectTimeout: Invalid value: ${connectTimeout}: must be a finite number of ms > 0`);
    }
    const policy = options.connections ?? { mode: "per-request" };
    const where = `client "${options.name}": connections`;
    let poolSize = 0;
    let streams = 1;
    let idleTimeout = Infinity;
    let maxRequests = Infinity;
    if (policy.mode === "keep-alive") {
      poolSize = policy.poolSize ?? 1;
      idleTimeout = policy.idleTimeout ?? 90_000; // Go net/http Transport IdleConnTimeout default: 90 s
      maxRequests = policy.maxRequestsPerConnection ?? Infinity;
      if (!Number.isInteger(poolSize) || poolSize < 1) throw new RangeError(`${where}.poolSize: Invalid value: ${poolSize}: must be an integer >= 1`);
      if (!(idleTimeout > 0)) throw new RangeError(`${where}.idleTimeout: Invalid value: ${idleTimeout}: must be a number of ms > 0`);
      if (!(maxRequests >= 1)) throw new RangeError(`${where}.maxRequestsPerConnection: Invalid value: ${maxRequests}: must be >= 1`);
    } else if (policy.mode === "multiplexed") {
      poolSize = 1;
      streams = Infinity;
    } else if (policy.mode !== "per-request") {
      throw new RangeError(`${where}.mode: Unsupported value: "${String((policy as { mode: unknown }).mode)}": supported values: "keep-alive", "multiplexed", "per-request"`);
    }
    const protocol = options.protocol ?? "TCP";
    if (protocol !== "TCP" && protocol !== "UDP") throw new RangeError(`client "${options.name}": protocol: Unsupported value: "${String(protocol)}": supported values: "TCP", "UDP"`);
    if (protocol === "UDP" && policy.mode !== "per-request") {
      throw new RangeError(`client "${options.name}": connections.mode: Invalid value: "${policy.mode}": UDP has no connections; use the default`);
    }
    const direct = options.resolver?.direct === true;
    if (direct && (protocol !== "TCP" || policy.mode !== "per-request")) {
      throw new RangeError(`client "${options.name}": resolver: Invalid value: direct: endpoints from DNS are supported for per-request TCP clients only`);
    }
    const udpTimeout = options.udpConntrackTimeout ?? 120_000;
    if (!(udpTimeout > 0)) throw new RangeError(`client "${options.name}": udpConntrackTimeout: Invalid value: ${udpTimeout}: must be a number of ms > 0`);
    const users = options.users ?? 0;
    if (options.users !== undefined && (!Number.isInteger(users) || users < 1)) {
      throw new RangeError(`client "${options.name}": users: Invalid value: ${String(options.users)}: must be an integer >= 1`);
    }
    if ((options.users === undefined) === (options.interarrival === undefined)) {
      throw new RangeError(`client "${options.name}": interarrival: Invalid value: ${options.users === undefined ? "none" : "both"}: give exactly one of interarrival (open loop) or users (closed loop)`);
    }
    if (options.thinkTime !== undefined && options.users === undefined) {
      throw new RangeError(`client "${options.name}": thinkTime: Forbidden: only a closed-loop client (users) thinks`);
    }
    const index = this.clients.length;
    this.clients.push({
      options,
      connectTimeout,
      active: true,
      armed: true,
      users,
      thinkTime: options.thinkTime,
      parked: 0,
      started: 0,
      poolSize,
      streams,
      idleTimeout,
      maxRequests,
      open: [],
      idle: [],
      waiting: [],
      waitingHead: 0,
      tracks: options.protocol !== "UDP" && !direct && options.proxy.tracksConnections,
      udp: options.protocol === "UDP",
      udpTimeout,
      flowDest: -1,
      flowExpires: -Infinity,
      resolver: options.resolver,
      direct,
      completedByDest: new Float64Array(64),
    });
    if (options.resolver !== undefined) this.resolving = true;
    if (options.protocol === "UDP") {
      const client = this.clients[index];
      options.proxy.onStaleUdpEntries((f, dests) => {
        if (f === options.frontend && dests.includes(client.flowDest)) client.flowDest = -1;
      });
    }
    if (users > 0) {
      for (let u = 0; u < users; u++) {
        const first = options.startAt ?? this.scheduler.now + this.think(this.clients[index]);
        this.scheduler.scheduleAt(first, this.handler, index * 4 + EV_ARRIVAL);
      }
      return index;
    }
    const first = options.startAt ?? this.scheduler.now + (options.interarrival as Distribution).sample(options.random);
    this.scheduler.scheduleAt(first, this.handler, index * 4 + EV_ARRIVAL);
    return index;
  }

  /** Stops a client: it starts no more requests (those in flight go on to their end). */
  stopClient(index: number): void {
    const c = this.clients[index];
    if (c) c.active = false;
  }

  /** Stops every client. */
  stopAllClients(): void {
    for (const c of this.clients) c.active = false;
  }

  /** Completed requests of one client per `IP:port` that served any, sorted by address. */
  clientCompletedByAddress(index: number): Map<string, number> {
    const c = this.clients[index];
    const rows: [string, number][] = [];
    if (c) for (let id = 0; id < c.completedByDest.length && id < this.addresses.size; id++) if (c.completedByDest[id] > 0) rows.push([this.addresses.name(id), c.completedByDest[id]]);
    rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return new Map(rows);
  }

  /** Starts a stopped client again: its next request comes one interarrival time from now. */
  resumeClient(index: number): void {
    const c = this.clients[index];
    if (!c || c.active) return;
    c.active = true;
    if (c.users > 0) {
      // Closed loop: each parked user thinks, then sends again; the others are busy or thinking.
      for (; c.parked > 0; c.parked--) this.scheduler.schedule(this.think(c), this.handler, index * 4 + EV_ARRIVAL);
      return;
    }
    if (c.armed) return; // its next arrival is still scheduled
    c.armed = true;
    this.scheduler.schedule((c.options.interarrival as Distribution).sample(c.options.random), this.handler, index * 4 + EV_ARRIVAL);
  }

  // A closed-loop user's think time (0 when none is set).
  private think(c: Client): number {
    return c.thinkTime === undefined ? 0 : c.thinkTime.sample(c.options.random);
  }

  /** Whether a client still starts requests (not stopped). */
  clientActive(index: number): boolean {
    return this.clients[index]?.active ?? false;
  }

  /**
   * The node of an application failed: its addresses stop answering (packets are lost:
   * new connections and requests on open ones time out, no RST), and every request it
   * holds, queued or in service, gets no answer and ends as `timedOut` when its client's
   * timeout (`connectTimeout`) runs out, counted from now.
   */
  isolateApplication(index: number, now: SimTime): void {
    const app = this.apps[index];
    if (!app) return;
    app.running = false;
    this.setOnDrained(index, undefined);
    for (const id of app.addresses) if (this.destApp[id] === index || this.destApp[id] === DEST_CLOSED) this.destApp[id] = DEST_UNREACHABLE;
    // Nothing answers any more: like a hung process, each request waits for its client's timeout.
    for (let r = this.dequeue(index); r >= 0; r = this.dequeue(index)) this.hold(r);
    for (let r = 0; r < this.used; r++) if (this.reqState[r] === IN_SERVICE && this.reqApp[r] === index) this.hold(r);
    this.appI[APP_I * index + I_BUSY] = 0;
  }

  /** Requests started by a client. */
  clientStarted(index: number): number {
    return this.clients[index]?.started ?? 0;
  }

  /** @internal Event dispatch (hot path). */
  handleEvent(arg: number): void {
    const kind = arg & 3;
    const index = arg >> 2;
    if (kind !== EV_ARRIVAL) {
      this.reqEvents[index]--;
      if (this.reqState[index] === ZOMBIE) {
        if (this.reqEvents[index] === 0) this.release(index);
        return;
      }
    }
    // The time is read where it is needed, not passed: a double argument of a call the JIT
    // does not inline is boxed (an allocation per event).
    if (kind === EV_COMPLETE) this.complete(index);
    else if (kind === EV_ARRIVAL) this.arrive(index);
    else if (kind === EV_TIMEOUT) this.timeout(index);
    else this.resolved(index, this.scheduler.now);
  }

  private arrive(ci: number): void {
    const now = this.scheduler.now;
    const c = this.clients[ci];
    if (!c.active) {
      c.armed = false;
      if (c.users > 0) c.parked++;
      return;
    }
    const o = c.options;
    // Open loop: the next arrival now; closed loop: when this request ends (see end()).
    if (c.users === 0) this.scheduler.schedule((o.interarrival as Distribution).sample(o.random), this.handler, ci * 4 + EV_ARRIVAL);
    const r = this.alloc();
    this.reqStart[r] = now;
    this.reqClient[r] = ci;
    this.reqProxy[r] = -1;
    this.startedCount++;
    this.inFlightCount++;
    c.started++;
    const resolver = c.resolver;
    if (resolver !== undefined) {
      const ok = resolver.lookup(now);
      const delay = resolver.delay;
      this.reqDest[r] = ok && c.direct ? (resolver.destination ?? -1) : -1;
      if (delay > 0) {
        this.reqState[r] = ok ? RESOLVING : RESOLVING_FAILED;
        this.reqEvents[r]++;
        this.scheduler.schedule(delay, this.handler, r * 4 + EV_RESOLVED);
        return;
      }
      if (!ok) {
        this.finish(r, OUTCOME_DNS_FAILED);
        return;
      }
    }
    this.dispatch(r, ci, c, now);
  }

  // The name lookup of request r ended: connect, or end it as dnsFailed.
  private resolved(r: number, now: SimTime): void {
    if (this.reqState[r] === RESOLVING_FAILED) this.finish(r, OUTCOME_DNS_FAILED);
    else this.dispatch(r, this.reqClient[r], this.clients[this.reqClient[r]], now);
  }

  // Request r (of client ci) connects: a datagram, a pooled connection or a new connection.
  private dispatch(r: number, ci: number, c: Client, now: SimTime): void {
    const o = c.options;
    if (c.udp) {
      this.sendDatagram(r, c, now);
      return;
    }
    if (c.poolSize > 0) {
      this.reqDest[r] = -1;
      c.waiting.push(r);
      this.reqState[r] = CONNECTING;
      this.pump(ci, now);
      return;
    }
    // A direct client connects to the endpoint its lookup chose; others go through kube-proxy's rules.
    const dest = c.direct ? this.reqDest[r] : o.proxy.connect(o.frontend, o.sourceIP);
    if (dest >= 0) {
      this.reqDest[r] = dest;
      const app = dest < this.destApp.length ? this.destApp[dest] : DEST_UNREACHABLE;
      if (app >= 0) this.enqueue(app, r);
      else if (app === DEST_CLOSED || this.hostExists(dest)) this.finish(r, OUTCOME_REFUSED);
      else this.waitForTimeout(r, c);
    } else {
      this.reqDest[r] = -1;
      if (dest === ROUTE_REJECTED) this.finish(r, OUTCOME_REFUSED);
      else this.waitForTimeout(r, c);
    }
  }

  // Whether the IP of a destination nobody listens on exists (RST) or not (lost). Off the
  // hot path: only requests that no application takes come here.
  private hostExists(dest: number): boolean {
    if (this.hosts.size === 0) return false;
    this.ensureDest(dest);
    let h = this.destHost[dest];
    if (h < 0) {
      const address = this.addresses.name(dest);
      const ip = address.slice(0, address.lastIndexOf(":")).replace(/^\[|\]$/g, "");
      h = this.hostId(ip);
      this.destHost[dest] = h;
    }
    return this.hostLive[h] > 0;
  }

  private hostId(ip: string): number {
    const h = this.hosts.id(ip);
    if (h >= this.hostLive.length) {
      const a = new Int32Array(Math.max(h + 1, this.hostLive.length * 2));
      a.set(this.hostLive);
      this.hostLive = a;
    }
    return h;
  }

  private waitForTimeout(r: number, c: Client): void {
    this.reqState[r] = CONNECTING;
    this.reqEvents[r]++;
    this.scheduler.schedule(c.connectTimeout, this.handler, r * 4 + EV_TIMEOUT);
  }

  private timeout(r: number): void {
    const st = this.reqState[r];
    if (st === CONNECTING || st === HUNG) this.finish(r, OUTCOME_TIMED_OUT);
  }

  private enqueue(ai: number, r: number): void {
    const I = this.appI;
    const i = APP_I * ai;
    this.reqApp[r] = ai;
    if ((I[i + I_FLAGS] & A_HUNG) !== 0) {
      this.hold(r);
      return;
    }
    if (I[i + I_BUSY] < I[i + I_CONCURRENCY]) {
      I[i + I_BUSY]++;
      this.serve(r, ai);
      return;
    }
    const length = I[i + I_QUEUE_LENGTH];
    if (length >= I[i + I_QUEUE_LIMIT]) {
      this.finish(r, OUTCOME_DROPPED);
      return;
    }
    // Append r after the tail of the circular list: tail -> r -> head.
    const tail = I[i + I_QUEUE_TAIL];
    if (length === 0) this.reqNext[r] = r;
    else {
      this.reqNext[r] = this.reqNext[tail];
      this.reqNext[tail] = r;
    }
    I[i + I_QUEUE_TAIL] = r;
    I[i + I_QUEUE_LENGTH] = length + 1;
    this.reqState[r] = QUEUED;
  }

  // Takes the first waiting request off application ai's queue (-1 when none waits).
  private dequeue(ai: number): number {
    const I = this.appI;
    const i = APP_I * ai;
    const length = I[i + I_QUEUE_LENGTH];
    if (length === 0) return -1;
    const tail = I[i + I_QUEUE_TAIL];
    const head = this.reqNext[tail];
    if (length === 1) I[i + I_QUEUE_TAIL] = -1;
    else this.reqNext[tail] = this.reqNext[head];
    I[i + I_QUEUE_LENGTH] = length - 1;
    return head;
  }

  // Request r enters service at application ai: its completion is one service time away.
  // (Returns nothing, so the drawn double never crosses a call boundary boxed.)
  private serve(r: number, ai: number): void {
    this.reqState[r] = IN_SERVICE;
    this.reqEvents[r]++;
    this.scheduler.schedule(this.serviceTime(ai), this.handler, r * 4 + EV_COMPLETE);
  }

  // A service time of application ai: the same draw, from the same stream, as
  // `serviceTime.sample(random)`, without a call through either object when the record
  // holds the stream's (seeded) state. Kept small so that the JIT inlines it where it is
  // called (a double returned from a call that is not inlined is boxed: an allocation).
  private serviceTime(ai: number): number {
    const F = this.appF;
    const f = APP_F * ai;
    if ((this.appI[APP_I * ai + I_FLAGS] & (A_KIND | A_BOUND)) === (KIND_EXPONENTIAL | A_BOUND) && F[f + F_ALEA + 3] >= 0) {
      // Same expression as core's ExponentialDistribution.sample, so the same double.
      return -Math.log(1 - aleaNext(F, f + F_ALEA)) * F[f + F_MEAN];
    }
    return this.serviceTimeOtherwise(ai);
  }

  private serviceTimeOtherwise(ai: number): number {
    const kind = this.appI[APP_I * ai + I_FLAGS] & A_KIND;
    const app = this.apps[ai];
    // The first draw (it seeds the stream, in the record), or a stream this record no longer holds.
    if (kind === KIND_EXPONENTIAL) return -Math.log(1 - app.random.next()) * this.appF[APP_F * ai + F_MEAN];
    if (kind === KIND_CONSTANT) return this.appF[APP_F * ai + F_MEAN];
    return app.serviceTime.sample(app.random);
  }

  private complete(r: number): void {
    if (this.reqState[r] !== IN_SERVICE) return; // held by a hung application: its timeout ends it
    const ai = this.reqApp[r];
    const I = this.appI;
    const i = APP_I * ai;
    const proxy = this.reqProxy[r];
    if (proxy >= 0) {
      // The upstream answered a proxied request: the proxy relays the response.
      this.destCompleted[this.reqUpstream[r]]++;
      this.reqProxy[r] = -1;
      (this.apps[proxy].forwarder as RequestForwarder).answered(this.reqClient[r], 200, this.reqUpstream[r]);
      this.recordCompleted(r);
      this.end(r, OUTCOME_COMPLETED);
      this.release(r);
    } else if ((I[i + I_FLAGS] & A_FORWARDER) !== 0) {
      // A proxy finished its own work on the request: on to the upstream (slot freed below).
      this.reqState[r] = CONNECTING;
      this.forwardRequest(r, ai, this.apps[ai].forwarder as RequestForwarder, this.scheduler.now);
    } else {
      this.recordCompleted(r);
      this.end(r, OUTCOME_COMPLETED);
      this.release(r);
    }
    const next = this.dequeue(ai);
    if (next >= 0) {
      this.serve(next, ai);
    } else {
      I[i + I_BUSY]--;
      if ((I[i + I_FLAGS] & A_DRAINING) !== 0) this.checkDrained(ai);
    }
    if (this.counts[OUTCOME_COMPLETED] === this.stopAfter) this.scheduler.stop();
  }

  // Records the outcome of a request (exactly once per request) without freeing its slot.
  private end(r: number, outcome: number): void {
    const proxy = this.reqProxy[r];
    if (proxy >= 0) {
      // The client gave up (or was cut off) while a proxy held its request upstream: nginx logs 499.
      this.reqProxy[r] = -1;
      (this.apps[proxy].forwarder as RequestForwarder).answered(this.reqClient[r], 499, this.reqUpstream[r]);
    }
    this.counts[outcome]++;
    this.inFlightCount--;
    const owner = this.clients[this.reqClient[r]];
    // A closed-loop user sends its next request one think time after this one ended.
    if (owner.users > 0) this.scheduler.schedule(this.think(owner), this.handler, this.reqClient[r] * 4 + EV_ARRIVAL);
    const conn = this.reqConn[r];
    if (conn >= 0) {
      this.reqConn[r] = -1;
      this.afterRequestOnConnection(conn, outcome);
    } else if (this.reqDest[r] >= 0) {
      // A connection of its own (per-request, or an attempt that failed) closes with the request.
      const c = this.clients[this.reqClient[r]];
      if (c.tracks) c.options.proxy.connectionClosed(c.options.frontend, this.reqDest[r]);
    }
    if (this.onRequestEnd !== undefined) {
      const dest = this.reqDest[r];
      this.onRequestEnd(OUTCOMES[outcome], this.reqStart[r], this.scheduler.now, dest >= 0 ? this.addresses.name(dest) : "", this.clients[this.reqClient[r]].options.name);
    }
  }

  // Records the outcome and frees the slot, or parks it (ZOMBIE) while an event of it is pending.
  private finish(r: number, outcome: number): void {
    this.end(r, outcome);
    if (this.reqEvents[r] > 0) this.reqState[r] = ZOMBIE;
    else this.release(r);
  }

  // ---- UDP: datagrams follow the node's conntrack entry while it lives ----
  private sendDatagram(r: number, c: Client, now: SimTime): void {
    let dest = c.flowDest >= 0 && now < c.flowExpires ? c.flowDest : -1;
    if (dest < 0) {
      const o = c.options;
      const routed = o.proxy.connect(o.frontend, o.sourceIP);
      if (routed < 0) {
        this.reqDest[r] = -1;
        // REJECT answers with ICMP port unreachable: a connected UDP socket reports ECONNREFUSED.
        if (routed === ROUTE_REJECTED) this.finish(r, OUTCOME_REFUSED);
        else this.waitForTimeout(r, c);
        return;
      }
      dest = routed;
      c.flowDest = dest;
    }
    c.flowExpires = now + c.udpTimeout;
    this.reqDest[r] = dest;
    const app = dest < this.destApp.length ? this.destApp[dest] : DEST_UNREACHABLE;
    if (app >= 0) this.enqueue(app, r);
    else if (app === DEST_CLOSED || this.hostExists(dest)) this.finish(r, OUTCOME_REFUSED); // ICMP port unreachable
    else this.waitForTimeout(r, c); // the datagram is lost: the client waits for its timeout
  }

  // ---- Connections (keep-alive and multiplexed clients) ----

  // Hands waiting requests of client ci to connections: an idle one (most recently used
  // first), the multiplexed one, or a new one while the pool has room.
  private pump(ci: number, now: SimTime): void {
    const c = this.clients[ci];
    while (c.waitingHead < c.waiting.length) {
      let conn = -1;
      if (c.idle.length > 0) {
        conn = c.idle.pop() as number;
        this.scheduler.cancelTimer(this.connTimer[conn]);
      } else if (c.streams > 1 && c.open.length > 0) {
        conn = c.open[0];
      } else if (c.open.length < c.poolSize) {
        this.connectFor(c.waiting[c.waitingHead++], ci, c, now);
        continue;
      } else break;
      this.send(c.waiting[c.waitingHead++], conn, now);
    }
    if (c.waitingHead === c.waiting.length) {
      c.waiting.length = 0;
      c.waitingHead = 0;
    } else if (c.waitingHead > 1024 && c.waitingHead * 2 > c.waiting.length) {
      c.waiting.splice(0, c.waitingHead);
      c.waitingHead = 0;
    }
  }

  // Request r opens a new connection: kube-proxy's rules choose the endpoint now.
  private connectFor(r: number, ci: number, c: Client, now: SimTime): void {
    const o = c.options;
    const dest = o.proxy.connect(o.frontend, o.sourceIP);
    if (dest < 0) {
      this.reqDest[r] = -1;
      if (dest === ROUTE_REJECTED) this.finish(r, OUTCOME_REFUSED);
      else this.waitForTimeout(r, c);
      return;
    }
    this.reqDest[r] = dest;
    const app = dest < this.destApp.length ? this.destApp[dest] : DEST_UNREACHABLE;
    if (app >= 0) {
      const conn = this.newConnection(ci, dest);
      c.open.push(conn);
      this.send(r, conn, now);
    } else if (app === DEST_CLOSED || this.hostExists(dest)) this.finish(r, OUTCOME_REFUSED);
    else this.waitForTimeout(r, c);
  }

  // Sends request r on an open connection.
  private send(r: number, conn: number, now: SimTime): void {
    this.reqConn[r] = conn;
    this.connInflight[conn]++;
    const dest = this.connDest[conn];
    this.reqDest[r] = dest;
    const app = this.destApp[dest];
    if (app >= 0) this.enqueue(app, r);
    else if (app === DEST_CLOSED || this.hostExists(dest)) this.finish(r, OUTCOME_RESET); // the peer answers with RST
    else this.waitForTimeout(r, this.clients[this.connClient[conn]]); // packets are lost
  }

  // A request on connection conn ended with outcome.
  private afterRequestOnConnection(conn: number, outcome: number): void {
    this.connInflight[conn]--;
    this.connServed[conn]++;
    if (this.connOpen[conn] !== 1) return;
    const ci = this.connClient[conn];
    const c = this.clients[ci];
    // A server that no longer accepts connections (draining) closes this one after its response.
    const serverClosing = this.destApp[this.connDest[conn]] < 0;
    if (outcome === OUTCOME_TIMED_OUT || outcome === OUTCOME_RESET || serverClosing || this.connServed[conn] >= c.maxRequests) {
      // The client gives up a connection that stopped answering or was reset, and retires one that served its quota.
      this.closeConnection(conn, true);
      return;
    }
    if (this.connInflight[conn] === 0 && c.streams === 1) {
      c.idle.push(conn);
      if (c.idleTimeout !== Infinity) this.scheduler.setTimer(this.connTimer[conn], c.idleTimeout);
    }
    this.pump(ci, this.scheduler.now);
  }

  private closeConnection(conn: number, pumpAfter: boolean): void {
    this.connOpen[conn] = 0;
    this.scheduler.cancelTimer(this.connTimer[conn]);
    const ci = this.connClient[conn];
    const c = this.clients[ci];
    if (c.tracks) c.options.proxy.connectionClosed(c.options.frontend, this.connDest[conn]);
    const i = c.open.indexOf(conn);
    if (i >= 0) c.open.splice(i, 1);
    const j = c.idle.indexOf(conn);
    if (j >= 0) c.idle.splice(j, 1);
    if (this.connInflight[conn] > 0) {
      // Requests still on it end on their own (reset or timeout); detach them first so the
      // slot can be reused safely.
      for (let r = 0; r < this.used; r++) if (this.reqConn[r] === conn) this.reqConn[r] = -1;
      this.connInflight[conn] = 0;
    }
    this.connFree.push(conn);
    if (pumpAfter) this.pump(ci, this.scheduler.now);
  }

  private newConnection(ci: number, dest: number): number {
    let conn: number;
    if (this.connFree.length > 0) conn = this.connFree.pop() as number;
    else {
      if (this.connUsed === this.connCap) this.growConnections();
      conn = this.connUsed++;
    }
    this.connClient[conn] = ci;
    this.connDest[conn] = dest;
    this.connInflight[conn] = 0;
    this.connServed[conn] = 0;
    this.connOpen[conn] = 1;
    return conn;
  }

  private growConnections(): void {
    const n = Math.max(64, this.connCap * 2);
    const g32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.connClient = g32(this.connClient);
    this.connDest = g32(this.connDest);
    this.connInflight = g32(this.connInflight);
    this.connTimer = g32(this.connTimer);
    const served = new Float64Array(n);
    served.set(this.connServed);
    this.connServed = served;
    const open = new Uint8Array(n);
    open.set(this.connOpen);
    this.connOpen = open;
    if (this.idleHandler < 0) this.idleHandler = this.scheduler.register({ handleEvent: (conn: number): void => this.idleExpired(conn) });
    for (let k = this.connCap; k < n; k++) this.connTimer[k] = this.scheduler.createTimer(this.idleHandler, k);
    this.connCap = n;
  }

  private idleExpired(conn: number): void {
    if (this.connOpen[conn] === 1 && this.connInflight[conn] === 0) this.closeConnection(conn, false);
  }

  /** Connections open now (keep-alive and multiplexed clients). */
  get openConnections(): number {
    let n = 0;
    for (let k = 0; k < this.connUsed; k++) n += this.connOpen[k];
    return n;
  }

  private alloc(): number {
    if (this.freeCount > 0) return this.freeList[--this.freeCount];
    if (this.used === this.cap) this.growRequests();
    return this.used++;
  }

  private release(r: number): void {
    this.reqState[r] = FREE;
    this.freeList[this.freeCount++] = r;
  }

  private ensureDest(id: number): void {
    if (id < this.destApp.length) return;
    let n = this.destApp.length;
    while (n <= id) n *= 2;
    const a = new Int32Array(n).fill(DEST_UNREACHABLE);
    a.set(this.destApp);
    const c = new Float64Array(n);
    c.set(this.destCompleted);
    const h = new Int32Array(n).fill(-1);
    h.set(this.destHost);
    this.destApp = a;
    this.destCompleted = c;
    this.destHost = h;
  }

  private hung(ai: number): boolean {
    return (this.appI[APP_I * ai + I_FLAGS] & A_HUNG) !== 0;
  }

  private setOnDrained(ai: number, onDrained: (() => void) | undefined): void {
    this.apps[ai].onDrained = onDrained;
    if (onDrained !== undefined) this.appI[APP_I * ai + I_FLAGS] |= A_DRAINING;
    else this.appI[APP_I * ai + I_FLAGS] &= ~A_DRAINING;
  }

  // Moves application ai's service-time stream state into its record. A stream moved on
  // (to a later application of the same pod, which draws from the same stream, or to
  // anyone else's bank) tells us, and ai then draws through the stream object again.
  private bindStream(ai: number): void {
    const i = APP_I * ai;
    this.apps[ai].random.moveStateTo(this.appF, APP_F * ai + F_ALEA, () => {
      this.appI[i + I_FLAGS] &= ~A_BOUND;
    });
    this.appI[i + I_FLAGS] |= A_BOUND;
  }

  private growApps(): void {
    const n = Math.max(64, this.appCap * 2);
    const buffer = new ArrayBuffer(n * APP_F * 8);
    const f = new Float64Array(buffer);
    f.set(this.appF);
    this.appF = f;
    this.appI = new Int32Array(buffer);
    this.appCap = n;
    // Streams whose state lives in the old buffer move to the new one (their values go on unchanged).
    for (let ai = 0; ai < this.apps.length - 1; ai++) if ((this.appI[APP_I * ai + I_FLAGS] & A_BOUND) !== 0) this.bindStream(ai);
  }

  private growRequests(): void {
    const n = this.cap * 2;
    const grow64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    const grow32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.reqStart = grow64(this.reqStart);
    this.reqClient = grow32(this.reqClient);
    this.reqApp = grow32(this.reqApp);
    this.reqDest = grow32(this.reqDest);
    const rp = new Int32Array(n).fill(-1);
    rp.set(this.reqProxy);
    this.reqProxy = rp;
    this.reqUpstream = grow32(this.reqUpstream);
    this.reqNext = grow32(this.reqNext);
    const s = new Uint8Array(n);
    s.set(this.reqState);
    this.reqState = s;
    const ev = new Uint8Array(n);
    ev.set(this.reqEvents);
    this.reqEvents = ev;
    this.freeList = grow32(this.freeList);
    const rc = new Int32Array(n).fill(-1);
    rc.set(this.reqConn);
    this.reqConn = rc;
    this.cap = n;
  }
}

function growTo(a: Float64Array, index: number): Float64Array {
  let n = a.length;
  while (n <= index) n *= 2;
  const b = new Float64Array(n);
  b.set(a);
  return b;
}
