import { Callbacks, Interner, RandomSource, Scheduler, Trace, constant, exponential } from "@kube-netsim/core";
import type { Distribution, LatencySummary, SimTime } from "@kube-netsim/core";
import {
  DeploymentController,
  EndpointSliceController,
  KubeletHeartbeats,
  Kubelets,
  NodeLifecycleController,
  PodScheduler,
  ReplicaSetController,
  TaintEvictionController,
  isPodReady,
  preStopSeconds,
} from "@kube-netsim/controllers";
import type { AddHintsResult, ContainerRuntime } from "@kube-netsim/controllers";
import { LABEL_ZONE, ObjectStore, ValidationError, checkServiceNodePorts, compileServiceSelector, fieldInvalid, formatIPv4, parseCidr, parseIPv4, nonNegativeQuantityError, validateIngress } from "@kube-netsim/model";
import type { Deployment, Ingress, KubeObject, Node, Pod, Service, StringMap } from "@kube-netsim/model";
import { CiliumDataPlane, IptablesDataPlane, IpvsDataPlane, KubeProxy, NftablesDataPlane, SharedServiceView } from "@kube-netsim/proxy";
import type { CiliumLbAlgorithm, DataPlane, IpvsSchedulerName, ProxyMode, SyncRunnerKind } from "@kube-netsim/proxy";
import { TrafficEngine, resolveApplicationModel } from "@kube-netsim/traffic";
import type { ApplicationModel, ConnectionPolicy, OutcomeCounts } from "@kube-netsim/traffic";
import { Timeline } from "./timeline.js";
import { ClusterDns } from "./cluster-dns.js";
import type { ClientDnsOptions, DnsResults, DnsSettings, ResolveFromPodOptions } from "./cluster-dns.js";
import type { ResolveResult } from "@kube-netsim/dns";
import { ExternalTraffic } from "./external-clients.js";
import type { AddExternalClientOptions, CrossZoneOptions, CrossZoneResult } from "./external-clients.js";
import type { ExternalClientResult, LoadBalancerOptions } from "./external-traffic.js";
import { INGRESS_CONTROLLER_NAME, INGRESS_NAMESPACE, IngressController } from "./ingress-controller.js";
import type { IngressControllerOptions, IngressResults } from "./ingress-controller.js";

/**
 * One node of the simulated cluster.
 *
 * @example
 * ```ts
 * const sim = new Simulation({
 *   seed: 1,
 *   nodes: [
 *     { name: "node-a1", zone: "zone-a" },
 *     { name: "node-a2", zone: "zone-a" },
 *     { name: "node-b1", zone: "zone-b", labels: { pool: "spot" } },
 *   ],
 * });
 * ```
 */
export interface NodeSpec {
  /** Node name (DNS-1123 subdomain). */
  readonly name: string;
  /** Value of the `topology.kubernetes.io/zone` label. */
  readonly zone?: string;
  /** Extra labels. */
  readonly labels?: StringMap;
  /**
   * Allocatable CPU (`status.allocatable.cpu`), e.g. `"4"` or `"3500m"`: the scheduler
   * binds pods while their cpu requests fit in it ("Insufficient cpu"), and topology-mode
   * Auto hints share endpoints by it. Default `"4"`.
   */
  readonly cpu?: string;
  /**
   * Allocatable memory (`status.allocatable.memory`), e.g. `"16Gi"`: the scheduler binds
   * pods while their memory requests fit in it ("Insufficient memory"). Default `"16Gi"`.
   */
  readonly memory?: string;
  /**
   * The kubelet's `--max-pods` on this node, written as `status.capacity.pods` and
   * `status.allocatable.pods`: the scheduler binds no more pods to it ("Too many pods").
   * Default {@link SimulationOptions.maxPodsPerNode} (110).
   */
  readonly maxPods?: number;
}

/**
 * Delays of the control plane, each a distribution in ms (defaults in brackets).
 *
 * @example
 * ```ts
 * const sim = new Simulation({
 *   seed: 1,
 *   timings: {
 *     watchDelay: uniform(5, 50),        // slower informers
 *     podStartDelay: lognormal(8, 0.5),  // image pulls: ~3 s median
 *     proxySyncDuration: constant(200),  // a big iptables-restore
 *   },
 * });
 * ```
 */
export interface ControlPlaneTimings {
  /**
   * API server to each watcher (informer lag), drawn for every event each controller, kubelet,
   * kube-proxy, CoreDNS and the Ingress controller receive, from a stream of its own (the node
   * lifecycle controller's Lease informer takes one draw for the run) [constant 5 ms].
   */
  readonly watchDelay?: Distribution;
  /** Pod bound to node -> containers running [constant 1000 ms]. */
  readonly podStartDelay?: Distribution;
  /** Containers running -> the application answers its readiness probe (warm-up); a `readinessProbe` then adds its probe timing [constant 0 ms]. */
  readonly readinessDelay?: Distribution;
  /** One EndpointSlice controller sync, until its writes land [constant 10 ms]. */
  readonly endpointSliceSyncLatency?: Distribution;
  /** `--endpointslice-updates-batch-period` [0 ms]. */
  readonly endpointSliceBatchPeriod?: number;
  /** One kube-proxy sync (iptables-restore) [constant 0 ms]. */
  readonly proxySyncDuration?: Distribution;
  /**
   * A container's restart, from the kubelet's decision (at once after an exit, or when a
   * CrashLoopBackOff wait ends) to the process running again: PLEG relist (1 s period),
   * container create and start [constant 1000 ms].
   */
  readonly containerRestartDelay?: Distribution;
  /** `--concurrent-service-endpoint-syncs`: Services the EndpointSlice controller syncs at once [5]. */
  readonly endpointSliceWorkers?: number;
  /**
   * Per-node overrides, by node name: the API server's watch delivery to that node's
   * kube-proxy (`watchDelay`) and its sync duration (`proxySyncDuration`). Changeable
   * during a run with {@link Simulation.setWatchDelay} and {@link Simulation.setProxySyncDuration}.
   */
  readonly nodes?: Readonly<Record<string, { readonly watchDelay?: Distribution; readonly proxySyncDuration?: Distribution }>>;
}

/**
 * Node failure handling (kube-controller-manager and kube-apiserver flags; defaults in
 * brackets, Kubernetes 1.32+).
 *
 * @example
 * ```ts
 * // Kubernetes before 1.32 (grace period 40 s), and pods evicted 60 s after their node goes NotReady
 * const nodeLifecycle: NodeLifecycleSettings = { nodeMonitorGracePeriod: 40_000, defaultTolerationSeconds: 60 };
 * const sim = new Simulation({ seed: 1, nodeLifecycle });
 * ```
 */
export interface NodeLifecycleSettings {
  /** `--node-monitor-period` [5000 ms]. */
  readonly nodeMonitorPeriod?: number;
  /** `--node-monitor-grace-period` [50000 ms; 40000 before Kubernetes 1.32]. */
  readonly nodeMonitorGracePeriod?: number;
  /** The kubelet's Lease renewal interval [10000 ms: nodeLeaseDurationSeconds 40 × 0.25]. */
  readonly leaseRenewInterval?: number;
  /** `--node-eviction-rate`, NoExecute taints per second per zone [0.1]. */
  readonly nodeEvictionRate?: number;
  /** `--secondary-node-eviction-rate` [0.01]. */
  readonly secondaryNodeEvictionRate?: number;
  /** `--unhealthy-zone-threshold` [0.55]. */
  readonly unhealthyZoneThreshold?: number;
  /** `--large-cluster-size-threshold` [50]. */
  readonly largeClusterSizeThreshold?: number;
  /** kube-apiserver `--default-unreachable-toleration-seconds` and `--default-not-ready-toleration-seconds` [300]. */
  readonly defaultTolerationSeconds?: number;
}

/**
 * kube-proxy settings, the same on every node.
 *
 * @example
 * ```ts
 * new Simulation({ seed: 1, kubeProxy: { mode: "ipvs", ipvs: { scheduler: "lc" }, minSyncPeriod: 5_000 } });
 * new Simulation({ seed: 1, kubeProxy: { kubernetesVersion: "1.30" } }); // the older burst-2 sync runner
 * new Simulation({ seed: 1, kubeProxy: { mode: "cilium", cilium: { algorithm: "maglev" } } });
 * ```
 */
export interface KubeProxySettings {
  /** `--proxy-mode` `iptables`, `nftables` or `ipvs`, or `cilium` for Cilium's kube-proxy replacement (socket-LB, random). Default `iptables`. */
  readonly mode?: ProxyMode;
  /** IPVS settings (mode `ipvs`): `scheduler` is one of rr (default), wrr, lc, wlc, sed, nq, sh, dh, mh. */
  readonly ipvs?: { readonly scheduler?: IpvsSchedulerName };
  /**
   * Cilium settings (mode `cilium`): `algorithm` is `--bpf-lb-algorithm`, `random` (default)
   * or `maglev` (Maglev for NodePort / load-balancer / externalIP traffic; ClusterIP keeps random).
   */
  readonly cilium?: { readonly algorithm?: CiliumLbAlgorithm };
  /** `minSyncPeriod` in ms. Default 1000. */
  readonly minSyncPeriod?: number;
  /** Sync loop form (see {@link SyncRunnerKind}). Default `bounded-frequency`. */
  readonly syncRunner?: SyncRunnerKind;
  /**
   * The Kubernetes version whose kube-proxy to model, `"1.<minor>"`: before 1.33 the
   * sync loop is the older token-bucket runner with bursts of 2
   * (pkg/util/async/bounded_frequency_runner.go), from 1.33 the newer runner
   * (pkg/proxy/runner). Ignored when `syncRunner` is given. Default: the newer runner.
   */
  readonly kubernetesVersion?: string;
  /**
   * Whether the nodes' kube-proxies share what is the same on every node (a
   * {@link SharedServiceView}: one log of Service and EndpointSlice changes, state per node
   * only for what is node-specific or was asked for), so that the control plane's work
   * and memory grow with nodes + Services rather than nodes x Services. What the
   * simulation computes is the same either way. Default `true`; IPVS always keeps
   * per-node state.
   */
  readonly shared?: boolean;
}

/**
 * Options of a {@link Simulation}.
 *
 * @example
 * ```ts
 * const sim = new Simulation({
 *   seed: 42,
 *   nodes: 5,
 *   kubeProxy: { mode: "nftables" },
 *   dns: true,         // CoreDNS and the kube-dns Service
 *   keepTrace: 10_000, // sim.trace.records()
 * });
 * ```
 */
