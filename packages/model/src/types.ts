/**
 * Shapes of the Kubernetes API objects that kube-netsim models.
 *
 * Field names and nesting follow the Kubernetes API exactly (`metadata`, `spec`,
 * `status`, `targetPort`, `endpoints[].conditions.ready`, ...), so a manifest written
 * for a real cluster can be applied as it is. Only the fields that influence Service
 * networking are modelled; unknown fields are ignored by validation, never invented.
 * Every object is deeply readonly: objects held by the {@link ObjectStore} are frozen
 * and are changed only through `immer` producers.
 *
 * @packageDocumentation
 */

/**
 * A map of string keys to string values (labels, annotations, selectors).
 *
 * @example
 * ```ts
 * const labels: StringMap = { app: "api", "app.kubernetes.io/version": "2.1" };
 * ```
 */
export type StringMap = Readonly<Record<string, string>>;

/**
 * A reference to the object that owns this one (`metadata.ownerReferences[]`).
 *
 * @example
 * ```ts
 * // on a pod of Deployment "api": its ReplicaSet `rs` is the controller
 * const owner: OwnerReference = { apiVersion: "apps/v1", kind: "ReplicaSet", name: rs.metadata.name, uid: rs.metadata.uid!, controller: true };
 * pod.metadata.ownerReferences?.find((o) => o.controller)?.name; // "api-<pod-template-hash>", e.g. "api-5799f7f8c7"
 * ```
 */
export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
}

/**
 * `metadata` of every object (the subset kube-netsim uses).
 *
 * @example
 * ```ts
 * const metadata: ObjectMeta = {
 *   name: "api",
 *   namespace: "default",
 *   labels: { app: "api" },
 *   annotations: { "example.com/team": "payments" },
 * };
 * ```
 */
export interface ObjectMeta {
  readonly name: string;
  /** Defaults to `"default"` when the object is created. Nodes are cluster-scoped and have none. */
  readonly namespace?: string;
  readonly uid?: string;
  /** Opaque string set by the store on every write; compare for equality only. */
  readonly resourceVersion?: string;
  readonly generation?: number;
  /** Virtual time (ms) at which the object was created in the store. */
  readonly creationTimestamp?: number;
  /** Virtual time (ms) at which a graceful deletion began; set means "terminating". */
  readonly deletionTimestamp?: number;
  readonly labels?: StringMap;
  readonly annotations?: StringMap;
  readonly ownerReferences?: readonly OwnerReference[];
  /** Used by controllers to name pods and slices (`api-7c9f9d5b6f-`). */
  readonly generateName?: string;
}

/**
 * Operator of a label selector requirement (`matchExpressions[].operator`).
 *
 * @example
 * ```ts
 * const op: LabelSelectorOperator = "NotIn";
 * ```
 */
export type LabelSelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist";

/**
 * One `matchExpressions` entry of a {@link LabelSelector}.
 *
 * @example
 * ```ts
 * const req: LabelSelectorRequirement = { key: "track", operator: "In", values: ["stable", "canary"] };
 * const exists: LabelSelectorRequirement = { key: "app", operator: "Exists" }; // no values
 * ```
 */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: LabelSelectorOperator;
  readonly values?: readonly string[];
}

/**
 * A set-based label selector (`metav1.LabelSelector`) as used by Deployments and ReplicaSets.
 *
 * @example
 * ```ts
 * const selector: LabelSelector = {
 *   matchLabels: { app: "api" },
 *   matchExpressions: [{ key: "track", operator: "In", values: ["stable", "canary"] }],
 * };
 * ```
 */
export interface LabelSelector {
  readonly matchLabels?: StringMap;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/**
 * Transport protocol of a port.
 *
 * @example
 * ```ts
 * const protocol: Protocol = "UDP"; // e.g. the DNS port 53; the default is "TCP"
 * ```
 */
export type Protocol = "TCP" | "UDP" | "SCTP";

/**
 * `spec.containers[].ports[]`.
 *
 * @example
 * ```ts
 * const port: ContainerPort = { name: "http", containerPort: 8080, protocol: "TCP" }; // a Service's targetPort: "http" resolves to 8080
 * ```
 */
export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol?: Protocol;
}

