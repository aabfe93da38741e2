/**
 * An Ingress controller modelled on ingress-nginx: a Deployment of proxy pods behind a
 * LoadBalancer Service. Clients' connections end at a proxy pod (their keep-alive is the
 * proxy's business); the proxy matches each request's host and path against the Ingress
 * rules and sends it to an endpoint of the chosen Service itself, round robin, without
 * going through the Service's ClusterIP or kube-proxy.
 *
 * Upstream (kubernetes/ingress-nginx): `internal/ingress/controller/endpointslices.go`
 * (upstreams are the ready endpoints of the Service's EndpointSlices, never the ClusterIP,
 * unless the `service-upstream` annotation asks for it), `rootfs/etc/nginx/lua/balancer.lua`
 * and `balancer/round_robin.lua` (per-request balancing, `load-balance: round_robin` by
 * default), `internal/ingress/controller/config/config.go` (`proxy-next-upstream: error
 * timeout`, `proxy-next-upstream-tries: 3`, `upstream-keepalive-connections: 320`), and
 * `deploy/static/provider/cloud/deploy.yaml` (the LoadBalancer Service with
 * `externalTrafficPolicy: Local`).
 *
 * @packageDocumentation
 */
import { exponential } from "@kube-netsim/core";
import type { Callbacks, Interner, RandomStream } from "@kube-netsim/core";
import { matchIngress } from "@kube-netsim/model";
import type { Deployment, Ingress, ObjectStore, Pod, Service, TrafficPolicy } from "@kube-netsim/model";
import type { ApplicationModel, RequestForwarder } from "@kube-netsim/traffic";

/**
 * Namespace of the controller's Deployment and Service.
 *
 * @example
 * ```ts
 * const sim = new Simulation({ seed: 1, ingressController: {} });
 * sim.store.list("Pod").filter((p) => p.metadata.namespace === INGRESS_NAMESPACE).length; // 2 controller pods, once settled
 * INGRESS_NAMESPACE; // "ingress-nginx"
 * ```
 */
export const INGRESS_NAMESPACE = "ingress-nginx";
/**
 * Name of the controller's Deployment and its LoadBalancer Service.
 *
 * @example
 * ```ts
 * INGRESS_CONTROLLER_NAME; // "ingress-nginx-controller"
 * sim.store.get("Service", INGRESS_NAMESPACE, INGRESS_CONTROLLER_NAME)?.status?.loadBalancer?.ingress?.[0].ip; // "192.0.2.1", as sim.ingressIP()
 * ```
 */
