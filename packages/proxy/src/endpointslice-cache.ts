/**
 * kube-proxy's EndpointSlice cache: pending and applied slices per Service, merged into
 * one sorted endpoint list per Service port (pkg/proxy/endpointslicecache.go).
 *
 * @packageDocumentation
 */
import type { EndpointSlice, Protocol } from "@kube-netsim/model";
import { LABEL_SERVICE_NAME } from "@kube-netsim/model";
import type { ProxyEndpoint } from "./endpoint.js";
import { compareEndpointKeys, makeProxyEndpoint } from "./endpoint.js";

/**
 * A Service port as kube-proxy names it (`proxy.ServicePortName`, pkg/proxy/types.go):
 * namespace, Service name, port name (`""` for an unnamed single port) and protocol.
 *
 * @example
 * ```ts
 * const spn: ServicePortName = { namespace: "default", name: "api", port: "http", protocol: "TCP" };
 * servicePortNameKey(spn); // "default/api:http/TCP"
 * ```
 */
export interface ServicePortName {
  readonly namespace: string;
  readonly name: string;
  /** The port's `name`; `""` when the Service port is unnamed. */
  readonly port: string;
  readonly protocol: Protocol;
}

/**
 * The string key kube-netsim uses for a {@link ServicePortName}:
 * `"<namespace>/<service>:<portName>/<PROTOCOL>"`, e.g. `"default/api:http/TCP"`, and
 * `"default/api:/TCP"` for an unnamed port. The colon is always present (unlike upstream's
 * `ServicePortName.String()`, which omits `":"` for an unnamed port and has no protocol),
 * so the key parses back unambiguously ({@link parseServicePortNameKey}); namespaces,
 * Service names and port names can contain neither `/` nor `:`.
 *
 * @example
 * ```ts
 * servicePortNameKey({ namespace: "default", name: "api", port: "http", protocol: "TCP" });
 * // "default/api:http/TCP"
 * ```
 */
export function servicePortNameKey(spn: ServicePortName): string {
  return `${spn.namespace}/${spn.name}:${spn.port}/${spn.protocol}`;
}

/**
 * Parses a key made by {@link servicePortNameKey}.
 *
 * @throws RangeError when the key is not of the form `ns/svc:port/PROTOCOL`.
 *
 * @example
 * ```ts
 * parseServicePortNameKey("shop/api:http/TCP"); // { namespace: "shop", name: "api", port: "http", protocol: "TCP" }
 * parseServicePortNameKey("shop/api:/UDP");     // an unnamed port: port ""
 * parseServicePortNameKey("shop/api");          // throws RangeError
 * ```
 */
export function parseServicePortNameKey(key: string): ServicePortName {
  const slash = key.indexOf("/");
  const colon = key.indexOf(":", slash + 1);
  const lastSlash = key.lastIndexOf("/");
  const protocol = key.slice(lastSlash + 1);
  if (slash <= 0 || colon < 0 || lastSlash <= colon || (protocol !== "TCP" && protocol !== "UDP" && protocol !== "SCTP")) {
    throw new RangeError(`not a service port name key: ${JSON.stringify(key)}`);
  }
  return {
    namespace: key.slice(0, slash),
    name: key.slice(slash + 1, colon),
    port: key.slice(colon + 1, lastSlash),
    protocol,
  };
}

/**
 * kube-proxy's `EndpointsMap` for one Service: {@link servicePortNameKey} => endpoints of
 * that port, sorted by `IP:port` string. Ports without any endpoint are absent. Map
 * iteration order is sorted by key (upstream: random Go map order).
 *
 * @example
 * ```ts
 * const byPort: EndpointsByPort = cache.endpointsFor("default/api"); // cache: an EndpointSliceCache
 * byPort.get("default/api:http/TCP")?.map((e) => e.key); // ["10.0.0.1:8080", "10.0.0.2:8080"]
 * ```
 */
export type EndpointsByPort = ReadonlyMap<string, readonly ProxyEndpoint[]>;