/**
 * `spec.containers[].lifecycle`: the preStop hook (kube-netsim models the `sleep` action, Kubernetes 1.29+
 * PodLifecycleSleepAction, and `exec` hooks that sleep).
 *
 * @example
 * ```ts
 * const lifecycle: Lifecycle = { preStop: { sleep: { seconds: 5 } } }; // keep serving 5 s after deletion
 * ```
 */
export interface Lifecycle {
  /**
   * The preStop hook. `sleep` (PodLifecycleSleepAction) waits `seconds`; an `exec` hook's
   * duration is known only when it is a sleep (`["sleep", "15"]`, `["/bin/sh", "-c",
   * "sleep 15"]`): see `preStopSeconds` in `@kube-netsim/controllers`.
   */
  readonly preStop?: {
    readonly sleep?: { readonly seconds: number };
    readonly exec?: { readonly command?: readonly string[] };
  };
}

/**
 * A probe's timing (`spec.containers[].readinessProbe`, `.livenessProbe`, `.startupProbe`).
 * The handler (httpGet, exec, ...) is not modelled: the probe succeeds when the pod's
 * application answers (it runs, has warmed up and does not hang). Defaults are
 * pkg/apis/core/v1/defaults.go SetDefaults_Probe.
 *
 * @example
 * ```ts
 * const container: Container = {
 *   name: "api",
 *   ports: [{ name: "http", containerPort: 8080 }],
 *   readinessProbe: { periodSeconds: 5, failureThreshold: 2 },
 *   livenessProbe: { initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 3 },
 * };
 * ```
 */
export interface Probe {
  /** Seconds after the container started before the first probe. Default 0. */
  readonly initialDelaySeconds?: number;
  /** Default 10. */
  readonly periodSeconds?: number;
  /** Default 1. */
  readonly timeoutSeconds?: number;
  /** Consecutive successes to count as success after a failure. Default 1; must be 1 for liveness and startup probes. */
  readonly successThreshold?: number;
  /** Consecutive failures to count as failure. Default 3. */
  readonly failureThreshold?: number;
  /** Grace period of a kill caused by this (liveness or startup) probe, instead of the pod's. Not allowed on readiness probes. */
  readonly terminationGracePeriodSeconds?: number;
}

/**
 * `status.containerStatuses[].state` (exactly one member is set).
 *
 * @example
 * ```ts
 * const crashing: ContainerState = { waiting: { reason: "CrashLoopBackOff" } };
 * const killed: ContainerState = { terminated: { exitCode: 137, reason: "Error" } }; // SIGKILL after the grace period
 * ```
 */
export interface ContainerState {
  /** The container runs, since `startedAt` (virtual ms). */
  readonly running?: { readonly startedAt?: number };
  /** The container is not running and not terminated: e.g. `reason: CrashLoopBackOff` while the kubelet backs off. */
  readonly waiting?: { readonly reason?: string; readonly message?: string };
  /** The container exited (`exitCode`, e.g. 1 for a crash, 137 for SIGKILL, 143 for SIGTERM). */
  readonly terminated?: {
    readonly exitCode: number;
    readonly reason?: string;
    readonly startedAt?: number;
    readonly finishedAt?: number;
  };
}

/**
 * `status.containerStatuses[]`, written by the kubelet.
 *
 * @example
 * ```ts
 * const pod = sim.pods({ app: "api" })[0];
 * const s: ContainerStatus | undefined = pod.status?.containerStatuses?.[0];
 * console.log(s?.ready, s?.restartCount, s?.state?.waiting?.reason); // e.g. false 2 "CrashLoopBackOff"
 * ```
 */
