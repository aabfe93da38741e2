/**
 * kube-proxy's view of one endpoint of one Service port (`proxy.Endpoint` /
 * `BaseEndpointInfo` in pkg/proxy/endpoint.go), built once from an EndpointSlice
 * endpoint so that no data plane ever re-reads a slice.
 *
 * @packageDocumentation
 */
import { canonicalIP } from "@kube-netsim/model";
import type { Endpoint, EndpointConditions } from "@kube-netsim/model";

// The address normalisation lives with the rest of IP parsing in @kube-netsim/model;
// re-exported here so `canonicalIP` stays part of this package's API.
export { canonicalIP };

/**
 * One endpoint (`IP:port`) of one Service port as kube-proxy sees it after merging all
 * EndpointSlices of the Service (`BaseEndpointInfo`, pkg/proxy/endpoint.go).
 *
 * Details:
 * - `ready` is `IsReady()`: the slice's `conditions.ready` taken AS IS (nil => true).
 *   kube-proxy does NOT AND it with `!terminating`: "ready and not terminating" is how the
 *   EndpointSlice controller fills the condition (`ready = publishNotReadyAddresses ||
 *   (podReady && !deleting)`), so a hand-written slice with `ready: true, terminating: true`
 *   is Ready for kube-proxy.
 * - `serving` is `IsServing()`: `conditions.serving` (nil => true), ready regardless of
 *   termination.
 * - `terminating` is `IsTerminating()`: `conditions.terminating` (nil => false).
 * - `isLocal` is true when the endpoint's `nodeName` equals kube-proxy's own node name
 *   (and that name is non-empty).
 * - `zoneHints` / `nodeHints` are absent when the slice has no such hints; `nodeHints`
 *   is also absent when the PreferSameTrafficDistribution feature gate is off
 *   (pkg/proxy/endpointslicecache.go addEndpoints).
 *
 * @example
 * ```ts
 * const ep = makeProxyEndpoint({ addresses: ["10.244.1.5"], nodeName: "node-a" }, 8080, "node-a");
 * // ep.key === "10.244.1.5:8080", ep.ready === true (nil => ready), ep.isLocal === true
 * ```
 */
export interface ProxyEndpoint {
  /** Canonical IP (`addresses[0]` normalised like Go's `ParseIPSloppy(...).String()`). */
  readonly ip: string;
  /** The endpoint port number (from the slice port). */
  readonly port: number;
  /** `net.JoinHostPort(ip, port)`: `"10.0.0.1:80"`, `"[fd00::1]:80"`. Rule order sorts on it. */
  readonly key: string;
  /** `IsReady()`: slice condition `ready`, nil => true. */
  readonly ready: boolean;
  /** `IsServing()`: slice condition `serving`, nil => true. */
  readonly serving: boolean;
  /** `IsTerminating()`: slice condition `terminating`, nil => false. */
  readonly terminating: boolean;
  /** `IsLocal()`: runs on the node of this kube-proxy. */
  readonly isLocal: boolean;
  /** `endpoints[].nodeName` of the slice, when set. */
  readonly nodeName?: string;
  /** `endpoints[].zone` of the slice, when set (informational; topology uses hints). */
  readonly zone?: string;
  /** `hints.forZones[*].name`; absent when the endpoint has no zone hint. */
  readonly zoneHints?: ReadonlySet<string>;
  /** `hints.forNodes[*].name`; absent when none, or when PreferSameTrafficDistribution is off. */
  readonly nodeHints?: ReadonlySet<string>;
}

/**
 * The three conditions as kube-proxy reads them (all defined).
 *
 * @example
 * ```ts
 * const c: ProxyEndpointConditions = proxyEndpointConditions({ ready: false, serving: true, terminating: true });
 * c.ready || c.serving; // true: a serving-terminating endpoint, used only when no endpoint is ready
 * ```
 */
export interface ProxyEndpointConditions {
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
}

/**
 * Reads an EndpointSlice endpoint's conditions with kube-proxy's nil semantics
 * (pkg/proxy/endpointslicecache.go addEndpoints):
 * `ready = ready == nil || ready`, `serving = serving == nil || serving`,
 * `terminating = terminating != nil && terminating`.
 *
 * @example
 * ```ts
 * proxyEndpointConditions(undefined); // { ready: true, serving: true, terminating: false }
 * proxyEndpointConditions({ ready: false, serving: true, terminating: true });
 * ```
 */
export function proxyEndpointConditions(conditions: EndpointConditions | undefined): ProxyEndpointConditions {
  return {
    ready: conditions?.ready ?? true,
    serving: conditions?.serving ?? true,
    terminating: conditions?.terminating ?? false,
  };
}