/**
 * One Service's change produced by {@link EndpointSliceCache.checkoutChanges} (`endpointsChange`).
 *
 * @example
 * ```ts
 * const cache = new EndpointSliceCache({ nodeName: "node-a" });
 * cache.updatePending(slice, false); // slice: an EndpointSlice of Service default/api with endpoint 10.0.0.1, port http 8080
 * const change: EndpointsChange | undefined = cache.checkoutChanges().get("default/api");
 * change?.previous.size;                                              // 0
 * change?.current.get("default/api:http/TCP")?.map((e) => e.key); // ["10.0.0.1:8080"]
 * ```
 */
export interface EndpointsChange {
  /** Endpoints before the checkout (the previously applied slices). */
  readonly previous: EndpointsByPort;
  /** Endpoints after the checkout (pending slices now applied). */
  readonly current: EndpointsByPort;
}

/**
 * Options of {@link EndpointSliceCache}.
 *
 * @example
 * ```ts
 * const options: EndpointSliceCacheOptions = { nodeName: "node-a", addressType: "IPv6" }; // the IPv6 proxier of a dual-stack node
 * const cache = new EndpointSliceCache(options);
 * ```
 */
export interface EndpointSliceCacheOptions {
  /** Name of the node this kube-proxy runs on (endpoints on it are `isLocal`). */
  readonly nodeName: string;
  /**
   * Address family of this proxier (default `"IPv4"`); slices of another `addressType`
   * (including `FQDN`) are ignored without error, like
   * pkg/proxy/endpointschangetracker.go EndpointSliceUpdate.
   */
  readonly addressType?: "IPv4" | "IPv6";
  /** Feature gate PreferSameTrafficDistribution (default `true`): when off, node hints are dropped. */
  readonly preferSameTrafficDistribution?: boolean;
}

interface SliceData {
  readonly slice: EndpointSlice;
  readonly remove: boolean;
}

// One per (node, Service): kept small, as a node holds one for every Service of the cluster.
interface SliceTracker {
  /** Applied slices, sorted by name (usually one). */
  readonly applied: EndpointSlice[];
  /** Pending updates, one per slice name (a later update replaces it in place); null when none. */
  pending: SliceData[] | null;
  /** The applied endpoints (what the last checkout built). */
  endpoints: EndpointsByPort;
  /** Whether the Service is listed in the cache's `withPending`. */
  queued: boolean;
}

function pendingFor(pending: readonly SliceData[] | null, name: string): SliceData | undefined {
  if (pending === null) return undefined;
  for (let i = 0; i < pending.length; i++) if (pending[i].slice.metadata.name === name) return pending[i];
  return undefined;
}

function indexOfSlice(slices: readonly EndpointSlice[], name: string): number {
  for (let i = 0; i < slices.length; i++) if (slices[i].metadata.name === name) return i;
  return -1;
}

/** Puts `slice` in the name-sorted list, replacing the slice of the same name. */
function putSlice(slices: EndpointSlice[], slice: EndpointSlice): void {
  const name = slice.metadata.name;
  let i = 0;
  while (i < slices.length && slices[i].metadata.name < name) i++;
  if (i < slices.length && slices[i].metadata.name === name) slices[i] = slice;
  else slices.splice(i, 0, slice);
}

const EMPTY: EndpointsByPort = new Map();

// Every node's kube-proxy receives the same (frozen) slice object: its key and the two
// records of it are made once for the cluster.
interface SharedSliceData {
  readonly serviceKey: string;
  readonly added: SliceData;
  readonly removed: SliceData;
}
const sliceData = new WeakMap<EndpointSlice, SharedSliceData>();

function sharedSliceData(slice: EndpointSlice, namespace: string, serviceName: string): SharedSliceData {
  let d = sliceData.get(slice);
  if (d === undefined) {
    d = { serviceKey: `${namespace}/${serviceName}`, added: { slice, remove: false }, removed: { slice, remove: true } };
    if (Object.isFrozen(slice)) sliceData.set(slice, d);
  }
  return d;
}

/**
 * The last comparison made against each slice version: every node's kube-proxy compares
 * the same new version with the same old one, so the deep comparison runs once per pair
 * (slices in the store are frozen, so the answer cannot change).
 */
const lastComparison = new WeakMap<EndpointSlice, { readonly other: EndpointSlice; readonly equal: boolean }>();

