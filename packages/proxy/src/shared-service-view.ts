/**
 * What is the same in every node's kube-proxy of one cluster: the Services and
 * EndpointSlices as they arrived, in order, with every version a node may still see.
 *
 * @packageDocumentation
 */
import type { EndpointSlice, Service, WatchEvent } from "@kube-netsim/model";
import type { EndpointsByPort } from "./endpointslice-cache.js";
import { endpointsForSlices, sameSliceVersion, sliceServiceKey } from "./endpointslice-cache.js";
import { externalAccess } from "./external.js";

/** @internal One Service key's history: versions of its Service object and of its applied slices, with their log positions. */
export interface ServiceHistory {
  readonly key: string;
  /** Scratch mark of {@link SharedServiceView.changedKeys} (a key is listed once per call). */
  stamp: number;
  /** Log positions (Service log) of the Service object's versions, ascending. */
  readonly svcPos: number[];
  /** The Service object of each version; null when deleted. */
  readonly svcVal: (Service | null)[];
  /** Per version: whether every node must program it at once ({@link programsEverywhere}). */
  readonly svcEager: boolean[];
  /** Whether any node has a frontend for an address this Service ever had (else no node needs to look). */
  materialized: boolean;
  /** Log positions (EndpointSlice log) of the slice-set versions, ascending (one per change). */
  readonly slicePos: number[];
  /** The applied slices (sorted by name) after each change. */
  readonly sliceVal: (readonly EndpointSlice[])[];
  /** The latest slices (every change applied at once): what each node compares the next event with. */
  current: readonly EndpointSlice[];
}

/** @internal What the view needs of a kube-proxy in shared mode (for trimming history). */
export interface SharedViewMember {
  /**
   * The kube-proxy's log positions, per kind (Service, then EndpointSlice): in force (last
   * apply), checked out (last sync), seen. It reads versions in force at the first two, log
   * entries from the second on, and (at later syncs) anything at or after the third.
   */
  positions(): readonly [number, number, number, number, number, number];
}

const NO_SLICES: readonly EndpointSlice[] = Object.freeze([]);
const NOT_A_CHANGE = -1;

/**
 * Options of a {@link SharedServiceView}.
 *
 * @example
 * ```ts
 * const options: SharedServiceViewOptions = { trimEvery: 1 }; // trim after every change (tests)
 * new SharedServiceView(options);
 * ```
 */
export interface SharedServiceViewOptions {
  /** Address family of the kube-proxies (slices of other families are ignored). Default `"IPv4"`. */
  readonly addressType?: "IPv4" | "IPv6";
  /** Drop versions no kube-proxy can read any more after every this many logged changes. Default 4096. */
  readonly trimEvery?: number;
}

/**
 * The state the kube-proxies of one cluster share in *shared mode*
 * ({@link KubeProxyOptions.shared}): one change log per kind (Service, EndpointSlice),
 * and per Service the history of its Service object and of its merged slices, each
 * version tagged with its log position.
 *
 * @remarks
 * Every node's kube-proxy receives each kind's watch events in write order (its own
 * delays, same order), and the store hands every watcher the same event object, so the
 * first delivery of an event to any node fixes its position in that kind's log. A node
 * then keeps only two positions per kind (seen, applied) instead of a copy of every
 * Service and slice: its view of a Service is the latest version before its applied
 * positions. Whether a slice event is a change (pkg/proxy/endpointslicecache.go
 * `esDataChanged`) depends only on the versions seen before it, the same on every node,
 * so it is decided once here. Versions older than every member's oldest position are
 * trimmed.
 *
 * Only valid for kube-proxies whose watches start before any Service or EndpointSlice
 * exists (their initial lists are empty); {@link KubeProxy} falls back to its own state
 * otherwise.
 *
 * @example
 * ```ts
 * const view = new SharedServiceView();
 * for (const node of ["node-1", "node-2"]) {
 *   new KubeProxy(scheduler, store, { nodeName: node, dataPlane: new IptablesDataPlane(), addresses, random: random.stream(`kube-proxy/${node}`), shared: view });
 * }
 * ```
 */
