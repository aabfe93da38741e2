/**
 * Which endpoints of a Service port this node's kube-proxy may use, per traffic policy
 * (pkg/proxy/topology.go, pkg/proxy/serviceport.go). Shared by every data plane.
 *
 * @packageDocumentation
 */
import type { StringMap, TrafficPolicy } from "@kube-netsim/model";
import { LABEL_ZONE } from "@kube-netsim/model";
import type { ProxyEndpoint } from "./endpoint.js";
import { compareEndpointKeys } from "./endpoint.js";

/**
 * What makes a Service port reachable other than by its ClusterIP.
 *
 * @example
 * ```ts
 * const access: ExternalAccess = { nodePort: 30080, loadBalancerVIPs: ["192.0.2.10"] }; // a LoadBalancer Service's port
 * externallyAccessible(access); // true
 * ```
 */
export interface ExternalAccess {
  /** `spec.ports[].nodePort`; 0 or absent means none. */
  readonly nodePort?: number;
  /** VIP-mode `status.loadBalancer.ingress[].ip` of this proxier's family. */
  readonly loadBalancerVIPs?: readonly string[];
  /** `spec.externalIPs` of this proxier's family. */
  readonly externalIPs?: readonly string[];
}

/**
 * `ExternallyAccessible()` (pkg/proxy/serviceport.go): the port has a NodePort, a
 * load-balancer VIP or an external IP.
 *
 * @example
 * ```ts
 * externallyAccessible({ nodePort: 30080 }); // true
 * externallyAccessible({});                   // false: ClusterIP only
 * ```
 */
export function externallyAccessible(access: ExternalAccess): boolean {
  return (
    (access.nodePort ?? 0) !== 0 ||
    (access.loadBalancerVIPs?.length ?? 0) !== 0 ||
    (access.externalIPs?.length ?? 0) !== 0
  );
}

/**
 * The traffic policies of one Service port, as {@link categorizeEndpoints} needs them.
 *
 * @example
 * ```ts
 * // a LoadBalancer Service with externalTrafficPolicy: Local
 * const policy: ServicePortTrafficPolicy = { internalTrafficPolicy: "Cluster", externalTrafficPolicy: "Local", externallyAccessible: true };
 * usesClusterEndpoints(policy); // true: ClusterIP traffic
 * usesLocalEndpoints(policy);   // true: traffic from outside
 * ```
 */
export interface ServicePortTrafficPolicy {
  /** `spec.internalTrafficPolicy` (default Cluster). */
  readonly internalTrafficPolicy: TrafficPolicy;
  /** `spec.externalTrafficPolicy` (default Cluster). */
  readonly externalTrafficPolicy: TrafficPolicy;
  /** {@link externallyAccessible} of the port. */
  readonly externallyAccessible: boolean;
}

/**
 * `UsesClusterEndpoints()` (pkg/proxy/serviceport.go): internal policy is not Local, or
 * the port is externally accessible. An externally accessible port always needs Cluster
 * endpoints, even with externalTrafficPolicy Local: node- and pod-originated traffic to
 * it is short-circuited to the Cluster chain.
 *
 * @example
 * ```ts
 * usesClusterEndpoints({ internalTrafficPolicy: "Cluster", externalTrafficPolicy: "Cluster", externallyAccessible: false }); // true
 * usesClusterEndpoints({ internalTrafficPolicy: "Local", externalTrafficPolicy: "Cluster", externallyAccessible: false });   // false
 * usesClusterEndpoints({ internalTrafficPolicy: "Local", externalTrafficPolicy: "Local", externallyAccessible: true });      // true: node-originated traffic
 * ```
 */
export function usesClusterEndpoints(policy: ServicePortTrafficPolicy): boolean {
  return policy.internalTrafficPolicy !== "Local" || policy.externallyAccessible;
}

/**
 * `UsesLocalEndpoints()` (pkg/proxy/serviceport.go): internal policy is Local, or
 * external policy is Local on an externally accessible port.
 *
 * @example
 * ```ts
 * usesLocalEndpoints({ internalTrafficPolicy: "Cluster", externalTrafficPolicy: "Cluster", externallyAccessible: true }); // false
 * usesLocalEndpoints({ internalTrafficPolicy: "Cluster", externalTrafficPolicy: "Local", externallyAccessible: true });   // true
 * usesLocalEndpoints({ internalTrafficPolicy: "Cluster", externalTrafficPolicy: "Local", externallyAccessible: false });  // false: ClusterIP only
 * ```
 */
export function usesLocalEndpoints(policy: ServicePortTrafficPolicy): boolean {
  return policy.internalTrafficPolicy === "Local" || (policy.externalTrafficPolicy === "Local" && policy.externallyAccessible);
}

/**
 * Topology mode chosen from hints: `""` (none), `"PreferSameZone"` or `"PreferSameNode"`.
 *
 * @example
 * ```ts
 * const eps = [makeProxyEndpoint({ addresses: ["10.244.0.2"], hints: { forZones: [{ name: "zone-a" }] } }, 8080, "node-a")!];
 * const mode: TopologyMode = topologyModeFromHints(eps, "node-a", "zone-a"); // "PreferSameZone"
 * ```
 */
