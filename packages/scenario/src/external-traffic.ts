/**
 * Traffic from outside the cluster: a cloud load balancer model (ingress IPs, health
 * checks, spreading connections over nodes) and the routes external clients take to a
 * node's kube-proxy.
 *
 * @packageDocumentation
 */
import type { Callbacks, RandomStream } from "@kube-netsim/core";
import { formatIPv4, parseCidr, parseIPv4 } from "@kube-netsim/model";
import type { ObjectStore, Service } from "@kube-netsim/model";
import type { KubeProxy, ServiceFrontend } from "@kube-netsim/proxy";
import type { ConnectionRouter } from "@kube-netsim/traffic";

/**
 * Health checks a cloud load balancer runs against every node.
 *
 * @example
 * ```ts
 * new Simulation({ seed: 1, loadBalancer: { healthCheck: { interval: 2_000, healthyThreshold: 2, unhealthyThreshold: 2 } } }); // out after 4 s, not 24
 * ```
 */
export interface HealthCheckSettings {
  /** Time between two checks of one node, ms. Default 8000 (GCE L4: checkIntervalSec 8). */
  readonly interval?: number;
  /** Consecutive successes that make an unhealthy node healthy. Default 1 (GCE L4). */
  readonly healthyThreshold?: number;
  /** Consecutive failures that make a healthy node unhealthy. Default 3 (GCE L4: 3 x 8 s = 24 s before traffic is steered away). */
  readonly unhealthyThreshold?: number;
}

/**
 * The load-balancer implementation of a simulated cluster (`new Simulation({ loadBalancer: {} })`),
 * like a cloud provider's service controller or MetalLB: each Service of type
 * LoadBalancer gets an ingress IP in `status.loadBalancer.ingress`, and a load balancer
 * that spreads new connections over the nodes it finds healthy.
 *
 * @example
 * ```ts
 * new Simulation({ seed: 1, loadBalancer: { ipPool: "198.51.100.0/24", provisioningDelay: 30_000, healthCheck: { interval: 5_000, unhealthyThreshold: 2 } } });
 * ```
 */
export interface LoadBalancerOptions {
  /** Pool of ingress IPs, handed out in order from the first usable address. Default `192.0.2.0/24` (TEST-NET-1). */
  readonly ipPool?: string;
  /** Time from the Service's creation to its ingress IP (provisioning), ms. Default 0. */
  readonly provisioningDelay?: number;
  /** Health checks (defaults of the GCE L4 load balancer, kubernetes/legacy-cloud-providers gce/gce.go). */
  readonly healthCheck?: HealthCheckSettings;
}

/**
 * Per node of entry: what an external client's connections did there.
 *
 * @example
 * ```ts
 * const e = sim.results().external?.internet.byEntryNode["node-3"];
 * console.log(`${e?.toOtherNode} of ${e?.connections} connections took an extra hop`);
 * ```
 */
export interface EntryNodeResult {
  /** New connections (requests, for per-request clients) that entered the cluster on this node. */
  readonly connections: number;
  /** Of those, forwarded to an endpoint on this node. */
  readonly toLocalEndpoint: number;
  /** Forwarded to an endpoint on another node (an extra hop). */
  readonly toOtherNode: number;
  /** Rejected (no endpoint anywhere: the client sees a refusal). */
  readonly rejected: number;
  /** Dropped (externalTrafficPolicy Local, no local endpoint: the client times out). */
  readonly dropped: number;
}

/**
 * Results of one external client (or of a pod client calling an external address).
 *
 * @example
 * ```ts
 * sim.addExternalClient({ name: "net", target: "lb", service: "api", rate: 300 });
 * sim.runFor(20_000);
 * const r: ExternalClientResult | undefined = sim.results().external?.net;
 * r?.byEntryNode["node-3"];  // e.g. { connections: 1915, toLocalEndpoint: 0, toOtherNode: 1915, rejected: 0, dropped: 0 }: no api pod there
 * r?.sourceIPSeen;           // externalTrafficPolicy Cluster: the nodes' IPs, e.g. { "10.0.0.10": 1978, "10.0.0.11": 2092, "10.0.0.12": 1915 }
 * ```
 */