export interface ContainerStatus {
  readonly name: string;
  /** The readiness probe (or, without one, the container running) says it is ready. */
  readonly ready: boolean;
  /** The startup probe succeeded (true at once without one). */
  readonly started?: boolean;
  /** Times the container was restarted. */
  readonly restartCount: number;
  readonly state?: ContainerState;
  /** The previous instance's end, after a restart. */
  readonly lastState?: ContainerState;
}

/**
 * A resource list (`requests`, `limits`): quantities by resource name, as Kubernetes
 * writes them (`"500m"`, `"2"`, `"128Mi"`; a YAML number such as `cpu: 2` is accepted too).
 *
 * @example
 * ```ts
 * const requests: ResourceList = { cpu: "250m", memory: "256Mi" };
 * ```
 */
export type ResourceList = Readonly<Record<string, string | number>>;

/**
 * `spec.containers[].resources`. The scheduler reads `requests.cpu` and `requests.memory`
 * (NodeResourcesFit); limits are only validated (a request may not exceed its limit).
 *
 * @example
 * ```ts
 * const resources: ResourceRequirements = { requests: { cpu: "500m", memory: "256Mi" }, limits: { memory: "512Mi" } };
 * ```
 */
export interface ResourceRequirements {
  readonly requests?: ResourceList;
  readonly limits?: ResourceList;
}

/**
 * `spec.containers[]` (what Service networking needs of it).
 *
 * @example
 * ```ts
 * const container: Container = { name: "api", image: "example/api:2", ports: [{ name: "http", containerPort: 8080 }] };
 * ```
 */
export interface Container {
  readonly name: string;
  readonly image?: string;
  readonly ports?: readonly ContainerPort[];
  readonly lifecycle?: Lifecycle;
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly startupProbe?: Probe;
  /** Compute resources: `requests.cpu` and `requests.memory` count against the node's allocatable when the pod is scheduled. */
  readonly resources?: ResourceRequirements;
}

/**
 * `spec.template` of a Deployment or ReplicaSet.
 *
 * @example
 * ```ts
 * const template: PodTemplateSpec = {
 *   metadata: { labels: { app: "api" } }, // must match the Deployment's selector
 *   spec: { containers: [{ name: "api", ports: [{ name: "http", containerPort: 8080 }] }] },
 * };
 * ```
 */
export interface PodTemplateSpec {
  readonly metadata?: Omit<ObjectMeta, "name"> & { readonly name?: string };
  readonly spec: PodSpec;
}

/**
 * Effect of a node taint (`spec.taints[].effect`) or the effect a toleration matches.
 *
 * @example
 * ```ts
 * const effect: TaintEffect = "NoExecute"; // evicts running pods that do not tolerate the taint
 * ```
 */
export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

/**
 * A node taint (`spec.taints[]`): pods that do not tolerate it are kept off (NoSchedule) or evicted (NoExecute).
 *
 * @example
 * ```ts
 * // what the node lifecycle controller puts on a node whose kubelet stopped reporting
 * const taint: Taint = { key: TAINT_NODE_UNREACHABLE, effect: "NoExecute" };
 * ```
 */
export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: TaintEffect;
  /** Virtual time (ms) a NoExecute taint was added (set by the node lifecycle controller). */
  readonly timeAdded?: number;
}

/**
 * A pod toleration (`spec.tolerations[]`).
 *
 * @example
 * ```ts
 * // stay bound to an unreachable node for 30 s instead of the default 300 s
 * const toleration: Toleration = { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 };
 * ```
 */
export interface Toleration {
  /** Taint key matched; empty with operator `Exists` matches every key. */
  readonly key?: string;
  /** `Equal` (default) or `Exists`. */
  readonly operator?: "Equal" | "Exists";
  readonly value?: string;
  /** Effect matched; empty matches every effect. */
  readonly effect?: TaintEffect;
  /** For NoExecute: how long the pod stays bound after the taint appears; absent means forever. */
  readonly tolerationSeconds?: number;
}