function sameSlice(a: EndpointSlice, b: EndpointSlice): boolean {
  if (a === b) return true;
  if (!Object.isFrozen(a) || !Object.isFrozen(b)) return deepEqual(a, b);
  const hit = lastComparison.get(b);
  if (hit !== undefined && hit.other === a) return hit.equal;
  const equal = deepEqual(a, b);
  lastComparison.set(b, { other: a, equal });
  return equal;
}

/** Structural equality of plain (JSON-like) values; `undefined` members count as absent (reflect.DeepEqual on Go structs). */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!deepEqual(ra[k], rb[k])) return false;
  return true;
}

function sortedKeys<V>(m: ReadonlyMap<string, V>): string[] {
  return [...m.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

/**
 * kube-proxy's per-node cache of EndpointSlices (pkg/proxy/endpointslicecache.go
 * `EndpointSliceCache`), the reason a node lags behind the API server: updates are
 * recorded as *pending* and only become *applied* when the next sync checks them out.
 *
 * Details:
 * - Slices are grouped by the label `kubernetes.io/service-name` (and the slice's
 *   namespace) and by slice name. A slice without the label (or with an empty value), or
 *   without name/namespace, is rejected: `updatePending` returns `false` and an error is
 *   recorded in {@link EndpointSliceCache.errors} (upstream: `endpointSliceCacheKeys`).
 * - An update equal (deep) to the pending copy, or to the applied copy when nothing is
 *   pending, is not a change (`esDataChanged`). Removing a slice the cache never saw is
 *   not a change.
 * - Merge (`endpointInfoByServicePort` / `addEndpoints`): for each slice port with a port
 *   number (nil/0 skipped) a {@link ServicePortName} (namespace, service, port name,
 *   protocol) is formed; endpoints of all slices of the Service are merged by `IP:port`;
 *   only `addresses[0]` is used; a duplicate `IP:port` keeps the first copy seen unless a
 *   later copy is non-terminating, which overwrites it. Upstream walks the slices in Go map
 *   order (random); we walk them in slice-name order so that a seed fixes the result
 *   (STYLE: "sort where upstream's order is random").
 * - Port names: upstream skips a port whose `name` is nil, but the API server defaults a
 *   nil name to `""` and a nil protocol to `TCP` (pkg/apis/discovery/v1/defaults.go
 *   SetDefaults_EndpointPort), so kube-proxy never sees nil. Our objects may omit these
 *   fields, so an absent name is read as `""` and an absent protocol as `TCP`.
 * - Each port's list is sorted by the string `IP:port` (`byEndpoint`), so
 *   `"10.0.0.10:80"` precedes `"10.0.0.9:80"`; this is the data planes' rule order.
 * - Every {@link ProxyEndpoint} is computed once per checkout, so data planes never
 *   re-read slices.
 *
 * @example
 * ```ts
 * const cache = new EndpointSliceCache({ nodeName: "node-a" });
 * cache.updatePending(slice, false);          // true: pending
 * cache.endpointsFor("default/api").size;     // 0: not applied yet
 * const changes = cache.checkoutChanges();    // Map { "default/api" => { previous, current } }
 * cache.endpointsFor("default/api").get("default/api:http/TCP");
 * ```
 */
export class EndpointSliceCache {
  private readonly nodeName: string;
  private readonly addressType: "IPv4" | "IPv6";
  private readonly preferSameTrafficDistribution: boolean;
  private readonly trackers = new Map<string, SliceTracker>();
  /** Services with pending slice changes: checkoutChanges visits these, not every tracker. */
  private readonly withPending: string[] = [];
  private readonly errorLog: string[] = [];

  /** Creates the cache of the kube-proxy running on `options.nodeName`. */
  constructor(options: EndpointSliceCacheOptions) {
    this.nodeName = options.nodeName;
    this.addressType = options.addressType ?? "IPv4";
    this.preferSameTrafficDistribution = options.preferSameTrafficDistribution ?? true;
  }

  /**
   * Records an added/updated (`remove = false`) or deleted (`remove = true`) slice as
   * pending (`updatePending`). Returns whether this is a change a sync must process.
   */
  updatePending(slice: EndpointSlice, remove: boolean): boolean {
    // pkg/proxy/endpointschangetracker.go EndpointSliceUpdate: other families ignored.
    if (slice.addressType !== this.addressType) return false;
    const serviceName = slice.metadata.labels?.[LABEL_SERVICE_NAME];
    const namespace = slice.metadata.namespace ?? "";
    if (serviceName === undefined || serviceName === "") {
      this.errorLog.push(`no ${LABEL_SERVICE_NAME} label set on endpoint slice: ${slice.metadata.name}`);
      return false;
    }
    if (namespace === "" || slice.metadata.name === "") {
      this.errorLog.push(`expected EndpointSlice name and namespace to be set: ${JSON.stringify(slice.metadata)}`);
      return false;
    }
    const shared = sharedSliceData(slice, namespace, serviceName);
    const serviceKey = shared.serviceKey;
    const sliceKey = slice.metadata.name;
    const data: SliceData = remove ? shared.removed : shared.added;
    const tracker = this.trackers.get(serviceKey);
    let changed: boolean;
    const pending = tracker === undefined ? undefined : pendingFor(tracker.pending, sliceKey);
    const i = tracker === undefined ? -1 : indexOfSlice(tracker.applied, sliceKey);
    if (pending !== undefined) changed = !(pending.remove === remove && sameSlice(pending.slice, slice));
    else if (i >= 0) changed = remove || !sameSlice((tracker as SliceTracker).applied[i], slice);
    else changed = !remove;
    if (!changed) return false;
    if (tracker === undefined) {
      this.trackers.set(serviceKey, { applied: [], pending: [data], endpoints: EMPTY, queued: true });
      this.withPending.push(serviceKey);
      return true;
    }
    if (tracker.pending === null) tracker.pending = [data];
    else {
      let i = 0;
      while (i < tracker.pending.length && tracker.pending[i].slice.metadata.name !== sliceKey) i++;
      tracker.pending[i] = data;
    }
    if (!tracker.queued) {
      tracker.queued = true;
      this.withPending.push(serviceKey);
    }
    return true;
  }

  /**
   * Moves every pending slice to applied and returns, per Service with pending slices
   * (`"namespace/name"`, sorted), the endpoints before and after (`checkoutChanges`).
   * `previous` and `current` may be equal (e.g. a slice added then removed before a sync).
   */
  checkoutChanges(): ReadonlyMap<string, EndpointsChange> {
    const changes = new Map<string, EndpointsChange>();
    this.checkout((serviceKey, previous, current) => changes.set(serviceKey, { previous, current }));
    return changes;
  }

  /**
   * {@link EndpointSliceCache.checkoutChanges} for a caller that needs only which
   * Services changed (kube-proxy's sync): the same checkout, sorted keys, nothing else
   * allocated per Service.
   */
  checkoutChangedServices(): string[] {
    const changed: string[] = [];
    this.checkout((serviceKey) => changed.push(serviceKey));
    return changed;
  }

  private checkout(changed: (serviceKey: string, previous: EndpointsByPort, current: EndpointsByPort) => void): void {
    // Upstream (pkg/proxy/endpointslicecache.go checkoutChanges) ranges over every tracker
    // and skips those without pending slices; visiting only those, sorted, is the same.
    const keys = this.withPending.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)).slice();
    this.withPending.length = 0;
    for (const serviceKey of keys) {
      const tracker = this.trackers.get(serviceKey);
      if (tracker === undefined) continue;
      tracker.queued = false;
      if (tracker.pending === null || tracker.pending.length === 0) continue;
      const previous = tracker.endpoints;
      for (const data of tracker.pending) {
        if (data.remove) {
          const i = indexOfSlice(tracker.applied, data.slice.metadata.name);
          if (i >= 0) tracker.applied.splice(i, 1);
        } else putSlice(tracker.applied, data.slice);
      }
      tracker.pending = null;
      const current = this.buildEndpointsByPort(serviceKey, tracker.applied);
      if (tracker.applied.length === 0) {
        this.trackers.delete(serviceKey);
      } else {
        tracker.endpoints = current;
      }
      changed(serviceKey, previous, current);
    }
  }

  /** The applied endpoints of a Service (`"namespace/name"`); empty when none. */
  endpointsFor(serviceKey: string): EndpointsByPort {
    return this.trackers.get(serviceKey)?.endpoints ?? EMPTY;
  }

  /** Whether any Service has pending (not yet checked out) slices. */
  hasPendingChanges(): boolean {
    for (const key of this.withPending) if ((this.trackers.get(key)?.pending?.length ?? 0) > 0) return true;
    return false;
  }

  /** Errors recorded for rejected slices, oldest first. */
  errors(): readonly string[] {
    return [...this.errorLog];
  }

  /** pkg/proxy/endpointslicecache.go endpointInfoByServicePort + endpointsMapFromEndpointInfo. */
  private buildEndpointsByPort(serviceKey: string, ordered: readonly EndpointSlice[]): EndpointsByPort {
    return endpointsForSlices(serviceKey, ordered, this.nodeName, this.preferSameTrafficDistribution);
  }
}