export interface ExternalClientResult {
  /** Connections per node of entry. */
  readonly byEntryNode: Readonly<Record<string, EntryNodeResult>>;
  /** Connections per `entry node -> endpoint IP:port`. */
  readonly byEntryAndEndpoint: Readonly<Record<string, number>>;
  /**
   * The source IP the pods saw, with connection counts: the client's own IP
   * (externalTrafficPolicy Local; or a pod client under Cilium, whose socket-LB does not
   * SNAT), or the IP of the node of entry (Cluster: KUBE-MARK-MASQ then MASQUERADE, for
   * pod clients too).
   */
  readonly sourceIPSeen: Readonly<Record<string, number>>;
}

/**
 * One way into the cluster: a node, its kube-proxy and the rules for the address there.
 *
 * @example
 * ```ts
 * // a client entering by node-3's NodePort (sim: a settled Simulation with a NodePort Service)
 * const nodePort = sim.store.get("Service", "default", "api")?.spec.ports?.[0].nodePort; // e.g. 30499
 * const proxy = sim.kubeProxy("node-3");
 * const entry: RouteEntry = { node: "node-3", nodeIP: sim.nodeIP("node-3"), proxy, frontend: proxy.frontend(`${sim.nodeIP("node-3")}:${nodePort}/TCP`) };
 * ```
 */
export interface RouteEntry {
  readonly node: string;
  readonly nodeIP: string;
  readonly proxy: KubeProxy;
  readonly frontend: ServiceFrontend;
}

/**
 * The route of one external client's new connections: a node of entry (fixed, or chosen
 * per connection by a cloud load balancer among the nodes it finds healthy), then that
 * node's kube-proxy rules for the address. Counts where connections went.
 *
 * @remarks
 * Allocation-free per connection once the count arrays have grown. With IPVS, closes
 * are reported to the node the connection entered by (the first node with an open
 * connection to that endpoint: exact unless one endpoint is reached through several
 * nodes at once, where the per-node connection counts may swap between nodes).
 *
 * @example
 * ```ts
 * // built by sim.addExternalClient; by hand, for the one-node `entry` of RouteEntry's example:
 * const { frontend } = entry;
 * const endpointOf = (d: number) => frontend.endpoints[frontend.destinations.indexOf(d)];
 * const route = new ExternalRoute([entry], () => 0, (d) => endpointOf(d).nodeName ?? "", "203.0.113.50");
 * route.connect(frontend, parseIPv4("203.0.113.50")); // a destination id >= 0, or ROUTE_REJECTED / ROUTE_DROPPED / ROUTE_NO_RULE
 * route.result((d) => endpointOf(d).key).byEntryNode["node-3"]; // { connections: 1, toLocalEndpoint: 0, toOtherNode: 1, ... }: the pods run on node-1 and node-2
 * ```
 */
export class ExternalRoute implements ConnectionRouter {
  /** Whether any node's data plane counts connections. */
  readonly tracksConnections: boolean;
  private readonly n: number;
  private readonly entered: Float64Array;
  private readonly outcome: Float64Array; // [entry * 4 + k]: local, other, rejected, dropped
  private perDest: Float64Array;
  private open: Int32Array;
  private destNode: Int32Array; // node index of a destination; -1 unknown yet, -2 not a node of the cluster
  private readonly seenClient: boolean[];
  private seenClientCount = 0;
  private readonly seenNode: Float64Array;

