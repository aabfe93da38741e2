import type { EventHandler, HandlerId, Scheduler, SimTime } from "@kube-netsim/core";
import { produce } from "immer";
import type { Draft } from "immer";
import { ClusterIPAllocator } from "./cluster-ip-allocator.js";
import { DEFAULT_NODE_PORT_RANGE, NodePortAllocator } from "./node-port-allocator.js";
import { allocateServiceNodePorts, releaseServiceNodePorts } from "./service-node-ports.js";
import type { IntSource } from "./cluster-ip-allocator.js";
import type { Kind, KindMap, KubeObject, ObjectMeta, Pod, Service, Toleration } from "./types.js";
import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE } from "./types.js";
import { ValidationError, isDNS1123Subdomain, validateObject } from "./validation.js";
import { fieldInvalid } from "./field-error.js";

/**
 * Type of a watch event, as the API server names them.
 *
 * @example
 * ```ts
 * const type: WatchEventType = "DELETED";
 * store.watch("Pod", (e) => {
 *   if (e.type === type) console.log("gone:", e.object.metadata.name);
 * });
 * ```
 */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

/**
 * One event delivered to a watcher.
 *
 * @example
 * ```ts
 * store.watch("Service", (e: WatchEvent<"Service">) => {
 *   // MODIFIED: compare with the previous version
 *   const before = JSON.stringify(e.oldObject?.spec.selector);
 *   if (e.type === "MODIFIED" && before !== JSON.stringify(e.object.spec.selector)) console.log("selector changed");
 * });
 * ```
 */
export interface WatchEvent<K extends Kind = Kind> {
  readonly type: WatchEventType;
  /** The object after the change (for DELETED: its last state). */
  readonly object: KindMap[K];
  /** The object before the change (MODIFIED and DELETED only). */
  readonly oldObject?: KindMap[K];
}

/**
 * Receives watch events. Called on the virtual clock, after the watch's delay.
 *
 * @example
 * ```ts
 * const log: WatchListener<"Pod"> = (e) => console.log(store.now, e.type, e.object.metadata.name);
 * store.watch("Pod", log, { delay: 5 }); // "5 ADDED p" for a pod created at 0
 * ```
 */
export type WatchListener<K extends Kind = Kind> = (event: WatchEvent<K>) => void;

/**
 * Options of {@link ObjectStore.watch}.
 *
 * @example
 * ```ts
 * const options: WatchOptions = { delay: 5, initialList: true, name: "kube-proxy/node-1" };
 * store.watch("EndpointSlice", (e) => console.log(e.type, e.object.metadata.name), options);
 * ```
 */
export interface WatchOptions {
  /**
   * Delay (ms) between the write and its delivery to this watcher: a number, or a
   * function drawing one per event (e.g. from a seeded distribution). Default 0.
   * Delivery keeps the order of writes, as a real watch does: an event is never
   * delivered before the one written before it.
   */
  readonly delay?: number | (() => number);
  /** Deliver ADDED events for objects that exist when the watch starts (like a list+watch). Default true. */
  readonly initialList?: boolean;
  /** A name for the watcher, shown in traces and errors. */
  readonly name?: string;
}

/**
 * A running watch; call {@link Watch.stop} to end it.
 *
 * @example
 * ```ts
 * const w: Watch = store.watch("Pod", (e) => console.log(e.type));
 * w.stop(); // events not yet delivered are dropped
 * ```
 */
export interface Watch {
  /** Stops delivery; events already written but not yet delivered are dropped. */
  stop(): void;
}

/**
 * Options of an {@link ObjectStore}.
 *
 * @example
 * ```ts
 * const options: ObjectStoreOptions = {
 *   serviceCIDR: "10.96.0.0/12",
 *   serviceNodePortRange: "30000-32767",
 *   random: rng.stream("apiserver"),
 *   defaultTolerationSeconds: 300, // like kube-apiserver's DefaultTolerationSeconds admission plugin
 * };
 * const store = new ObjectStore(scheduler, options);
 * ```
 */
export interface ObjectStoreOptions {
  /** Service CIDR for ClusterIP allocation. Default `10.96.0.0/12` (kubeadm's default). */
  readonly serviceCIDR?: string;
  /** kube-apiserver `--service-node-port-range`. Default `30000-32767`. */
  readonly serviceNodePortRange?: string;
  /** Random source for generated names and dynamic ClusterIPs. */
  readonly random: IntSource;
  /**
   * The DefaultTolerationSeconds admission plugin (on by default in kube-apiserver,
   * plugin/pkg/admission/defaulttolerationseconds): every pod created without a toleration
   * for `node.kubernetes.io/not-ready:NoExecute` (or `unreachable`) gets one with this many
   * `tolerationSeconds` (`--default-not-ready-toleration-seconds` and
   * `--default-unreachable-toleration-seconds`, both 300 upstream). Default: plugin off.
   */
  readonly defaultTolerationSeconds?: number;
}