export interface SimulationOptions {
  /** Root seed: the same seed and the same calls give the same results, byte for byte. */
  readonly seed: number | string;
  /** Nodes, or a node count (named `node-1`...). Default 3 nodes in zones `zone-a`, `zone-b`, `zone-c`. */
  readonly nodes?: number | readonly NodeSpec[];
  /** Service CIDR (kube-apiserver `--service-cluster-ip-range`). Default `10.96.0.0/12`. */
  readonly serviceCIDR?: string;
  /** NodePort range (kube-apiserver `--service-node-port-range`). Default `30000-32767`. */
  readonly serviceNodePortRange?: string;
  /** Pod network (kube-controller-manager `--cluster-cidr`), split into one pod CIDR per node. Default `10.244.0.0/16`. */
  readonly clusterCIDR?: string;
  /** Prefix length of each node's pod CIDR (`--node-cidr-mask-size`). Default 24 (253 pod IPs per node). */
  readonly nodeCIDRMaskSize?: number;
  /** kube-proxy settings. */
  readonly kubeProxy?: KubeProxySettings;
  /** Control-plane delays. */
  readonly timings?: ControlPlaneTimings;
  /** Node failure detection and eviction settings. */
  readonly nodeLifecycle?: NodeLifecycleSettings;
  /** EndpointSlice controller `--max-endpoints-per-slice`. Default 100. */
  readonly maxEndpointsPerSlice?: number;
  /**
   * The kubelets' `--max-pods` (KubeletConfiguration `maxPods`), for every node without its
   * own {@link NodeSpec.maxPods}: each node's `status.allocatable.pods`, beyond which the
   * scheduler leaves pods Pending ("Too many pods"). Default 110
   * (pkg/kubelet/apis/config/v1beta1/defaults.go).
   */
  readonly maxPodsPerNode?: number;
  /** Keep the last N trace records in memory (see {@link Simulation.trace}). Default 0 (digest only). */
  readonly keepTrace?: number;
  /** Stop the run as soon as this many requests have completed. */
  readonly stopAfterCompleted?: number;
  /**
   * Record every request's end in the trace (`request` records: outcome, start, latency,
   * endpoint, client), so the digest covers each request. Costs about a microsecond per
   * request; off by default (streaming statistics only).
   */
  readonly traceRequests?: boolean;
  /**
   * Cluster DNS: CoreDNS as kubeadm installs it (Deployment `coredns`, 2 replicas, and
   * Service `kube-dns` at 10.96.0.10 in `kube-system`), answering {@link Simulation.resolve}
   * and clients with a `dns` option. Off by default (targets then resolve trivially).
   */
  readonly dns?: boolean | DnsSettings;
  /**
   * Turns on a load-balancer implementation (a cloud provider's, or MetalLB): Services of
   * type LoadBalancer get an ingress IP and a load balancer with health checks. Without
   * it they stay pending (no ingress, like `EXTERNAL-IP <pending>`). See docs/services.md.
   */
  readonly loadBalancer?: LoadBalancerOptions;
  /**
   * An Ingress controller modelled on ingress-nginx: Deployment and LoadBalancer Service
   * `ingress-nginx-controller` in namespace `ingress-nginx`, whose proxy pods route by the
   * Ingress objects given to {@link Simulation.apply}. Implies a load-balancer
   * implementation (`loadBalancer: {}`) when none is given. See docs/services.md.
   */
  readonly ingressController?: boolean | IngressControllerOptions;
}

/**
 * Options of {@link Simulation.addClient}.
 *
 * @example
 * ```ts
 * sim.addClient({
 *   name: "checkout",
 *   namespace: "shop",
 *   node: "node-2",
 *   target: "http://api.default:80",
 *   rate: 200,
 *   connectTimeout: 2_000,
 *   connections: { mode: "keep-alive", poolSize: 16, maxRequestsPerConnection: 500 },
 *   dns: { resolver: "musl", cache: { kind: "none" } }, // needs new Simulation({ dns: true })
 * });
 * ```
 */
export interface AddClientOptions {
  /** Client name, unique. */
  readonly name: string;
  /** Where requests go: `http://api:80`, `api:80`, `api.default.svc.cluster.local:80` or `10.96.0.10:80`. */
  readonly target: string;
  /** Namespace the client runs in (for short names). Default `default`. */
  readonly namespace?: string;
  /** Requests per second, as a Poisson process. Give exactly one of `rate`, `interarrival` or `users`. */
  readonly rate?: number;
  /** Time between requests (ms), for other arrival processes. */
  readonly interarrival?: Distribution;
  /**
   * Closed loop: this many concurrent users, each sending its next request
   * {@link AddClientOptions.thinkTime} after its previous one ended (whatever the outcome).
   */
  readonly users?: number;
  /** Closed loop: a user's think time between requests (ms). Default: 0. Only with `users`. */
  readonly thinkTime?: Distribution;
  /** Node the client runs on (its kube-proxy picks endpoints). Default: the first node. */
  readonly node?: string;
  /** Connect timeout in ms (also how long a request on a silent connection waits). Default 1000. */
  readonly connectTimeout?: number;
  /** Connection use: `per-request` (default), `keep-alive` pool, or one `multiplexed` connection. */
  readonly connections?: ConnectionPolicy;
  /** `UDP` sends datagrams that follow the node's conntrack entry (see the traffic package). Default `TCP`. */
  readonly protocol?: "TCP" | "UDP";
  /**
   * Look the target's name up through cluster DNS before every request, as a pod's
   * getaddrinfo does (needs {@link SimulationOptions.dns}): the lookup's time is added to
   * the request, and a failed lookup ends it as `dnsFailed`. The client connects to the
   * ClusterIP its name had when the client was added.
   */
  readonly dns?: boolean | ClientDnsOptions;
  /**
   * For a client of the Ingress controller's Service (`http://ingress-nginx-controller.ingress-nginx:80`):
   * the HTTP Host it sends. Default: the target's host name, which only host-less rules match.
   */
  readonly host?: string;
  /** For a client of the Ingress controller's Service: the request path. Default `/`. */
  readonly path?: string;
}

/**
 * Per-endpoint results.
 *
 * @example
 * ```ts
 * for (const e of sim.results().endpoints) console.log(`${e.address} ${e.pod} ${e.node} ${e.completed} ${(100 * e.share).toFixed(1)}%`);
 * ```
 */
export interface EndpointResult {
  /** `IP:port`. */
  readonly address: string;
  /** The pod that had this address (last one, if reused). */
  readonly pod: string;
  /** The node of that pod. */
  readonly node: string;
  /** Requests it completed. */
  readonly completed: number;
  /** Its share of all completed requests. */
  readonly share: number;
}

/**
 * Results of a run so far.
 *
 * @example
 * ```ts
 * const { outcomes, latency, started } = sim.results();
 * console.log(`${outcomes.completed}/${started} ok, p99 ${latency.p99.toFixed(1)} ms, ${outcomes.timedOut} timed out`);
 * ```
 */
export interface SimulationResults {
  /** Virtual time reached (ms). */
  readonly time: SimTime;
  /** Requests started. */
  readonly started: number;
  /** Requests started and not ended. */
  readonly inFlight: number;
  /** Requests by outcome (`dnsFailed` only when some client looks its target up through cluster DNS). */
  readonly outcomes: OutcomeCounts & { readonly dnsFailed?: number };
  /** Latency of completed requests (ms). */
  readonly latency: LatencySummary;
  /** Completed requests per endpoint, sorted by address. */
  readonly endpoints: readonly EndpointResult[];
  /** kube-proxy syncs per node. */
  readonly syncsByNode: Readonly<Record<string, number>>;
  /** Events run by the scheduler. */
  readonly events: number;
  /** Cluster DNS figures (only when the simulation has cluster DNS). */
  readonly dns?: DnsResults;
  /** External clients (and pod clients calling external addresses) by name; present only when there are some. */
  readonly external?: Readonly<Record<string, ExternalClientResult>>;
  /** The Ingress controller's responses per rule, client, backend and pod; present only with an Ingress controller. */
  readonly ingress?: IngressResults;
  /** Digest of the trace (control-plane events and these results): equal seeds and calls give equal digests. */
  readonly digest: string;
}

const ZONES = ["zone-a", "zone-b", "zone-c", "zone-d", "zone-e", "zone-f"];

/**
 * A simulated cluster: API server, controllers, kubelets, one kube-proxy per node, and
 * clients, all on one virtual clock.
 *
 * @remarks
 * **When to use.** Apply the same objects a manifest has, attach an application model
 * to the pods that serve, add clients, run, read results.
 *
 * **Details.** Everything random draws from named streams of one
 * {@link RandomSource}, so the same seed and the same sequence of calls give the same
 * trace digest on any machine. `apply` validates every object first and applies none
 * if any is invalid.
 *
 * @example
 * ```ts
 * const sim = new Simulation({ seed: 42 });
 * sim.apply([deployment, service]);
 * sim.setApplication({ app: "api" }, { serviceTime: exponential(5) });
 * sim.settle();
 * sim.addClient({ name: "frontend", target: "http://api:80", rate: 400 });
 * sim.runFor(60_000);
 * console.log(sim.results());
 * ```
 */
export class Simulation {
  /** The virtual clock. */
  readonly scheduler: Scheduler;
  /** The API server. */
  readonly store: ObjectStore;
  /** The root of all random streams. */
  readonly random: RandomSource;
  /** The trace (digest of control-plane events). */
  readonly trace: Trace;
  /** The data path. */
  readonly traffic: TrafficEngine;
  private readonly later: Callbacks;
  private readonly addresses = new Interner();
  private readonly proxies = new Map<string, KubeProxy>();
  private readonly kubelets: Kubelets;
  private readonly applications: { selector: ReturnType<typeof compileServiceSelector>; model: ApplicationModel }[] = [];
  private readonly runningApps = new Map<string, { app: number; addresses: string[]; onSigterm: "exit" | "drain" }>();
  /** Each pod's application addresses, for as long as the pod's IP exists (across container restarts). */
  private readonly podAddresses = new Map<string, string[]>();
  private readonly addressOwner = new Map<string, { pod: string; node: string }>();
  private readonly clientIPs = new Map<string, number>();
  private readonly podClients: { index: number; node: string }[] = [];
  private readonly warningLog: string[] = [];
  private readonly traceRequests: boolean;
  private readonly timelines: Timeline[] = [];
  /** Called after each kube-proxy sync (timelines track the fewest ready endpoints). */
  private readonly syncListeners: ((node: string) => void)[] = [];
  private readonly clusterDns: ClusterDns | undefined;
  private readonly externalTraffic: ExternalTraffic;
  private readonly ingress: IngressController | undefined;
  private readonly ingressObjects = new Map<string, Ingress>();
  private readonly endpointSlices: EndpointSliceController;
  private readonly heartbeats: KubeletHeartbeats;
  private readonly failedNodes = new Set<string>();
  private readonly partitionedNodes = new Set<string>();
  /** The node of each client, by the traffic engine's client index. */
  private readonly clientNodes: string[] = [];
  private readonly stoppedClients = new Map<string, number[]>();
  private readonly proxyWatchDelays = new Map<string, Distribution>();