  constructor(
    private readonly entries: readonly RouteEntry[],
    private readonly choose: () => number,
    private readonly endpointNode: (destination: number) => string,
    private readonly clientIP: string,
    /** Whether a node is down (failed): connections entering by it are lost. */
    private readonly nodeDown?: (node: string) => boolean,
  ) {
    this.n = entries.length;
    this.entered = new Float64Array(this.n);
    this.outcome = new Float64Array(this.n * 4);
    this.perDest = new Float64Array(this.n * 64);
    this.open = new Int32Array(this.n * 64);
    this.destNode = new Int32Array(64).fill(-1);
    this.seenNode = new Float64Array(this.n);
    // Cilium's socket-LB translates a pod's connect() in place: no SNAT for traffic that starts on the node.
    this.seenClient = entries.map((e) => e.frontend.kind === "local-origin" && e.proxy.dataPlane.mode === "cilium");
    this.tracksConnections = entries.some((e) => e.proxy.tracksConnections);
  }

  /** A new connection: the node of entry's kube-proxy picks the endpoint. */
  connect(_frontend: ServiceFrontend, clientIP: number): number {
    const i = this.choose();
    const e = this.entries[i];
    this.entered[i]++;
    if (this.nodeDown !== undefined && this.nodeDown(e.node)) {
      this.outcome[i * 4 + 3]++; // the node of entry is down: the packets are lost
      return -2; // ROUTE_DROPPED
    }
    const dest = e.proxy.connect(e.frontend, clientIP);
    if (dest < 0) {
      // ROUTE_REJECTED = -1, ROUTE_DROPPED = -2, ROUTE_NO_RULE = -3 (lost, like a drop).
      this.outcome[i * 4 + (dest === -1 ? 2 : 3)]++;
      return dest;
    }
    if (dest >= this.destNode.length) this.grow(dest);
    let node = this.destNode[dest];
    if (node === -1) node = this.lookupNode(dest);
    this.outcome[i * 4 + (node === i ? 0 : 1)]++;
    this.perDest[dest * this.n + i]++;
    if (this.tracksConnections) this.open[dest * this.n + i]++;
    // KUBE-EXT (pkg/proxy/iptables/proxier.go): Cluster policy marks every connection for
    // masquerade (the pod sees the node's IP); Local keeps the client's IP, and traffic from
    // a pod of the node is short-circuited to KUBE-SVC without masquerade.
    if (this.seenClient[i] || e.frontend.externalTrafficPolicy === "Local") this.seenClientCount++;
    else this.seenNode[i]++;
    return dest;
  }

  /** A connection to `destination` closed: tell the node it entered by (IPVS counts connections). */
  connectionClosed(_frontend: ServiceFrontend, destination: number): void {
    if (destination >= this.destNode.length) return;
    for (let i = 0; i < this.n; i++) {
      const k = destination * this.n + i;
      if (this.open[k] > 0) {
        this.open[k]--;
        const e = this.entries[i];
        e.proxy.connectionClosed(e.frontend, destination);
        return;
      }
    }
  }

  /** External clients are TCP only: there are no UDP conntrack entries to follow. */
  onStaleUdpEntries(): () => void {
    return (): void => undefined;
  }

