/**
 * kube-proxy's per-Service chain names (KUBE-SVC-, KUBE-SVL-, KUBE-EXT-, KUBE-FW-,
 * KUBE-SEP-), computed exactly as pkg/proxy/iptables/proxier.go does, and the small
 * vocabulary the rule printers share (the Service port string upstream hashes, the
 * parsed `clusterIP:port/PROTOCOL` address, the input record of a programmed port).
 *
 * @packageDocumentation
 */
import type { ProxyEndpoint } from "../endpoint.js";
import { parseServicePortNameKey } from "../endpointslice-cache.js";
import type { Verdict } from "../service-frontend.js";
import { base32StdEncode, sha256 } from "../hash/sha256.js";

/**
 * What a rule printer needs of one Service address programmed on a node. A
 * {@link ServiceFrontend} has every field but `internalTrafficPolicy` and can be passed
 * as is (its policy is then taken as `Cluster`, or `Local` for a `drop` verdict).
 *
 * @example
 * ```ts
 * const port: ProgrammedServicePort = {
 *   address: "10.96.0.10:53/UDP",
 *   servicePortName: "kube-system/kube-dns:dns/UDP",
 *   verdict: "forward",
 *   endpoints: [{ ip: "10.244.0.3", port: 53, key: "10.244.0.3:53" }],
 * };
 * formatIptablesSave([port]); // ... -A KUBE-SERVICES -d 10.96.0.10/32 -p udp ... -j KUBE-SVC-TCOU7JCQXEZGVUNU
 * ```
 */
export interface ProgrammedServicePort {
  /** `clusterIP:port/PROTOCOL`, e.g. `10.96.0.10:53/UDP` (IPv6: `fd00::a:53/UDP` or `[fd00::a]:53/UDP`). */
  readonly address: string;
  /** kube-netsim's key of the Service port, `ns/svc:portName/PROTOCOL` ({@link servicePortNameKey}). */
  readonly servicePortName: string;
  /** What the rules do with new connections; `no-rule` ports are not printed. */
  readonly verdict: Verdict;
  /** The endpoints in rule order (sorted by `IP:port`); only `ip`, `port` and `key` are read. */
  readonly endpoints: readonly Pick<ProxyEndpoint, "ip" | "port" | "key">[];
  /**
   * The Service's `spec.internalTrafficPolicy` (default `Cluster`). With `Local`, ClusterIP
   * traffic goes to the KUBE-SVL chain (iptables) / `local-` chain (nftables).
   */
  readonly internalTrafficPolicy?: "Cluster" | "Local";
  /**
   * What the address is (see `ServiceFrontend.kind`): `cluster-ip` (default), `external`
   * (NodePort, load-balancer IP or externalIP) or `local-origin` (the Cluster endpoints
   * that traffic starting on the node is short-circuited to).
   */
  readonly kind?: "cluster-ip" | "external" | "local-origin";
  /** For an `external` address: a NodePort, a load-balancer ingress IP or an externalIP. */
  readonly externalKind?: "node-port" | "load-balancer" | "external-ip";
  /** The Service's `spec.externalTrafficPolicy` (external addresses). */
  readonly externalTrafficPolicy?: "Cluster" | "Local";
  /** The Service's `spec.healthCheckNodePort`, 0 or absent when none. */
  readonly healthCheckNodePort?: number;
}

/**
 * A Service address split into its parts.
 *
 * @example
 * ```ts
 * const a: ServiceAddress = parseServiceAddress("[fd00::a]:53/UDP");
 * a; // { ip: "fd00::a", port: 53, protocol: "UDP", ipv6: true }
 * ```
 */
export interface ServiceAddress {
  /** The ClusterIP, without brackets. */
  readonly ip: string;
  /** The Service port number. */
  readonly port: number;
  /** `TCP`, `UDP` or `SCTP`. */
  readonly protocol: string;
  /** True for an IPv6 ClusterIP. */
  readonly ipv6: boolean;
}