export class SharedServiceView {
  private readonly records = new Map<string, ServiceHistory>();
  private readonly serviceLog: ServiceHistory[] = [];
  private readonly sliceLog: ServiceHistory[] = [];
  /** Position of the first entry of each log (entries before it were trimmed). */
  private serviceBase = 0;
  private sliceBase = 0;
  private readonly positions = new WeakMap<object, number>();
  /** ClusterIP addresses (`ip:port/PROTO`) to the Services that ever had them. */
  private readonly byAddress = new Map<string, ServiceHistory[]>();
  private readonly materialized = new Map<string, number>();
  private readonly members: SharedViewMember[] = [];
  private stampCounter = 0;
  private sinceTrim = 0;

  private readonly addressType: "IPv4" | "IPv6";
  private readonly trimEvery: number;

  /** Creates an empty view (before any Service or EndpointSlice exists). */
  constructor(options: SharedServiceViewOptions = {}) {
    this.addressType = options.addressType ?? "IPv4";
    this.trimEvery = options.trimEvery ?? 4096;
    if (!Number.isInteger(this.trimEvery) || this.trimEvery < 1) throw new RangeError(`trimEvery: Invalid value: ${this.trimEvery}: must be an integer >= 1`);
  }

  /** Versions held (Service objects plus slice sets, over every Service): what trimming keeps small. */
  get versions(): number {
    let n = 0;
    for (const rec of this.records.values()) n += rec.svcPos.length + rec.slicePos.length;
    return n;
  }

  /** @internal Whether nothing has been logged yet (a kube-proxy may join). */
  get empty(): boolean {
    return this.serviceLog.length === 0 && this.sliceLog.length === 0 && this.serviceBase === 0 && this.sliceBase === 0;
  }

  /** @internal Registers a kube-proxy in shared mode. */
  join(member: SharedViewMember): void {
    this.members.push(member);
  }

  /** @internal A Service event: its position in the Service log (every Service event is a change). */
  observeService(e: WatchEvent<"Service">): number {
    let pos = this.positions.get(e);
    if (pos !== undefined) return pos;
    const svc = e.object;
    const rec = this.record(`${svc.metadata.namespace}/${svc.metadata.name}`);
    pos = this.serviceBase + this.serviceLog.length;
    const value = e.type === "DELETED" ? null : svc;
    rec.svcPos.push(pos);
    rec.svcVal.push(value);
    rec.svcEager.push(value !== null && programsEverywhere(value));
    this.serviceLog.push(rec);
    if (value !== null) this.indexAddresses(rec, value);
    this.positions.set(e, pos);
    this.appended();
    return pos;
  }

  /**
   * @internal An EndpointSlice event: its position in the slice log, or -1 when it is not
   * a change for kube-proxy (EndpointSliceCache.updatePending returns false).
   */
  observeSlice(e: WatchEvent<"EndpointSlice">): number {
    let pos = this.positions.get(e);
    if (pos !== undefined) return pos;
    pos = this.sliceChange(e.object, e.type === "DELETED");
    this.positions.set(e, pos);
    return pos;
  }

  private sliceChange(slice: EndpointSlice, remove: boolean): number {
    const key = sliceServiceKey(slice, this.addressType);
    if (key === undefined) return NOT_A_CHANGE;
    const rec = this.record(key);
    const name = slice.metadata.name;
    const current = rec.current;
    let i = 0;
    while (i < current.length && current[i].metadata.name < name) i++;
    const present = i < current.length && current[i].metadata.name === name;
    // The same test as EndpointSliceCache.updatePending against the node's latest copy.
    if (remove ? !present : present && sameSliceVersion(current[i], slice)) return NOT_A_CHANGE;
    const next = current.slice();
    if (remove) next.splice(i, 1);
    else if (present) next[i] = slice;
    else next.splice(i, 0, slice);
    rec.current = next.length === 0 ? NO_SLICES : Object.freeze(next);
    const pos = this.sliceBase + this.sliceLog.length;
    rec.slicePos.push(pos);
    rec.sliceVal.push(rec.current);
    this.sliceLog.push(rec);
    this.appended();
    return pos;
  }

  private record(key: string): ServiceHistory {
    let rec = this.records.get(key);
    if (rec === undefined) {
      rec = { key, stamp: 0, svcPos: [], svcVal: [], svcEager: [], materialized: false, slicePos: [], sliceVal: [], current: NO_SLICES };
      this.records.set(key, rec);
    }
    return rec;
  }

