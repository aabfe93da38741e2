/**
 * Topology hints of the EndpointSlice controller (spec §6.4): `spec.trafficDistribution`
 * (`staging/src/k8s.io/endpointslice/trafficdist/trafficdist.go`) and the older
 * `service.kubernetes.io/topology-mode: Auto` annotation with CPU-proportional
 * allocation (`staging/src/k8s.io/endpointslice/topologycache/{topologycache,utils,sliceinfo}.go`).
 *
 * **Determinism.** Upstream iterates Go maps of zones in random order (getMost on ties,
 * the receiving zone picked in redistributeHints). Here zones are always visited in
 * sorted order, so the same input gives the same hints.
 *
 * @packageDocumentation
 */
import { LABEL_ZONE, parseQuantity } from "@kube-netsim/model";
import type { Endpoint, EndpointSlice, Node, StringMap } from "@kube-netsim/model";

/**
 * `overloadThreshold` (topologycache.go): the most overload any endpoint should see, 20 %.
 *
 * @example
 * ```ts
 * // A zone with 50 % of the CPU and 8 endpoints must hold at least ceil(4 / (1 + OVERLOAD_THRESHOLD)) = 4 hints:
 * getAllocations(new Map([["zone-a", 0.5], ["zone-b", 0.25], ["zone-c", 0.25]]), 8).get("zone-a"); // { minimum: 4, desired: 4, maximum: 4 }
 * ```
 */
export const OVERLOAD_THRESHOLD = 0.2;

/**
 * `corev1.AnnotationTopologyMode`.
 *
 * @example
 * ```ts
 * const annotations = { [ANNOTATION_TOPOLOGY_MODE]: "Auto" }; // service.kubernetes.io/topology-mode: Auto
 * hintsEnabled(annotations); // true
 * ```
 */
export const ANNOTATION_TOPOLOGY_MODE = "service.kubernetes.io/topology-mode";
/**
 * `corev1.DeprecatedAnnotationTopologyAwareHints`, read when the newer annotation is absent.
 *
 * @example
 * ```ts
 * hintsEnabled({ [ANNOTATION_TOPOLOGY_AWARE_HINTS]: "auto" }); // true: read when topology-mode is absent
 * hintsEnabled({ [ANNOTATION_TOPOLOGY_MODE]: "Disabled", [ANNOTATION_TOPOLOGY_AWARE_HINTS]: "auto" }); // false
 * ```
 */
export const ANNOTATION_TOPOLOGY_AWARE_HINTS = "service.kubernetes.io/topology-aware-hints";

/**
 * `hintsEnabled` (endpointslice utils.go): the Service asks for CPU-proportional hints
 * with `service.kubernetes.io/topology-mode` (or, when absent, the deprecated
 * `service.kubernetes.io/topology-aware-hints`) set to `Auto` or `auto`.
 *
 * @example
 * ```ts
 * hintsEnabled({ "service.kubernetes.io/topology-mode": "Auto" }); // true
 * hintsEnabled(service.metadata.annotations);                        // false without the annotation
 * ```
 */
export function hintsEnabled(annotations: StringMap | undefined): boolean {
  const a = annotations ?? {};
  const v = ANNOTATION_TOPOLOGY_MODE in a ? a[ANNOTATION_TOPOLOGY_MODE] : a[ANNOTATION_TOPOLOGY_AWARE_HINTS];
  return v === "Auto" || v === "auto";
}

/**
 * One zone's allocation (topologycache.go `allocation`).
 *
 * @example
 * ```ts
 * const allocations = getAllocations(zoneCpuRatios(store.list("Node")), 8);
 * if (typeof allocations !== "string") {
 *   const a: ZoneAllocation | undefined = allocations.get("zone-a"); // e.g. { minimum: 4, desired: 4, maximum: 4 }
 * }
 * ```
 */
export interface ZoneAllocation {
  readonly minimum: number;
  readonly maximum: number;
  readonly desired: number;
}

/**
 * Why hints were removed (the message of upstream's `TopologyAwareHintsDisabled` event).
 *
 * @example
 * ```ts
 * const r: Map<string, ZoneAllocation> | HintsDisabledReason = getAllocations(new Map([["zone-a", 0.5], ["zone-b", 0.5]]), 1);
 * // "Insufficient number of endpoints (1 endpoints, 2 zones)"
 * ```
 */
export type HintsDisabledReason = string;