/**
 * Splits a {@link ServiceFrontend} address `clusterIP:port/PROTOCOL` (IPv4, bare IPv6 or
 * bracketed IPv6).
 *
 * @throws RangeError when the address has no `:port/PROTOCOL` suffix.
 *
 * @example
 * ```ts
 * parseServiceAddress("10.96.0.10:53/UDP"); // { ip: "10.96.0.10", port: 53, protocol: "UDP", ipv6: false }
 * ```
 */
export function parseServiceAddress(address: string): ServiceAddress {
  const slash = address.lastIndexOf("/");
  const colon = address.lastIndexOf(":", slash);
  const port = Number(address.slice(colon + 1, slash));
  if (slash < 0 || colon <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`not a service address (clusterIP:port/PROTOCOL): ${JSON.stringify(address)}`);
  }
  let ip = address.slice(0, colon);
  if (ip.startsWith("[") && ip.endsWith("]")) ip = ip.slice(1, -1);
  return { ip, port, protocol: address.slice(slash + 1), ipv6: ip.includes(":") };
}

/**
 * Upstream's `proxy.ServicePortName.String()` (pkg/proxy/types.go) for a kube-netsim
 * Service port key: `ns/svc:portName`, or just `ns/svc` when the port is unnamed
 * (`fmtPortName` omits the colon for `""`); the protocol is not part of it. This is the
 * string kube-proxy hashes into chain names and writes into rule comments.
 *
 * @example
 * ```ts
 * upstreamServicePortName("ns1/svc1:p80/TCP"); // "ns1/svc1:p80"
 * upstreamServicePortName("default/api:/TCP"); // "default/api"
 * ```
 */
export function upstreamServicePortName(servicePortNameKey: string): string {
  const spn = parseServicePortNameKey(servicePortNameKey);
  return spn.port === "" ? `${spn.namespace}/${spn.name}` : `${spn.namespace}/${spn.name}:${spn.port}`;
}

/**
 * kube-proxy's `portProtoHash` (pkg/proxy/iptables/proxier.go): the first 16 characters
 * of `base32.StdEncoding(sha256(servicePortName + protocol))`, with the protocol in lower
 * case as every upstream caller passes it (`strings.ToLower(string(protocol))`).
 *
 * @param servicePortName - upstream's `ServicePortName.String()` ({@link upstreamServicePortName}).
 * @param protocol - `tcp`/`udp`/`sctp` (any case; lowered here).
 *
 * @example
 * ```ts
 * portProtoHash("ns1/svc1:p80", "tcp"); // "XPGD46QRK7WJZT7O", the suffix of KUBE-SVC-XPGD46QRK7WJZT7O
 * ```
 */
export function portProtoHash(servicePortName: string, protocol: string): string {
  return base32StdEncode(sha256(servicePortName + protocol.toLowerCase())).slice(0, 16);
}

/**
 * The `KUBE-SVC-` chain of a Service port (`servicePortPolicyClusterChain`): dispatch to
 * the Cluster-policy endpoints.
 *
 * @example
 * ```ts
 * servicePortChainName("ns1/svc1:p80", "tcp"); // "KUBE-SVC-XPGD46QRK7WJZT7O"
 * ```
 */
export function servicePortChainName(servicePortName: string, protocol: string): string {
  return `KUBE-SVC-${portProtoHash(servicePortName, protocol)}`;
}

/**
 * The `KUBE-SVL-` chain (`servicePortPolicyLocalChainName`): dispatch to this node's
 * endpoints only, for `internalTrafficPolicy: Local` (or `externalTrafficPolicy: Local`).
 *
 * @example
 * ```ts
 * servicePortLocalChainName("ns1/svc1:p80", "tcp"); // "KUBE-SVL-XPGD46QRK7WJZT7O"
 * ```
 */
export function servicePortLocalChainName(servicePortName: string, protocol: string): string {
  return `KUBE-SVL-${portProtoHash(servicePortName, protocol)}`;
}