  private indexAddresses(rec: ServiceHistory, svc: Service): void {
    const ip = svc.spec.clusterIP;
    if (!ip || ip === "None" || svc.spec.type === "ExternalName") return;
    for (const p of svc.spec.ports ?? []) {
      const address = `${ip}:${p.port}/${p.protocol ?? "TCP"}`;
      let list = this.byAddress.get(address);
      if (list === undefined) {
        list = [];
        this.byAddress.set(address, list);
      }
      if (!list.includes(rec)) list.push(rec);
      if (this.materialized.has(address)) rec.materialized = true;
    }
  }

  /** @internal The history of a Service key (undefined if nothing of it was ever seen). */
  history(key: string): ServiceHistory | undefined {
    return this.records.get(key);
  }

  /** @internal Services that ever had ClusterIP address `address`. */
  servicesWithAddress(address: string): readonly ServiceHistory[] {
    return this.byAddress.get(address) ?? [];
  }

  /** @internal Every Service key ever seen. */
  allHistories(): IterableIterator<ServiceHistory> {
    return this.records.values();
  }

  /** @internal The Service object as of Service log position `pos` (exclusive), null when none. */
  serviceAt(rec: ServiceHistory, pos: number): Service | null {
    const i = lastBefore(rec.svcPos, pos);
    return i < 0 ? null : rec.svcVal[i];
  }

  /** @internal Index of the Service version in force at `pos` (exclusive) in `rec.svcVal`, -1 when none. */
  serviceIndexAt(rec: ServiceHistory, pos: number): number {
    return lastBefore(rec.svcPos, pos);
  }

  /** @internal Log position of the Service version in force at `pos` (exclusive), -1 when none. */
  serviceVersionPos(rec: ServiceHistory, pos: number): number {
    const i = lastBefore(rec.svcPos, pos);
    return i < 0 ? -1 : rec.svcPos[i];
  }

  /** @internal Log position of the slice version in force at `pos` (exclusive), -1 when none. */
  sliceVersionPos(rec: ServiceHistory, pos: number): number {
    const i = lastBefore(rec.slicePos, pos);
    return i < 0 ? -1 : rec.slicePos[i];
  }

  /** @internal The endpoints node `nodeName` builds from the slices in force at slice log position `pos` (exclusive). */
  endpointsAt(rec: ServiceHistory, pos: number, nodeName: string): EndpointsByPort {
    const i = lastBefore(rec.slicePos, pos);
    return endpointsForSlices(rec.key, i < 0 ? NO_SLICES : rec.sliceVal[i], nodeName, true);
  }

  /**
   * @internal The sorted distinct Service keys with log entries in `[fromS, toS)` or
   * `[fromE, toE)` (a partial sync's keys); with `full`, also every Service present at
   * `toS` (pkg/proxy/iptables/proxier.go syncProxyRules: a full sync rewrites every Service).
   */
  changedKeys(fromS: number, toS: number, fromE: number, toE: number, full: boolean): ServiceHistory[] {
    const stamp = ++this.stampCounter;
    const recs: ServiceHistory[] = [];
    for (let p = fromS; p < toS; p++) {
      const rec = this.serviceLog[p - this.serviceBase];
      if (rec.stamp !== stamp) {
        rec.stamp = stamp;
        recs.push(rec);
      }
    }
    for (let p = fromE; p < toE; p++) {
      const rec = this.sliceLog[p - this.sliceBase];
      if (rec.stamp !== stamp) {
        rec.stamp = stamp;
        recs.push(rec);
      }
    }
    if (full) {
      for (const rec of this.records.values()) {
        if (rec.stamp !== stamp && this.serviceAt(rec, toS) !== null) {
          rec.stamp = stamp;
          recs.push(rec);
        }
      }
    }
    // Sorted by key as per-node mode sorts its keys (code-unit order, Array.prototype.sort's default).
    return recs.sort(byKey);
  }

  /** @internal A node created a frontend for `address`. */
  materialize(address: string): void {
    this.materialized.set(address, (this.materialized.get(address) ?? 0) + 1);
    for (const rec of this.servicesWithAddress(address)) rec.materialized = true;
  }

  private appended(): void {
    if (++this.sinceTrim < this.trimEvery) return;
    this.sinceTrim = 0;
    this.trim();
  }