export const INGRESS_CONTROLLER_NAME = "ingress-nginx-controller";
const LABELS = { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" } as const;

/**
 * Options of the Ingress controller (`SimulationOptions.ingressController`).
 *
 * @example
 * ```ts
 * const sim = new Simulation({ seed: 1, ingressController: { replicas: 2 } });
 * ```
 */
export interface IngressControllerOptions {
  /** Replicas of the controller Deployment. Default 2. */
  readonly replicas?: number;
  /**
   * The IngressClass the controller implements. Ingresses with this `ingressClassName`, or
   * none (the controller's class is the default one), are served. Default `nginx`.
   */
  readonly className?: string;
  /**
   * The proxy's own work per request (TLS, parsing, Lua balancer). Default
   * `{ concurrency: 4, serviceTime: exponential(0.2) }`: four nginx workers (one per CPU of
   * a 4-CPU node), 0.2 ms each on average; an assumption, not a measurement.
   */
  readonly application?: ApplicationModel;
  /** Upstreams tried per request before a 502 (`proxy-next-upstream-tries`). Default 3. */
  readonly upstreamTries?: number;
  /** `externalTrafficPolicy` of the controller's LoadBalancer Service. Default `Local`, as ingress-nginx's cloud manifest sets it. */
  readonly externalTrafficPolicy?: TrafficPolicy;
  /**
   * Most syncs per second (`--sync-rate-limit`, default 0.3: a token bucket of burst 1, so
   * at most one sync every 3.33 s). A sync applies every change seen since the last one:
   * until then the proxies keep their old rules and endpoints. `Infinity`: every change is
   * applied as soon as the informer sees it.
   */
  readonly syncRateLimit?: number;
}

/**
 * Results of the Ingress controller (`results().ingress`).
 *
 * @example
 * ```ts
 * sim.addExternalClient({ name: "api", target: "ingress", host: "shop.example.com", path: "/api/items", rate: 100 });
 * sim.addExternalClient({ name: "other", target: "ingress", host: "other.example.com", path: "/", rate: 10 });
 * sim.runFor(10_000);
 * const ing: IngressResults | undefined = sim.results().ingress;
 * ing?.routes.api.rule;             // "shop: shop.example.com/api (Prefix)"
 * ing?.byClient.other;              // only "404" responses: no rule for that host
 * ing?.byBackend["default/api:http"]; // requests per endpoint, round robin: e.g. { "10.244.0.2:8080": 329, ... }
 * ```
 */
export interface IngressResults {
  /**
   * Responses per HTTP status, per rule that matched: `<ingress>: <host><path> (<pathType>)`,
   * `<ingress>: defaultBackend`, or `(no rule)` (answered 404 by the controller).
   */
  readonly byRule: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Responses per HTTP status, per client. */
  readonly byClient: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Each Ingress client's host, path and the rule its requests match now (`(no rule)` when none). */
  readonly routes: Readonly<Record<string, { readonly host: string; readonly path: string; readonly rule: string }>>;
  /** Requests each endpoint served (status 200), per backend `<namespace>/<service>:<port>`. */
  readonly byBackend: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Requests each controller pod proxied (every status). */
  readonly byControllerPod: Readonly<Record<string, number>>;
}

interface Backend {
  readonly key: string;
  readonly namespace: string;
  readonly service: string;
  readonly port: { readonly name?: string; readonly number?: number };
  /** Ready endpoints (interned `IP:port`), sorted by address. */
  dests: Int32Array;
  readonly served: Map<number, number>;
}

interface ClientRoute {
  readonly name: string;
  readonly host: string;
  readonly path: string;
  /** Rule key of the current match, `(no rule)` when none. */
  key: string;
  /** Backend index, -1 when no rule matches (404). */
  backend: number;
}

/** What {@link IngressController} needs of the simulation. */
export interface IngressControllerContext {
  readonly store: ObjectStore;
  readonly later: Callbacks;
  readonly addresses: Interner;
  readonly random: RandomStream;
  /** The informer's delay from a write to the controller seeing it (ms). */
  readonly watchDelay: () => number;
  /** The simulation's clock (ms). */
  readonly now: () => number;
}

/**
 * The controller's state: the Ingress objects it serves, the client routes, the backends'
 * endpoints, and one {@link RequestForwarder} per proxy pod (used by `Simulation`).
 */
export class IngressController {
  /** Options with defaults filled. */
  readonly replicas: number;
  readonly className: string;
  readonly application: ApplicationModel;
  readonly upstreamTries: number;
  readonly externalTrafficPolicy: TrafficPolicy;
  readonly syncRateLimit: number;
  private lastSync = -Infinity;
  private syncs = 0;
  private readonly ingresses = new Map<string, Ingress>();
  private served: Ingress[] = [];
  private readonly routes: (ClientRoute | undefined)[] = [];
  private readonly backends: Backend[] = [];
  private readonly backendIds = new Map<string, number>();
  private readonly forwarders = new Map<string, PodForwarder>();
  private readonly byRule = new Map<string, Map<number, number>>();
  private readonly byClient = new Map<string, Map<number, number>>();
  private rebuildPending = false;

  constructor(options: IngressControllerOptions | true, private readonly ctx: IngressControllerContext) {
    const o = options === true ? {} : options;
    this.replicas = o.replicas ?? 2;
    if (!Number.isInteger(this.replicas) || this.replicas < 0) throw new RangeError(`ingressController.replicas: Invalid value: ${String(o.replicas)}: must be an integer >= 0`);
    this.className = o.className ?? "nginx";
    this.application = o.application ?? { concurrency: 4, serviceTime: exponential(0.2) };
    this.upstreamTries = o.upstreamTries ?? 3;
    if (!Number.isInteger(this.upstreamTries) || this.upstreamTries < 1) {
      throw new RangeError(`ingressController.upstreamTries: Invalid value: ${String(o.upstreamTries)}: must be an integer >= 1`);
    }
    this.syncRateLimit = o.syncRateLimit ?? 0.3;
    if (!(this.syncRateLimit > 0)) throw new RangeError(`ingressController.syncRateLimit: Invalid value: ${String(o.syncRateLimit)}: must be a number of syncs per second > 0 (Infinity: no limit)`);
    this.externalTrafficPolicy = o.externalTrafficPolicy ?? "Local";
    if (this.externalTrafficPolicy !== "Local" && this.externalTrafficPolicy !== "Cluster") {
      throw new RangeError(`ingressController.externalTrafficPolicy: Unsupported value: "${String(o.externalTrafficPolicy)}": supported values: "Cluster", "Local"`);
    }
    // The controller's informers: endpoints and Services change what a backend holds.
    for (const kind of ["EndpointSlice", "Service"] as const) ctx.store.watch(kind, () => this.scheduleRebuild(), { initialList: false });
  }

  /** The controller's Deployment and LoadBalancer Service. */
  objects(): [Deployment, Service] {
    return [
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: INGRESS_CONTROLLER_NAME, namespace: INGRESS_NAMESPACE, labels: { ...LABELS } },
        spec: {
          replicas: this.replicas,
          selector: { matchLabels: { ...LABELS } },
          template: {
            metadata: { labels: { ...LABELS } },
            spec: { containers: [{ name: "controller", ports: [{ name: "http", containerPort: 80 }] }] },
          },
        },
      },
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: INGRESS_CONTROLLER_NAME, namespace: INGRESS_NAMESPACE, labels: { ...LABELS } },
        spec: { type: "LoadBalancer", externalTrafficPolicy: this.externalTrafficPolicy, selector: { ...LABELS }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
      },
    ];
  }

  /** The labels of the controller's pods. */
  get labels(): Readonly<Record<string, string>> {
    return LABELS;
  }

  /** Whether a pod is one of the controller's proxies. */
  isControllerPod(pod: Pod): boolean {
    return (pod.metadata.namespace ?? "default") === INGRESS_NAMESPACE && pod.metadata.labels?.["app.kubernetes.io/name"] === LABELS["app.kubernetes.io/name"];
  }

  /** The forwarder of a proxy pod (`namespace/name`), created on first use. */
  forwarderFor(podKey: string): RequestForwarder {
    let f = this.forwarders.get(podKey);
    if (f === undefined) {
      f = new PodForwarder(this, this.ctx.random);
      this.forwarders.set(podKey, f);
    }
    return f;
  }

  /** Ingress objects applied, by `namespace/name`. */
  list(): Ingress[] {
    return [...this.ingresses.values()];
  }

  /** Stores (or replaces) an Ingress; the proxies use it after the informer's delay. */
  apply(ingress: Ingress): void {
    const ns = ingress.metadata.namespace ?? "default";
    this.ingresses.set(`${ns}/${ingress.metadata.name}`, { ...ingress, metadata: { ...ingress.metadata, namespace: ns } });
    this.scheduleRebuild();
  }

  /** Deletes an Ingress; false when there was none. */
  delete(namespace: string, name: string): boolean {
    const had = this.ingresses.delete(`${namespace}/${name}`);
    if (had) this.scheduleRebuild();
    return had;
  }

  /** Registers an external client's host and path (its engine index). */
  addRoute(client: number, name: string, host: string, path: string): void {
    const route: ClientRoute = { name, host, path, key: "(no rule)", backend: -1 };
    this.routes[client] = route;
    this.match(route);
  }

  /** The route of a client, for forwarders (undefined: not an Ingress client). */
  route(client: number): ClientRoute | undefined {
    return this.routes[client];
  }

  /** A backend by index. */
  backend(index: number): Backend {
    return this.backends[index];
  }

  /** Number of backends known (forwarders size their cursors by it). */
  get backendCount(): number {
    return this.backends.length;
  }

  /** Counts a response (called by forwarders). */
  record(client: number, status: number, upstream: number): void {
    const route = this.routes[client];
    if (route === undefined) return;
    bump(this.byRule, route.key, status);
    bump(this.byClient, route.name, status);
    if (status === 200 && route.backend >= 0) {
      const b = this.backends[route.backend];
      b.served.set(upstream, (b.served.get(upstream) ?? 0) + 1);
    }
  }

  /** See {@link IngressResults}. */
  results(): IngressResults {
    const statusTable = (m: Map<string, Map<number, number>>): Record<string, Record<string, number>> => {
      const out: Record<string, Record<string, number>> = {};
      for (const k of [...m.keys()].sort()) {
        const row: Record<string, number> = {};
        const inner = m.get(k) as Map<number, number>;
        for (const s of [...inner.keys()].sort((a, b) => a - b)) row[String(s)] = inner.get(s) as number;
        out[k] = row;
      }
      return out;
    };
    const byBackend: Record<string, Record<string, number>> = {};
    for (const b of [...this.backends].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0))) {
      if (b.served.size === 0) continue;
      const rows = [...b.served].map(([d, n]) => [this.ctx.addresses.name(d), n] as const).sort((x, y) => (x[0] < y[0] ? -1 : 1));
      byBackend[b.key] = Object.fromEntries(rows);
    }
    const byControllerPod: Record<string, number> = {};
    for (const k of [...this.forwarders.keys()].sort()) byControllerPod[k.slice(k.indexOf("/") + 1)] = (this.forwarders.get(k) as PodForwarder).handled;
    const routes: Record<string, { host: string; path: string; rule: string }> = {};
    for (const r of this.routes) if (r !== undefined) routes[r.name] = { host: r.host, path: r.path, rule: r.key };
    return { byRule: statusTable(this.byRule), byClient: statusTable(this.byClient), routes, byBackend, byControllerPod };
  }

  // The informer sees a change after the watch delay and queues a sync; the sync queue's
  // token bucket (internal/ingress/controller/nginx.go: NewTokenBucketRateLimiter(
  // SyncRateLimit, 1)) lets one sync run per 1/syncRateLimit s, and a sync applies the
  // state as it is then (changes seen while one is queued ride along).
  private scheduleRebuild(): void {
    if (this.rebuildPending) return;
    this.rebuildPending = true;
    this.ctx.later.after(this.ctx.watchDelay(), () => {
      const now = this.ctx.now();
      const at = Math.max(now, this.lastSync + 1000 / this.syncRateLimit);
      this.ctx.later.after(at - now, () => {
        this.rebuildPending = false;
        this.lastSync = this.ctx.now();
        this.syncs++;
        this.rebuild();
      });
    });
  }

  /** Syncs run so far (each applies every change seen before it). */
  get syncCount(): number {
    return this.syncs;
  }

  // Off the hot path: the served Ingresses, every client's match, every backend's endpoints.
  private rebuild(): void {
    this.served = [...this.ingresses.values()].filter((i) => i.spec.ingressClassName === undefined || i.spec.ingressClassName === this.className);
    for (const r of this.routes) if (r !== undefined) this.match(r);
    for (const b of this.backends) b.dests = this.endpointsOf(b);
  }

  private match(route: ClientRoute): void {
    const m = matchIngress(this.served, route.host, route.path);
    const svc = m?.backend.service;
    if (m === undefined || svc === undefined) {
      route.key = "(no rule)";
      route.backend = -1;
      return;
    }
    const ns = m.ingress.metadata.namespace ?? "default";
    const portText = svc.port.name !== undefined && svc.port.name !== "" ? svc.port.name : String(svc.port.number);
    const key = `${ns}/${svc.name}:${portText}`;
    let id = this.backendIds.get(key);
    if (id === undefined) {
      id = this.backends.length;
      const b: Backend = { key, namespace: ns, service: svc.name, port: svc.port, dests: new Int32Array(0), served: new Map() };
      this.backends.push(b);
      this.backendIds.set(key, id);
      b.dests = this.endpointsOf(b);
    }
    route.key = m.key;
    route.backend = id;
  }

  // The ready endpoints of a backend (ingress-nginx endpointslices.go: the Service's port by
  // number or name, its EndpointSlices' port of the same name, endpoints not ready skipped).
  private endpointsOf(b: Backend): Int32Array {
    const svc = this.ctx.store.get("Service", b.namespace, b.service);
    if (svc === undefined) return new Int32Array(0);
    const sp = (svc.spec.ports ?? []).find((p) => (b.port.name !== undefined && b.port.name !== "" ? p.name === b.port.name : p.port === b.port.number));
    if (sp === undefined) return new Int32Array(0);
    const portName = sp.name ?? "";
    const out = new Set<string>();
    for (const slice of this.ctx.store.list("EndpointSlice", b.namespace)) {
      if (slice.metadata.labels?.["kubernetes.io/service-name"] !== b.service) continue;
      const port = (slice.ports ?? []).find((p) => (p.name ?? "") === portName)?.port;
      if (port === undefined || port === null) continue;
      for (const ep of slice.endpoints ?? []) {
        if (ep.conditions?.ready === false) continue;
        out.add(`${ep.addresses[0]}:${port}`);
      }
    }
    return Int32Array.from([...out].sort().map((a) => this.ctx.addresses.id(a)));
  }
}