/**
 * The `KUBE-EXT-` chain (`serviceExternalChainName`): NodePort, LoadBalancer and externalIP traffic.
 *
 * @example
 * ```ts
 * serviceExternalChainName("ns1/svc1:p80", "tcp"); // "KUBE-EXT-XPGD46QRK7WJZT7O"
 * ```
 */
export function serviceExternalChainName(servicePortName: string, protocol: string): string {
  return `KUBE-EXT-${portProtoHash(servicePortName, protocol)}`;
}

/**
 * The `KUBE-FW-` chain (`serviceFirewallChainName`): `loadBalancerSourceRanges` filtering.
 *
 * @example
 * ```ts
 * serviceFirewallChainName("ns1/svc1:p80", "tcp"); // "KUBE-FW-XPGD46QRK7WJZT7O"
 * ```
 */
export function serviceFirewallChainName(servicePortName: string, protocol: string): string {
  return `KUBE-FW-${portProtoHash(servicePortName, protocol)}`;
}

/**
 * The `KUBE-SEP-` chain of one endpoint of a Service port (`servicePortEndpointChainName`):
 * the first 16 characters of `base32(sha256(servicePortName + protocol + endpoint))`,
 * protocol in lower case, endpoint as `net.JoinHostPort` (`IP:port`, `[v6]:port`).
 *
 * @example
 * ```ts
 * servicePortEndpointChainName("ns1/svc1:p80", "tcp", "10.180.0.1:80"); // "KUBE-SEP-SXIVWICOYRO3J4NJ"
 * ```
 */
export function servicePortEndpointChainName(servicePortName: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${base32StdEncode(sha256(servicePortName + protocol.toLowerCase() + endpoint)).slice(0, 16)}`;
}

/**
 * The order the rule printers list Service ports in: by `namespace/name` (compared as one
 * string, so `ns1/svc1` sorts before `ns1/svc10`, as upstream's test helper
 * `sortIPTablesRules` orders KUBE-SERVICES by the service name in the comment), then port
 * name, protocol and address. kube-proxy itself walks a Go map (random order).
 *
 * @example
 * ```ts
 * const a = { address: "10.96.0.20:80/TCP", servicePortName: "ns1/svc10:/TCP", verdict: "forward", endpoints: [] } as const;
 * const b = { address: "10.96.0.30:80/TCP", servicePortName: "ns1/svc1:/TCP", verdict: "forward", endpoints: [] } as const;
 * [a, b].sort(compareProgrammedServicePorts).map((p) => p.servicePortName); // ["ns1/svc1:/TCP", "ns1/svc10:/TCP"]
 * ```
 */
export function compareProgrammedServicePorts(a: ProgrammedServicePort, b: ProgrammedServicePort): number {
  const ka = parseServicePortNameKey(a.servicePortName);
  const kb = parseServicePortNameKey(b.servicePortName);
  const fields: ReadonlyArray<readonly [string, string]> = [
    [`${ka.namespace}/${ka.name}`, `${kb.namespace}/${kb.name}`],
    [ka.port, kb.port],
    [ka.protocol, kb.protocol],
    [a.address, b.address],
  ];
  for (const [x, y] of fields) if (x !== y) return x < y ? -1 : 1;
  return 0;
}

/**
 * The external and local-origin frontends of each Service port, by `servicePortName`
 * (external ones sorted by address), for the rule printers.
 * @internal
 */
export function externalsByPort(frontends: readonly ProgrammedServicePort[]): Map<string, { external: ProgrammedServicePort[]; localOrigin: ProgrammedServicePort | undefined }> {
  const out = new Map<string, { external: ProgrammedServicePort[]; localOrigin: ProgrammedServicePort | undefined }>();
  for (const f of frontends) {
    if (f.verdict === "no-rule" || f.servicePortName === "" || (f.kind !== "external" && f.kind !== "local-origin")) continue;
    let e = out.get(f.servicePortName);
    if (!e) {
      e = { external: [], localOrigin: undefined };
      out.set(f.servicePortName, e);
    }
    if (f.kind === "external") e.external.push(f);
    else e.localOrigin ??= f;
  }
  for (const e of out.values()) e.external.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return out;
}