  /** What the connections did so far. */
  result(addressName: (destination: number) => string): ExternalClientResult {
    const byEntryNode: Record<string, EntryNodeResult> = {};
    const byEntryAndEndpoint: Record<string, number> = {};
    const sourceIPSeen: Record<string, number> = {};
    this.entries.forEach((e, i) => {
      const o = this.outcome;
      const prev = byEntryNode[e.node];
      byEntryNode[e.node] = {
        connections: (prev?.connections ?? 0) + this.entered[i],
        toLocalEndpoint: (prev?.toLocalEndpoint ?? 0) + o[i * 4],
        toOtherNode: (prev?.toOtherNode ?? 0) + o[i * 4 + 1],
        rejected: (prev?.rejected ?? 0) + o[i * 4 + 2],
        dropped: (prev?.dropped ?? 0) + o[i * 4 + 3],
      };
      if (this.seenNode[i] > 0) sourceIPSeen[e.nodeIP] = (sourceIPSeen[e.nodeIP] ?? 0) + this.seenNode[i];
    });
    if (this.seenClientCount > 0) sourceIPSeen[this.clientIP] = this.seenClientCount;
    const rows: [string, number][] = [];
    for (let d = 0; d < this.destNode.length; d++) {
      for (let i = 0; i < this.n; i++) {
        const c = this.perDest[d * this.n + i];
        if (c > 0) rows.push([`${this.entries[i].node} -> ${addressName(d)}`, c]);
      }
    }
    rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [k, v] of rows) byEntryAndEndpoint[k] = v;
    return { byEntryNode, byEntryAndEndpoint, sourceIPSeen };
  }

  private lookupNode(dest: number): number {
    const name = this.endpointNode(dest);
    let idx = -2;
    for (let i = 0; i < this.n; i++) if (this.entries[i].node === name) idx = i;
    this.destNode[dest] = idx;
    return idx;
  }

  private grow(dest: number): void {
    let size = this.destNode.length;
    while (size <= dest) size *= 2;
    const dn = new Int32Array(size).fill(-1);
    dn.set(this.destNode);
    this.destNode = dn;
    const pd = new Float64Array(size * this.n);
    pd.set(this.perDest);
    this.perDest = pd;
    const op = new Int32Array(size * this.n);
    op.set(this.open);
    this.open = op;
  }
}

/** A node as the load balancer sees it. */
interface LbNode {
  readonly name: string;
  healthy: boolean;
  successes: number;
  failures: number;
}

/**
 * The cloud load balancer of one Service: checks every node's health and spreads new
 * connections uniformly at random (a 5-tuple hash, per connection) over the healthy ones.
 *
 * @remarks
 * Health checks (pkg/proxy/healthcheck; KEP-3836 for Cluster): with
 * `externalTrafficPolicy: Local` the load balancer asks `healthCheckNodePort` on every
 * node, and kube-proxy answers 200 when the node has a local ready endpoint (as of its
 * last sync), 503 otherwise; with `Cluster` it asks kube-proxy's `/healthz` (port 10256),
 * which answers 200 while kube-proxy runs, so every node is healthy. A node turns
 * healthy after `healthyThreshold` successes in a row and unhealthy after
 * `unhealthyThreshold` failures in a row. Nodes start unhealthy and are checked as soon
 * as the load balancer exists. When no node is healthy the load balancer fails open and
 * spreads over every node (as GCE and AWS NLB do).
 *
 * @example
 * ```ts
 * // made by LoadBalancerController; by hand: node-2 has no local endpoint (ETP Local), so it answers 503
 * const later = new Callbacks(scheduler);
 * const lb = new CloudLoadBalancer("default/api", "192.0.2.1", ["node-1", "node-2"], (node) => (node === "node-1" ? 200 : 503), later, new RandomSource(1).stream("lb"), DEFAULT_HEALTH_CHECK);
 * lb.check();        // one round of health checks (healthyThreshold 1)
 * lb.healthyNodes(); // ["node-1"]
 * lb.pick();         // 0: the index of node-1, for every new connection
 * ```
 */
export class CloudLoadBalancer {
  /** The Service (`namespace/name`). */
  readonly service: string;
  /** The ingress IP. */
  readonly ip: string;
  private readonly nodes: LbNode[];
  private readonly healthyIdx: Int32Array;
  private healthyCount = 0;
  private running = false;
  private readonly users: (() => boolean)[] = [];
  private checks = 0;

  constructor(
    service: string,
    ip: string,
    nodeNames: readonly string[],
    private readonly probe: (node: string) => 200 | 503,
    private readonly later: Callbacks,
    private readonly random: RandomStream,
    private readonly settings: Required<HealthCheckSettings>,
    private readonly onHealthChange?: (service: string, node: string, healthy: boolean) => void,
  ) {
    this.service = service;
    this.ip = ip;
    this.nodes = nodeNames.map((name) => ({ name, healthy: false, successes: 0, failures: 0 }));
    this.healthyIdx = new Int32Array(nodeNames.length);
  }