/**
 * Error thrown for a write the API server would refuse for reasons other than validation.
 *
 * @example
 * ```ts
 * try {
 *   store.create(pod);
 *   store.create(pod);
 * } catch (e) {
 *   if (e instanceof StoreError) console.log(e.reason, e.message); // AlreadyExists Pod "p" already exists
 * }
 * ```
 */
export class StoreError extends Error {
  /** Like the API server's status reason: AlreadyExists, NotFound, Conflict, Invalid. */
  readonly reason: "AlreadyExists" | "NotFound" | "Conflict" | "Invalid";
  constructor(reason: "AlreadyExists" | "NotFound" | "Conflict" | "Invalid", message: string) {
    super(message);
    this.name = "StoreError";
    this.reason = reason;
  }
}

const CLUSTER_SCOPED: ReadonlySet<Kind> = new Set<Kind>(["Node"]);
// Characters used by apiserver for generateName suffixes (k8s.io/apimachinery/pkg/util/rand: no vowels, no confusable digits).
const NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

interface Watcher {
  readonly kind: Kind;
  readonly listener: WatchListener<Kind>;
  readonly delay: number | (() => number);
  readonly queue: WatchEvent[];
  /** Delivery time of each queued event. */
  readonly times: number[];
  head: number;
  /** Time of this watcher's pending delivery event, or -1 when none is scheduled. */
  armedAt: number;
  lastDelivery: SimTime;
  stopped: boolean;
}

/**
 * An update that leaves `spec.clusterIP` unset keeps the allocated address (the API server's
 * patchAllocatedValues, pkg/registry/core/service/storage/storage.go); changing it is refused
 * (ValidateServiceUpdate: the field may not change once set).
 */
function keepClusterIP(next: Service, old: Service): Service {
  const oldIP = old.spec.clusterIP;
  const newIP = next.spec.clusterIP;
  if (oldIP === undefined || next.spec.type === "ExternalName" || old.spec.type === "ExternalName") return next;
  if (newIP === undefined || newIP === "") {
    return { ...next, spec: { ...next.spec, clusterIP: oldIP, clusterIPs: old.spec.clusterIPs ?? [oldIP] } };
  }
  if (newIP !== oldIP) {
    throw new ValidationError("Service", next.metadata.name, [
      fieldInvalid("spec.clusterIPs[0]", newIP, "may not change once set"),
    ]);
  }
  return next;
}

/**
 * Whether every part of an object that validation reads is the same (by identity) as in
 * the stored, already validated, object: only `status` and bookkeeping metadata
 * (resourceVersion, timestamps) changed. Then validating again cannot find anything new,
 * so status updates skip it (upstream validates them with the much smaller
 * ValidatePodStatusUpdate; we do not validate status fields).
 */
function validatedPartsUnchanged(old: KubeObject, next: KubeObject): boolean {
  const a = old as unknown as Record<string, unknown>;
  const b = next as unknown as Record<string, unknown>;
  for (const k in b) if (k !== "status" && k !== "metadata" && b[k] !== a[k]) return false;
  for (const k in a) if (k !== "status" && k !== "metadata" && !(k in b)) return false;
  const m = old.metadata;
  const n = next.metadata;
  return (
    m.name === n.name &&
    m.namespace === n.namespace &&
    m.generateName === n.generateName &&
    m.labels === n.labels &&
    m.annotations === n.annotations &&
    m.ownerReferences === n.ownerReferences
  );
}

/**
 * Freezes an object and everything under it, stopping at parts that are already frozen
 * (shared, unchanged subtrees of an earlier version), so a write costs what it changed.
 */
function deepFreeze(o: unknown): void {
  if (o === null || typeof o !== "object" || Object.isFrozen(o)) return;
  Object.freeze(o);
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) deepFreeze(o[i]);
  } else {
    const r = o as Record<string, unknown>;
    for (const k in r) deepFreeze(r[k]);
  }
}

const labelTerm = (key: string, value: string): string => `l\u0000${key}\u0000${value}`;
const ownerTerm = (uid: string): string => `o\u0000${uid}`;
const selectorTerm = (key: string, value: string): string => `s\u0000${key}\u0000${value}`;

/** The objects that carry one index term, by key, in the order they got it. */
interface Posting {
  readonly term: string;
  readonly objects: Map<string, KubeObject>;
  /** Highest creation sequence number added so far. */
  maxSequence: number;
  /** False once an object was added after a later-created one: lookups then sort. */
  ordered: boolean;
}