/**
 * `spec` of a Pod.
 *
 * @example
 * ```ts
 * const spec: PodSpec = {
 *   containers: [{ name: "api", ports: [{ name: "http", containerPort: 8080 }], lifecycle: { preStop: { sleep: { seconds: 5 } } } }],
 *   terminationGracePeriodSeconds: 30,
 *   restartPolicy: "Always",
 * };
 * ```
 */
export interface PodSpec {
  readonly containers: readonly Container[];
  /** Tolerations; the API server adds the default NoExecute ones (see `ObjectStoreOptions.defaultTolerationSeconds`). */
  readonly tolerations?: readonly Toleration[];
  /** Set by the scheduler. */
  readonly nodeName?: string;
  readonly hostname?: string;
  readonly subdomain?: string;
  /** Default 30 s upstream. */
  readonly terminationGracePeriodSeconds?: number;
  /** What the kubelet does when a container exits: `Always` (default) restarts it, `OnFailure` only after a failure, `Never` leaves the pod `Failed`. */
  readonly restartPolicy?: RestartPolicy;
}

/**
 * `spec.restartPolicy` of a Pod.
 *
 * @example
 * ```ts
 * const policy: RestartPolicy = "OnFailure"; // restart only after a non-zero exit
 * ```
 */
export type RestartPolicy = "Always" | "OnFailure" | "Never";

/**
 * `status.phase` of a Pod.
 *
 * @example
 * ```ts
 * const phase: PodPhase | undefined = sim.pods({ app: "api" })[0].status?.phase; // "Running" once started
 * ```
 */
export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";

/**
 * A Pod condition (`status.conditions[]`); kube-netsim models `PodScheduled` and `Ready`.
 *
 * @example
 * ```ts
 * const ready = pod.status?.conditions?.find((c: PodCondition) => c.type === "Ready")?.status === "True";
 * ```
 */
export interface PodCondition {
  readonly type: "PodScheduled" | "Initialized" | "ContainersReady" | "Ready";
  readonly status: "True" | "False" | "Unknown";
  /** Machine-readable reason of the last transition, e.g. `Unschedulable` on `PodScheduled=False`. */
  readonly reason?: string;
  /** Human-readable detail, e.g. the scheduler's `0/3 nodes are available: 3 Too many pods. ...`. */
  readonly message?: string;
  readonly lastTransitionTime?: number;
}

/**
 * `status` of a Pod.
 *
 * @example
 * ```ts
 * const status: PodStatus | undefined = sim.pods({ app: "api" })[0].status;
 * console.log(status?.phase, status?.podIP, status?.hostIP); // e.g. Running 10.244.2.2 10.0.0.12
 * ```
 */
export interface PodStatus {
  readonly phase?: PodPhase;
  readonly podIP?: string;
  readonly podIPs?: readonly { readonly ip: string }[];
  readonly hostIP?: string;
  readonly conditions?: readonly PodCondition[];
  readonly startTime?: number;
  /** One entry per container, in `spec.containers` order, once the pod runs. */
  readonly containerStatuses?: readonly ContainerStatus[];
}

/**
 * A Pod.
 *
 * @example
 * ```ts
 * sim.pods({ app: "api" }).map((p: Pod) => `${p.metadata.name} ${p.status?.phase} ${p.status?.podIP} on ${p.spec.nodeName}`);
 * ```
 */
export interface Pod {
  readonly apiVersion: "v1";
  readonly kind: "Pod";
  readonly metadata: ObjectMeta;
  readonly spec: PodSpec;
  readonly status?: PodStatus;
}

/**
 * A Node condition; kube-netsim models `Ready`.
 *
 * @example
 * ```ts
 * const node = sim.store.get("Node", undefined, "node-1");
 * const ready = node?.status?.conditions?.find((c: NodeCondition) => c.type === "Ready");
 * ready?.status; // "True"; "Unknown" (reason NodeStatusUnknown) after sim.failNode("node-1") and the grace period
 * ```
 */