/**
 * A slice the hints step may change: its endpoints array is replaced entry by entry.
 *
 * @example
 * ```ts
 * const slice: HintableSlice = { endpoints: [{ addresses: ["10.244.1.5"], conditions: { ready: true }, zone: "zone-a" }] };
 * reconcileTrafficDistributionHints("PreferClose", { toCreate: [slice], toUpdate: [], unchanged: [], promote: (s) => ({ endpoints: [...s.endpoints] }) });
 * slice.endpoints[0].hints; // { forZones: [{ name: "zone-a" }] }
 * ```
 */
export interface HintableSlice {
  readonly endpoints: Endpoint[];
}

/**
 * `EndpointReady` (topologycache/utils.go): `conditions.ready` set and true (nil is NOT ready here).
 *
 * @example
 * ```ts
 * endpointReadyForHints({ addresses: ["10.244.1.5"], conditions: { ready: true } }); // true
 * endpointReadyForHints({ addresses: ["10.244.1.5"] });                              // false: nil ready counts as not ready
 * ```
 */
export function endpointReadyForHints(ep: Endpoint): boolean {
  return ep.conditions?.ready === true;
}

function withHints(ep: Endpoint, hints: Endpoint["hints"] | undefined): Endpoint {
  const { hints: _old, ...rest } = ep;
  return hints === undefined ? rest : { ...rest, hints };
}

/**
 * A Kubernetes CPU quantity in millicores (`Quantity.MilliValue`, through the model's
 * {@link parseQuantity}): `"4"`, `"3500m"`, `"2.5"`, or a number of cores.
 * @returns NaN when it cannot be parsed or is negative.
 *
 * @example
 * ```ts
 * cpuMillis("500m"); // 500
 * cpuMillis("4");    // 4000
 * cpuMillis(2);      // 2000
 * ```
 */
export function cpuMillis(q: string | number | undefined): number {
  if (q === undefined) return 0;
  if (typeof q === "number") return Math.round(q * 1000);
  try {
    const parsed = parseQuantity(q.trim());
    return parsed.negative ? NaN : parsed.milliValue;
  } catch {
    return NaN;
  }
}

/**
 * `SetNodes` (topologycache.go): allocatable CPU ratio per zone over Ready nodes that are
 * not control-plane nodes. Any such node without a zone label or CPU makes the node
 * information insufficient; fewer than 2 zones too.
 * @returns the ratios by zone (sorted by zone), or undefined when insufficient.
 *
 * @example
 * ```ts
 * // node n0 in zone-a with 8 CPUs, n1 in zone-b and n2 in zone-c with 4 each:
 * zoneCpuRatios(nodes); // Map { "zone-a" => 0.5, "zone-b" => 0.25, "zone-c" => 0.25 }
 * ```
 */
export function zoneCpuRatios(nodes: readonly Node[]): Map<string, number> | undefined {
  const byZone = new Map<string, number>();
  let total = 0;
  for (const n of nodes) {
    const labels = n.metadata.labels ?? {};
    if ("node-role.kubernetes.io/control-plane" in labels || "node-role.kubernetes.io/master" in labels) continue;
    const ready = n.status?.conditions?.find((c) => c.type === "Ready");
    if (ready?.status !== "True") continue;
    const zone = labels[LABEL_ZONE] ?? "";
    const cpu = cpuMillis(n.status?.allocatable?.cpu);
    if (zone === "" || !(cpu > 0)) return undefined;
    total += cpu;
    byZone.set(zone, (byZone.get(zone) ?? 0) + cpu);
  }
  if (total === 0 || byZone.size < 2) return undefined;
  const ratios = new Map<string, number>();
  for (const z of [...byZone.keys()].sort()) ratios.set(z, (byZone.get(z) as number) / total);
  return ratios;
}

/**
 * `getAllocations` (topologycache.go): per zone, `desired = ratio x N`,
 * `minimum = ceil(desired / 1.2)`, desired raised to the minimum, and
 * `maximum = minimum + N - sum(minimum)`.
 * @returns the allocations, or the reason hints cannot be given (upstream's event messages).
 *
 * @example
 * ```ts
 * getAllocations(new Map([["zone-a", 0.5], ["zone-b", 0.5]]), 4);
 * // zone-a: { minimum: 2, desired: 2, maximum: 2 }, zone-b: the same
 * ```
 */