  /**
   * Drops versions and log entries no member can read any more. A member reads log entries
   * from its checked-out position on, the versions in force at its applied and checked-out
   * positions, and, at its later syncs, versions in force at positions it has not seen
   * yet: so a lagging member (stalled, failed, partitioned) keeps two versions per Service
   * alive, not every version written since it stopped.
   */
  private trim(): void {
    let logS = this.serviceBase + this.serviceLog.length;
    let logE = this.sliceBase + this.sliceLog.length;
    let floorS = logS;
    let floorE = logE;
    const pointsS: number[] = [];
    const pointsE: number[] = [];
    for (const m of this.members) {
      const [viewS, checkedS, seenS, viewE, checkedE, seenE] = m.positions();
      logS = Math.min(logS, checkedS, viewS);
      logE = Math.min(logE, checkedE, viewE);
      floorS = Math.min(floorS, seenS);
      floorE = Math.min(floorE, seenE);
      pointsS.push(viewS, checkedS);
      pointsE.push(viewE, checkedE);
    }
    if (logS > this.serviceBase) {
      this.serviceLog.splice(0, logS - this.serviceBase);
      this.serviceBase = logS;
    }
    if (logE > this.sliceBase) {
      this.sliceLog.splice(0, logE - this.sliceBase);
      this.sliceBase = logE;
    }
    const lowS = lowPoints(pointsS, floorS);
    const lowE = lowPoints(pointsE, floorE);
    for (const rec of this.records.values()) {
      compact(rec.svcPos, floorS, lowS, rec.svcVal, rec.svcEager);
      compact(rec.slicePos, floorE, lowE, rec.sliceVal, undefined);
    }
  }
}

/** The distinct positions below `floor`, ascending. */
function lowPoints(points: number[], floor: number): number[] {
  const low = points.filter((p) => p < floor).sort((a, b) => a - b);
  let w = 0;
  for (let r = 0; r < low.length; r++) if (w === 0 || low[w - 1] !== low[r]) low[w++] = low[r];
  low.length = w;
  return low;
}

/**
 * Keeps the versions in force at `floor` and after, and those in force at each of `low`
 * (ascending positions below `floor`); drops the rest from the parallel arrays.
 */
function compact<V>(positions: number[], floor: number, low: readonly number[], values: V[], flags: boolean[] | undefined): void {
  const j = lastBefore(positions, floor);
  if (j <= 0) return;
  let w = 0;
  let last = -1;
  for (const p of low) {
    const i = lastBefore(positions, p);
    if (i < 0 || i === last) continue;
    last = i;
    positions[w] = positions[i];
    values[w] = values[i];
    if (flags !== undefined) flags[w] = flags[i];
    w++;
  }
  if (last === j) w--; // the version in force at the floor was kept already
  for (let i = j; i < positions.length; i++, w++) {
    positions[w] = positions[i];
    values[w] = values[i];
    if (flags !== undefined) flags[w] = flags[i];
  }
  positions.length = w;
  values.length = w;
  if (flags !== undefined) flags.length = w;
}

function byKey(a: ServiceHistory, b: ServiceHistory): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Whether a Service's programming has node-local effects, so every node programs it at
 * once rather than when asked: external addresses (NodePort, load-balancer IPs,
 * externalIPs: health checks, KUBE-NODEPORTS), ClientIP affinity (the affinity lists),
 * UDP ports (conntrack.CleanStaleEntries after the sync, pkg/proxy/conntrack/cleanup.go).
 * Errs on the side of true (a NodePort counts even on a node without an InternalIP).
 */
function programsEverywhere(svc: Service): boolean {
  const ip = svc.spec.clusterIP;
  if (!ip || ip === "None" || svc.spec.type === "ExternalName") return false;
  if (svc.spec.sessionAffinity === "ClientIP") return true;
  for (const p of svc.spec.ports ?? []) {
    if ((p.protocol ?? "TCP") === "UDP") return true;
    const a = externalAccess(svc, p);
    if ((a.nodePort ?? 0) > 0 || (a.loadBalancerVIPs?.length ?? 0) > 0 || (a.externalIPs?.length ?? 0) > 0) return true;
  }
  return false;
}

/** Index of the last element of ascending `positions` that is < `pos`, or -1. */
function lastBefore(positions: readonly number[], pos: number): number {
  let i = positions.length - 1;
  // Usually the last version: scan back a little, then bisect.
  if (i < 0 || positions[i] < pos) return i;
  let lo = 0;
  let hi = i; // positions[hi] >= pos
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (positions[mid] < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