export interface NodeCondition {
  readonly type: "Ready";
  readonly status: "True" | "False" | "Unknown";
  /** `NodeStatusUnknown` when the node lifecycle controller gave up on the kubelet, `KubeletReady` when the kubelet posted it. */
  readonly reason?: string;
  readonly message?: string;
  /** Virtual time (ms) of the last change of `status`. */
  readonly lastTransitionTime?: number;
}

/**
 * A Node. Zone comes from the `topology.kubernetes.io/zone` label.
 *
 * @example
 * ```ts
 * const node: Node = {
 *   apiVersion: "v1",
 *   kind: "Node",
 *   metadata: { name: "node-1", labels: { [LABEL_ZONE]: "zone-a" } },
 *   spec: { podCIDR: "10.244.1.0/24" },
 * };
 * ```
 */
export interface Node {
  readonly apiVersion: "v1";
  readonly kind: "Node";
  readonly metadata: ObjectMeta;
  readonly spec?: {
    /** The node's pod CIDR, e.g. `10.244.1.0/24`; allocated by the simulation when absent. */
    readonly podCIDR?: string;
    readonly unschedulable?: boolean;
    /** Taints (the node lifecycle controller adds `node.kubernetes.io/unreachable` and `not-ready`). */
    readonly taints?: readonly Taint[];
  };
  readonly status?: {
    readonly addresses?: readonly { readonly type: "InternalIP" | "ExternalIP" | "Hostname"; readonly address: string }[];
    /** Resources of the node, e.g. `{ cpu: "4", memory: "16Gi", pods: "110" }` (quantities are strings, as Kubernetes writes them). */
    readonly capacity?: StringMap;
    /** What the scheduler may hand out: `cpu`, `memory`, and `pods` (the kubelet's `--max-pods`, 110 by default). */
    readonly allocatable?: StringMap;
    readonly conditions?: readonly NodeCondition[];
  };
}

/**
 * `spec.strategy` of a Deployment. Rolling updates are modelled in a later release.
 *
 * @example
 * ```ts
 * const strategy: DeploymentStrategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } }; // the upstream defaults
 * ```
 */
export interface DeploymentStrategy {
  readonly type?: "RollingUpdate" | "Recreate";
  readonly rollingUpdate?: {
    readonly maxSurge?: number | string;
    readonly maxUnavailable?: number | string;
  };
}

/**
 * A Deployment (apps/v1).
 *
 * @example
 * ```ts
 * const deployment: Deployment = {
 *   apiVersion: "apps/v1",
 *   kind: "Deployment",
 *   metadata: { name: "api" },
 *   spec: {
 *     replicas: 3,
 *     selector: { matchLabels: { app: "api" } },
 *     strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
 *     template: {
 *       metadata: { labels: { app: "api" } },
 *       spec: { containers: [{ name: "api", image: "example/api:1", ports: [{ name: "http", containerPort: 8080 }] }] },
 *     },
 *   },
 * };
 * ```
 */
export interface Deployment {
  readonly apiVersion: "apps/v1";
  readonly kind: "Deployment";
  readonly metadata: ObjectMeta;
  readonly spec: {
    /** Defaults to 1. */
    readonly replicas?: number;
    readonly selector: LabelSelector;
    readonly template: PodTemplateSpec;
    readonly strategy?: DeploymentStrategy;
    readonly minReadySeconds?: number;
    readonly revisionHistoryLimit?: number;
    readonly progressDeadlineSeconds?: number;
    readonly paused?: boolean;
  };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly replicas?: number;
    readonly readyReplicas?: number;
    readonly availableReplicas?: number;
    readonly updatedReplicas?: number;
    readonly unavailableReplicas?: number;
    readonly collisionCount?: number;
    /** `Progressing` and `Available` (pkg/controller/deployment/util). */
    readonly conditions?: readonly DeploymentCondition[];
  };
}