/**
 * @internal The endpoints a node's kube-proxy builds from a Service's applied slices
 * (`ordered`: sorted by name), as {@link EndpointSliceCache} does at a checkout
 * (pkg/proxy/endpointslicecache.go endpointInfoByServicePort + endpointsMapFromEndpointInfo).
 * Nodes without an endpoint of the Service get one shared map.
 */
export function endpointsForSlices(serviceKey: string, ordered: readonly EndpointSlice[], own: string, gate: boolean): EndpointsByPort {
  if (ordered.length === 0) return EMPTY;
  const merged = mergeSlices(serviceKey, ordered, gate);
  // A node with no endpoint of the Service sees exactly the shared lists: one map for all.
  if (own === "" || !merged.some((port) => port.localIndices.has(own))) {
    let shared = remoteMaps.get(merged);
    if (shared === undefined) {
      shared = new Map(merged.map((port) => [port.key, port.remote]));
      remoteMaps.set(merged, shared);
    }
    return shared;
  }
  const result = new Map<string, readonly ProxyEndpoint[]>();
  for (const port of merged) {
    const local = port.localIndices.get(own);
    if (local === undefined) {
      result.set(port.key, port.remote);
      continue;
    }
    // Only this node sees its own endpoints as local: swap in their local variants.
    const list = port.remote.slice();
    for (const i of local) list[i] = port.parsed[i].local;
    result.set(port.key, Object.freeze(list));
  }
  return result;
}