export type TopologyMode = "" | "PreferSameZone" | "PreferSameNode";

/**
 * Options of {@link categorizeEndpoints} and {@link topologyModeFromHints}.
 *
 * @example
 * ```ts
 * // PreferSameTrafficDistribution off: node hints are ignored, zone hints still apply
 * const options: TopologyOptions = { preferSameTrafficDistribution: false };
 * categorizeEndpoints(eps, policy, "node-a", { "topology.kubernetes.io/zone": "zone-a" }, options);
 * ```
 */
export interface TopologyOptions {
  /** Feature gate PreferSameTrafficDistribution (default `true`, beta/on in 1.34). */
  readonly preferSameTrafficDistribution?: boolean;
}

/**
 * `topologyModeFromHints` (pkg/proxy/topology.go). Only READY endpoints are examined.
 *
 * - `"PreferSameNode"`: the gate is on, every ready endpoint has at least one node hint,
 *   and at least one is hinted for `nodeName`.
 * - else `"PreferSameZone"`: every ready endpoint has at least one zone hint, and at least
 *   one is hinted for `zone` (the node's `topology.kubernetes.io/zone`; `""` if absent).
 * - else `""`: one ready endpoint lacks hints (all-or-nothing), the node has no zone
 *   label, no endpoint is hinted for this zone, or there is no ready endpoint.
 *
 * kube-proxy decides on the hints alone; it does not look at the Service's
 * `trafficDistribution` or topology annotations.
 *
 * @example
 * ```ts
 * const hinted = (ip: string, zone: string) => makeProxyEndpoint({ addresses: [ip], hints: { forZones: [{ name: zone }] } }, 8080, "node-a")!;
 * const eps = [hinted("10.244.0.2", "zone-a"), hinted("10.244.1.2", "zone-b")];
 * topologyModeFromHints(eps, "node-a", "zone-a"); // "PreferSameZone"
 * topologyModeFromHints(eps, "node-c", "zone-c"); // "": no endpoint hinted for zone-c, use them all
 * topologyModeFromHints([...eps, makeProxyEndpoint({ addresses: ["10.244.2.2"] }, 8080, "node-a")!], "node-a", "zone-a"); // "": one endpoint has no hint
 * ```
 */
export function topologyModeFromHints(
  endpoints: readonly ProxyEndpoint[],
  nodeName: string,
  zone: string,
  options?: TopologyOptions,
): TopologyMode {
  let hasEndpointForNode = false;
  let allHaveNodeHints = true;
  let hasEndpointForZone = false;
  let allHaveZoneHints = true;
  for (const ep of endpoints) {
    if (!ep.ready) continue;
    if (ep.nodeHints === undefined || ep.nodeHints.size === 0) allHaveNodeHints = false;
    else if (ep.nodeHints.has(nodeName)) hasEndpointForNode = true;
    if (ep.zoneHints === undefined || ep.zoneHints.size === 0) allHaveZoneHints = false;
    else if (ep.zoneHints.has(zone)) hasEndpointForZone = true;
  }
  if ((options?.preferSameTrafficDistribution ?? true) && allHaveNodeHints && hasEndpointForNode) return "PreferSameNode";
  if (allHaveZoneHints && hasEndpointForZone) return "PreferSameZone";
  return "";
}

/** pkg/proxy/topology.go availableForTopology: no per-endpoint fallback. */
function availableForTopology(ep: ProxyEndpoint, mode: TopologyMode, nodeName: string, zone: string): boolean {
  switch (mode) {
    case "":
      return true;
    case "PreferSameNode":
      return ep.nodeHints?.has(nodeName) ?? false;
    case "PreferSameZone":
      return ep.zoneHints?.has(zone) ?? false;
  }
}

/**
 * Result of {@link categorizeEndpoints}.
 *
 * @example
 * ```ts
 * // eps: two ready endpoints on other nodes (no nodeName, so not local to node-a)
 * const r: CategorizedEndpoints = categorizeEndpoints(eps, { internalTrafficPolicy: "Local", externalTrafficPolicy: "Cluster", externallyAccessible: false }, "node-a", {});
 * r.clusterEndpoints; // null: internalTrafficPolicy Local never uses Cluster endpoints
 * r.localEndpoints;   // []: none on node-a
 * r.hasAnyEndpoints;  // true: so DROP (false would mean REJECT)
 * ```
 */
export interface CategorizedEndpoints {
  /** Usable Cluster-policy endpoints; `null` when the port never uses Cluster policy. */
  readonly clusterEndpoints: readonly ProxyEndpoint[] | null;
  /** Usable Local-policy endpoints; `null` when the port never uses Local policy. */
  readonly localEndpoints: readonly ProxyEndpoint[] | null;
  /** Every endpoint reachable from this node (union of the two), sorted by `IP:port`; `null` only if both are. */
  readonly allReachableEndpoints: readonly ProxyEndpoint[] | null;
  /** Whether the port has a usable endpoint anywhere in the cluster (REJECT when false). */
  readonly hasAnyEndpoints: boolean;
}