/**
 * A Deployment condition (`status.conditions[]`).
 *
 * @example
 * ```ts
 * const d = sim.store.get("Deployment", "default", "api");
 * const progressing = d?.status?.conditions?.find((c: DeploymentCondition) => c.type === "Progressing");
 * progressing?.reason; // "NewReplicaSetAvailable" once the rollout is complete
 * ```
 */
export interface DeploymentCondition {
  readonly type: "Progressing" | "Available" | "ReplicaFailure";
  readonly status: "True" | "False" | "Unknown";
  readonly reason?: string;
  readonly message?: string;
  readonly lastUpdateTime?: number;
  readonly lastTransitionTime?: number;
}

/**
 * A ReplicaSet (apps/v1).
 *
 * @example
 * ```ts
 * // the ReplicaSets the Deployment controller created for Deployment "api", one per template revision
 * const sets: ReplicaSet[] = sim.store.listByLabel("ReplicaSet", "default", "app", "api");
 * sets.map((rs) => `${rs.metadata.name} ${rs.spec.replicas} ${rs.status?.readyReplicas}`);
 * ```
 */
export interface ReplicaSet {
  readonly apiVersion: "apps/v1";
  readonly kind: "ReplicaSet";
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly replicas?: number;
    readonly selector: LabelSelector;
    readonly template: PodTemplateSpec;
    readonly minReadySeconds?: number;
  };
  readonly status?: {
    readonly replicas?: number;
    readonly readyReplicas?: number;
    readonly availableReplicas?: number;
  };
}

/**
 * `spec.ports[]` of a Service.
 *
 * @example
 * ```ts
 * const port: ServicePort = { name: "http", port: 80, targetPort: "http" }; // a named targetPort, resolved per pod
 * ```
 */
export interface ServicePort {
  /** Required (DNS-1123 label) when the Service has more than one port. */
  readonly name?: string;
  readonly protocol?: Protocol;
  readonly port: number;
  /** A port number or the name of a container port; defaults to `port`. */
  readonly targetPort?: number | string;
  readonly nodePort?: number;
}

/**
 * `spec.type` of a Service.
 *
 * @example
 * ```ts
 * const type: ServiceType = "NodePort"; // also reachable on every node's IP at spec.ports[].nodePort
 * ```
 */
export type ServiceType = "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName";

/**
 * A traffic policy (`internalTrafficPolicy`, `externalTrafficPolicy`).
 *
 * @example
 * ```ts
 * const policy: TrafficPolicy = "Local"; // as externalTrafficPolicy: only this node's endpoints, client IP kept
 * ```
 */
export type TrafficPolicy = "Cluster" | "Local";

/**
 * `spec` of a Service.
 *
 * @example
 * ```ts
 * const spec: ServiceSpec = {
 *   type: "ClusterIP",
 *   selector: { app: "api" },
 *   ports: [{ name: "http", port: 80, targetPort: "http" }],
 *   internalTrafficPolicy: "Cluster",
 * };
 * ```
 */
export interface ServiceSpec {
  readonly type?: ServiceType;
  /**
   * Service selector: equality-based only (a plain map). An absent or empty selector
   * selects nothing: the EndpointSlice controller then manages no slices for it.
   */
  readonly selector?: StringMap;
  readonly ports?: readonly ServicePort[];
  /** Allocated by the store when absent; `"None"` makes the Service headless. */
  readonly clusterIP?: string;
  readonly clusterIPs?: readonly string[];
  readonly sessionAffinity?: "None" | "ClientIP";
  readonly sessionAffinityConfig?: { readonly clientIP?: { readonly timeoutSeconds?: number } };
  readonly internalTrafficPolicy?: TrafficPolicy;
  readonly externalTrafficPolicy?: TrafficPolicy;
  readonly publishNotReadyAddresses?: boolean;
  readonly trafficDistribution?: string;
  readonly externalName?: string;
  /** Extra IPs that nodes accept traffic for (NodePort-like, on the Service's `port`). */
  readonly externalIPs?: readonly string[];
  /** LoadBalancer only: allocate NodePorts (default true). */
  readonly allocateLoadBalancerNodePorts?: boolean;
  /** LoadBalancer with externalTrafficPolicy Local: the port kube-proxy answers health checks on (allocated when absent). */
  readonly healthCheckNodePort?: number;
}