/** Whether two versions of an object have the same index terms (labels, owners, Service selector), by identity first. */
function sameIndexTerms(a: KubeObject, b: KubeObject): boolean {
  if (a.metadata.labels !== b.metadata.labels && JSON.stringify(a.metadata.labels ?? {}) !== JSON.stringify(b.metadata.labels ?? {})) return false;
  if (a.metadata.ownerReferences !== b.metadata.ownerReferences && JSON.stringify((a.metadata.ownerReferences ?? []).map((o) => o.uid)) !== JSON.stringify((b.metadata.ownerReferences ?? []).map((o) => o.uid))) return false;
  if (a.kind === "Service" && b.kind === "Service" && a.spec.selector !== b.spec.selector && JSON.stringify(a.spec.selector ?? {}) !== JSON.stringify(b.spec.selector ?? {})) return false;
  return true;
}

/**
 * Key of a namespaced object: `namespace/name` (cluster-scoped: `name`).
 *
 * @example
 * ```ts
 * objectKey({ namespace: "default", name: "api" }); // "default/api"
 * objectKey({ name: "node-1" });                     // "node-1"
 * ```
 */
export function objectKey(meta: Pick<ObjectMeta, "namespace" | "name">): string {
  return meta.namespace === undefined ? meta.name : `${meta.namespace}/${meta.name}`;
}

/**
 * The API server: an in-memory object store with validation, resourceVersions and
 * watches delivered on the virtual clock.
 *
 * @remarks
 * **Details.** Every write is validated first ({@link validateObject}); a refused
 * write changes nothing and throws a {@link ValidationError} listing every field
 * error. Stored objects are frozen (immer), so readers can keep references safely;
 * change them with {@link ObjectStore.mutate}, which takes an immer recipe.
 * `resourceVersion` is a global counter, `uid` is derived from a counter too, so a
 * seed fixes both. Lists are in creation order, which is deterministic.
 *
 * Services get a ClusterIP from {@link ClusterIPAllocator} unless they ask for one
 * (or are headless, `clusterIP: None`).
 *
 * **Gotchas.** Watchers see writes only after their delay, in write order; reading
 * the store directly ({@link ObjectStore.get}) always sees the latest state, like a
 * client reading the API server rather than its informer cache.
 *
 * @example
 * ```ts
 * const store = new ObjectStore(scheduler, { random: rng.stream("apiserver") });
 * store.watch("Pod", (e) => console.log(e.type, e.object.metadata.name), { delay: 5 });
 * store.create({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c" }] } });
 * ```
 */