  /** Nodes the load balancer sends new connections to now. */
  healthyNodes(): string[] {
    return this.nodes.filter((n) => n.healthy).map((n) => n.name);
  }

  /** Health-check rounds run so far. */
  get rounds(): number {
    return this.checks;
  }

  /** Picks the node index for a new connection (hot path: no allocation). */
  pick(): number {
    if (this.healthyCount === 0) return this.random.nextInt(this.nodes.length);
    return this.healthyIdx[this.random.nextInt(this.healthyCount)];
  }

  /**
   * Starts (or keeps running) the health checks while `active` says a client uses this
   * load balancer; the checks stop when none does, so a drained simulation comes to rest.
   */
  attach(active: () => boolean): void {
    this.users.push(active);
    if (!this.running) {
      this.running = true;
      this.check();
    }
  }

  /** Runs one round of health checks now (and schedules the next while clients are active). */
  check(): void {
    this.checks++;
    const s = this.settings;
    for (const n of this.nodes) {
      if (this.probe(n.name) === 200) {
        n.failures = 0;
        n.successes++;
        if (!n.healthy && n.successes >= s.healthyThreshold) {
          n.healthy = true;
          this.onHealthChange?.(this.service, n.name, true);
        }
      } else {
        n.successes = 0;
        n.failures++;
        if (n.healthy && n.failures >= s.unhealthyThreshold) {
          n.healthy = false;
          this.onHealthChange?.(this.service, n.name, false);
        }
      }
    }
    this.healthyCount = 0;
    this.nodes.forEach((n, i) => {
      if (n.healthy) this.healthyIdx[this.healthyCount++] = i;
    });
    if (this.users.some((u) => u())) this.later.after(s.interval, () => this.check());
    else this.running = false;
  }
}

/**
 * The load-balancer implementation: hands out ingress IPs to Services of type
 * LoadBalancer (writing `status.loadBalancer.ingress`), releases them on delete, and
 * keeps one {@link CloudLoadBalancer} per Service.
 *
 * @example
 * ```ts
 * // what `new Simulation({ loadBalancer: { ipPool: "198.51.100.0/24" } })` sets up (store, later, scheduler, random: the simulation's)
 * const ctl = new LoadBalancerController(store, later, { ipPool: "198.51.100.0/24" }, (key, ip, settings) =>
 *   new CloudLoadBalancer(key, ip, ["node-1", "node-2"], () => 200, later, random.stream(`load-balancer/${key}`), settings));
 * store.create({ apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { type: "LoadBalancer", selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080 }] } });
 * scheduler.runUntil(10);
 * ctl.balancer("default", "api")?.ip; // "198.51.100.1", also in status.loadBalancer.ingress[0].ip
 * ```
 */
export class LoadBalancerController {
  private readonly pool: { base: number; size: number };
  private next = 1;
  private readonly free: number[] = [];
  private readonly byService = new Map<string, CloudLoadBalancer>();
  private readonly settings: Required<HealthCheckSettings>;
  private readonly delay: number;