export function getAllocations(ratios: ReadonlyMap<string, number> | undefined, numEndpoints: number): Map<string, ZoneAllocation> | HintsDisabledReason {
  if (ratios === undefined) return "Insufficient Node information: allocatable CPU or zone not specified on one or more nodes";
  if (ratios.size < 2) return "Nodes only ready in one zone";
  if (ratios.size > numEndpoints) return `Insufficient number of endpoints (${numEndpoints} endpoints, ${ratios.size} zones)`;
  let remaining = numEndpoints;
  let minTotal = 0;
  const partial = new Map<string, { minimum: number; desired: number }>();
  for (const [zone, ratio] of ratios) {
    const desired = ratio * numEndpoints;
    const minimum = Math.ceil(desired * (1 / (1 + OVERLOAD_THRESHOLD)));
    partial.set(zone, { minimum, desired: Math.max(desired, minimum) });
    minTotal += minimum;
    remaining -= minimum;
    if (remaining < 0) return `Unable to allocate minimum required endpoints to each zone without exceeding overload threshold (${numEndpoints} endpoints, ${ratios.size} zones)`;
  }
  const out = new Map<string, ZoneAllocation>();
  for (const [zone, a] of partial) out.set(zone, { minimum: a.minimum, desired: a.desired, maximum: a.minimum + numEndpoints - minTotal });
  return out;
}

// getMost (utils.go), over zones in sorted order: the first zone with the largest value.
function getMost(zones: ReadonlyMap<string, number>): [string, number] {
  let zone = "";
  let num = 0;
  for (const z of [...zones.keys()].sort()) {
    const n = zones.get(z) as number;
    if (n > num) {
      zone = z;
      num = n;
    }
  }
  return [zone, num];
}

/**
 * `getGivingAndReceivingZones` (utils.go): how many endpoints each zone should give away
 * and receive, moving one at a time from the zone with the largest surplus to the one
 * with the largest deficit, until either is below 0.5 or both are below 1.
 *
 * @example
 * ```ts
 * // CPU: zone-a 50 %, zone-b and zone-c 25 % each; 8 endpoints hinted for their own zones: a 2, b 4, c 2.
 * const allocations = getAllocations(new Map([["zone-a", 0.5], ["zone-b", 0.25], ["zone-c", 0.25]]), 8) as Map<string, ZoneAllocation>;
 * getGivingAndReceivingZones(allocations, new Map([["zone-a", 2], ["zone-b", 4], ["zone-c", 2]]));
 * // { giving: Map { "zone-b" => 2 }, receiving: Map { "zone-a" => 2 } }
 * ```
 */
export function getGivingAndReceivingZones(
  allocations: ReadonlyMap<string, ZoneAllocation>,
  allocated: ReadonlyMap<string, number>,
): { giving: Map<string, number>; receiving: Map<string, number> } {
  const givingDesired = new Map<string, number>();
  const receivingDesired = new Map<string, number>();
  for (const [zone, a] of allocations) {
    const have = allocated.get(zone) ?? 0;
    if (have > a.desired) givingDesired.set(zone, have - a.desired);
    else if (have < a.desired) receivingDesired.set(zone, a.desired - have);
  }
  const giving = new Map<string, number>();
  const receiving = new Map<string, number>();
  for (;;) {
    const [g, toGive] = getMost(givingDesired);
    const [r, toReceive] = getMost(receivingDesired);
    if (g === "" || r === "" || (toGive < 1 && toReceive < 1) || toGive < 0.5 || toReceive < 0.5) break;
    giving.set(g, (giving.get(g) ?? 0) + 1);
    givingDesired.set(g, toGive - 1);
    receiving.set(r, (receiving.get(r) ?? 0) + 1);
    receivingDesired.set(r, toReceive - 1);
  }
  return { giving, receiving };
}

/**
 * `redistributeHints` (utils.go): walks the endpoints of the slices being written, in
 * order, and re-hints endpoints of giving zones for receiving zones until the quotas are
 * met. `giving` and `receiving` are consumed.
 * @returns the change in hints per zone.
 *
 * @example
 * ```ts
 * // slice: the 8 endpoints of getGivingAndReceivingZones' example, zones a, a, b, b, b, b, c, c (hinted for their own zone)
 * const diff = redistributeHints([slice], new Map([["zone-b", 2]]), new Map([["zone-a", 2]]));
 * // Map { "zone-a" => 2, "zone-b" => -2 }: the first two zone-b endpoints now have hints.forZones [{ name: "zone-a" }]
 * ```
 */
