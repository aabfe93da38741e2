/**
 * kube-proxy's view of one endpoint of one Service port (`proxy.Endpoint` /
 * `BaseEndpointInfo` in pkg/proxy/endpoint.go), built once from an EndpointSlice
 * endpoint so that no data plane ever re-reads a slice.
 *
 * @packageDocumentation
 */
import type { Endpoint, EndpointConditions } from "@kube-netsim/model";

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

/** The three conditions as kube-proxy reads them (all defined). */
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

/** Parses a dotted quad the way k8s.io/utils/net ParseIPSloppy does (leading zeros = decimal). */
function parseIPv4Sloppy(s: string): number[] | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]+$/.test(p)) return null;
    const v = Number.parseInt(p, 10);
    if (v > 255) return null;
    out.push(v);
  }
  return out;
}

/** Parses IPv6 text into 8 groups (with optional trailing dotted quad), or null. */
function parseIPv6(s: string): number[] | null {
  let text = s;
  let tail: number[] = [];
  if (text.includes(".")) {
    // A trailing dotted quad stands for the last two groups ("::ffff:10.0.0.1").
    const lastColon = text.lastIndexOf(":");
    if (lastColon < 0) return null;
    const v4 = parseIPv4Sloppy(text.slice(lastColon + 1));
    if (v4 === null) return null;
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith("::")) text = text.slice(0, -1);
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parseGroups = (h: string): number[] | null => {
    if (h === "") return [];
    const groups: number[] = [];
    for (const g of h.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      groups.push(Number.parseInt(g, 16));
    }
    return groups;
  };
  const head = parseGroups(halves[0]);
  if (head === null) return null;
  if (halves.length === 1) {
    const all = [...head, ...tail];
    return all.length === 8 ? all : null;
  }
  const rest = parseGroups(halves[1]);
  if (rest === null) return null;
  const known = head.length + rest.length + tail.length;
  if (known > 7) return null;
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
}

/** Formats 8 IPv6 groups like Go's `net.IP.String()` (IPv4-mapped => dotted quad). */
function formatIPv6(g: readonly number[]): string {
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `${g[6] >> 8}.${g[6] & 0xff}.${g[7] >> 8}.${g[7] & 0xff}`;
  }
  // Longest run of >= 2 zero groups (first one on ties) becomes "::".
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (x: number): string => x.toString(16);
  if (bestStart < 0) return g.map(hex).join(":");
  const left = g.slice(0, bestStart).map(hex).join(":");
  const right = g.slice(bestStart + bestLen).map(hex).join(":");
  return `${left}::${right}`;
}

/**
 * Normalises an endpoint address like kube-proxy's `utilnet.ParseIPSloppy(addr).String()`
 * (pkg/proxy/endpointslicecache.go): IPv4 parts with leading zeros are read as decimal
 * (`010.001.002.003` => `10.1.2.3`); IPv6 is lower-cased and zero-compressed as Go prints
 * it; an IPv4-mapped IPv6 address prints as IPv4.
 *
 * Gotchas: Go would print `<nil>` for an unparsable address; the API server never lets
 * one into an IPv4/IPv6 slice, so here an unparsable string is returned unchanged.
 *
 * @example
 * ```ts
 * canonicalIP("010.000.000.007"); // "10.0.0.7"
 * canonicalIP("FD00:0:0:0::1");   // "fd00::1"
 * ```
 */
export function canonicalIP(address: string): string {
  const v4 = parseIPv4Sloppy(address);
  if (v4 !== null) return v4.join(".");
  if (address.includes(":")) {
    const v6 = parseIPv6(address);
    if (v6 !== null) return formatIPv6(v6);
  }
  return address;
}

/** Options of {@link makeProxyEndpoint}. */
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
 */
export function compareEndpointKeys(a: ProxyEndpoint, b: ProxyEndpoint): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