/**
 * `CategorizeEndpoints` (pkg/proxy/topology.go): splits a Service port's endpoints into
 * the ones this node uses for each traffic policy.
 *
 * Outputs:
 * - `clusterEndpoints` (only if {@link usesClusterEndpoints}, else `null`): the Ready
 *   endpoints available under the topology mode of {@link topologyModeFromHints}. If that
 *   is empty, fallback: every endpoint that is Serving AND Terminating, with topology NOT
 *   applied (the mode already reverts to `""` when no ready endpoint fits this node, so
 *   the fallback only triggers when no endpoint anywhere is Ready).
 * - `localEndpoints` (only if {@link usesLocalEndpoints}, else `null`): the local Ready
 *   endpoints; if there are none, fallback: the local Serving-and-Terminating ones;
 *   otherwise empty (traffic is dropped). Topology hints are never applied to Local.
 * - `hasAnyEndpoints`: true if `clusterEndpoints` is non-empty, or (Local used) any
 *   endpoint anywhere is Ready or Serving-and-Terminating. It may be true while
 *   `localEndpoints` is empty: that is the DROP case ("no local endpoints"), as opposed
 *   to REJECT ("no endpoints") when it is false.
 * - `allReachableEndpoints`: `clusterEndpoints` if only Cluster is used; `localEndpoints`
 *   if only Local is used; `clusterEndpoints` when both are used but topology mode is
 *   `""` and Local did not fall back to terminating endpoints (then it is a superset);
 *   otherwise the union by `IP:port`, sorted by key (upstream builds it from a Go map in
 *   random order).
 *
 * Every output list keeps the input order (kube-proxy passes the `IP:port`-sorted list).
 *
 * Gotchas: upstream returns Go `nil` for an unused policy and also for "Local used but no
 * local endpoint"; Go treats both as empty. Here `null` means only "policy not used" and
 * an empty array means "used, but nothing usable" (upstream topology_test.go draws the
 * same distinction). With no endpoints at all, a used policy yields `[]` and
 * `hasAnyEndpoints` is false.
 *
 * @example
 * ```ts
 * const r = categorizeEndpoints(eps,
 *   { internalTrafficPolicy: "Local", externalTrafficPolicy: "Cluster", externallyAccessible: false },
 *   "node-a", { "topology.kubernetes.io/zone": "zone-a" });
 * if (!r.hasAnyEndpoints) { // REJECT
 * } else if (r.localEndpoints?.length === 0) { // DROP: endpoints exist, none on this node
 * }
 * ```
 */
export function categorizeEndpoints(
  endpoints: readonly ProxyEndpoint[],
  svc: ServicePortTrafficPolicy,
  nodeName: string,
  nodeLabels: StringMap,
  options?: TopologyOptions,
): CategorizedEndpoints {
  let topologyMode: TopologyMode = "";
  let useServingTerminating = false;
  let hasAnyEndpoints = false;
  let clusterEndpoints: readonly ProxyEndpoint[] | null = null;

  if (usesClusterEndpoints(svc)) {
    const zone = nodeLabels[LABEL_ZONE] ?? "";
    topologyMode = topologyModeFromHints(endpoints, nodeName, zone, options);
    const mode = topologyMode;
    let cluster = endpoints.filter((ep) => ep.ready && availableForTopology(ep, mode, nodeName, zone));
    if (cluster.length === 0) cluster = endpoints.filter((ep) => ep.serving && ep.terminating);
    if (cluster.length > 0) hasAnyEndpoints = true;
    clusterEndpoints = cluster;
  }

  if (!usesLocalEndpoints(svc)) {
    return { clusterEndpoints, localEndpoints: null, allReachableEndpoints: clusterEndpoints, hasAnyEndpoints };
  }

  let hasLocalReady = false;
  let hasLocalServingTerminating = false;
  for (const ep of endpoints) {
    if (ep.ready) {
      hasAnyEndpoints = true;
      if (ep.isLocal) hasLocalReady = true;
    } else if (ep.serving && ep.terminating) {
      hasAnyEndpoints = true;
      if (ep.isLocal) hasLocalServingTerminating = true;
    }
  }

  let localEndpoints: readonly ProxyEndpoint[] = [];
  if (hasLocalReady) {
    localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.ready);
  } else if (hasLocalServingTerminating) {
    useServingTerminating = true;
    localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.serving && ep.terminating);
  }

  if (clusterEndpoints === null) {
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: localEndpoints, hasAnyEndpoints };
  }

  if (topologyMode === "" && !useServingTerminating) {
    // clusterEndpoints holds every Ready endpoint, so it contains localEndpoints.
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: clusterEndpoints, hasAnyEndpoints };
  }

  const union = new Map<string, ProxyEndpoint>();
  for (const ep of clusterEndpoints) union.set(ep.key, ep);
  for (const ep of localEndpoints) union.set(ep.key, ep);
  const allReachableEndpoints = [...union.values()].sort(compareEndpointKeys);
  return { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints };
}