  constructor(options: SimulationOptions) {
    if (options === undefined || (typeof options.seed !== "number" && typeof options.seed !== "string")) {
      throw new TypeError(`seed: Required value: a number or string seed`);
    }
    this.scheduler = new Scheduler();
    this.random = new RandomSource(options.seed);
    this.trace = new Trace({ keep: options.keepTrace ?? 0 });
    this.later = new Callbacks(this.scheduler);
    const nl = options.nodeLifecycle ?? {};
    for (const k of ["nodeMonitorPeriod", "nodeMonitorGracePeriod", "leaseRenewInterval", "nodeEvictionRate"] as const) {
      const v = nl[k];
      if (v !== undefined && (!(v > 0) || !Number.isFinite(v))) throw new RangeError(`nodeLifecycle.${k}: Invalid value: ${v}: must be a finite number > 0`);
    }
    for (const k of ["secondaryNodeEvictionRate", "largeClusterSizeThreshold"] as const) {
      const v = nl[k];
      if (v !== undefined && (!(v >= 0) || !Number.isFinite(v))) throw new RangeError(`nodeLifecycle.${k}: Invalid value: ${v}: must be a finite number >= 0`);
    }
    if (nl.unhealthyZoneThreshold !== undefined && !(nl.unhealthyZoneThreshold > 0 && nl.unhealthyZoneThreshold <= 1)) {
      throw new RangeError(`nodeLifecycle.unhealthyZoneThreshold: Invalid value: ${nl.unhealthyZoneThreshold}: must be in (0, 1]`);
    }
    const tolerationSeconds = nl.defaultTolerationSeconds ?? 300;
    if (!Number.isInteger(tolerationSeconds) || tolerationSeconds < 0) {
      throw new RangeError(`nodeLifecycle.defaultTolerationSeconds: Invalid value: ${tolerationSeconds}: must be an integer number of seconds >= 0`);
    }
    this.store = new ObjectStore(this.scheduler, { serviceCIDR: options.serviceCIDR, serviceNodePortRange: options.serviceNodePortRange, random: this.random.stream("apiserver"), defaultTolerationSeconds: tolerationSeconds });
    const t = options.timings ?? {};
    const watchDist = t.watchDelay ?? constant(5);
    const watchStream = this.random.stream("watch-delay");
    const watchDelay = (): number => watchDist.sample(watchStream);
    // Trace every write as the API server sees it.
    for (const kind of ["Node", "Pod", "Deployment", "ReplicaSet", "Service", "EndpointSlice"] as const) {
      this.store.watch(kind, (e) => this.trace.record(this.scheduler.now, `${kind}.${e.type}`, { name: e.object.metadata.name, ns: e.object.metadata.namespace ?? null, rv: e.object.metadata.resourceVersion ?? null }), { initialList: false });
    }
    const specs = nodeSpecs(options.nodes);
    const podCIDRs = nodePodCIDRs(options.clusterCIDR ?? "10.244.0.0/16", options.nodeCIDRMaskSize ?? 24, specs.length);
    const maxPodsPerNode = checkMaxPods(options.maxPodsPerNode, "maxPodsPerNode") ?? DEFAULT_MAX_PODS;
    specs.forEach((n, i) => {
      checkMaxPods(n.maxPods, `nodes[${i}].maxPods`);
      checkQuantity(n.cpu, `nodes[${i}].cpu`);
      checkQuantity(n.memory, `nodes[${i}].memory`);
    });
    specs.forEach((n, i) => this.store.create(nodeObject(n, i, podCIDRs[i], n.maxPods ?? maxPodsPerNode)));
    // Each controller's informers lag on their own: a draw per delivered event from the
    // controller's own stream (a constant delay draws nothing, so it is the same number).
    const informer = (name: string): (() => number) => {
      const stream = this.random.stream(`watch-delay/${name}`);
      return () => watchDist.sample(stream);
    };
    new DeploymentController(this.store, this.later, { watchDelay: informer("deployment-controller") });
    new ReplicaSetController(this.store, this.later, { watchDelay: informer("replicaset-controller") });
    new PodScheduler(this.store, this.later, { watchDelay: informer("kube-scheduler"), random: this.random.stream("kube-scheduler") });
    this.kubelets = new Kubelets(this.store, this.later, this.runtime(), {
      watchDelay: informer("kubelet"),
      startDelay: t.podStartDelay ?? constant(1000),
      readinessDelay: t.readinessDelay ?? constant(0),
      restartDelay: t.containerRestartDelay ?? constant(1000),
      random: this.random.fork("kubelet"),
      // Probe failures, kills, back-offs, restarts and exits are in the trace (and the digest).
      onEvent: (e) => this.trace.record(e.at, `kubelet.${e.reason}`, { name: e.pod, ns: e.namespace, message: e.message }),
    });
    this.heartbeats = new KubeletHeartbeats(this.store, nl.leaseRenewInterval);
    new NodeLifecycleController(this.store, this.later, this.heartbeats, {
      nodeMonitorPeriod: nl.nodeMonitorPeriod,
      nodeMonitorGracePeriod: nl.nodeMonitorGracePeriod,
      nodeEvictionRate: nl.nodeEvictionRate,
      secondaryNodeEvictionRate: nl.secondaryNodeEvictionRate,
      unhealthyZoneThreshold: nl.unhealthyZoneThreshold,
      largeClusterSizeThreshold: nl.largeClusterSizeThreshold,
      watchDelay: informer("node-lifecycle-controller"),
      onEvent: (e) => this.trace.record(e.at, `node-lifecycle.${e.reason}`, { node: e.node, detail: e.detail }),
    });
    new TaintEvictionController(this.store, this.later, {
      watchDelay: informer("taint-eviction-controller"),
      onEvict: (pod, node, at) => this.trace.record(at, "taint-eviction", { pod: pod.metadata.name, ns: pod.metadata.namespace ?? null, node }),
    });
    if (t.endpointSliceWorkers !== undefined && (!Number.isInteger(t.endpointSliceWorkers) || t.endpointSliceWorkers < 1)) {
      throw new RangeError(`timings.endpointSliceWorkers: Invalid value: ${t.endpointSliceWorkers}: must be an integer >= 1`);
    }
    this.endpointSlices = new EndpointSliceController(this.store, this.later, {
      watchDelay: informer("endpointslice-controller"),
      workers: t.endpointSliceWorkers,
      batchPeriod: t.endpointSliceBatchPeriod ?? 0,
      syncLatency: t.endpointSliceSyncLatency ?? constant(10),
      maxEndpointsPerSlice: options.maxEndpointsPerSlice,
      random: this.random.stream("endpointslice-controller"),
    });
    const kp = options.kubeProxy ?? {};
    const mode = kp.mode ?? "iptables";
    if (mode !== "iptables" && mode !== "nftables" && mode !== "ipvs" && mode !== "cilium") {
      throw new RangeError(`kubeProxy.mode: Unsupported value: "${String(mode)}": supported values: "cilium", "iptables", "ipvs", "nftables"`);
    }
    const ciliumPlane = (): CiliumDataPlane => {
      try {
        return new CiliumDataPlane({ algorithm: kp.cilium?.algorithm });
      } catch (e) {
        throw new RangeError(`kubeProxy.${(e as Error).message}`);
      }
    };
    const planeFor = (): DataPlane =>
      mode === "nftables" ? new NftablesDataPlane() : mode === "cilium" ? ciliumPlane() : mode === "ipvs" ? new IpvsDataPlane(kp.ipvs?.scheduler ?? "rr") : new IptablesDataPlane();
    planeFor(); // validates ipvs.scheduler and cilium.algorithm before any node is built
    const perNode = t.nodes ?? {};
    for (const name of Object.keys(perNode).sort()) {
      if (!specs.some((n) => n.name === name)) throw new RangeError(`timings.nodes["${name}"]: Not found: "${name}": known nodes: ${specs.map((n) => n.name).join(", ")}`);
      const wdNode = perNode[name].watchDelay;
      if (wdNode !== undefined) this.proxyWatchDelays.set(name, wdNode);
    }
    // One view for every node's kube-proxy (shared mode, issue 9); KubeProxy ignores it for IPVS.
    const sharedView = kp.shared === false ? undefined : new SharedServiceView();
    for (const node of this.store.list("Node")) {
      const name = node.metadata.name;
      // Each node's kube-proxy gets its watch events after its own delay, changeable during the run.
      const nodeWatchDelay = (): number => (this.proxyWatchDelays.get(name) ?? watchDist).sample(watchStream);
      const proxy = new KubeProxy(this.scheduler, this.store, {
        nodeName: name,
        dataPlane: planeFor(),
        addresses: this.addresses,
        random: this.random.stream(`kube-proxy/${name}`),
        minSyncPeriod: kp.minSyncPeriod,
        syncRunner: kp.syncRunner ?? runnerForVersion(kp.kubernetesVersion),
        watchDelay: nodeWatchDelay,
        syncDuration: perNode[name]?.proxySyncDuration ?? t.proxySyncDuration,
        shared: sharedView,
        // Every sync is in the trace (and so in the digest): when each node's rules changed.
        onSync: (e) => {
          this.trace.record(e.at, "kube-proxy.sync", { node: e.node, full: e.full, services: e.services.join(",") });
          for (const listener of this.syncListeners) listener(e.node);
        },
      });
      this.proxies.set(name, proxy);
    }
    this.traceRequests = options.traceRequests ?? false;
    this.traffic = new TrafficEngine(this.scheduler, { addresses: this.addresses, stopAfterCompleted: options.stopAfterCompleted });
    this.updateRequestListener();
    this.externalTraffic = new ExternalTraffic({
      store: this.store,
      later: this.later,
      random: this.random,
      traffic: this.traffic,
      addresses: this.addresses,
      proxies: this.proxies,
      endpointNode: (address) => this.addressOwner.get(address)?.node ?? "",
      loadBalancer: options.loadBalancer ?? (options.ingressController !== undefined && options.ingressController !== false ? {} : undefined),
      clientIPs: this.clientIPs,
      // Load-balancer health transitions are in the trace (and the digest).
      onHealthChange: (service, node, healthy) => this.trace.record(this.scheduler.now, "load-balancer.health", { service, node, healthy }),
      nodeDown: (node) => this.failedNodes.has(node),
    });
    if (options.dns !== undefined && options.dns !== false) {
      const dns = new ClusterDns(options.dns, {
        store: this.store,
        addresses: this.addresses,
        random: this.random.fork("dns"),
        now: () => this.scheduler.now,
        proxy: (node) => this.kubeProxy(node),
        reserveIP: (node) => this.kubelets.reserveIP(node),
        watchDelay,
      });
      this.clusterDns = dns;
      this.apply(dns.objects());
      this.setApplication(dns.labels, { concurrency: 1000, serviceTime: constant(0.2) });
    }
    if (options.ingressController !== undefined && options.ingressController !== false) {
      const ic = new IngressController(options.ingressController, {
        store: this.store,
        later: this.later,
        addresses: this.addresses,
        random: this.random.stream("ingress-controller"),
        watchDelay,
        now: () => this.scheduler.now,
      });
      this.ingress = ic;
      this.apply(ic.objects());
      this.setApplication(ic.labels, ic.application);
    }
  }

  /**
   * Adds a client outside the cluster (source IP outside the pod and node ranges) that
   * calls a Service from outside: through its load balancer (`target: "lb"` with
   * `service`, or the ingress IP), a NodePort on one node (`"<nodeIP>:<nodePort>"`,
   * see {@link Simulation.nodeIP}), or an externalIP (`"<externalIP>:<port>"`, entering
   * at `node`). Results per node of entry and endpoint are in `results().external`.
   * @returns the client's index.
   *
   * @example
   * ```ts
   * const sim = new Simulation({ seed: 1, loadBalancer: {} });
   * sim.apply([deployment, { ...service, spec: { ...service.spec, type: "LoadBalancer", externalTrafficPolicy: "Local" } }]);
   * sim.settle();
   * sim.addExternalClient({ name: "internet", target: "lb", service: "api", rate: 100 });
   * sim.runFor(10_000);
   * console.log(sim.results().external?.internet.byEntryNode);
   * ```
   */
  addExternalClient(options: AddExternalClientOptions): number {
    if (options?.target === "ingress") {
      const where = `external client "${options.name}"`;
      if (this.ingress === undefined) throw new RangeError(`${where}: target: Invalid value: "ingress": the simulation has no Ingress controller; give the Simulation an ingressController option`);
      const path = options.path ?? "/";
      if (typeof path !== "string" || !path.startsWith("/")) throw new RangeError(`${where}: path: Invalid value: ${JSON.stringify(path)}: must be an absolute path`);
      const ip = this.ingressIP();
      const host = options.host ?? ip ?? "";
      if (typeof host !== "string" || host === "") throw new RangeError(`${where}: host: Invalid value: ${JSON.stringify(options.host)}: must be a host name`);
      const index = this.externalTraffic.addExternalClient({ ...options, target: "lb", service: INGRESS_CONTROLLER_NAME, namespace: INGRESS_NAMESPACE, port: 80 });
      this.ingress.addRoute(index, options.name, host, path);
      return index;
    }
    return this.externalTraffic.addExternalClient(options);
  }

  /**
   * The InternalIP of a node (where its NodePorts listen).
   *
   * @example
   * ```ts
   * sim.nodeIP("node-1"); // "10.0.0.10"
   * ```
   */
  nodeIP(node: string): string {
    this.kubeProxy(node);
    return this.externalTraffic.nodeIP(node);
  }

  /**
   * The ingress IP of a LoadBalancer Service, or undefined while it is pending.
   *
   * @example
   * ```ts
   * const sim = new Simulation({ seed: 1, loadBalancer: {} });
   * sim.apply([deployment, { ...service, spec: { ...service.spec, type: "LoadBalancer" } }]);
   * sim.settle();
   * sim.loadBalancerIP("api"); // "192.0.2.1"
   * ```
   */
  loadBalancerIP(service: string, namespace: string = "default"): string | undefined {
    return this.store.get("Service", namespace, service)?.status?.loadBalancer?.ingress?.[0]?.ip;
  }