function bump(m: Map<string, Map<number, number>>, key: string, status: number): void {
  let inner = m.get(key);
  if (inner === undefined) {
    inner = new Map();
    m.set(key, inner);
  }
  inner.set(status, (inner.get(status) ?? 0) + 1);
}

/**
 * One proxy pod's balancer: round robin per backend over its ready endpoints, each pod
 * starting at its own seeded random position (nginx's round robin is per process).
 */
class PodForwarder implements RequestForwarder {
  handled = 0;
  private cursors: Int32Array = new Int32Array(0);

  constructor(
    private readonly ctl: IngressController,
    private readonly random: RandomStream,
  ) {}

  forward(client: number): number {
    const route = this.ctl.route(client);
    if (route === undefined || route.backend < 0) return -404;
    const b = this.ctl.backend(route.backend);
    const n = b.dests.length;
    if (n === 0) return -503; // no endpoints: ingress-nginx answers 503 Service Temporarily Unavailable
    if (route.backend >= this.cursors.length) {
      const c = new Int32Array(Math.max(8, this.ctl.backendCount * 2)).fill(-1);
      c.set(this.cursors);
      this.cursors = c;
    }
    let i = this.cursors[route.backend];
    if (i < 0) i = Math.floor(this.random.next() * n);
    const d = b.dests[i % n];
    this.cursors[route.backend] = (i + 1) % n;
    return d;
  }

  answered(client: number, status: number, upstream: number): void {
    this.handled++;
    this.ctl.record(client, status, upstream);
  }
}