export class ObjectStore implements EventHandler {
  private readonly objects = new Map<Kind, Map<string, KubeObject>>();
  /**
   * Indexes (like client-go's informer Indexers, e.g. the controllerUIDIndex of
   * pkg/controller/controller_utils.go AddPodControllerUIDIndexer): per kind, an index term
   * (a label `key=value`, an owner UID, a Service selector entry) to the keys of the
   * objects that carry it, so controllers look up what concerns them instead of scanning.
   */
  private readonly postings = new Map<Kind, Map<string, Posting>>();
  /** Per kind, the postings each object key is in (to refresh or remove it without rebuilding terms). */
  private readonly postingsOfObject = new Map<Kind, Map<string, Posting[]>>();
  /** Per kind, each object key's creation sequence number: lookups return creation order, as {@link ObjectStore.list} does. */
  private readonly sequence = new Map<Kind, Map<string, number>>();
  private sequenceCounter = 0;
  private readonly watchers: Watcher[] = [];
  private readonly handlerId: HandlerId;
  private revision = 0;
  private readonly kindRevisions = new Map<Kind, number>();
  private uidCounter = 0;
  /** The ClusterIP allocator of this API server. */
  readonly clusterIPs: ClusterIPAllocator;
  /** The NodePort allocator of this API server (NodePorts and healthCheckNodePorts). */
  readonly nodePorts: NodePortAllocator;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly options: ObjectStoreOptions,
  ) {
    this.handlerId = scheduler.register(this);
    this.clusterIPs = new ClusterIPAllocator(options.serviceCIDR ?? "10.96.0.0/12", options.random);
    // The first address belongs to the `kubernetes` Service (created by kube-apiserver at start).
    this.clusterIPs.allocateStatic(this.clusterIPs.kubernetesServiceIP);
    this.nodePorts = new NodePortAllocator(options.serviceNodePortRange ?? DEFAULT_NODE_PORT_RANGE, options.random);
  }

  /** The API server's clock: the simulation's current time (ms). */
  get now(): SimTime {
    return this.scheduler.now;
  }

  /** The latest resourceVersion written (as a number). */
  get resourceVersion(): number {
    return this.revision;
  }

  /**
   * How many writes (creates, updates, deletes) objects of `kind` have had: a cheap way for
   * a reader to know that nothing of that kind changed since it last looked (a cache of
   * {@link ObjectStore.list} need not be rebuilt while this is the same).
   *
   * @example
   * ```ts
   * const before = store.kindRevision("Node");
   * store.update({ ...node, spec: { unschedulable: true } });
   * store.kindRevision("Node") === before + 1; // true
   * ```
   */
  kindRevision(kind: Kind): number {
    return this.kindRevisions.get(kind) ?? 0;
  }

  private bumpKind(kind: Kind): void {
    this.kindRevisions.set(kind, (this.kindRevisions.get(kind) ?? 0) + 1);
  }

  /**
   * Watch events written but not yet delivered to their (not stopped) watchers: the
   * informers' lag in flight. 0 means every watcher has seen every write.
   */
  get pendingWatchEvents(): number {
    let n = 0;
    for (const w of this.watchers) if (!w.stopped) n += w.queue.length - w.head;
    return n;
  }

  /**
   * Returns the object or undefined. `namespace` is ignored for cluster-scoped kinds.
   *
   * @example
   * ```ts
   * store.get("Service", "default", "api")?.spec.clusterIP; // "10.98.120.98", or undefined when there is no such Service
   * ```
   */
  get<K extends Kind>(kind: K, namespace: string | undefined, name: string): KindMap[K] | undefined {
    const key = CLUSTER_SCOPED.has(kind) ? name : `${namespace ?? "default"}/${name}`;
    return this.objects.get(kind)?.get(key) as KindMap[K] | undefined;
  }

  /**
   * All objects of a kind (optionally of one namespace), in creation order.
   *
   * @example
   * ```ts
   * store.list("Pod", "default").filter((p) => p.metadata.labels?.app === "api").length;
   * store.list("Node"); // cluster-scoped: no namespace
   * ```
   */
  list<K extends Kind>(kind: K, namespace?: string): KindMap[K][] {
    const m = this.objects.get(kind);
    if (!m) return [];
    const out: KindMap[K][] = [];
    for (const o of m.values()) {
      if (namespace === undefined || o.metadata.namespace === namespace) out.push(o as KindMap[K]);
    }
    return out;
  }

  /**
   * Objects of a kind in a namespace that carry the label `key=value`, in creation order
   * (what `list(kind, namespace)` filtered on that label returns), from an index.
   *
   * @example
   * ```ts
   * store.listByLabel("Pod", "default", "app", "api"); // the pods labelled app=api
   * ```
   */
  listByLabel<K extends Kind>(kind: K, namespace: string | undefined, key: string, value: string): KindMap[K][] {
    return this.lookup(kind, namespace, labelTerm(key, value));
  }

  /**
   * Objects of a kind in a namespace with an ownerReference to `uid` (controller or not),
   * in creation order, from an index (client-go's controllerUIDIndex does this for pods).
   */
  listOwnedBy<K extends Kind>(kind: K, namespace: string | undefined, uid: string): KindMap[K][] {
    return this.lookup(kind, namespace, ownerTerm(uid));
  }

  /**
   * The Services of a namespace whose `spec.selector` shares at least one entry with one
   * of the label maps, in creation order, from an index. Every Service whose selector
   * matches a set of labels has one of those labels in its selector (an empty selector
   * selects nothing), so these are the candidates for a pod, found without a scan.
   *
   * @example
   * ```ts
   * store.listServiceCandidates("default", [{ app: "api", "pod-template-hash": "7d4b9c" }]);
   * ```
   */
  listServiceCandidates(namespace: string, labelMaps: readonly (Readonly<Record<string, string>> | undefined)[]): Service[] {
    const byTerm = this.postings.get("Service");
    if (byTerm === undefined) return [];
    const hits: Posting[] = [];
    for (const labels of labelMaps) {
      if (labels) {
        for (const k in labels) {
          const p = byTerm.get(selectorTerm(k, labels[k]));
          if (p !== undefined && !hits.includes(p)) hits.push(p);
        }
      }
    }
    if (hits.length === 0) return [];
    if (hits.length === 1) return this.fromPosting("Service", namespace, hits[0]);
    const union = new Map<string, KubeObject>();
    for (const p of hits) for (const [k, o] of p.objects) if (o.metadata.namespace === namespace) union.set(k, o);
    const seq = this.sequenceOf("Service");
    return [...union].sort((a, b) => (seq.get(a[0]) as number) - (seq.get(b[0]) as number)).map((e) => e[1] as Service);
  }

  /**
   * Number of stored objects of a kind.
   *
   * @example
   * ```ts
   * store.count("EndpointSlice"); // in every namespace
   * ```
   */
  count(kind: Kind): number {
    return this.objects.get(kind)?.size ?? 0;
  }

  /**
   * Checks an object as `create` would, without writing it.
   * @returns a ValidationError listing every problem, or undefined when valid.
   *
   * @example
   * ```ts
   * store.check({ apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { ports: [{ port: 70000 }] } })?.message;
   * // 'Service "api" is invalid: [spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive, ...]'
   * ```
   */
  check(obj: unknown): ValidationError | undefined {
    const errors = validateObject(obj);
    if (errors.length === 0) return undefined;
    const o = obj as { kind?: unknown; metadata?: { name?: unknown } };
    return new ValidationError(String(o?.kind ?? "Object"), String(o?.metadata?.name ?? ""), errors);
  }

  /**
   * Creates an object. Defaults `metadata.namespace` to `default` (namespaced kinds),
   * fills `uid`, `resourceVersion`, `creationTimestamp`, `generation`, a name from
   * `generateName`, and a Service's ClusterIP.
   * @throws ValidationError when invalid; StoreError `AlreadyExists` or `Invalid` (ClusterIP taken).
   *
   * @example
   * ```ts
   * const svc = store.create({ apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080 }] } });
   * svc.metadata.namespace;       // "default"
   * svc.metadata.resourceVersion; // "1"
   * svc.spec.clusterIP;           // allocated, e.g. "10.98.120.98"
   * Object.isFrozen(svc);         // true: write through update or mutate
   * ```
   */
  create<T extends KubeObject>(obj: T): T {
    const invalid = this.check(obj);
    if (invalid) throw invalid;
    const kind = obj.kind;
    const namespaced = !CLUSTER_SCOPED.has(kind);
    let name = obj.metadata.name;
    if (!name && obj.metadata.generateName) {
      do name = obj.metadata.generateName + this.randomSuffix();
      while (this.get(kind, obj.metadata.namespace ?? "default", name));
    }
    if (obj.kind === "Pod" && this.options.defaultTolerationSeconds !== undefined) obj = this.admitTolerations(obj) as T;
    const namespace = namespaced ? (obj.metadata.namespace ?? "default") : undefined;
    const key = namespaced ? `${namespace}/${name}` : name;
    const byKind = this.bucket(kind);
    if (byKind.has(key)) throw new StoreError("AlreadyExists", `${kind} "${name}" already exists`);
    let clusterIP: string | undefined;
    let withPorts: KubeObject = obj;
    if (obj.kind === "Service" && obj.spec.type !== "ExternalName") {
      const requested = obj.spec.clusterIP;
      const staticIP = requested !== undefined && requested !== "" && requested !== "None";
      const err = staticIP ? this.clusterIPs.checkStatic(requested) : undefined;
      if (err) throw new StoreError("Invalid", `Service "${name}" is invalid: spec.clusterIPs: Invalid value: ["${requested}"]: ${err}`);
      // NodePorts before the ClusterIP, so that a refused port leaves no address behind.
      withPorts = allocateServiceNodePorts(obj, undefined, this.nodePorts);
      if (requested === undefined || requested === "") clusterIP = this.clusterIPs.allocateNext();
      else if (staticIP) {
        this.clusterIPs.allocateStatic(requested);
        clusterIP = requested;
      }
    }
    this.revision++;
    const uid = this.nextUid();
    // Metadata is filled with plain spreads (the store's own write path); user changes go
    // through immer in `mutate`. Unchanged subtrees keep their identity.
    const metadata: ObjectMeta = {
      ...obj.metadata,
      name,
      ...(namespaced ? { namespace } : {}),
      uid,
      resourceVersion: String(this.revision),
      creationTimestamp: this.scheduler.now,
      generation: 1,
    };
    let created = { ...withPorts, metadata } as KubeObject;
    if (created.kind === "Service" && clusterIP !== undefined) {
      created = { ...created, spec: { ...created.spec, clusterIP, clusterIPs: [clusterIP] } };
    }
    deepFreeze(created);
    byKind.set(key, created);
    this.bumpKind(kind);
    this.sequenceOf(kind).set(key, ++this.sequenceCounter);
    this.index(kind, key, created, "add");
    this.notify(kind, { type: "ADDED", object: created });
    return created as T;
  }

  /**
   * Replaces an existing object. When the caller's object carries a
   * `resourceVersion`, it must match the stored one (optimistic concurrency).
   * `generation` is incremented when `spec` changed.
   * @throws ValidationError, StoreError `NotFound` or `Conflict`.
   *
   * @example
   * ```ts
   * const svc = store.get("Service", "default", "api")!;
   * store.update({ ...svc, metadata: { ...svc.metadata, labels: { tier: "web" } } }); // resourceVersion must match (else Conflict)
   * ```
   */
  update<T extends KubeObject>(obj: T): T {
    const old = this.get(obj.kind, obj.metadata.namespace, obj.metadata.name);
    if (!old) throw new StoreError("NotFound", `${obj.kind} "${obj.metadata.name}" not found`);
    const rv = obj.metadata.resourceVersion;
    if (rv !== undefined && rv !== old.metadata.resourceVersion) {
      throw new StoreError(
        "Conflict",
        `Operation cannot be fulfilled on ${obj.kind} "${obj.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const next = obj.kind === "Service" && old.kind === "Service" ? (keepClusterIP(obj, old) as T) : obj;
    const invalid = validatedPartsUnchanged(old, next) ? undefined : this.check(next);
    if (invalid) throw invalid;
    if (next.kind === "Service" && old.kind === "Service" && next.spec !== old.spec) {
      return this.write(old as T, allocateServiceNodePorts(next, old, this.nodePorts) as T);
    }
    return this.write(old as T, next);
  }

  /**
   * Changes an object with an immer recipe and writes it back (a read-modify-write
   * that cannot conflict, since the simulation is single-threaded).
   * @returns the new object, or undefined when the object does not exist.
   * @throws ValidationError when the result is invalid (nothing is written).
   *
   * @example
   * ```ts
   * store.mutate("Deployment", "default", "api", (d) => {
   *   d.spec.replicas = 5; // a draft: change it in place
   * });
   * ```
   */
  mutate<K extends Kind>(kind: K, namespace: string | undefined, name: string, recipe: (draft: Draft<KindMap[K]>) => void): KindMap[K] | undefined {
    const old = this.get(kind, namespace, name);
    if (!old) return undefined;
    const next = produce(old, recipe as (d: Draft<KindMap[K]>) => void) as KindMap[K];
    if (next === old) return old;
    const invalid = validatedPartsUnchanged(old, next) ? undefined : this.check(next);
    if (invalid) throw invalid;
    return this.write(old, next);
  }

  /**
   * The `pods/binding` subresource: assigns a pod to a node, as the scheduler does. Like
   * upstream (pkg/registry/core/pod/storage/storage.go BindingREST, assignPod), it sets
   * `spec.nodeName` and the `PodScheduled` condition, refuses a pod that is already
   * bound or being deleted, and validates only the binding (the node name).
   * @returns the bound pod.
   * @throws StoreError `NotFound`, `Conflict` (already bound or terminating), ValidationError (bad node name).
   *
   * @example
   * ```ts
   * store.bindPod("default", "api-7c9f9d5b6f-abcde", "node-1").spec.nodeName; // "node-1"
   * ```
   */
  bindPod(namespace: string | undefined, name: string, nodeName: string): Pod {
    const pod = this.get("Pod", namespace, name);
    if (!pod) throw new StoreError("NotFound", `pods "${name}" not found`);
    if (!isDNS1123Subdomain(nodeName)) {
      throw new ValidationError("Binding", name, [fieldInvalid("target.name", nodeName, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")]);
    }
    if (pod.metadata.deletionTimestamp !== undefined) throw new StoreError("Conflict", `pod ${name} is being deleted, cannot be assigned to a host`);
    if (pod.spec.nodeName) throw new StoreError("Conflict", `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
    const now = this.scheduler.now;
    const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== "PodScheduled");
    conditions.push({ type: "PodScheduled", status: "True", lastTransitionTime: now });
    return this.write(pod, { ...pod, spec: { ...pod.spec, nodeName }, status: { ...pod.status, conditions } }, false);
  }

  /**
   * Deletes an object at once (no grace period; graceful Pod deletion is the
   * kubelet's business: it sets `deletionTimestamp` with {@link ObjectStore.mutate}
   * and deletes when the containers have stopped).
   * @returns the deleted object, or undefined when it did not exist.
   *
   * @example
   * ```ts
   * store.delete("Service", "default", "api"); // the deleted object, or undefined; watchers get DELETED
   * ```
   */
  delete<K extends Kind>(kind: K, namespace: string | undefined, name: string): KindMap[K] | undefined {
    const old = this.get(kind, namespace, name);
    if (!old) return undefined;
    const key = objectKey(old.metadata);
    this.bucket(kind).delete(key);
    this.bumpKind(kind);
    this.index(kind, key, old, "remove");
    this.sequenceOf(kind).delete(key);
    if (old.kind === "Service" && old.spec.clusterIP && old.spec.clusterIP !== "None") this.clusterIPs.release(old.spec.clusterIP);
    if (old.kind === "Service") releaseServiceNodePorts(old, this.nodePorts);
    this.revision++;
    this.notify(kind, { type: "DELETED", object: old, oldObject: old });
    return old;
  }

  /**
   * Watches a kind. Events are delivered on the virtual clock after `options.delay`,
   * in write order. With `initialList` (default), existing objects are delivered as
   * ADDED first.
   *
   * @example
   * ```ts
   * const w = store.watch("Service", (e) => console.log(e.type, e.object.metadata.name), { delay: 5 });
   * // ADDED for each existing Service (initialList), then every write 5 ms after it happens
   * w.stop();
   * ```
   */
  watch<K extends Kind>(kind: K, listener: WatchListener<K>, options: WatchOptions = {}): Watch {
    const w: Watcher = {
      kind,
      listener: listener as unknown as WatchListener<Kind>,
      delay: options.delay ?? 0,
      queue: [],
      times: [],
      head: 0,
      armedAt: -1,
      lastDelivery: this.scheduler.now,
      stopped: false,
    };
    const index = this.watchers.length;
    this.watchers.push(w);
    if (options.initialList !== false) {
      for (const o of this.list(kind)) this.enqueue(w, index, { type: "ADDED", object: o });
    }
    return {
      stop: (): void => {
        w.stopped = true;
        w.queue.length = 0;
        w.times.length = 0;
        w.head = 0;
      },
    };
  }

  /** @internal Delivers the next queued event of watcher `arg`. */
  handleEvent(arg: number): void {
    const w = this.watchers[arg];
    if (w.stopped) return;
    // One event delivers everything due for this watcher, in write order (events its
    // listener writes with no delay included); then it re-arms for the next due time.
    const now = this.scheduler.now;
    w.armedAt = now;
    while (w.head < w.queue.length && w.times[w.head] <= now && !w.stopped) {
      const ev = w.queue[w.head];
      w.head++;
      w.listener(ev);
    }
    if (w.head === w.queue.length) {
      w.queue.length = 0;
      w.times.length = 0;
      w.head = 0;
      w.armedAt = -1;
    } else if (!w.stopped) {
      if (w.head > 1024 && w.head * 2 > w.queue.length) {
        // Drop delivered entries so a watcher that never drains does not grow without bound.
        w.queue.splice(0, w.head);
        w.times.splice(0, w.head);
        w.head = 0;
      }
      w.armedAt = w.times[w.head];
      this.scheduler.scheduleAt(w.armedAt, this.handlerId, arg);
    }
  }

  private write<T extends KubeObject>(old: T, obj: T, countSpecChange: boolean = true): T {
    this.revision++;
    const oldSpec = (old as { spec?: unknown }).spec;
    const newSpec = (obj as { spec?: unknown }).spec;
    // immer keeps the identity of an unchanged spec, so the deep comparison is rarely needed.
    const specChanged = countSpecChange && oldSpec !== newSpec && JSON.stringify(oldSpec) !== JSON.stringify(newSpec);
    const metadata: ObjectMeta = {
      ...obj.metadata,
      uid: old.metadata.uid,
      namespace: old.metadata.namespace,
      creationTimestamp: old.metadata.creationTimestamp,
      resourceVersion: String(this.revision),
      generation: (old.metadata.generation ?? 1) + (specChanged ? 1 : 0),
    };
    const next = { ...obj, metadata } as T;
    deepFreeze(next);
    const key = objectKey(old.metadata);
    this.bucket(obj.kind).set(key, next);
    this.bumpKind(obj.kind);
    if (sameIndexTerms(old, next)) this.index(obj.kind, key, next, "refresh");
    else {
      this.index(obj.kind, key, old, "remove");
      this.index(obj.kind, key, next, "add");
    }
    this.notify(obj.kind, { type: "MODIFIED", object: next, oldObject: old });
    return next as T;
  }

  private notify(kind: Kind, ev: WatchEvent): void {
    for (let i = 0; i < this.watchers.length; i++) {
      const w = this.watchers[i];
      if (w.kind === kind && !w.stopped) this.enqueue(w, i, ev);
    }
  }

  private enqueue(w: Watcher, index: number, ev: WatchEvent): void {
    const d = typeof w.delay === "number" ? w.delay : w.delay();
    if (!(d >= 0) || d === Infinity) throw new RangeError(`watch delay must be a finite number >= 0, got ${d}`);
    // Watches deliver in write order: never before the previous event of this watcher.
    const at = Math.max(this.scheduler.now + d, w.lastDelivery);
    w.lastDelivery = at;
    w.queue.push(ev);
    w.times.push(at);
    // Batched delivery: a watcher has at most one pending event in the scheduler.
    if (w.armedAt < 0) {
      w.armedAt = at;
      this.scheduler.scheduleAt(at, this.handlerId, index);
    }
  }

  private lookup<K extends Kind>(kind: K, namespace: string | undefined, term: string): KindMap[K][] {
    const p = this.postings.get(kind)?.get(term);
    return p === undefined ? [] : this.fromPosting(kind, namespace, p);
  }

  private fromPosting<K extends Kind>(kind: K, namespace: string | undefined, p: Posting): KindMap[K][] {
    const found: KubeObject[] = [];
    for (const o of p.objects.values()) if (namespace === undefined || o.metadata.namespace === namespace) found.push(o);
    // A posting's objects are in the order they got the term: creation order, unless one
    // gained it (a label, an owner) after a later-created object had it.
    if (!p.ordered && found.length > 1) {
      const seq = this.sequenceOf(kind);
      found.sort((a, b) => (seq.get(objectKey(a.metadata)) as number) - (seq.get(objectKey(b.metadata)) as number));
    }
    return found as KindMap[K][];
  }

  private sequenceOf(kind: Kind): Map<string, number> {
    let m = this.sequence.get(kind);
    if (!m) {
      m = new Map();
      this.sequence.set(kind, m);
    }
    return m;
  }

  /** Adds (`add`), removes (`remove`) or, terms unchanged, replaces (`refresh`) an object in its postings. */
  private index(kind: Kind, key: string, obj: KubeObject, how: "add" | "remove" | "refresh"): void {
    let mine = this.postingsOfObject.get(kind);
    if (!mine) {
      mine = new Map();
      this.postingsOfObject.set(kind, mine);
    }
    if (how !== "add") {
      const list = mine.get(key);
      if (list === undefined) return;
      if (how === "refresh") {
        for (let i = 0; i < list.length; i++) list[i].objects.set(key, obj);
        return;
      }
      const byTerm = this.postings.get(kind) as Map<string, Posting>;
      for (let i = 0; i < list.length; i++) {
        const p = list[i];
        p.objects.delete(key);
        if (p.objects.size === 0) byTerm.delete(p.term);
      }
      mine.delete(key);
      return;
    }
    let byTerm = this.postings.get(kind);
    if (!byTerm) {
      byTerm = new Map();
      this.postings.set(kind, byTerm);
    }
    const seq = this.sequenceOf(kind).get(key) as number;
    const list: Posting[] = [];
    const labels = obj.metadata.labels;
    if (labels) for (const k in labels) this.post(byTerm, labelTerm(k, labels[k]), key, obj, seq, list);
    const owners = obj.metadata.ownerReferences;
    if (owners) for (const o of owners) this.post(byTerm, ownerTerm(o.uid), key, obj, seq, list);
    if (obj.kind === "Service" && obj.spec.selector) {
      const sel = obj.spec.selector;
      for (const k in sel) this.post(byTerm, selectorTerm(k, sel[k]), key, obj, seq, list);
    }
    if (list.length > 0) mine.set(key, list);
  }

  private post(byTerm: Map<string, Posting>, term: string, key: string, obj: KubeObject, seq: number, list: Posting[]): void {
    let p = byTerm.get(term);
    if (p === undefined) byTerm.set(term, (p = { term, objects: new Map(), maxSequence: 0, ordered: true }));
    if (p.objects.has(key)) return; // a term twice (two ownerReferences to one UID)
    if (seq < p.maxSequence) p.ordered = false;
    else p.maxSequence = seq;
    p.objects.set(key, obj);
    list.push(p);
  }

  private bucket(kind: Kind): Map<string, KubeObject> {
    let m = this.objects.get(kind);
    if (!m) {
      m = new Map();
      this.objects.set(kind, m);
    }
    return m;
  }

  // The admitted spec of each (frozen, shared) pod template spec, so replicas keep sharing one spec.
  private readonly admittedSpecs = new WeakMap<object, Pod["spec"]>();

  // plugin/pkg/admission/defaulttolerationseconds/admission.go: a toleration whose key is the
  // taint's (or empty) and whose effect is NoExecute (or empty) already covers the taint.
  private admitTolerations(pod: Pod): Pod {
    const seconds = this.options.defaultTolerationSeconds as number;
    let spec = this.admittedSpecs.get(pod.spec);
    if (spec === undefined) {
      const tolerations = pod.spec.tolerations ?? [];
      const covers = (key: string): boolean => tolerations.some((t) => (t.key === key || !t.key) && (t.effect === "NoExecute" || !t.effect));
      const added: Toleration[] = [];
      if (!covers(TAINT_NODE_NOT_READY)) added.push({ key: TAINT_NODE_NOT_READY, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds });
      if (!covers(TAINT_NODE_UNREACHABLE)) added.push({ key: TAINT_NODE_UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds });
      spec = added.length === 0 ? pod.spec : { ...pod.spec, tolerations: [...tolerations, ...added] };
      deepFreeze(spec);
      if (Object.isFrozen(pod.spec)) this.admittedSpecs.set(pod.spec, spec);
    }
    return spec === pod.spec ? pod : { ...pod, spec };
  }

  private nextUid(): string {
    const n = ++this.uidCounter;
    return `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
  }

  private randomSuffix(): string {
    let s = "";
    for (let i = 0; i < 5; i++) s += NAME_ALPHABET[this.options.random.nextInt(NAME_ALPHABET.length)];
    return s;
  }
}