  /**
   * What the EndpointSlice controller's last sync of a Service did with its
   * `service.kubernetes.io/topology-mode: Auto` hints: the hints per zone, or why they
   * were removed (upstream's TopologyAwareHintsDisabled event message). Undefined when the
   * Service does not use the annotation.
   *
   * @example
   * ```ts
   * sim.topologyHints("api")?.disabled; // e.g. "Insufficient number of endpoints (2 endpoints, 3 zones)"
   * ```
   */
  topologyHints(service: string, namespace: string = "default"): AddHintsResult | undefined {
    return this.endpointSlices.topologyHints(namespace, service);
  }

  /**
   * The nodes a LoadBalancer Service's load balancer finds healthy now (undefined while pending).
   *
   * @example
   * ```ts
   * sim.loadBalancerHealthyNodes("api"); // e.g. ["node-1", "node-2"] under externalTrafficPolicy: Local
   * ```
   */
  loadBalancerHealthyNodes(service: string, namespace: string = "default"): string[] | undefined {
    return this.externalTraffic.healthyNodes(namespace, service);
  }

  /**
   * Requests that crossed a zone: completed requests of pod clients whose node and
   * endpoint's node are in different zones, plus connections of external clients whose
   * node of entry and endpoint's node are (per connection: equal to requests for
   * per-request clients). Give request and response sizes to get the bytes, then multiply
   * by your provider's inter-zone price.
   *
   * @example
   * ```ts
   * const x = sim.crossZoneTraffic({ requestBytes: 800, responseBytes: 4000 });
   * const dollars = (x.crossZoneBytes / 1e9) * 0.01; // e.g. $0.01 per GB each way
   * ```
   */
  crossZoneTraffic(options?: CrossZoneOptions): CrossZoneResult {
    return this.externalTraffic.crossZone(this.podClients, options);
  }

  /** Current virtual time (ms). */
  get now(): SimTime {
    return this.scheduler.now;
  }

  /** Names of the nodes. */
  get nodeNames(): string[] {
    return [...this.proxies.keys()];
  }

  /**
   * The kube-proxy of a node.
   *
   * @example
   * ```ts
   * const sim = new Simulation({ seed: 1 });
   * sim.apply([deployment, service]);
   * sim.settle();
   * console.log(sim.kubeProxy("node-1").ruleset()); // iptables-save of node-1's rules
   * ```
   */
  kubeProxy(node: string): KubeProxy {
    const p = this.proxies.get(node);
    if (!p) throw new RangeError(`node: Not found: "${node}": known nodes: ${this.nodeNames.join(", ")}`);
    return p;
  }