/**
 * `status` of a Service: the load balancer's ingress points, once provisioned.
 *
 * @example
 * ```ts
 * const status: ServiceStatus | undefined = sim.store.get("Service", "default", "web")?.status;
 * status?.loadBalancer?.ingress?.[0]?.ip; // the LoadBalancer's address, once provisioned
 * ```
 */
export interface ServiceStatus {
  readonly loadBalancer?: { readonly ingress?: readonly { readonly ip?: string; readonly hostname?: string }[] };
}

/**
 * A Service (v1).
 *
 * @example
 * ```ts
 * const service: Service = {
 *   apiVersion: "v1",
 *   kind: "Service",
 *   metadata: { name: "api" },
 *   spec: { selector: { app: "api" }, sessionAffinity: "ClientIP", ports: [{ name: "http", port: 80, targetPort: 8080 }] },
 * };
 * ```
 */
export interface Service {
  readonly apiVersion: "v1";
  readonly kind: "Service";
  readonly metadata: ObjectMeta;
  readonly spec: ServiceSpec;
  /** Written by the load-balancer implementation (see the scenario's `loadBalancer` option). */
  readonly status?: ServiceStatus;
}

/**
 * `endpoints[].conditions` of an EndpointSlice. A nil condition has upstream-defined meaning.
 *
 * @example
 * ```ts
 * // a pod being deleted that still answers (preStop sleep): not ready, but serving and terminating
 * const conditions: EndpointConditions = { ready: false, serving: true, terminating: true };
 * ```
 */
export interface EndpointConditions {
  readonly ready?: boolean;
  readonly serving?: boolean;
  readonly terminating?: boolean;
}

/**
 * `endpoints[]` of an EndpointSlice.
 *
 * @example
 * ```ts
 * const endpoint: Endpoint = {
 *   addresses: ["10.244.1.5"],
 *   conditions: { ready: true, serving: true, terminating: false },
 *   nodeName: "node-1",
 *   zone: "zone-a",
 *   targetRef: { kind: "Pod", name: "api-7c9f9d5b6f-x2kq4", namespace: "default" },
 * };
 * ```
 */
export interface Endpoint {
  readonly addresses: readonly string[];
  readonly conditions?: EndpointConditions;
  readonly hostname?: string;
  readonly nodeName?: string;
  readonly zone?: string;
  readonly targetRef?: { readonly kind: string; readonly name: string; readonly namespace?: string; readonly uid?: string };
  readonly hints?: {
    readonly forZones?: readonly { readonly name: string }[];
    readonly forNodes?: readonly { readonly name: string }[];
  };
}

/**
 * `ports[]` of an EndpointSlice.
 *
 * @example
 * ```ts
 * const port: EndpointPort = { name: "http", protocol: "TCP", port: 8080 }; // the resolved targetPort
 * ```
 */
export interface EndpointPort {
  readonly name?: string;
  readonly protocol?: Protocol;
  readonly port?: number;
}

/**
 * An EndpointSlice (discovery.k8s.io/v1).
 *
 * @example
 * ```ts
 * for (const s of sim.store.list("EndpointSlice")) {
 *   for (const e of s.endpoints) console.log(s.metadata.name, e.addresses[0], e.conditions?.ready, e.nodeName);
 * }
 * ```
 */
export interface EndpointSlice {
  readonly apiVersion: "discovery.k8s.io/v1";
  readonly kind: "EndpointSlice";
  readonly metadata: ObjectMeta;
  readonly addressType: "IPv4" | "IPv6" | "FQDN";
  readonly endpoints: readonly Endpoint[];
  readonly ports?: readonly EndpointPort[];
}

