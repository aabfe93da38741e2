/**
 * Identity and equality of EndpointSlice endpoints and port lists, as the EndpointSlice
 * controller uses them to decide what changed.
 *
 * Mirrors `staging/src/k8s.io/endpointslice/util/endpointset.go` (hashEndpoint) and
 * `staging/src/k8s.io/endpointslice/util/controller_utils.go` (NewPortMapKey,
 * EndpointsEqualBeyondHash). Upstream hashes with FNV-128a over a dump of the value; we
 * use a canonical JSON string instead: only equality of keys matters, never their value.
 *
 * @packageDocumentation
 */

import type { Endpoint, EndpointPort } from "@kube-netsim/model";

/**
 * The identity of an endpoint: its sorted `addresses`, `hostname` and the
 * `targetRef` namespace and name.
 *
 * @remarks
 * `staging/src/k8s.io/endpointslice/util/endpointset.go` hashEndpoint. Conditions,
 * `nodeName`, `zone`, hints and `targetRef.uid` are deliberately NOT part of the identity,
 * so that a change of those is an in-place update of the endpoint in its current slice
 * (see {@link endpointsEqualBeyondHash}).
 *
 * @example
 * ```ts
 * endpointKey({ addresses: ["10.0.0.1"], targetRef: { kind: "Pod", name: "a", namespace: "default" } });
 * // '[["10.0.0.1"],"","default","a"]'
 * ```
 */
export function endpointKey(endpoint: Endpoint): string {
  let key = endpointKeys.get(endpoint);
  if (key !== undefined) return key;
  const addresses = [...endpoint.addresses].sort();
  key = JSON.stringify([
    addresses,
    endpoint.hostname ?? "",
    endpoint.targetRef?.namespace ?? "",
    endpoint.targetRef?.name ?? "",
  ]);
  if (Object.isFrozen(endpoint)) endpointKeys.set(endpoint, key);
  return key;
}

// A stored endpoint is frozen (with everything in it) and keeps its key: every sync of a
// Service compares its existing slices' endpoints by key, so each is computed once.
const endpointKeys = new WeakMap<Endpoint, string>();

/**
 * Whether two endpoints with the same {@link endpointKey} are equal in everything else the
 * EndpointSlice controller writes: `nodeName`, `zone`, the three conditions (an absent
 * condition differs from `false`) and `targetRef` (kind, name, namespace, uid).
 *
 * @remarks
 * `staging/src/k8s.io/endpointslice/util/controller_utils.go` EndpointsEqualBeyondHash.
 * Like upstream, topology `hints` are NOT compared: hints are owned by the hints step
 * (`topologycache.AddHints`, `trafficdist.ReconcileHints`, `RemoveHintsFromSlices`, spec
 * §6.4), which runs after packing and also looks at unchanged slices; comparing them here
 * would make every hinted slice look changed on every reconcile.
 *
 * @example
 * ```ts
 * const a = podToEndpoint(pod, node, service); // { addresses: ["10.244.0.1"], conditions: { ready: true, ... }, ... }
 * endpointsEqualBeyondHash(a, { ...a, conditions: { ...a.conditions, ready: false } }); // false: the slice must be rewritten
 * endpointsEqualBeyondHash(a, { ...a, hints: { forZones: [{ name: "zone-a" }] } });     // true: hints are not compared
 * ```
 */
export function endpointsEqualBeyondHash(a: Endpoint, b: Endpoint): boolean {
  if (a.nodeName !== b.nodeName || a.zone !== b.zone) return false;
  const ca = a.conditions;
  const cb = b.conditions;
  if (ca?.ready !== cb?.ready || ca?.serving !== cb?.serving || ca?.terminating !== cb?.terminating) return false;
  const ra = a.targetRef;
  const rb = b.targetRef;
  if (ra === undefined || rb === undefined) return ra === rb;
  return ra.kind === rb.kind && ra.name === rb.name && ra.namespace === rb.namespace && ra.uid === rb.uid;
}

/**
 * The port map key of a list of EndpointSlice ports: an order-independent canonical
 * string of each port's `name`, `protocol` and `port`.
 *
 * @remarks
 * `staging/src/k8s.io/endpointslice/util/controller_utils.go` NewPortMapKey (ports sorted,
 * then hashed; nil and empty lists are the same key). An absent `name` counts as `""` and
 * an absent `protocol` as `TCP`, as the API server defaults EndpointSlice ports
 * (`pkg/apis/discovery/v1/defaults.go` SetDefaults_EndpointPort). Endpoints whose pods
 * resolve to the same key share slices; each key gets its own slices.
 *
 * @example
 * ```ts
 * portMapKey([{ name: "a", protocol: "TCP", port: 80 }, { name: "b", protocol: "UDP", port: 53 }]) ===
 *   portMapKey([{ name: "b", protocol: "UDP", port: 53 }, { name: "a", port: 80 }]); // true
 * ```
 */
export function portMapKey(ports: readonly EndpointPort[] | undefined): string {
  const parts = (ports ?? []).map((p) => JSON.stringify([p.name ?? "", p.protocol ?? "TCP", p.port ?? null]));
  parts.sort();
  return `[${parts.join(",")}]`;
}