  /**
   * Applies objects as `kubectl apply` would: creates new ones, replaces existing ones.
   * Every object is validated first; if any is invalid, none is applied and a
   * {@link ValidationError} lists every error of every object.
   *
   * @example
   * ```ts
   * sim.apply([deployment, service]);   // creates both, or throws a ValidationError and creates neither
   * sim.apply([{ ...deployment, spec: { ...deployment.spec, replicas: 5 } }]); // replaces: like kubectl apply
   * ```
   */
  apply(objects: readonly (KubeObject | Ingress)[]): void {
    const errors: ValidationError[] = [];
    const ingresses: Ingress[] = [];
    const kube: KubeObject[] = [];
    for (const o of objects) {
      if (o?.kind === "Ingress") {
        // networking.k8s.io/v1 Ingress: validated here, served by the Ingress controller (if any).
        const errs = validateIngress(o);
        if (errs.length > 0) errors.push(new ValidationError("Ingress", typeof o.metadata?.name === "string" ? o.metadata.name : "", errs));
        ingresses.push(o);
        continue;
      }
      kube.push(o);
      const e = this.store.check(o);
      if (e) errors.push(e);
    }
    objects = kube;
    // Requested ClusterIPs are checked before anything is written, so that a taken
    // address cannot leave the list half applied.
    const requested = new Set<string>();
    const requestedPorts = new Set<number>();
    for (const o of objects) {
      if (o.kind !== "Service") continue;
      // Requested NodePorts too (pkg/registry/core/service/storage/alloc.go).
      const ports = checkServiceNodePorts(o, this.store.get("Service", o.metadata.namespace, o.metadata.name), this.store.nodePorts, requestedPorts);
      if (ports.length > 0) errors.push(new ValidationError("Service", o.metadata.name, ports));
      const ip = o.spec.clusterIP;
      const existing = this.store.get("Service", o.metadata.namespace, o.metadata.name);
      if (ip === undefined || ip === "" || ip === "None" || o.spec.type === "ExternalName") continue;
      if (existing !== undefined && existing.spec.clusterIP !== undefined) {
        if (existing.spec.clusterIP !== ip) errors.push(new ValidationError("Service", o.metadata.name, [fieldInvalid("spec.clusterIPs[0]", ip, "may not change once set")]));
        continue;
      }
      const why = requested.has(ip) ? `failed to allocate IP ${ip}: provided IP is already allocated` : this.store.clusterIPs.checkStatic(ip);
      requested.add(ip);
      if (why !== undefined) errors.push(new ValidationError("Service", o.metadata.name, [fieldInvalid("spec.clusterIPs", [ip], why)]));
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) {
      throw new ValidationError("List", "", errors.flatMap((e) => e.errors.map((fe) => ({ ...fe, field: `${e.kind} "${e.objectName}": ${fe.field}` }))));
    }
    for (const o of kube) {
      this.warnUnknownPreStop(o);
      const existing = this.store.get(o.kind, o.metadata.namespace, o.metadata.name);
      if (existing) this.store.update({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } } as KubeObject);
      else this.store.create(o);
    }
    for (const ing of ingresses) {
      const ns = ing.metadata.namespace ?? "default";
      this.ingressObjects.set(`${ns}/${ing.metadata.name}`, ing);
      this.ingress?.apply(ing);
      this.trace.record(this.scheduler.now, "Ingress.APPLIED", { name: ing.metadata.name, ns });
    }
  }

  // An exec preStop hook that is not a sleep takes no time here: say so rather than guess.
  private warnUnknownPreStop(o: KubeObject): void {
    const containers = o.kind === "Pod" ? o.spec.containers : o.kind === "Deployment" || o.kind === "ReplicaSet" ? o.spec.template.spec.containers : undefined;
    const prefix = o.kind === "Pod" ? "spec" : "spec.template.spec";
    (containers ?? []).forEach((c, i) => {
      if (preStopSeconds(c) === undefined) {
        this.warningLog.push(
          `${o.kind} ${o.metadata.namespace ?? "default"}/${o.metadata.name}: ${prefix}.containers[${i}].lifecycle.preStop.exec: ${JSON.stringify(c.lifecycle?.preStop?.exec?.command)} is not a sleep; kube-netsim runs it in no time (use the sleep action or an exec "sleep N" to model its duration)`,
        );
      }
    });
  }

  /** The Ingress objects applied, sorted by namespace and name. */
  ingresses(): Ingress[] {
    return [...this.ingressObjects.keys()].sort().map((k) => this.ingressObjects.get(k) as Ingress);
  }

  /** Deletes an Ingress (`kubectl delete ingress <name>`). @throws RangeError when there is none. */
  deleteIngress(name: string, namespace: string = "default"): void {
    if (!this.ingressObjects.delete(`${namespace}/${name}`)) throw new RangeError(`ingresses.networking.k8s.io "${name}" not found in namespace "${namespace}"`);
    this.ingress?.delete(namespace, name);
    this.trace.record(this.scheduler.now, "Ingress.DELETED", { name, ns: namespace });
  }

  /** The Ingress controller's load-balancer IP (`kubectl get ingress` ADDRESS), undefined while pending or without a controller. */
  ingressIP(): string | undefined {
    return this.ingress === undefined ? undefined : this.loadBalancerIP(INGRESS_CONTROLLER_NAME, INGRESS_NAMESPACE);
  }

  /**
   * Attaches an application model to pods whose labels match `selector` (equality
   * on every pair). A pod that starts with no matching model listens on nothing, so
   * connections to it are refused (a warning is recorded).
   *
   * @example
   * ```ts
   * sim.setApplication({ app: "api" }, { concurrency: 4, serviceTime: exponential(10), onSigterm: "drain" });
   * ```
   */
  setApplication(selector: StringMap, model: ApplicationModel): void {
    if (Object.keys(selector).length === 0) throw new RangeError(`setApplication: selector: Required value: at least one label`);
    resolveApplicationModel(model, "setApplication: application"); // field errors now, not when a pod starts
    this.applications.push({ selector: compileServiceSelector(selector), model });
  }

  /**
   * Scales a Deployment (`kubectl scale deployment/<name> --replicas=<n>`).
   *
   * @example
   * ```ts
   * sim.scale("api", 6);
   * sim.settle(); // until the new pods are ready and every node has synced
   * ```
   */
  scale(deployment: string, replicas: number, namespace: string = "default"): void {
    if (!Number.isInteger(replicas) || replicas < 0) throw new RangeError(`spec.replicas: Invalid value: ${replicas}: must be greater than or equal to 0`);
    const d = this.store.mutate("Deployment", namespace, deployment, (x) => {
      x.spec.replicas = replicas;
    });
    if (!d) throw new RangeError(`deployments.apps "${deployment}" not found`);
  }

  /**
   * Deletes a pod gracefully (`kubectl delete pod <name>`): it is marked terminating and the kubelet stops it.
   *
   * @example
   * ```ts
   * const victim = sim.pods({ app: "api" })[0].metadata.name;
   * sim.deletePod(victim); // preStop, SIGTERM, grace period; the ReplicaSet makes a replacement
   * ```
   */
  deletePod(name: string, namespace: string = "default"): void {
    const now = this.now;
    const p = this.store.mutate("Pod", namespace, name, (x) => {
      if (x.metadata.deletionTimestamp === undefined) x.metadata.deletionTimestamp = now;
    });
    if (!p) throw new RangeError(`pods "${name}" not found`);
  }

  /**
   * The pod's application process exits once on its own (a crash, exit code 1): the
   * requests it holds are reset, its port refuses connections, the pod turns not ready and
   * the kubelet restarts the container as its `restartPolicy` and the CrashLoopBackOff
   * back-off say (see docs/pod-lifecycle.md).
   * @throws RangeError when the pod does not exist or its containers are not running
   * (not started yet, or waiting for a restart).
   *
   * @example
   * ```ts
   * const pod = sim.pods({ app: "api" })[0].metadata.name;
   * sim.crashPod(pod);
   * sim.runFor(5_000);
   * sim.restartCount(pod); // 1: the first restart is immediate
   * ```
   */
  crashPod(name: string, namespace: string = "default"): void {
    const key = this.runningPodKey("crashPod", name, namespace);
    this.crashContainer(key, namespace, name, "crashPod");
  }

  /**
   * The pod's application hangs from now on (until its container is killed): it accepts
   * connections but answers nothing, so requests time out at their clients and probes get
   * no answer; a liveness probe then has the kubelet kill and restart it. With
   * `duration` (ms) the stall passes by itself (a long GC pause, a stuck dependency).
   * @throws RangeError when the pod does not exist or runs no application.
   *
   * @example
   * ```ts
   * sim.hangPod(sim.pods({ app: "api" })[0].metadata.name, "default", { duration: 20_000 }); // a 20 s stall
   * ```
   */
  hangPod(name: string, namespace: string = "default", options: { readonly duration?: SimTime } = {}): void {
    const key = this.runningPodKey("hangPod", name, namespace);
    const running = this.runningApps.get(key);
    if (!running) throw new RangeError(`hangPod: pods "${name}": its application is not running`);
    const duration = options.duration ?? Infinity;
    if (!(duration > 0)) throw new RangeError(`hangPod: duration: Invalid value: ${String(duration)}: must be > 0 ms (omit it for a hang that lasts until the container is killed)`);
    const index = running.app;
    this.traffic.hangApplication(index);
    this.trace.record(this.now, "app.hang", { name, ns: namespace, duration: Number.isFinite(duration) ? duration : null });
    if (Number.isFinite(duration)) {
      this.later.after(duration, () => {
        if (this.runningApps.get(key)?.app !== index) return;
        this.traffic.resumeApplication(index);
        this.trace.record(this.now, "app.resume", { name, ns: namespace });
      });
    }
  }

  /**
   * Restarts of a pod's containers (`status.containerStatuses[0].restartCount`), 0 when it has none.
   *
   * @example
   * ```ts
   * sim.restartCount(sim.pods({ app: "api" })[0].metadata.name); // 0 for a pod that never restarted
   * ```
   */
  restartCount(name: string, namespace: string = "default"): number {
    const p = this.store.get("Pod", namespace, name);
    if (!p) throw new RangeError(`pods "${name}" not found`);
    return p.status?.containerStatuses?.[0]?.restartCount ?? 0;
  }

  private runningPodKey(what: string, name: string, namespace: string): string {
    const p = this.store.get("Pod", namespace, name);
    if (!p) throw new RangeError(`${what}: pods "${name}" not found`);
    const key = `${namespace}/${name}`;
    if (!this.kubelets.containerRunning(key)) throw new RangeError(`${what}: pods "${name}": its containers are not running`);
    return key;
  }

  private crashContainer(key: string, namespace: string, name: string, why: string): void {
    const running = this.runningApps.get(key);
    if (running) {
      this.runningApps.delete(key);
      this.traffic.stopApplication(running.app, this.now);
    }
    this.trace.record(this.now, "app.crash", { name, ns: namespace, why });
    this.kubelets.containerExited(namespace, name, 1);
  }

  /**
   * A node fails (power loss, kernel panic, or cut off from every network; a node that
   * only loses the control plane is {@link Simulation.partitionNode}): its kubelet stops
   * posting its Lease, its kube-proxy stops syncing (its rules stay as they were), clients
   * running on it stop starting requests, and its pods are unreachable: connections to
   * their IPs time out (no RST), and requests they were serving time out too.
   *
   * @remarks
   * The rest follows upstream with no further call: after `nodeMonitorGracePeriod` the node
   * lifecycle controller sets the node's Ready condition Unknown and its pods' Ready
   * condition False (so EndpointSlices mark their endpoints not ready and kube-proxy on
   * every other node drops them at its next sync), taints it
   * `node.kubernetes.io/unreachable:NoExecute` at the next pass, and the taint eviction
   * controller deletes its pods when their 300 s default toleration runs out; their
   * ReplicaSets then create replacements on the other nodes, while the evicted pods stay
   * Terminating until the node comes back. Recorded in the trace as `fault.failNode`.
   *
   * @throws RangeError for an unknown node, or one that has already failed.
   * @example
   * ```ts
   * sim.failNode("node-2");
   * sim.runFor(60_000);          // requests to node-2's pods time out until the endpoints go
   * sim.recoverNode("node-2");
   * ```
   */
  failNode(name: string): void {
    this.checkNode("failNode", name);
    if (this.failedNodes.has(name)) throw new RangeError(`failNode: node: Invalid value: "${name}": the node has already failed`);
    this.failNodeNow(name);
    this.trace.record(this.now, "fault.failNode", { node: name });
  }

  /**
   * A failed node comes back (it rebooted, or its network healed): its kubelet posts Ready
   * and renews its Lease again, deletes the pods that were evicted meanwhile and starts the
   * others again (new containers, new IPs), its kube-proxy runs a full sync, and its clients
   * start again. The node lifecycle controller removes the taints at its next pass.
   * Recorded in the trace as `fault.recoverNode`.
   * @throws RangeError for an unknown node, or one that has not failed.
   */
  recoverNode(name: string): void {
    this.checkNode("recoverNode", name);
    if (!this.failedNodes.has(name)) throw new RangeError(`recoverNode: node: Invalid value: "${name}": the node has not failed`);
    this.recoverNodeNow(name);
    this.trace.record(this.now, "fault.recoverNode", { node: name });
  }

  /**
   * Every node of a zone (label `topology.kubernetes.io/zone`) fails at once, as
   * {@link Simulation.failNode} (nodes that had already failed stay failed). Recorded in the
   * trace as `fault.loseZone`.
   * @returns the nodes that failed now.
   * @throws RangeError when no node is in that zone.
   */
  loseZone(zone: string): string[] {
    const nodes = this.nodesInZone("loseZone", zone);
    const failed = nodes.filter((n) => !this.failedNodes.has(n));
    this.trace.record(this.now, "fault.loseZone", { zone, nodes: failed.join(",") });
    for (const n of failed) this.failNodeNow(n);
    return failed;
  }

  /**
   * Every failed node of a zone comes back, as {@link Simulation.recoverNode}. Recorded in
   * the trace as `fault.recoverZone`.
   * @returns the nodes that came back.
   * @throws RangeError when no node is in that zone.
   */
  recoverZone(zone: string): string[] {
    const nodes = this.nodesInZone("recoverZone", zone).filter((n) => this.failedNodes.has(n));
    this.trace.record(this.now, "fault.recoverZone", { zone, nodes: nodes.join(",") });
    for (const n of nodes) this.recoverNodeNow(n);
    return nodes;
  }

  /**
   * A node is cut off from the control plane (a network partition between the node and
   * the API server), while the node, its pods and the pod network keep working: its
   * kubelet stops renewing its Lease and writes nothing more (no pod status, no deletion),
   * and sees no API change; its kube-proxy sees none either, so the rules it had stay in
   * force (new pods elsewhere are not added, deleted ones not removed). Its pods keep
   * serving, its clients keep sending with those rules, and connections to its pods from
   * anywhere keep working. Recorded in the trace as `fault.partitionNode`.
   *
   * @remarks
   * The control plane cannot tell a partition from a crash
   * (pkg/controller/nodelifecycle/node_lifecycle_controller.go tryUpdateNodeHealth only
   * sees the Lease stop): after `nodeMonitorGracePeriod` (50 s) the node lifecycle
   * controller sets the node's Ready condition Unknown and its pods' Ready condition False
   * (MarkPodsNotReady), so their endpoints turn not ready and every other node's
   * kube-proxy stops sending new connections there at its next sync; it taints the node
   * `node.kubernetes.io/unreachable:NoExecute`, and 300 s later (the default toleration)
   * the taint eviction controller deletes the pods from the API and their ReplicaSets
   * create replacements on other nodes, while the old pods still run on the partitioned
   * node. See {@link Simulation.healPartition} for the end.
   *
   * @throws RangeError for an unknown node, a failed one, or one already partitioned.
   * @example
   * ```ts
   * sim.partitionNode("node-2");
   * sim.runFor(120_000);          // node-2's pods are not ready at 58 s; other nodes stop sending there
   * sim.healPartition("node-2");  // Ready again; pods evicted meanwhile are terminated
   * ```
   */
  partitionNode(name: string): void {
    this.checkNode("partitionNode", name);
    if (this.failedNodes.has(name)) throw new RangeError(`partitionNode: node: Invalid value: "${name}": the node has failed`);
    if (this.partitionedNodes.has(name)) throw new RangeError(`partitionNode: node: Invalid value: "${name}": the node is already partitioned`);
    this.partitionedNodes.add(name);
    this.heartbeats.stop(name);
    this.kubelets.partitionNode(name);
    // Its watches are cut: nothing it sees is programmed until the heal's full sync.
    this.kubeProxy(name).stall(Infinity);
    this.trace.record(this.now, "fault.partitionNode", { node: name });
  }

  /**
   * A partition ends ({@link Simulation.partitionNode}): the kubelet reaches the API server
   * again, posts the node's status (Ready) and renews its Lease, and acts on what it
   * missed: pods evicted meanwhile are terminated gracefully (preStop, SIGTERM, the grace
   * period counted from now) and deleted, and their IPs stop answering. Its pods' status
   * follows at the kubelet status manager's next 10 s tick: pods still in the API turn
   * Ready again then (so other nodes send them new connections again only from then).
   * Its kube-proxy runs a full sync of the current API state at once, as a restarted
   * kube-proxy does. The node lifecycle controller removes the taints at its next pass.
   * Recorded in the trace as `fault.healPartition`.
   *
   * @remarks
   * Upstream: pkg/kubelet/status/status_manager.go (syncBatch reconciles the API's status
   * with the kubelet's), pkg/kubelet/kubelet_pods.go HandlePodCleanups and pod_workers.go
   * (a pod deleted or marked for deletion in the API is killed).
   *
   * @throws RangeError for an unknown node, or one that is not partitioned.
   * @example
   * ```ts
   * sim.partitionNode("node-2");
   * sim.at(sim.now + 120_000, (s) => s.healPartition("node-2"));
   * sim.runFor(180_000);
   * ```
   */
  healPartition(name: string): void {
    this.checkNode("healPartition", name);
    if (!this.partitionedNodes.has(name)) throw new RangeError(`healPartition: node: Invalid value: "${name}": the node is not partitioned`);
    this.partitionedNodes.delete(name);
    this.heartbeats.start(name);
    this.kubelets.healPartition(name);
    this.kubeProxy(name).restart();
    this.trace.record(this.now, "fault.healPartition", { node: name });
  }

  /** Names of the nodes cut off from the control plane ({@link Simulation.partitionNode}) and not healed, sorted. */
  get partitionedNodeNames(): string[] {
    return [...this.partitionedNodes].sort();
  }

  /** Names of the nodes that have failed and not recovered, sorted. */
  get failedNodeNames(): string[] {
    return [...this.failedNodes].sort();
  }

  /**
   * A node's kube-proxy stalls for `duration` ms (a stuck iptables-restore, a starved
   * process): no sync starts meanwhile, the rules it programmed stay in force (so
   * connections to pods deleted meanwhile time out on this node only), and what it saw
   * meanwhile is programmed by the first sync after the stall. Recorded in the trace as
   * `fault.stallKubeProxy`.
   * @throws RangeError for an unknown or failed node, or a duration that is not a finite number >= 0.
   */
  stallKubeProxy(node: string, duration: number): void {
    this.checkNode("stallKubeProxy", node);
    if (!(duration >= 0) || !Number.isFinite(duration)) throw new RangeError(`stallKubeProxy: duration: Invalid value: ${duration}: must be a finite number of ms >= 0`);
    if (this.failedNodes.has(node)) throw new RangeError(`stallKubeProxy: node: Invalid value: "${node}": the node has failed`);
    if (this.partitionedNodes.has(node)) throw new RangeError(`stallKubeProxy: node: Invalid value: "${node}": the node is partitioned (its kube-proxy syncs again when it heals)`);
    this.kubeProxy(node).stall(this.now + duration);
    this.trace.record(this.now, "fault.stallKubeProxy", { node, until: this.now + duration });
  }

  /**
   * Drains a node (`kubectl drain <node>`): cordons it (`spec.unschedulable: true`, so the
   * scheduler places no new pod there and the node lifecycle controller taints it
   * `node.kubernetes.io/unschedulable:NoSchedule`), then evicts every pod bound to it that
   * is not already terminating, all at once, each with its own grace period (preStop,
   * SIGTERM, `terminationGracePeriodSeconds`) like {@link Simulation.deletePod}. Their
   * ReplicaSets create replacements, which land on other nodes. Recorded in the trace as
   * `node.drain`.
   *
   * @remarks
   * kubectl drain (staging/src/k8s.io/kubectl/pkg/drain: `RunCordonOrUncordon`, then
   * `DeleteOrEvictPods`) evicts through the Eviction API, which honours
   * PodDisruptionBudgets; they are not modelled, so every pod is evicted at once (as
   * `kubectl drain --disable-eviction` would delete them). DaemonSet and unmanaged pods
   * are not modelled either.
   * @returns the names of the pods evicted (`namespace/name`, sorted).
   * @throws RangeError for an unknown node.
   * @example
   * ```ts
   * sim.drainNode("node-2");
   * sim.runFor(60_000);          // node-2's pods terminate; replacements run on node-1 and node-3
   * sim.uncordonNode("node-2");  // new pods may be placed on node-2 again
   * ```
   */
  drainNode(name: string): string[] {
    this.checkNode("drainNode", name);
    this.store.mutate("Node", undefined, name, (x) => {
      x.spec = { ...x.spec, unschedulable: true };
    });
    const victims = this.store
      .list("Pod")
      .filter((p) => p.spec.nodeName === name && p.metadata.deletionTimestamp === undefined)
      .map((p) => `${p.metadata.namespace ?? "default"}/${p.metadata.name}`)
      .sort();
    this.trace.record(this.now, "node.drain", { node: name, pods: victims.length });
    for (const key of victims) {
      const slash = key.indexOf("/");
      this.deletePod(key.slice(slash + 1), key.slice(0, slash));
    }
    return victims;
  }

  /**
   * Uncordons a node (`kubectl uncordon <node>`): `spec.unschedulable` is cleared, so the
   * scheduler may place new pods there again (pods already running elsewhere stay where
   * they are). Recorded in the trace as `node.uncordon`.
   * @throws RangeError for an unknown node.
   */
  uncordonNode(name: string): void {
    this.checkNode("uncordonNode", name);
    this.store.mutate("Node", undefined, name, (x) => {
      x.spec = { ...x.spec, unschedulable: false };
    });
    this.trace.record(this.now, "node.uncordon", { node: name });
  }

  /**
   * Changes how long the API server takes to deliver watch events to kube-proxy: on one
   * node (`options.node`) or on every node. Applies to events written from now on (a
   * watch still delivers in write order). Recorded in the trace as `setting.watchDelay`.
   * @throws RangeError for an unknown node or something that is not a distribution.
   */
  setWatchDelay(delay: Distribution, options: { readonly node?: string } = {}): void {
    if (typeof delay?.sample !== "function") throw new RangeError(`setWatchDelay: delay: Invalid value: ${String(delay)}: must be a Distribution (e.g. constant(5), exponential(20))`);
    const nodes = options.node === undefined ? this.nodeNames : [this.checkNode("setWatchDelay", options.node)];
    for (const n of nodes) this.proxyWatchDelays.set(n, delay);
    this.trace.record(this.now, "setting.watchDelay", { node: options.node ?? "*", delay: delay.describe() });
  }

  /**
   * Changes how long each kube-proxy sync takes (a slow iptables-restore), on one node or
   * every node; `undefined` makes syncs instant again. Recorded in the trace as
   * `setting.proxySyncDuration`.
   * @throws RangeError for an unknown node or something that is not a distribution.
   */
  setProxySyncDuration(duration: Distribution | undefined, options: { readonly node?: string } = {}): void {
    if (duration !== undefined && typeof duration?.sample !== "function") throw new RangeError(`setProxySyncDuration: duration: Invalid value: ${String(duration)}: must be a Distribution or undefined`);
    const nodes = options.node === undefined ? this.nodeNames : [this.checkNode("setProxySyncDuration", options.node)];
    for (const n of nodes) this.kubeProxy(n).setSyncDuration(duration);
    this.trace.record(this.now, "setting.proxySyncDuration", { node: options.node ?? "*", duration: duration === undefined ? "none" : duration.describe() });
  }

  private checkNode(method: string, name: string): string {
    if (!this.proxies.has(name)) throw new RangeError(`${method}: node: Not found: "${String(name)}": known nodes: ${this.nodeNames.join(", ")}`);
    return name;
  }

  private nodesInZone(method: string, zone: string): string[] {
    const nodes = this.store.list("Node").filter((n) => n.metadata.labels?.[LABEL_ZONE] === zone).map((n) => n.metadata.name);
    if (nodes.length === 0) {
      const zones = [...new Set(this.store.list("Node").map((n) => n.metadata.labels?.[LABEL_ZONE]).filter((z): z is string => z !== undefined))].sort();
      throw new RangeError(`${method}: zone: Not found: "${String(zone)}": known zones: ${zones.join(", ")}`);
    }
    return nodes;
  }

  private failNodeNow(name: string): void {
    const now = this.now;
    this.failedNodes.add(name);
    this.partitionedNodes.delete(name); // a partitioned node that crashes is a crashed node
    this.heartbeats.stop(name);
    // The pods' containers are gone with the node: nothing answers at their IPs any more.
    for (const [key, ip] of this.kubelets.stopNode(name)) {
      const running = this.runningApps.get(key);
      if (running) {
        this.runningApps.delete(key);
        this.traffic.isolateApplication(running.app, now);
      }
      this.traffic.closeHost(ip);
      // A CoreDNS pod there answers no query any more: lookups routed to it are lost.
      const slash = key.indexOf("/");
      const pod = this.store.get("Pod", key.slice(0, slash), key.slice(slash + 1));
      if (pod) this.clusterDns?.podStopped(pod, ip);
    }
    this.kubeProxy(name).stall(Infinity);
    const stopped: number[] = [];
    this.clientNodes.forEach((n, i) => {
      if (n === name && this.traffic.clientActive(i)) {
        this.traffic.stopClient(i);
        stopped.push(i);
      }
    });
    this.stoppedClients.set(name, stopped);
  }

  private recoverNodeNow(name: string): void {
    this.failedNodes.delete(name);
    this.heartbeats.start(name);
    this.kubelets.startNode(name);
    this.kubeProxy(name).restart();
    for (const i of this.stoppedClients.get(name) ?? []) this.traffic.resumeClient(i);
    this.stoppedClients.delete(name);
  }

  /**
   * Pods, optionally only those matching labels, sorted by name.
   *
   * @example
   * ```ts
   * sim.pods({ app: "api" }).map((p) => `${p.metadata.name} ${p.status?.podIP} ${p.spec.nodeName}`);
   * ```
   */
  pods(labels?: StringMap, namespace: string = "default"): Pod[] {
    const sel = labels ? compileServiceSelector(labels) : undefined;
    return this.store
      .list("Pod", namespace)
      .filter((p) => !sel || sel.matches(p.metadata.labels))
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  }

  /**
   * Runs `fn` at virtual time `time` (ms), e.g. to delete a pod mid-run.
   *
   * @example
   * ```ts
   * sim.at(30_000, (s) => s.deletePod(s.pods({ app: "api" })[0].metadata.name));
   * sim.runFor(60_000); // the pod is deleted at t = 30 s
   * ```
   */
  at(time: SimTime, fn: (sim: Simulation) => void): void {
    this.later.at(time, () => fn(this));
  }

  /**
   * Adds a client that calls a Service by name or ClusterIP. The name is resolved now
   * (a trivial DNS: `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`).
   * @returns the client's index.
   *
   * @example
   * ```ts
   * sim.addClient({ name: "frontend", target: "http://api:80", rate: 300 });
   * sim.addClient({ name: "batch", node: "node-2", target: "api.default:80", rate: 50, connections: { mode: "keep-alive", poolSize: 8 } });
   * ```
   */
  addClient(options: AddClientOptions): number {
    const node = options.node ?? this.nodeNames[0];
    const proxy = this.kubeProxy(node);
    const dnsClient = options.dns !== undefined && options.dns !== false;
    const { ip, port } = this.resolveTarget(options.target, options.namespace ?? "default", dnsClient);
    const given = (options.rate !== undefined ? 1 : 0) + (options.interarrival !== undefined ? 1 : 0) + (options.users !== undefined ? 1 : 0);
    if (given > 1) throw new RangeError(`client "${options.name}": ${options.users !== undefined ? "users" : "interarrival"}: Forbidden: give exactly one of rate, interarrival or users`);
    if (options.users !== undefined && !(Number.isInteger(options.users) && options.users >= 1)) {
      throw new RangeError(`client "${options.name}": users: Invalid value: ${String(options.users)}: must be an integer >= 1`);
    }
    if (options.thinkTime !== undefined && options.users === undefined) throw new RangeError(`client "${options.name}": thinkTime: Forbidden: only with users (a closed-loop client)`);
    let interarrival = options.interarrival;
    if (interarrival === undefined && options.users === undefined) {
      if (!(typeof options.rate === "number" && options.rate > 0 && Number.isFinite(options.rate))) {
        throw new RangeError(`client "${options.name}": rate: Invalid value: ${String(options.rate)}: must be a number of requests per second > 0 (or give interarrival or users)`);
      }
      interarrival = exponential(1000 / options.rate);
    }
    if (this.clientIPs.has(options.name)) throw new RangeError(`client "${options.name}": name: Duplicate value: "${options.name}"`);
    const resolver = this.clientResolver(options, node, ip === "None" ? port : undefined);
    if (this.failedNodes.has(node)) throw new RangeError(`client "${options.name}": node: Invalid value: "${node}": the node has failed (recoverNode first)`);
    const sourceIP = parseIPv4(this.kubelets.reserveIP(node));
    this.clientIPs.set(options.name, sourceIP);
    // A pod calling an external address of a Service (NodePort, load-balancer IP, externalIP).
    const external = this.externalTraffic.podRoute(node, ip, port, options.protocol ?? "TCP", formatIPv4(sourceIP));
    const index = this.traffic.addClient({
      name: options.name,
      sourceIP,
      proxy: external?.route ?? proxy,
      frontend: external?.frontend ?? proxy.frontend(`${ip}:${port}/${options.protocol ?? "TCP"}`),
      ...(interarrival !== undefined ? { interarrival } : { users: options.users, ...(options.thinkTime !== undefined ? { thinkTime: options.thinkTime } : {}) }),
      random: this.random.stream(`client/${options.name}`),
      connectTimeout: options.connectTimeout,
      connections: options.connections,
      protocol: options.protocol,
      ...(resolver !== undefined ? { resolver } : {}),
    });
    if (external) this.externalTraffic.register(options.name, index, external.route);
    else this.podClients.push({ index, node });
    // A pod calling the Ingress controller's ClusterIP: its requests are routed by host and path too.
    const controller = this.ingress === undefined ? undefined : this.store.get("Service", INGRESS_NAMESPACE, INGRESS_CONTROLLER_NAME);
    if (this.ingress !== undefined && controller?.spec.clusterIP === ip) {
      const path = options.path ?? "/";
      if (typeof path !== "string" || !path.startsWith("/")) throw new RangeError(`client "${options.name}": path: Invalid value: ${JSON.stringify(path)}: must be an absolute path`);
      const host = options.host ?? (/^(?:[a-z]+:\/\/)?([^:/]+)/.exec(options.target)?.[1] ?? "");
      this.ingress.addRoute(index, options.name, host, path);
    }
    this.clientNodes[index] = node;
    return index;
  }

  /**
   * Looks a name up from a pod, now, through cluster DNS: the pod's resolv.conf
   * (ClusterFirst), the glibc or musl search walk, each query routed by the node's
   * kube-proxy to a CoreDNS pod of the `kube-dns` Service.
   *
   * @throws RangeError when the simulation has no cluster DNS ({@link SimulationOptions.dns}).
   * @example
   * ```ts
   * const sim = new Simulation({ seed: 1, dns: true });
   * sim.settle();
   * sim.resolve("kube-dns.kube-system").addresses; // ["10.96.0.10"]
   * sim.resolve("api").queries.length;            // 8 when "api" exists nowhere (3 search domains + the name, A and AAAA)
   * ```
   */
  resolve(name: string, options: ResolveFromPodOptions = {}): ResolveResult {
    if (this.clusterDns === undefined) throw new RangeError(`dns: Required value: the simulation has no cluster DNS (new Simulation({ dns: true }))`);
    return this.clusterDns.resolve(name, options, options.node ?? this.nodeNames[0]);
  }

  private clientResolver(options: AddClientOptions, node: string, directPort: number | undefined): ReturnType<ClusterDns["clientResolver"]> | undefined {
    if (options.dns === undefined || options.dns === false) return undefined;
    if (this.clusterDns === undefined) {
      throw new RangeError(`client "${options.name}": dns: Invalid value: true: the simulation has no cluster DNS (new Simulation({ dns: true }))`);
    }
    const host = /^(?:[a-z]+:\/\/)?([^:/]+)/.exec(options.target)?.[1] ?? "";
    if (parseIPv4(host) >= 0) return undefined; // a numeric address needs no lookup
    try {
      return this.clusterDns.clientResolver(host, options.namespace ?? "default", node, options.dns === true ? {} : options.dns, directPort);
    } catch (e) {
      throw new RangeError(`client "${options.name}": ${(e as Error).message}`);
    }
  }

  /**
   * Runs for `duration` ms of virtual time (or until `stopAfterCompleted`).
   *
   * @example
   * ```ts
   * sim.runFor(60_000); // one virtual minute, usually well under a second of real time
   * ```
   */
  runFor(duration: SimTime): void {
    if (!(duration >= 0)) throw new RangeError(`runFor: duration: Invalid value: ${duration}: must be >= 0`);
    this.scheduler.runUntil(this.now + duration);
  }

  /**
   * Runs until virtual time `time` (ms) (or until `stopAfterCompleted`).
   *
   * @example
   * ```ts
   * sim.runUntil(120_000); // until the virtual clock reads 120 s
   * ```
   */
  runUntil(time: SimTime): void {
    this.scheduler.runUntil(time);
  }

  /**
   * Runs until `stopAfterCompleted` requests completed or the queue empties.
   *
   * @example
   * ```ts
   * const sim = new Simulation({ seed: 1, stopAfterCompleted: 100_000 });
   * // ... apply, settle, add clients ...
   * sim.run(); // stops after the 100,000th completed request
   * ```
   */
  run(): void {
    this.scheduler.run();
  }

  /**
   * Runs until the cluster is at rest: every Deployment has all its replicas ready (or
   * all but some the scheduler cannot place: Pending with `PodScheduled=False`, reason
   * `Unschedulable`, e.g. past the nodes' maxPods or allocatable cpu) and every node's kube-proxy has synced
   * the latest EndpointSlices.
   * @throws Error if that does not happen within `timeout` ms (default 10 minutes).
   *
   * @example
   * ```ts
   * sim.apply([deployment, service]);
   * sim.settle(); // every replica ready, every kube-proxy synced
   * sim.now;      // e.g. 2100 (ms) with the default delays
   * ```
   */
  settle(timeout: SimTime = 600_000): void {
    const deadline = this.now + timeout;
    let lastRevision = -1;
    while (this.now < deadline) {
      this.runFor(100);
      // Quiet: no write for a step, no watch event still on its way (informers slower than
      // the 100 ms step would otherwise be missed), and every kube-proxy synced (a failed
      // node's kube-proxy syncs nothing until the node recovers: it does not hold up rest).
      // Checked cheapest first, so that a busy step costs O(1) however large the cluster.
      const quiet = this.store.resourceVersion === lastRevision && this.store.pendingWatchEvents === 0 && [...this.proxies].every(([n, p]) => this.failedNodes.has(n) || this.partitionedNodes.has(n) || p.inSync);
      // A Deployment is at rest when its rollout is done: every replica updated, available, and no old ones left.
      // Or it is stuck on pods the scheduler cannot place (maxPods, cordoned or NotReady nodes):
      // every other pod of it ready, nothing more happens until the cluster changes.
      const ready =
        quiet &&
        this.store.list("Deployment").every((d) => {
          const want = d.spec.replicas ?? 1;
          const s = d.status;
          if (s?.observedGeneration !== d.metadata.generation) return false;
          return (s?.updatedReplicas === want && s?.replicas === want && s?.availableReplicas === want && (s?.readyReplicas ?? 0) === want) || this.onlyUnschedulableLeft(d);
        });
      if (ready) return;
      lastRevision = this.store.resourceVersion;
    }
    throw new Error(`settle: the cluster did not come to rest within ${timeout} ms of virtual time`);
  }

  /** Whether every pod of the Deployment is ready or Pending as unschedulable, and at least one is the latter. */
  private onlyUnschedulableLeft(d: Deployment): boolean {
    const ns = d.metadata.namespace ?? "default";
    const uid = d.metadata.uid;
    if (uid === undefined) return false;
    let unschedulable = 0;
    for (const rs of this.store.listOwnedBy("ReplicaSet", ns, uid)) {
      for (const p of this.store.listOwnedBy("Pod", ns, rs.metadata.uid as string)) {
        const conditions = p.status?.conditions ?? [];
        if (!p.spec.nodeName && conditions.some((c) => c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable")) unschedulable++;
        else if (p.metadata.deletionTimestamp !== undefined || !conditions.some((c) => c.type === "Ready" && c.status === "True")) return false;
      }
    }
    return unschedulable > 0;
  }

  /**
   * Stops all clients and runs until every request in flight has ended.
   *
   * @example
   * ```ts
   * sim.runFor(60_000);
   * sim.drain();
   * sim.results().inFlight; // 0: every request has its one outcome
   * ```
   */
  drain(): void {
    this.traffic.stopAllClients();
    while (this.traffic.inFlight > 0 && this.scheduler.pending > 0) this.runFor(1000);
  }

  /**
   * Warnings recorded so far (e.g. pods with no application model).
   *
   * @example
   * ```ts
   * sim.warnings(); // e.g. a pod that started with no application model (its port refuses connections)
   * ```
   */
  warnings(): readonly string[] {
    return [...this.warningLog];
  }

  /**
   * Starts a timeline: from now on, requests by outcome and latency per `bucket` ms, and at
   * the end of each bucket the endpoints every node's kube-proxy forwards the Service's
   * first port to (all, ready, and the fewest ready during the bucket) and the Service's
   * pods by phase (`Terminating` apart, and `CrashLoopBackOff` for a container waiting in
   * back-off, as kubectl shows them) and readiness. Sampling goes on until
   * {@link Timeline.stop}; stop it before `run()` (which runs until no event is left).
   *
   * @example
   * ```ts
   * const tl = sim.timeline({ service: "api", bucket: 1000 });
   * sim.runFor(30_000);
   * console.log(tl.format());
   * ```
   */
  timeline(options: { readonly service: string; readonly namespace?: string; readonly bucket?: number }): Timeline {
    const ns = options.namespace ?? "default";
    const svc = this.store.get("Service", ns, options.service);
    if (!svc) throw new RangeError(`timeline: service: Not found: services "${options.service}" in namespace "${ns}"`);
    const port = svc.spec.ports?.[0];
    const address = svc.spec.clusterIP && svc.spec.clusterIP !== "None" && port ? `${svc.spec.clusterIP}:${port.port}/${port.protocol ?? "TCP"}` : undefined;
    const selector = compileServiceSelector(svc.spec.selector);
    const tl = new Timeline(options.bucket ?? 1000, this.now);
    this.timelines.push(tl);
    this.updateRequestListener();
    const readyEndpoints = (proxy: KubeProxy): number => {
      if (!address) return 0;
      let n = 0;
      for (const e of proxy.frontend(address).endpoints) if (e.ready && !e.terminating) n++;
      return n;
    };
    for (const [name, proxy] of this.proxies) tl.observeReadyEndpoints(name, readyEndpoints(proxy));
    this.syncListeners.push((node) => {
      if (!tl.stopped) tl.observeReadyEndpoints(node, readyEndpoints(this.kubeProxy(node)));
    });
    const takeSample = (i: number): void => {
      const endpointsByNode: Record<string, number> = {};
      const readyEndpointsByNode: Record<string, number> = {};
      for (const [name, proxy] of this.proxies) {
        endpointsByNode[name] = address ? proxy.frontend(address).endpoints.length : 0;
        readyEndpointsByNode[name] = readyEndpoints(proxy);
      }
      const pods: Record<string, number> = {};
      let readyPods = 0;
      for (const p of this.store.list("Pod", ns)) {
        if (!selector.matches(p.metadata.labels)) continue;
        const terminating = p.metadata.deletionTimestamp !== undefined;
        // As kubectl's STATUS column: a container waiting in back-off shows CrashLoopBackOff.
        const waiting = p.status?.containerStatuses?.[0]?.state?.waiting?.reason;
        const phase = terminating ? "Terminating" : (waiting ?? p.status?.phase ?? "Pending");
        pods[phase] = (pods[phase] ?? 0) + 1;
        if (!terminating && isPodReady(p)) readyPods++;
      }
      tl.sample(i, { endpointsByNode, readyEndpointsByNode, pods, readyPods });
    };
    // On stop, the bucket in progress (if it has begun) is sampled at once.
    tl.sampleNow = (i) => {
      if (this.now > tl.start + i * tl.bucket) takeSample(i);
    };
    const sample = (i: number): void => {
      if (tl.stopped) return;
      this.later.at(tl.start + (i + 1) * tl.bucket, () => {
        if (tl.stopped) return;
        takeSample(i);
        sample(i + 1);
      });
    };
    sample(0);
    return tl;
  }

  private updateRequestListener(): void {
    const trace = this.trace;
    const timelines = this.timelines;
    const tracing = this.traceRequests;
    if (!tracing && timelines.length === 0) {
      this.traffic.setRequestEndListener(undefined);
      return;
    }
    this.traffic.setRequestEndListener((outcome, start, end, endpoint, client): void => {
      if (tracing) trace.record(end, "request", { outcome, start, latency: end - start, endpoint, client });
      for (const tl of timelines) if (start >= tl.start) tl.record(outcome, end, end - start);
    });
  }

  /**
   * Results so far.
   *
   * @example
   * ```ts
   * const r = sim.results();
   * r.outcomes.completed / r.started; // success ratio
   * r.latency.p99;                    // ms
   * r.endpoints.map((e) => `${e.pod} ${(100 * e.share).toFixed(1)}%`);
   * r.digest;                         // equal for equal seeds and calls
   * ```
   */
  results(): SimulationResults {
    const byAddress = this.traffic.completedByAddress();
    const total = this.traffic.outcomes().completed;
    const endpoints: EndpointResult[] = [...byAddress].map(([address, completed]) => ({
      address,
      pod: this.addressOwner.get(address)?.pod ?? "",
      node: this.addressOwner.get(address)?.node ?? "",
      completed,
      share: total > 0 ? completed / total : 0,
    }));
    const syncsByNode: Record<string, number> = {};
    for (const [n, p] of this.proxies) syncsByNode[n] = p.stats.syncs;
    const summary = {
      time: this.now,
      started: this.traffic.started,
      inFlight: this.traffic.inFlight,
      outcomes: this.traffic.outcomes(),
      latency: this.traffic.latency.toJSON(),
      endpoints,
      syncsByNode,
      events: this.scheduler.eventsRun,
      ...(this.clusterDns !== undefined ? { dns: this.clusterDns.results() } : {}),
    };
    const external = this.externalTraffic.results();
    const withExternal = external === undefined ? summary : { ...summary, external };
    const full = this.ingress === undefined ? withExternal : { ...withExternal, ingress: this.ingress.results() };
    return { ...full, digest: digestResults(this.trace.digest(), full) };
  }

  /** The ClusterIP and port a target names (`None` for a headless Service, allowed when the client resolves through DNS). */
  private resolveTarget(target: string, namespace: string, headlessAllowed: boolean = false): { ip: string; port: number } {
    const m = /^(?:[a-z]+:\/\/)?([^:/]+)(?::([0-9]+))?\/?.*$/.exec(target);
    if (!m) throw new RangeError(`target: Invalid value: "${target}": expected host:port, e.g. http://api:80`);
    const host = m[1];
    const scheme = /^([a-z]+):\/\//.exec(target)?.[1];
    const port = m[2] !== undefined ? Number(m[2]) : scheme === "https" ? 443 : 80;
    if (!(port >= 1 && port <= 65535)) throw new RangeError(`target: Invalid value: "${target}": port must be between 1 and 65535, inclusive`);
    if (parseIPv4(host) >= 0) return { ip: host, port };
    const parts = host.split(".");
    const name = parts[0];
    const ns = parts.length >= 2 ? parts[1] : namespace;
    const rest = parts.slice(2).join(".");
    if (rest !== "" && rest !== "svc" && rest !== "svc.cluster.local") {
      throw new RangeError(`target: Invalid value: "${target}": cannot resolve "${host}": only Service names (svc, svc.ns, svc.ns.svc.cluster.local) are resolved in this release`);
    }
    const svc: Service | undefined = this.store.get("Service", ns, name);
    if (!svc) throw new RangeError(`target: Invalid value: "${target}": services "${name}" not found in namespace "${ns}" (NXDOMAIN)`);
    const ip = svc.spec.clusterIP;
    if (ip === "None" && headlessAllowed) return { ip, port };
    if (!ip || ip === "None") throw new RangeError(`target: Invalid value: "${target}": Service "${name}" is headless: its name resolves to pod IPs; add the client with \`dns\` (and a simulation with cluster DNS) to call it`);
    return { ip, port };
  }

  // Starts the pod's application process (first start or restart) and arms its own
  // misbehaviour: warm-up (port closed), hang and crash times, drawn per process start.
  private startApp(pod: Pod, key: string, addresses: string[], model: ApplicationModel): void {
    const index = this.traffic.startApplication(key, addresses, model, this.random.stream(`app/${key}`));
    if (this.ingress?.isControllerPod(pod)) this.traffic.setForwarder(index, this.ingress.forwarderFor(key), this.ingress.upstreamTries);
    this.runningApps.set(key, { app: index, addresses, onSigterm: model.onSigterm ?? "exit" });
    if (model.warmUp === undefined && model.hangAfter === undefined && model.crashAfter === undefined) return;
    const m = resolveApplicationModel(model, `application "${key}"`);
    const rng = this.random.stream(`app-lifecycle/${key}`);
    const current = (): boolean => this.runningApps.get(key)?.app === index;
    const ns = pod.metadata.namespace ?? "default";
    const name = pod.metadata.name;
    if (m.warmUp) {
      const w = m.warmUp.sample(rng);
      if (w > 0) {
        this.traffic.setListening(index, false);
        this.later.after(w, () => {
          if (current()) this.traffic.setListening(index, true);
        });
      }
    }
    if (m.hangAfter) {
      this.later.after(m.hangAfter.sample(rng), () => {
        if (!current()) return;
        this.traffic.hangApplication(index);
        this.trace.record(this.now, "app.hang", { name, ns });
      });
    }
    if (m.crashAfter) {
      this.later.after(m.crashAfter.sample(rng), () => {
        if (current()) this.crashContainer(key, ns, name, "crashAfter");
      });
    }
  }

  private runtime(): ContainerRuntime {
    return {
      startPod: (pod: Pod, podIP: string): void => {
        const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
        this.clusterDns?.podStarted(pod, podIP);
        // TCP and UDP listeners share the `IP:port` address space here: a pod serving both on one port number is one application.
        const ports = (pod.spec.containers ?? []).flatMap((c) => (c.ports ?? []).filter((p) => (p.protocol ?? "TCP") !== "SCTP").map((p) => p.containerPort));
        const addresses = [...new Set(ports)].sort((a, b) => a - b).map((p) => `${podIP}:${p}`);
        for (const a of addresses) this.addressOwner.set(a, { pod: pod.metadata.name, node: pod.spec.nodeName ?? "" });
        this.podAddresses.set(key, addresses);
        // The pod IP exists from now on: ports where nothing listens answer with a RST (refused).
        this.traffic.openHost(podIP);
        const app = this.applications.find((a) => a.selector.matches(pod.metadata.labels));
        if (!app) {
          if (addresses.length > 0) this.warningLog.push(`pod ${key}: no application model matches its labels; connections to it are refused`);
          return;
        }
        if (addresses.length === 0) {
          this.warningLog.push(`pod ${key}: declares no TCP or UDP containerPort; its application listens on nothing`);
          return;
        }
        this.startApp(pod, key, addresses, app.model);
      },
      startContainer: (pod: Pod, podIP: string): void => {
        // A restart in the same sandbox: same IP and ports, a new process.
        const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
        const addresses = this.podAddresses.get(key);
        this.clusterDns?.podStarted(pod, podIP); // a new CoreDNS process: an empty cache
        const app = this.applications.find((a) => a.selector.matches(pod.metadata.labels));
        if (!addresses || addresses.length === 0 || !app || this.runningApps.has(key)) return;
        this.startApp(pod, key, addresses, app.model);
      },
      killContainer: (pod: Pod, podIP: string): void => {
        this.clusterDns?.podTerminated(pod, podIP);
        const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
        const running = this.runningApps.get(key);
        if (!running) return;
        this.runningApps.delete(key);
        this.traffic.stopApplication(running.app, this.now);
      },
      terminateContainer: (pod: Pod, _ip: string, _now: SimTime, exited: () => void): void => {
        this.clusterDns?.podTerminated(pod, _ip);
        const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
        const running = this.runningApps.get(key);
        if (!running) {
          exited();
          return;
        }
        if (running.onSigterm === "drain") this.traffic.drainApplication(running.app, exited);
        else {
          this.runningApps.delete(key);
          this.traffic.stopApplication(running.app, this.now);
          exited();
        }
      },
      probe: (pod: Pod): "success" | "refused" | "no-answer" => {
        const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
        const running = this.runningApps.get(key);
        // A pod with no application model has nothing that could fail: its probes pass.
        if (!running) return this.applications.some((a) => a.selector.matches(pod.metadata.labels)) && (this.podAddresses.get(key)?.length ?? 0) > 0 ? "refused" : "success";
        return this.traffic.probeApplication(running.app);
      },
      stopPod: (pod: Pod, podIP: string): void => {
        const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
        // The kubelet deletes the pod right after: its IP is released, so packets to it are lost.
        this.traffic.closeHost(podIP);
        this.clusterDns?.podStopped(pod, podIP);
        const running = this.runningApps.get(key);
        const addresses = this.podAddresses.get(key) ?? running?.addresses ?? [];
        this.podAddresses.delete(key);
        if (running) {
          this.runningApps.delete(key);
          this.traffic.stopApplication(running.app, this.now);
        }
        this.traffic.releaseAddresses(addresses);
      },
      terminatePod: (pod: Pod, _ip: string, _now: SimTime, exited: () => void): void => {
        this.clusterDns?.podTerminated(pod, _ip);
        // SIGTERM. The pod's IP stays until the kubelet deletes the pod (stopPod or the
        // deletion that follows `exited`), so a closed listener answers RST meanwhile.
        const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
        const running = this.runningApps.get(key);
        if (!running) {
          exited();
          return;
        }
        if (running.onSigterm === "drain") this.traffic.drainApplication(running.app, exited);
        else {
          this.traffic.stopApplication(running.app, this.now);
          exited();
        }
      },
    };
  }
}

function runnerForVersion(version: string | undefined): SyncRunnerKind | undefined {
  if (version === undefined) return undefined;
  const m = /^v?1\.([0-9]+)(\.[0-9]+)?$/.exec(version);
  if (!m) throw new RangeError(`kubeProxy.kubernetesVersion: Invalid value: "${version}": expected a version like "1.31"`);
  return Number(m[1]) < 33 ? "burst" : "bounded-frequency";
}

/**
 * The most nodes a {@link Simulation} builds: Kubernetes' documented scalability limit
 * (kubernetes/community sig-scalability/configs-and-limits/thresholds.md, "Number of
 * nodes: 5000"; kubernetes.io "Considerations for large clusters"). The pod CIDR math
 * (clusterCIDR / nodeCIDRMaskSize) is checked separately.
 */
const MAX_NODES = 5000;

function nodeSpecs(nodes: number | readonly NodeSpec[] | undefined): NodeSpec[] {
  if (nodes === undefined) return [0, 1, 2].map((i) => ({ name: `node-${i + 1}`, zone: ZONES[i] }));
  if (typeof nodes === "number") {
    if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_NODES) throw new RangeError(`nodes: Invalid value: ${nodes}: must be an integer between 1 and ${MAX_NODES}`);
    return Array.from({ length: nodes }, (_, i) => ({ name: `node-${i + 1}`, zone: ZONES[i % 3] }));
  }
  if (nodes.length < 1) throw new RangeError(`nodes: Required value: at least one node`);
  if (nodes.length > MAX_NODES) throw new RangeError(`nodes: Too many: ${nodes.length}: must have at most ${MAX_NODES} items`);
  return [...nodes];
}