export function redistributeHints(slices: readonly HintableSlice[], giving: Map<string, number>, receiving: Map<string, number>): Map<string, number> {
  const diff = new Map<string, number>();
  for (const slice of slices) {
    for (let i = 0; i < slice.endpoints.length; i++) {
      const ep = slice.endpoints[i];
      if (!endpointReadyForHints(ep)) {
        slice.endpoints[i] = withHints(ep, undefined);
        continue;
      }
      if (giving.size === 0 || receiving.size === 0) return diff;
      const from = ep.zone ?? "";
      if (from === "") continue;
      const n = giving.get(from) ?? 0;
      if (n <= 0) continue;
      for (const to of [...receiving.keys()].sort()) {
        const m = receiving.get(to) as number;
        if (m <= 0) continue;
        slice.endpoints[i] = withHints(ep, { forZones: [{ name: to }] });
        if (n === 1) giving.delete(from);
        else giving.set(from, n - 1);
        if (m === 1) receiving.delete(to);
        else receiving.set(to, m - 1);
        diff.set(to, (diff.get(to) ?? 0) + 1);
        diff.set(from, (diff.get(from) ?? 0) - 1);
        break;
      }
    }
  }
  return diff;
}

/**
 * `getHintsByZone` (utils.go): the hints an unchanged slice holds per zone, or undefined
 * when they are no longer valid (a ready endpoint without hints, a hint for a zone
 * without allocation, or more than a zone's maximum with what is already allocated).
 *
 * @example
 * ```ts
 * // slice: an existing EndpointSlice with 4 ready endpoints hinted zone-a, 2 zone-b, 2 zone-c;
 * // allocations as in getGivingAndReceivingZones' example
 * getHintsByZone(slice, new Map(), allocations); // Map { "zone-a" => 4, "zone-b" => 2, "zone-c" => 2 }: still valid
 * ```
 */
export function getHintsByZone(slice: EndpointSlice, allocated: ReadonlyMap<string, number>, allocations: ReadonlyMap<string, ZoneAllocation>): Map<string, number> | undefined {
  const byZone = new Map<string, number>();
  for (const ep of slice.endpoints) {
    if (!endpointReadyForHints(ep)) continue;
    const zones = ep.hints?.forZones ?? [];
    if (zones.length === 0) return undefined;
    for (const z of zones) {
      if (!allocations.has(z.name)) return undefined;
      byZone.set(z.name, (byZone.get(z.name) ?? 0) + 1);
    }
  }
  for (const [zone, n] of byZone) {
    const a = allocations.get(zone);
    if (a === undefined || n + (allocated.get(zone) ?? 0) > a.maximum) return undefined;
  }
  return byZone;
}

/**
 * `serviceOverloaded` (utils.go): some zone has fewer hinted endpoints than
 * `ceil(total x ratio / 1.2)`, or a zone has none.
 *
 * @example
 * ```ts
 * const ratios = new Map([["zone-a", 0.5], ["zone-b", 0.25], ["zone-c", 0.25]]);
 * serviceOverloaded(new Map([["zone-a", 4], ["zone-b", 2], ["zone-c", 2]]), ratios); // false
 * serviceOverloaded(new Map([["zone-a", 2], ["zone-b", 4], ["zone-c", 2]]), ratios); // true: zone-a needs ceil(4 / 1.2) = 4
 * ```
 */
export function serviceOverloaded(hintsByZone: ReadonlyMap<string, number>, ratios: ReadonlyMap<string, number> | undefined): boolean {
  if (hintsByZone.size === 0) return false;
  if (ratios === undefined || ratios.size === 0) return true;
  let total = 0;
  for (const n of hintsByZone.values()) total += n;
  for (const [zone, ratio] of ratios) {
    const have = hintsByZone.get(zone);
    if (have === undefined) return true;
    if (have < Math.ceil(total * ratio * (1 / (1 + OVERLOAD_THRESHOLD)))) return true;
  }
  return false;
}

/**
 * The slices one reconcile writes or leaves alone, as the hints step sees them.
 *
 * @example
 * ```ts
 * reconcileEndpointSlices({
 *   ...input,
 *   hints: (si: HintsSliceInfo) => reconcileTrafficDistributionHints(service.spec.trafficDistribution, si),
 * });
 * ```
 */
export interface HintsSliceInfo {
  /** Slices to create (their endpoints may be re-hinted). */
  readonly toCreate: readonly HintableSlice[];
  /** Slices to update (their endpoints may be re-hinted); promoted slices are appended. */
  readonly toUpdate: HintableSlice[];
  /** Existing slices that are not written. */
  readonly unchanged: readonly EndpointSlice[];
  /** Makes an unchanged slice one to update (a copy) and returns it. */
  readonly promote: (slice: EndpointSlice) => HintableSlice;
}