/**
 * Go's `net.JoinHostPort(host, port)`: wraps hosts containing `:` (IPv6) in brackets.
 *
 * @example
 * ```ts
 * joinHostPort("10.0.0.1", 80); // "10.0.0.1:80"
 * joinHostPort("fd00::1", 80);  // "[fd00::1]:80"
 * ```
 */
export function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Options of {@link makeProxyEndpoint}.
 *
 * @example
 * ```ts
 * const endpoint = { addresses: ["10.244.1.5"], nodeName: "node-a", hints: { forNodes: [{ name: "node-a" }] } };
 * makeProxyEndpoint(endpoint, 8080, "node-a")?.nodeHints;                                           // Set { "node-a" }
 * makeProxyEndpoint(endpoint, 8080, "node-a", { preferSameTrafficDistribution: false })?.nodeHints; // undefined
 * ```
 */
export interface MakeProxyEndpointOptions {
  /** Feature gate PreferSameTrafficDistribution (default `true`): when off, node hints are dropped. */
  readonly preferSameTrafficDistribution?: boolean;
}

/**
 * Builds kube-proxy's {@link ProxyEndpoint} for one EndpointSlice endpoint and one slice
 * port number (pkg/proxy/endpointslicecache.go addEndpoints + newBaseEndpointInfo in
 * pkg/proxy/endpoint.go). Only `addresses[0]` is used. Returns `null` for an endpoint
 * without addresses (upstream logs "Ignoring invalid endpoint port with empty address").
 *
 * @param endpoint - `endpoints[i]` of the slice.
 * @param port - the slice port number (`ports[j].port`).
 * @param ownNodeName - the node this kube-proxy runs on (drives `isLocal`).
 *
 * @example
 * ```ts
 * const ep = makeProxyEndpoint({ addresses: ["10.244.1.5"], nodeName: "node-a", conditions: { ready: true } }, 8080, "node-b");
 * ep?.key;     // "10.244.1.5:8080"
 * ep?.isLocal; // false: the pod runs on node-a, this kube-proxy on node-b
 * makeProxyEndpoint({ addresses: [] }, 8080, "node-b"); // null
 * ```
 */
export function makeProxyEndpoint(
  endpoint: Endpoint,
  port: number,
  ownNodeName: string,
  options?: MakeProxyEndpointOptions,
): ProxyEndpoint | null {
  if (endpoint.addresses.length === 0) return null;
  const ip = canonicalIP(endpoint.addresses[0]);
  const { ready, serving, terminating } = proxyEndpointConditions(endpoint.conditions);
  const gate = options?.preferSameTrafficDistribution ?? true;
  let zoneHints: ReadonlySet<string> | undefined;
  let nodeHints: ReadonlySet<string> | undefined;
  const forZones = endpoint.hints?.forZones;
  if (forZones !== undefined && forZones.length > 0) zoneHints = new Set(forZones.map((z) => z.name));
  const forNodes = endpoint.hints?.forNodes;
  if (gate && forNodes !== undefined && forNodes.length > 0) nodeHints = new Set(forNodes.map((n) => n.name));
  const nodeName = endpoint.nodeName;
  // Every endpoint gets the same object shape (absent fields are `undefined`), so the
  // data planes' property reads stay monomorphic.
  const result: ProxyEndpoint = {
    ip,
    port,
    key: joinHostPort(ip, port),
    ready,
    serving,
    terminating,
    // pkg/proxy/endpointslicecache.go isLocal: own node name must be non-empty.
    isLocal: nodeName !== undefined && ownNodeName.length > 0 && nodeName === ownNodeName,
    nodeName,
    zone: endpoint.zone,
    zoneHints,
    nodeHints,
  };
  return result;
}

/**
 * Orders endpoints by their `IP:port` key with a plain string compare, like upstream's
 * `byEndpoint` sort (pkg/proxy/endpointslicecache.go): `"10.0.0.10:80" < "10.0.0.9:80"`.
 * This order is the rule order of the iptables/nftables/IPVS data planes.
 *
 * @example
 * ```ts
 * const eps = ["10.0.0.9", "10.0.0.10"].map((ip) => makeProxyEndpoint({ addresses: [ip] }, 80, "node-a")!);
 * eps.sort(compareEndpointKeys).map((e) => e.key); // ["10.0.0.10:80", "10.0.0.9:80"]: string order, not numeric
 * ```
 */
export function compareEndpointKeys(a: ProxyEndpoint, b: ProxyEndpoint): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