// The node IPAM controller's range allocator (pkg/controller/nodeipam/ipam/range_allocator.go)
// hands each node the next free subnet of --node-cidr-mask-size from --cluster-cidr.
function nodePodCIDRs(clusterCIDR: string, maskSize: number, count: number): string[] {
  let cidr;
  try {
    cidr = parseCidr(clusterCIDR);
  } catch (e) {
    throw new RangeError(`clusterCIDR: Invalid value: "${clusterCIDR}": ${(e as Error).message}`);
  }
  if (!Number.isInteger(maskSize) || maskSize < cidr.prefix || maskSize > 30) {
    throw new RangeError(`nodeCIDRMaskSize: Invalid value: ${maskSize}: must be an integer between ${cidr.prefix} (the clusterCIDR prefix) and 30`);
  }
  const per = 2 ** (32 - maskSize);
  const available = cidr.size / per;
  if (count > available) {
    throw new RangeError(`nodes: Invalid value: ${count}: clusterCIDR ${clusterCIDR} holds only ${available} node pod CIDRs of /${maskSize}`);
  }
  return Array.from({ length: count }, (_, i) => `${formatIPv4(cidr.base + i * per)}/${maskSize}`);
}

/** The kubelet's default `--max-pods` (pkg/kubelet/apis/config/v1beta1/defaults.go: MaxPods 110). */
const DEFAULT_MAX_PODS = 110;

