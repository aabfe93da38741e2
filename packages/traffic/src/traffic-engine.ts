import { Interner, LatencyHistogram } from "@kube-netsim/core";
import type { Distribution, EventHandler, HandlerId, RandomStream, Scheduler, SimTime } from "@kube-netsim/core";
import type { KubeProxy, ServiceFrontend } from "@kube-netsim/proxy";
import { ROUTE_REJECTED } from "@kube-netsim/proxy";
import type { ApplicationModel } from "./application.js";
import { resolveApplicationModel } from "./application.js";
import { OUTCOMES, OUTCOME_COMPLETED, OUTCOME_DROPPED, OUTCOME_REFUSED, OUTCOME_RESET, OUTCOME_TIMED_OUT } from "./outcome.js";
import type { Outcome } from "./outcome.js";

// Event kinds, in the low 2 bits of the event argument.
const EV_ARRIVAL = 0;
const EV_COMPLETE = 1;
const EV_TIMEOUT = 2;

// Request states.
const FREE = 0;
const CONNECTING = 1;
const QUEUED = 2;
const IN_SERVICE = 3;
const ZOMBIE = 4; // reset while in service: its completion event is still pending

// Destination states (destApp values below 0).
const DEST_CLOSED = -1; // the pod IP exists, nothing listens: RST => refused
const DEST_UNREACHABLE = -2; // no such IP: packets are lost => client timeout

/** A client that sends requests to a Service address, one request per connection. */
export interface ClientOptions {
  /** Name, unique within the simulation (e.g. `frontend`). */
  readonly name: string;
  /** Source IP of the client's connections (its pod IP). */
  readonly sourceIP: number;
  /** The kube-proxy of the client's node: its rules choose the endpoint. */
  readonly proxy: KubeProxy;
  /** The Service address, as programmed on the client's node. */
  readonly frontend: ServiceFrontend;
  /** Time between request starts (open loop): `exponential(1000 / rps)` makes a Poisson source. */
  readonly interarrival: Distribution;
  /** Stream for the client's own draws (interarrival times). */
  readonly random: RandomStream;
  /** How long the client waits for a connection that gets no answer, in ms. Default 1000. */
  readonly connectTimeout?: number;
  /** When to send the first request (absolute ms). Default: one interarrival time from now. */
  readonly startAt?: SimTime;
}

/** Per-outcome request counts. */
export type OutcomeCounts = Readonly<Record<Outcome, number>>;

/** Options of a {@link TrafficEngine}. */
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

/** Receives each request's end: see {@link TrafficEngineOptions.onRequestEnd}. */
export type RequestEndListener = (outcome: Outcome, start: SimTime, end: SimTime, endpoint: string, client: string) => void;

interface App {
  readonly name: string;
  readonly serviceTime: Distribution;
  readonly random: RandomStream;
  readonly concurrency: number;
  readonly queueLimit: number;
  readonly addresses: readonly number[];
  queue: Int32Array;
  head: number;
  length: number;
  busy: number;
  running: boolean;
}

interface Client {
  readonly options: ClientOptions;
  readonly connectTimeout: number;
  active: boolean;
  started: number;
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
 * Every request ends in exactly one {@link Outcome}; at any moment
 * `started = sum(outcomes) + inFlight`.
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
  private readonly clients: Client[] = [];
  private readonly counts = new Float64Array(OUTCOMES.length);
  private startedCount = 0;
  private inFlightCount = 0;
  private readonly stopAfter: number;
  private readonly onRequestEnd: RequestEndListener | undefined;
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

  /** Requests started so far. */
  get started(): number {
    return this.startedCount;
  }