/**
 * `RemoveHintsFromSlices` (topologycache/utils.go): no hints on slices being written;
 * unchanged slices that still have hints are updated without them.
 *
 * @example
 * ```ts
 * // topology-mode was removed from the Service: strip every hint, rewriting unchanged slices that had some.
 * reconcileEndpointSlices({ ...input, hints: removeHintsFromSlices });
 * ```
 */
export function removeHintsFromSlices(si: HintsSliceInfo): void {
  for (const s of [...si.toCreate, ...si.toUpdate]) for (let i = 0; i < s.endpoints.length; i++) if (s.endpoints[i].hints !== undefined) s.endpoints[i] = withHints(s.endpoints[i], undefined);
  for (const u of si.unchanged) {
    if (!u.endpoints.some((e) => e.hints !== undefined)) continue;
    const s = si.promote(u);
    for (let i = 0; i < s.endpoints.length; i++) s.endpoints[i] = withHints(s.endpoints[i], undefined);
  }
}

/**
 * `trafficdist.ReconcileHints`: for `PreferClose` / `PreferSameZone`, every READY endpoint
 * with a zone gets `forZones: [its zone]`; for `PreferSameNode`, also `forNodes: [its
 * node]`; otherwise hints are removed. Non-ready endpoints are left as they are.
 * Unchanged slices with a missing, wrong or stale hint are promoted to updates.
 *
 * @example
 * ```ts
 * const slice = { endpoints: [{ addresses: ["10.244.1.5"], conditions: { ready: true }, zone: "zone-a", nodeName: "node-1" }] };
 * reconcileTrafficDistributionHints("PreferSameNode", { toCreate: [slice], toUpdate: [], unchanged: [], promote: (s) => ({ endpoints: [...s.endpoints] }) });
 * slice.endpoints[0].hints; // { forZones: [{ name: "zone-a" }], forNodes: [{ name: "node-1" }] }
 * ```
 */
export function reconcileTrafficDistributionHints(trafficDistribution: string | undefined, si: HintsSliceInfo): void {
  const close = trafficDistribution === "PreferClose" || trafficDistribution === "PreferSameZone" || trafficDistribution === "PreferSameNode";
  const nodeHints = trafficDistribution === "PreferSameNode";
  const needsUpdate = (slice: EndpointSlice): boolean => {
    if (!close) return slice.endpoints.some((e) => e.hints !== undefined);
    for (const ep of slice.endpoints) {
      if (!endpointReadyForHints(ep)) continue;
      const zones = ep.hints?.forZones ?? [];
      const nodes = ep.hints?.forNodes ?? [];
      if (ep.zone !== undefined) {
        if (zones.length !== 1 || zones[0].name !== ep.zone) return true;
      } else if (zones.length > 0) return true;
      if (ep.nodeName !== undefined && nodeHints) {
        if (nodes.length !== 1 || nodes[0].name !== ep.nodeName) return true;
      } else if (nodes.length > 0) return true;
    }
    return false;
  };
  const update = (s: HintableSlice): void => {
    for (let i = 0; i < s.endpoints.length; i++) {
      const ep = s.endpoints[i];
      if (!close) {
        if (ep.hints !== undefined) s.endpoints[i] = withHints(ep, undefined);
        continue;
      }
      if (!endpointReadyForHints(ep)) continue;
      const forZones = ep.zone !== undefined ? [{ name: ep.zone }] : undefined;
      const forNodes = ep.nodeName !== undefined && nodeHints ? [{ name: ep.nodeName }] : undefined;
      s.endpoints[i] = withHints(ep, forZones || forNodes ? { ...(forZones ? { forZones } : {}), ...(forNodes ? { forNodes } : {}) } : undefined);
    }
  };
  for (const u of si.unchanged) if (needsUpdate(u)) si.promote(u);
  for (const s of si.toCreate) update(s);
  for (const s of si.toUpdate) update(s);
}

/**
 * What {@link TopologyCache.addHints} did.
 *
 * @example
 * ```ts
 * const r: AddHintsResult = cache.addHints("default/web", sliceInfo);
 * if (r.disabled !== undefined) console.log(`TopologyAwareHintsDisabled: ${r.disabled}`);
 * else r.hintsByZone; // e.g. Map { "zone-a" => 4, "zone-b" => 2, "zone-c" => 2 }
 * ```
 */