/** A maxPods value: an integer >= 1 (the kubelet refuses other values), or undefined. */
function checkMaxPods(value: number | undefined, path: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${path}: Invalid value: ${typeof value === "string" ? `"${value}"` : String(value)}: must be an integer >= 1`);
  }
  return value;
}

/** The memory a node offers when its {@link NodeSpec} sets none. */
const DEFAULT_NODE_MEMORY = "16Gi";

/** A node's cpu or memory: a Kubernetes quantity >= 0 (apimachinery resource.ParseQuantity), or undefined. */
function checkQuantity(value: string | undefined, path: string): void {
  if (value === undefined) return;
  let detail: string | undefined;
  if (typeof value !== "string") detail = 'must be a quantity string (e.g. "4", "3500m", "16Gi")';
  else detail = nonNegativeQuantityError(value);
  if (detail !== undefined) throw new RangeError(`${path}: Invalid value: ${JSON.stringify(value)}: ${detail}`);
}

function nodeObject(n: NodeSpec, index: number, podCIDR: string, maxPods: number): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: n.name,
      labels: { "kubernetes.io/hostname": n.name, ...(n.zone ? { [LABEL_ZONE]: n.zone } : {}), ...(n.labels ?? {}) },
    },
    spec: { podCIDR },
    status: {
      addresses: [{ type: "InternalIP", address: formatIPv4(parseIPv4("10.0.0.0") + index + 10) }],
      capacity: { cpu: n.cpu ?? "4", memory: n.memory ?? DEFAULT_NODE_MEMORY, pods: String(maxPods) },
      allocatable: { cpu: n.cpu ?? "4", memory: n.memory ?? DEFAULT_NODE_MEMORY, pods: String(maxPods) },
      conditions: [{ type: "Ready", status: "True" }],
    },
  };
}

function digestResults(traceDigest: string, summary: object): string {
  const t = new Trace();
  t.record(0, "trace", { digest: traceDigest });
  t.record(0, "results", { json: JSON.stringify(summary) });
  return t.digest();
}