  /** Requests started and not yet ended. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Requests by outcome. */
  outcomes(): OutcomeCounts {
    const c = this.counts;
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
    this.apps.push({
      name,
      serviceTime: m.serviceTime,
      random,
      concurrency: m.concurrency,
      queueLimit: m.queueLimit,
      addresses: ids,
      queue: new Int32Array(16),
      head: 0,
      length: 0,
      busy: 0,
      running: true,
    });
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
    for (const id of app.addresses) if (this.destApp[id] === index) this.destApp[id] = DEST_CLOSED;
    while (app.length > 0) {
      const r = app.queue[app.head];
      app.head = (app.head + 1) & (app.queue.length - 1);
      app.length--;
      this.finish(r, OUTCOME_RESET);
    }
    for (let r = 0; r < this.used; r++) {
      if (this.reqState[r] === IN_SERVICE && this.reqApp[r] === index) {
        this.end(r, OUTCOME_RESET);
        this.reqState[r] = ZOMBIE; // its completion event is still pending; the slot is freed then
      }
    }
    app.busy = 0;
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
    const index = this.clients.length;
    this.clients.push({ options, connectTimeout, active: true, started: 0 });
    const first = options.startAt ?? this.scheduler.now + options.interarrival.sample(options.random);
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

  /** Requests started by a client. */
  clientStarted(index: number): number {
    return this.clients[index]?.started ?? 0;
  }

  /** @internal Event dispatch (hot path). */
  handleEvent(arg: number): void {
    const now = this.scheduler.now;
    const kind = arg & 3;
    const index = arg >> 2;
    if (kind === EV_COMPLETE) this.complete(index, now);
    else if (kind === EV_ARRIVAL) this.arrive(index, now);
    else this.timeout(index, now);
  }

  private arrive(ci: number, now: SimTime): void {
    const c = this.clients[ci];
    if (!c.active) return;
    const o = c.options;
    this.scheduler.schedule(o.interarrival.sample(o.random), this.handler, ci * 4 + EV_ARRIVAL);
    const r = this.alloc();
    this.reqStart[r] = now;
    this.reqClient[r] = ci;
    this.startedCount++;
    this.inFlightCount++;
    c.started++;
    const dest = o.proxy.connect(o.frontend, o.sourceIP);
    if (dest >= 0) {
      this.reqDest[r] = dest;
      const app = dest < this.destApp.length ? this.destApp[dest] : DEST_UNREACHABLE;
      if (app >= 0) this.enqueue(app, r, now);
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
    this.scheduler.schedule(c.connectTimeout, this.handler, r * 4 + EV_TIMEOUT);
  }

  private timeout(r: number, now: SimTime): void {
    this.finish(r, OUTCOME_TIMED_OUT);
  }

  private enqueue(ai: number, r: number, now: SimTime): void {
    const app = this.apps[ai];
    this.reqApp[r] = ai;
    if (app.busy < app.concurrency) {
      app.busy++;
      this.reqState[r] = IN_SERVICE;
      this.scheduler.schedule(app.serviceTime.sample(app.random), this.handler, r * 4 + EV_COMPLETE);
      return;
    }
    if (app.length >= app.queueLimit) {
      this.finish(r, OUTCOME_DROPPED);
      return;
    }
    if (app.length === app.queue.length) this.growQueue(app);
    app.queue[(app.head + app.length) & (app.queue.length - 1)] = r;
    app.length++;
    this.reqState[r] = QUEUED;
  }

  private complete(r: number, now: SimTime): void {
    if (this.reqState[r] === ZOMBIE) {
      this.release(r);
      return;
    }
    const ai = this.reqApp[r];
    this.latency.record(now - this.reqStart[r]);
    this.destCompleted[this.reqDest[r]]++;
    this.end(r, OUTCOME_COMPLETED);
    this.release(r);
    const app = this.apps[ai];
    if (app.length > 0) {
      const next = app.queue[app.head];
      app.head = (app.head + 1) & (app.queue.length - 1);
      app.length--;
      this.reqState[next] = IN_SERVICE;
      this.scheduler.schedule(app.serviceTime.sample(app.random), this.handler, next * 4 + EV_COMPLETE);
    } else {
      app.busy--;
    }
    if (this.counts[OUTCOME_COMPLETED] === this.stopAfter) this.scheduler.stop();
  }

  // Records the outcome of a request (exactly once per request) without freeing its slot.
  private end(r: number, outcome: number): void {
    this.counts[outcome]++;
    this.inFlightCount--;
    if (this.onRequestEnd !== undefined) {
      const dest = this.reqDest[r];
      this.onRequestEnd(OUTCOMES[outcome], this.reqStart[r], this.scheduler.now, dest >= 0 ? this.addresses.name(dest) : "", this.clients[this.reqClient[r]].options.name);
    }
  }

  private finish(r: number, outcome: number): void {
    this.end(r, outcome);
    this.release(r);
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

  private growQueue(app: App): void {
    const q = new Int32Array(app.queue.length * 2);
    for (let i = 0; i < app.length; i++) q[i] = app.queue[(app.head + i) & (app.queue.length - 1)];
    app.queue = q;
    app.head = 0;
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
    const s = new Uint8Array(n);
    s.set(this.reqState);
    this.reqState = s;
    this.freeList = grow32(this.freeList);
    this.cap = n;
  }
}