/**
 * Any object kube-netsim's store holds.
 *
 * @example
 * ```ts
 * const objects: KubeObject[] = [deployment, service]; // e.g. what sim.apply() takes
 * ```
 */
export type KubeObject = Pod | Node | Deployment | ReplicaSet | Service | EndpointSlice;

/**
 * The `kind` of a {@link KubeObject}.
 *
 * @example
 * ```ts
 * const kind: Kind = "EndpointSlice";
 * store.count(kind);
 * ```
 */
export type Kind = KubeObject["kind"];

/**
 * Maps a kind name to its object type.
 *
 * @example
 * ```ts
 * function names<K extends Kind>(store: ObjectStore, kind: K): string[] {
 *   return store.list(kind).map((o: KindMap[K]) => o.metadata.name);
 * }
 * ```
 */
export interface KindMap {
  readonly Pod: Pod;
  readonly Node: Node;
  readonly Deployment: Deployment;
  readonly ReplicaSet: ReplicaSet;
  readonly Service: Service;
  readonly EndpointSlice: EndpointSlice;
}

/**
 * Well-known label: the zone of a Node (`topology.kubernetes.io/zone`).
 *
 * @example
 * ```ts
 * sim.store.list("Node").map((n) => n.metadata.labels?.[LABEL_ZONE]); // ["zone-a", "zone-b", "zone-c"]
 * ```
 */
export const LABEL_ZONE = "topology.kubernetes.io/zone";
/**
 * Well-known label on EndpointSlices naming their Service (`kubernetes.io/service-name`).
 *
 * @example
 * ```ts
 * sim.store.list("EndpointSlice").filter((s) => s.metadata.labels?.[LABEL_SERVICE_NAME] === "api");
 * ```
 */
export const LABEL_SERVICE_NAME = "kubernetes.io/service-name";
/**
 * Well-known label on EndpointSlices naming their manager.
 *
 * @example
 * ```ts
 * const managed = sim.store.list("EndpointSlice").filter((s) => s.metadata.labels?.[LABEL_MANAGED_BY] === ENDPOINTSLICE_CONTROLLER_NAME);
 * ```
 */
export const LABEL_MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
/**
 * Value of {@link LABEL_MANAGED_BY} for slices written by the EndpointSlice controller.
 *
 * @example
 * ```ts
 * // slices of a Service with a selector: written by the EndpointSlice controller
 * slice.metadata.labels?.[LABEL_MANAGED_BY]; // "endpointslice-controller.k8s.io"
 * ```
 */
export const ENDPOINTSLICE_CONTROLLER_NAME = "endpointslice-controller.k8s.io";
/**
 * Taint key of a node whose Ready condition is Unknown (pkg/apis/core/well_known_taints.go TaintNodeUnreachable).
 *
 * @example
 * ```ts
 * sim.failNode("node-1");
 * sim.runFor(120_000); // past the node monitor grace period (50 s) and the next tainting pass
 * sim.store.get("Node", undefined, "node-1")?.spec?.taints?.some((t) => t.key === TAINT_NODE_UNREACHABLE); // true
 * ```
 */
export const TAINT_NODE_UNREACHABLE = "node.kubernetes.io/unreachable";
/**
 * Taint key of a node whose Ready condition is False (TaintNodeNotReady).
 *
 * @example
 * ```ts
 * const tolerate: Toleration = { key: TAINT_NODE_NOT_READY, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 };
 * ```
 */
export const TAINT_NODE_NOT_READY = "node.kubernetes.io/not-ready";
/**
 * Label the ReplicaSet controller puts on pods (hash of the pod template).
 *
 * @example
 * ```ts
 * sim.pods({ app: "api" }).map((p) => p.metadata.labels?.[LABEL_POD_TEMPLATE_HASH]); // one hash per ReplicaSet, e.g. "5799f7f8c7"
 * ```
 */
export const LABEL_POD_TEMPLATE_HASH = "pod-template-hash";