  constructor(
    private readonly store: ObjectStore,
    private readonly later: Callbacks,
    options: LoadBalancerOptions,
    private readonly makeBalancer: (service: string, ip: string, settings: Required<HealthCheckSettings>) => CloudLoadBalancer,
  ) {
    const cidr = options.ipPool ?? "192.0.2.0/24";
    let parsed;
    try {
      parsed = parseCidr(cidr);
    } catch (e) {
      throw new RangeError(`loadBalancer.ipPool: Invalid value: "${cidr}": ${(e as Error).message}`);
    }
    this.pool = { base: parsed.base, size: parsed.size };
    this.delay = options.provisioningDelay ?? 0;
    if (!(this.delay >= 0) || !Number.isFinite(this.delay)) throw new RangeError(`loadBalancer.provisioningDelay: Invalid value: ${this.delay}: must be a finite number of ms >= 0`);
    const hc = options.healthCheck ?? {};
    const d = DEFAULT_HEALTH_CHECK;
    this.settings = { interval: hc.interval ?? d.interval, healthyThreshold: hc.healthyThreshold ?? d.healthyThreshold, unhealthyThreshold: hc.unhealthyThreshold ?? d.unhealthyThreshold };
    if (!(this.settings.interval > 0)) throw new RangeError(`loadBalancer.healthCheck.interval: Invalid value: ${this.settings.interval}: must be a number of ms > 0`);
    for (const k of ["healthyThreshold", "unhealthyThreshold"] as const) {
      const v = this.settings[k];
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`loadBalancer.healthCheck.${k}: Invalid value: ${v}: must be an integer >= 1`);
    }
    store.watch("Service", (e) => {
      const svc = e.object;
      const key = `${svc.metadata.namespace ?? "default"}/${svc.metadata.name}`;
      if (e.type === "DELETED" || svc.spec.type !== "LoadBalancer") {
        this.release(key);
        // No longer a LoadBalancer: the implementation clears the ingress it had written.
        if (e.type !== "DELETED" && (svc.status?.loadBalancer?.ingress?.length ?? 0) > 0) {
          const ns = svc.metadata.namespace ?? "default";
          this.later.after(0, () =>
            this.store.mutate("Service", ns, svc.metadata.name, (d) => {
              if (d.spec.type !== "LoadBalancer") d.status = {};
            }),
          );
        }
        return;
      }
      if (this.byService.has(key) || (svc.status?.loadBalancer?.ingress?.length ?? 0) > 0) return;
      this.later.after(this.delay, () => this.provision(key));
    });
  }

  /** The load balancer of a Service, once provisioned. */
  balancer(namespace: string, name: string): CloudLoadBalancer | undefined {
    return this.byService.get(`${namespace}/${name}`);
  }

  private provision(key: string): void {
    const [ns, name] = key.split("/");
    const svc: Service | undefined = this.store.get("Service", ns, name);
    if (!svc || svc.spec.type !== "LoadBalancer" || this.byService.has(key)) return;
    const idx = this.free.length > 0 ? (this.free.shift() as number) : this.next++;
    if (idx >= this.pool.size - 1) throw new Error(`loadBalancer.ipPool: no address left for Service ${key}`);
    const ip = formatIPv4(this.pool.base + idx);
    this.byService.set(key, this.makeBalancer(key, ip, this.settings));
    this.store.mutate("Service", ns, name, (d) => {
      d.status = { loadBalancer: { ingress: [{ ip }] } };
    });
  }

  private release(key: string): void {
    const lb = this.byService.get(key);
    if (!lb) return;
    this.byService.delete(key);
    this.free.push(parseIPv4(lb.ip) - this.pool.base);
    this.free.sort((a, b) => a - b);
  }
}

/**
 * Health-check defaults: the GCE L4 load balancer's (kubernetes/legacy-cloud-providers
 * gce/gce.go: gceHcCheckIntervalSeconds 8, gceHcHealthyThreshold 1,
 * gceHcUnhealthyThreshold 3).
 *
 * @example
 * ```ts
 * DEFAULT_HEALTH_CHECK; // { interval: 8000, healthyThreshold: 1, unhealthyThreshold: 3 }: 24 s before a failing node is out
 * new Simulation({ seed: 1, loadBalancer: { healthCheck: { ...DEFAULT_HEALTH_CHECK, unhealthyThreshold: 2 } } });
 * ```
 */
export const DEFAULT_HEALTH_CHECK: Readonly<Required<HealthCheckSettings>> = { interval: 8000, healthyThreshold: 1, unhealthyThreshold: 3 };
