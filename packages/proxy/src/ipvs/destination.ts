/**
 * One IPVS real server ("destination", `struct ip_vs_dest` in include/net/ip_vs.h) of an
 * IPVS virtual server, as kube-proxy's IPVS mode programs it: one per Service endpoint
 * `IP:port`, with the weight and the connection counters the kernel schedulers read.
 *
 * @packageDocumentation
 */
import { canonicalIP, parseIPv4Octets, parseIPv6Groups } from "@kube-netsim/model";

/** Largest weight the kernel's `int weight` holds (`atomic_t`). */
const MAX_WEIGHT = 0x7fffffff;

/**
 * The 32-bit key the IPVS hashing schedulers see for an address: the IPv4 address as an
 * unsigned 32-bit integer, or for IPv6 the XOR of its four 32-bit words
 * (`addr_fold = ip6[0]^ip6[1]^ip6[2]^ip6[3]` then `ntohl`, net/netfilter/ipvs/ip_vs_sh.c
 * `ip_vs_sh_hashkey`, ip_vs_dh.c, ip_vs_mh.c `ip_vs_mh_hashkey`).
 *
 * Details: an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is folded as IPv6 (the words
 * `0, 0, 0xffff, a.b.c.d`), which is what an AF_INET6 virtual server would hash.
 *
 * @throws RangeError naming the value when it is neither IPv4 nor IPv6.
 *
 * @example
 * ```ts
 * ipvsAddressFold("10.0.0.1");  // 0x0a000001 (167772161)
 * ipvsAddressFold("fd00::1");   // 0xfd000000 ^ 0x00000001 = 0xfd000001
 * ```
 */
export function ipvsAddressFold(ip: string): number {
  const v4 = parseIPv4Octets(ip, "sloppy");
  if (v4 !== undefined) return (((v4[0] << 24) | (v4[1] << 16) | (v4[2] << 8) | v4[3]) >>> 0);
  const v6 = parseIPv6Groups(ip, "sloppy");
  if (v6 === undefined) throw new RangeError(`IPVS: not an IP address: ${JSON.stringify(ip)}`);
  let fold = 0;
  for (let w = 0; w < 4; w++) fold ^= (v6[2 * w] << 16) | v6[2 * w + 1];
  return fold >>> 0;
}

/** Splits `"IP:port"` / `"[IPv6]:port"` into the canonical address text, the 32-bit key and the port. */
function parseDestinationAddress(address: string): { canonical: string; ip: number; port: number } {
  let host: string;
  let portText: string;
  if (address.startsWith("[")) {
    const close = address.indexOf("]");
    if (close < 0 || address[close + 1] !== ":") throw new RangeError(`IPVS destination must be "[IPv6]:port", got ${JSON.stringify(address)}`);
    host = address.slice(1, close);
    portText = address.slice(close + 2);
  } else {
    const colon = address.lastIndexOf(":");
    if (colon < 0 || address.indexOf(":") !== colon) throw new RangeError(`IPVS destination must be "IP:port", got ${JSON.stringify(address)}`);
    host = address.slice(0, colon);
    portText = address.slice(colon + 1);
  }
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw new RangeError(`IPVS destination port must be 0..65535, got ${JSON.stringify(address)}`);
  }
  const ip = ipvsAddressFold(host);
  const canon = canonicalIP(host);
  const port = Number(portText);
  return { canonical: canon.includes(":") ? `[${canon}]:${port}` : `${canon}:${port}`, ip, port };
}

/**
 * Checks an IPVS weight the way `ip_vs_add_dest` / `ip_vs_edit_dest` do
 * (net/netfilter/ipvs/ip_vs_ctl.c: `udest->weight < 0` => `-ERANGE`), and that it fits
 * the kernel's `int`.
 *
 * @throws RangeError naming the value unless it is an integer in 0..2147483647.
 *
 * @example
 * ```ts
 * checkIpvsWeight(1);  // 1: kube-proxy's weight for every real server
 * checkIpvsWeight(0);  // 0: a draining (terminating) endpoint
 * checkIpvsWeight(-1); // throws RangeError (the kernel answers ERANGE)
 * ```
 */
export function checkIpvsWeight(weight: number): number {
  if (!Number.isInteger(weight) || weight < 0 || weight > MAX_WEIGHT) {
    throw new RangeError(`IPVS weight must be an integer in 0..${MAX_WEIGHT} (ip_vs_ctl.c rejects weight < 0 with ERANGE), got ${weight}`);
  }
  return weight;
}