export interface AddHintsResult {
  /** Hints given per zone, when hints are on; undefined when they were removed. */
  readonly hintsByZone?: ReadonlyMap<string, number>;
  /** Why hints were removed (upstream's `TopologyAwareHintsDisabled` event), if they were. */
  readonly disabled?: HintsDisabledReason;
}

/**
 * The EndpointSlice controller's topology cache (topologycache.go): node CPU by zone,
 * and the hints given per Service, for `service.kubernetes.io/topology-mode: Auto`.
 *
 * @example
 * ```ts
 * const cache = new TopologyCache();
 * cache.setNodes(store.list("Node"));
 * cache.addHints("default/api", sliceInfo); // re-hints sliceInfo's slices in place
 * ```
 */
export class TopologyCache {
  private ratios: Map<string, number> | undefined;
  private readonly byService = new Map<string, Map<string, number>>();

  /** `SetNodes`: recomputes the CPU ratio per zone. */
  setNodes(nodes: readonly Node[]): void {
    this.ratios = zoneCpuRatios(nodes);
  }

  /** CPU ratio per zone, undefined while node information is insufficient. */
  get cpuRatiosByZone(): ReadonlyMap<string, number> | undefined {
    return this.ratios;
  }

  /** `HasPopulatedHints`. */
  hasPopulatedHints(serviceKey: string): boolean {
    return this.byService.has(serviceKey);
  }

  /** `RemoveHints`: forgets a Service's hints. */
  removeHints(serviceKey: string): void {
    this.byService.delete(serviceKey);
  }

  /** `GetOverloadedServices`: Services some zone of which is below its minimum share, sorted. */
  overloadedServices(): string[] {
    return [...this.byService].filter(([, ezi]) => serviceOverloaded(ezi, this.ratios)).map(([k]) => k).sort();
  }

  /**
   * `AddHints` (topologycache.go): gives every ready endpoint of the written slices a hint
   * for its own zone, then moves hints from zones above their CPU-proportional share to
   * zones below it. Unchanged slices keep their hints when still valid, else are promoted
   * to updates. Removes all hints when the allocation is impossible (insufficient node
   * information, fewer than 2 zones, fewer endpoints than zones, minimums above the
   * overload threshold) or a ready endpoint has no zone.
   */
  addHints(serviceKey: string, si: HintsSliceInfo): AddHintsResult {
    let total = 0;
    for (const s of [...si.toCreate, ...si.toUpdate, ...si.unchanged]) for (const e of s.endpoints) if (endpointReadyForHints(e)) total++;
    const allocations = getAllocations(this.ratios, total);
    if (typeof allocations === "string") return this.disable(serviceKey, si, allocations);
    // sliceinfo.go getAllocatedHintsByZone.
    const allocated = new Map<string, number>();
    for (const u of si.unchanged) {
      const hints = getHintsByZone(u, allocated, allocations);
      if (hints === undefined) si.promote(u);
      else for (const [z, n] of hints) allocated.set(z, (allocated.get(z) ?? 0) + n);
    }
    const allocatable = [...si.toCreate, ...si.toUpdate];
    // Step 1: same-zone hints.
    for (const s of allocatable) {
      for (let i = 0; i < s.endpoints.length; i++) {
        const ep = s.endpoints[i];
        if (!endpointReadyForHints(ep)) {
          s.endpoints[i] = withHints(ep, undefined);
          continue;
        }
        if (ep.zone === undefined || ep.zone === "") return this.disable(serviceKey, si, "One or more endpoints do not have a zone specified");
        allocated.set(ep.zone, (allocated.get(ep.zone) ?? 0) + 1);
        s.endpoints[i] = withHints(ep, { forZones: [{ name: ep.zone }] });
      }
    }
    // Steps 2 and 3.
    const { giving, receiving } = getGivingAndReceivingZones(allocations, allocated);
    for (const [z, d] of redistributeHints(allocatable, giving, receiving)) allocated.set(z, (allocated.get(z) ?? 0) + d);
    if (allocated.size === 0) return this.disable(serviceKey, si, "No hints allocated for zones");
    const sorted = new Map([...allocated.keys()].sort().map((z) => [z, allocated.get(z) as number]));
    this.byService.set(serviceKey, sorted);
    return { hintsByZone: sorted };
  }

  private disable(serviceKey: string, si: HintsSliceInfo, reason: HintsDisabledReason): AddHintsResult {
    this.removeHints(serviceKey);
    removeHintsFromSlices(si);
    return { disabled: reason };
  }
}