/**
 * @internal The Service key (`namespace/name`) under which a kube-proxy of address family
 * `addressType` files `slice`, or `undefined` when it ignores or rejects the slice (the
 * checks of {@link EndpointSliceCache.updatePending}).
 */
export function sliceServiceKey(slice: EndpointSlice, addressType: "IPv4" | "IPv6"): string | undefined {
  if (slice.addressType !== addressType) return undefined;
  const serviceName = slice.metadata.labels?.[LABEL_SERVICE_NAME];
  const namespace = slice.metadata.namespace ?? "";
  if (serviceName === undefined || serviceName === "" || namespace === "" || slice.metadata.name === "") return undefined;
  return sharedSliceData(slice, namespace, serviceName).serviceKey;
}

/** @internal Whether two versions of a slice are equal for kube-proxy (`esDataChanged` is false). */
export function sameSliceVersion(a: EndpointSlice, b: EndpointSlice): boolean {
  return sameSlice(a, b);
}

interface MergedPort {
  readonly key: string;
  /** Endpoints as every node but their own sees them (isLocal false), sorted and deduplicated. */
  readonly remote: readonly ProxyEndpoint[];
  readonly parsed: readonly ParsedEndpoint[];
  /** Node name -> indices of that node's endpoints in `remote`. */
  readonly localIndices: ReadonlyMap<string, readonly number[]>;
}

interface MergedEntry {
  readonly serviceKey: string;
  readonly slices: readonly EndpointSlice[];
  readonly gate: boolean;
  readonly ports: readonly MergedPort[];
}

// The endpoints of a merge as a node without a local endpoint of the Service sees them.
const remoteMaps = new WeakMap<readonly MergedPort[], EndpointsByPort>();

// The merge of one Service's slices is the same on every node but for isLocal, so it is
// computed once per set of slice objects (keyed weakly by the first slice) and shared.
const mergedBySlice = new WeakMap<EndpointSlice, MergedEntry>();