/**
 * One IPVS real server of a virtual server (`struct ip_vs_dest`): what `ipvsadm -Ln` lists
 * under a virtual server as `-> RemoteAddress:Port Forward Weight ActiveConn InActConn`.
 *
 * Details:
 * - `weight`: kube-proxy adds every real server with weight 1 and sets 0 while a
 *   terminating endpoint drains (pkg/proxy/ipvs/graceful_termination.go); weight 0 means
 *   "quiesced": no new connections, existing ones continue.
 * - `lastWeight`: the kernel's `last_weight`, "the latest non-0 weight"
 *   (ip_vs_ctl.c `__ip_vs_update_dest`: set on add, and on edit only when the new weight is
 *   not 0). Only the `mh` scheduler reads it: a drained destination keeps its Maglev slots.
 *   `IpvsVirtualServer` maintains it.
 * - `activeConns` / `inactConns`: the kernel's `activeconns` / `inactconns`. The
 *   connection tracker of the simulation updates them (TCP ESTABLISHED connections are
 *   active, other states inactive); the schedulers only read them.
 * - `overloaded`: `IP_VS_DEST_F_OVERLOAD`, set by the kernel when an upper connection
 *   threshold is configured and reached. kube-proxy configures no thresholds, so it stays
 *   false unless a scenario sets it.
 * - `ip`: the 32-bit key the hashing schedulers use ({@link ipvsAddressFold}).
 *
 * @example
 * ```ts
 * const d = new IpvsDestination("10.244.1.5:8080", 1);
 * d.ip;   // 0x0af40105
 * d.port; // 8080
 * ```
 */
export class IpvsDestination {
  /** `"IP:port"` (IPv6 as `"[IP]:port"`), IP normalised like kube-proxy prints it. */
  readonly address: string;
  /** IPv4 address as an unsigned 32-bit integer; for IPv6 the kernel's 32-bit fold. */
  readonly ip: number;
  /** Destination port, 0..65535. */
  readonly port: number;
  /** Current weight (`dest->weight`); 0 = quiesced. */
  weight: number;
  /** Latest non-zero weight (`dest->last_weight`), read by `mh` only. */
  lastWeight: number;
  /** Active connections (`dest->activeconns`). */
  activeConns: number;
  /** Inactive connections (`dest->inactconns`). */
  inactConns: number;
  /** `IP_VS_DEST_F_OVERLOAD`: schedulers skip the destination while set. */
  overloaded: boolean;

  /**
   * @param address - `"IP:port"` or `"[IPv6]:port"`.
   * @param weight - initial weight (0..2147483647); also the initial `lastWeight`.
   * @throws RangeError naming the value for a malformed address, port or weight.
   */
  constructor(address: string, weight: number) {
    const parsed = parseDestinationAddress(address);
    this.address = parsed.canonical;
    this.ip = parsed.ip;
    this.port = parsed.port;
    this.weight = checkIpvsWeight(weight);
    this.lastWeight = weight;
    this.activeConns = 0;
    this.inactConns = 0;
    this.overloaded = false;
  }
}

/**
 * Normalises a destination address to the form {@link IpvsDestination.address} uses, so
 * `"010.0.0.1:80"` and `"10.0.0.1:80"` name the same real server (the kernel identifies a
 * destination by address family, address and port).
 *
 * @throws RangeError naming the value for a malformed address.
 *
 * @example
 * ```ts
 * ipvsDestinationKey("010.000.000.001:80"); // "10.0.0.1:80"
 * ipvsDestinationKey("[FD00::1]:80");       // "[fd00::1]:80"
 * ```
 */
export function ipvsDestinationKey(address: string): string {
  return parseDestinationAddress(address).canonical;
}

/**
 * The kernel's estimate of a real server's load, `ip_vs_dest_conn_overhead`
 * (include/net/ip_vs.h): `(activeconns << 8) + inactconns`, i.e. one active connection
 * costs as much as 256 inactive ones. Used by `lc` and `wlc` (and lblc/lblcr).
 *
 * Details: computed in a 32-bit signed `int` like the kernel, so it wraps once
 * `activeConns` reaches 2^23 (8388608); below that it is exactly `activeConns * 256 +
 * inactConns`.
 *
 * @example
 * ```ts
 * const d = new IpvsDestination("10.0.0.1:80", 1);
 * d.activeConns = 2; d.inactConns = 3;
 * ipvsConnOverhead(d); // 515
 * ```
 */
export function ipvsConnOverhead(d: IpvsDestination): number {
  // include/net/ip_vs.h ip_vs_dest_conn_overhead: (activeconns << 8) + inactconns, int
  return ((d.activeConns << 8) + d.inactConns) | 0;
}