function mergeSlices(serviceKey: string, slices: readonly EndpointSlice[], gate: boolean): readonly MergedPort[] {
  if (slices.length === 0) return [];
  const hit = mergedBySlice.get(slices[0]);
  if (hit !== undefined && hit.serviceKey === serviceKey && hit.gate === gate && hit.slices.length === slices.length && hit.slices.every((x, i) => x === slices[i])) {
    return hit.ports;
  }
  const slash = serviceKey.indexOf("/");
  const namespace = serviceKey.slice(0, slash);
  const name = serviceKey.slice(slash + 1);
  const byPort = new Map<string, ParsedEndpoint[]>();
  for (const slice of slices) {
    for (const port of parseSlice(slice, gate)) {
      const key = servicePortNameKey({ namespace, name, port: port.name, protocol: port.protocol });
      let list = byPort.get(key);
      if (list === undefined) {
        list = [];
        byPort.set(key, list);
      }
      for (const ep of port.endpoints) list.push(ep);
    }
  }
  const ports: MergedPort[] = [];
  for (const key of sortedKeys(byPort)) {
    const list = byPort.get(key) as ParsedEndpoint[];
    if (list.length === 0) continue;
    // Stable sort: copies of one IP:port stay in slice order, next to each other.
    // (V8's TimSort merges the per-slice sorted runs in O(n log k).)
    list.sort(compareParsed);
    // addEndpoints: first seen wins unless a later copy is not terminating.
    let w = 0;
    for (let r = 0; r < list.length; r++) {
      const ep = list[r];
      if (w > 0 && list[w - 1].remote.key === ep.remote.key) {
        if (!ep.remote.terminating) list[w - 1] = ep;
      } else list[w++] = ep;
    }
    list.length = w;
    const localIndices = new Map<string, number[]>();
    const remote: ProxyEndpoint[] = new Array(w);
    for (let i = 0; i < w; i++) {
      remote[i] = list[i].remote;
      const n = list[i].remote.nodeName;
      if (n !== undefined && n !== "") {
        let idx = localIndices.get(n);
        if (idx === undefined) {
          idx = [];
          localIndices.set(n, idx);
        }
        idx.push(i);
      }
    }
    ports.push({ key, remote: Object.freeze(remote), parsed: list, localIndices });
  }
  mergedBySlice.set(slices[0], { serviceKey, slices: slices.slice(), gate, ports });
  return ports;
}

function compareParsed(a: ParsedEndpoint, b: ParsedEndpoint): number {
  const x = a.remote.key;
  const y = b.remote.key;
  return x < y ? -1 : x > y ? 1 : 0;
}

interface ParsedEndpoint {
  readonly remote: ProxyEndpoint;
  readonly local: ProxyEndpoint;
}

interface ParsedPort {
  readonly name: string;
  readonly protocol: Protocol;
  /** Sorted by key; copies of one key in slice order. */
  readonly endpoints: readonly ParsedEndpoint[];
}

// Slices are immutable and the same object reaches every node's kube-proxy, so each
// slice is parsed once for the whole cluster (per feature-gate setting).
const parsedWithNodeHints = new WeakMap<EndpointSlice, readonly ParsedPort[]>();
const parsedWithoutNodeHints = new WeakMap<EndpointSlice, readonly ParsedPort[]>();

function parseSlice(slice: EndpointSlice, preferSameTrafficDistribution: boolean): readonly ParsedPort[] {
  const cache = preferSameTrafficDistribution ? parsedWithNodeHints : parsedWithoutNodeHints;
  let parsed = cache.get(slice);
  if (parsed !== undefined) return parsed;
  const options = { preferSameTrafficDistribution };
  const ports: ParsedPort[] = [];
  for (const port of slice.ports ?? []) {
    // pkg/apis/discovery/v1/defaults.go: nil name => "", nil protocol => TCP.
    if (port.port === undefined || port.port === 0) continue; // "Ignoring invalid endpoint port"
    const endpoints: ParsedEndpoint[] = [];
    for (const endpoint of slice.endpoints) {
      const remote = makeProxyEndpoint(endpoint, port.port, "", options);
      if (remote === null) continue;
      const local = remote.nodeName !== undefined && remote.nodeName !== "" ? Object.freeze({ ...remote, isLocal: true }) : remote;
      endpoints.push({ remote: Object.freeze(remote), local });
    }
    endpoints.sort((a, b) => compareEndpointKeys(a.remote, b.remote));
    ports.push({ name: port.name ?? "", protocol: port.protocol ?? "TCP", endpoints });
  }
  parsed = ports;
  cache.set(slice, parsed);
  return parsed;
}
