/**
 * DNS messages as kube-netsim models them: the question, the answer, authority and
 * additional sections, the rcode. Records are kept in the presentation format of
 * `dig` and of CoreDNS's own tests (`svc1.testns.svc.cluster.local. 30 IN A 10.0.0.1`),
 * so that tables copied from upstream compare equal.
 *
 * @packageDocumentation
 */
import { formatIPv6, parseIPv4Octets, parseIPv6Groups } from "@kube-netsim/model";

/**
 * Query types the model answers. Any other type is answered like CoreDNS's fallback (NODATA or NXDOMAIN).
 *
 * @example
 * ```ts
 * const q: QueryType = "SRV"; // e.g. _http._tcp.api.default.svc.cluster.local.
 * dns.query("api.default.svc.cluster.local.", q, sim.now); // dns: a CoreDnsServer
 * ```
 */
export type QueryType = "A" | "AAAA" | "SRV" | "PTR" | "CNAME" | "TXT" | "MX";

/**
 * Record types that appear in answers.
 *
 * @example
 * ```ts
 * const t: RecordType = "CNAME"; // the answer for an ExternalName Service
 * ```
 */
export type RecordType = "A" | "AAAA" | "CNAME" | "SRV" | "PTR" | "SOA";

/**
 * Response codes the model produces. NODATA is `NOERROR` with an empty answer section.
 *
 * @example
 * ```ts
 * dns.query("nope.default.svc.cluster.local.", "A", 0).response.rcode; // "NXDOMAIN"
 * dns.query("api.default.svc.cluster.local.", "AAAA", 0).response.rcode; // "NOERROR" (NODATA for an IPv4-only Service)
 * ```
 */
export type Rcode = "NOERROR" | "NXDOMAIN" | "SERVFAIL" | "REFUSED";

/**
 * One resource record.
 *
 * @example
 * ```ts
 * const a: DnsRecord = { name: "api.default.svc.cluster.local.", type: "A", ttl: 30, data: "10.96.0.20" };
 * const srv: DnsRecord = { name: "_http._tcp.api.default.svc.cluster.local.", type: "SRV", ttl: 30, data: "0 100 80 api.default.svc.cluster.local." };
 * ```
 */
export interface DnsRecord {
  /** Owner name, fully qualified and lower case (`api.default.svc.cluster.local.`). */
  readonly name: string;
  /** Record type. */
  readonly type: RecordType;
  /** Time to live, seconds. */
  readonly ttl: number;
  /**
   * RDATA in presentation format: an address for A/AAAA, a fully qualified name for
   * CNAME/PTR, `priority weight port target` for SRV, the seven SOA fields for SOA.
   */
  readonly data: string;
}

/**
 * A DNS response.
 *
 * @example
 * ```ts
 * const r: DnsResponse = dns.query("api.default.svc.cluster.local.", "A", 0).response;
 * r.rcode;          // "NOERROR"
 * r.authoritative;  // true
 * r.answer[0].data; // "10.96.0.20"
 * r.authority;      // []: the SOA appears only on NXDOMAIN and NODATA
 * ```
 */
export interface DnsResponse {
  /** The question name, fully qualified and lower case. */
  readonly qname: string;
  /** The question type. */
  readonly qtype: QueryType;
  /** Response code. */
  readonly rcode: Rcode;
  /** The AA bit: CoreDNS's kubernetes plugin answers authoritatively for its zone (and the cache keeps the bit). */
  readonly authoritative: boolean;
  /** Answer section. */
  readonly answer: readonly DnsRecord[];
  /** Authority section (the zone's SOA on NXDOMAIN and NODATA). */
  readonly authority: readonly DnsRecord[];
  /** Additional section (addresses of SRV targets). */
  readonly extra: readonly DnsRecord[];
}

/**
 * How a response reads to a stub resolver: records, NODATA (NOERROR, no answer), NXDOMAIN or a failure.
 *
 * @example
 * ```ts
 * const kind: ResponseKind = responseKind(dns.query("api.default.svc.cluster.local.", "AAAA", 0).response);
 * kind; // "NODATA": the Service has no IPv6 ClusterIP, the stub resolver tries the next search domain (glibc)
 * ```
 */
export type ResponseKind = "answer" | "NODATA" | "NXDOMAIN" | "SERVFAIL" | "REFUSED";

/**
 * Classifies a response as CoreDNS's `response.Typify` does for caching and as a stub
 * resolver sees it.
 *
 * @example
 * ```ts
 * responseKind(plugin.serve("api.default.svc.cluster.local.", "AAAA")!); // "NODATA" for an IPv4-only Service
 * ```
 */
export function responseKind(r: DnsResponse): ResponseKind {
  if (r.rcode === "NXDOMAIN") return "NXDOMAIN";
  if (r.rcode === "SERVFAIL") return "SERVFAIL";
  if (r.rcode === "REFUSED") return "REFUSED";
  return r.answer.length > 0 ? "answer" : "NODATA";
}

/**
 * A record in the zone-file form of `dig` and of CoreDNS's tests:
 * `name TTL IN TYPE data`, fields separated by a tab.
 *
 * @example
 * ```ts
 * formatRecord({ name: "api.default.svc.cluster.local.", type: "A", ttl: 30, data: "10.96.0.20" });
 * // "api.default.svc.cluster.local.\t30\tIN\tA\t10.96.0.20"
 * ```
 */
export function formatRecord(r: DnsRecord): string {
  return `${r.name}\t${r.ttl}\tIN\t${r.type}\t${r.data}`;
}

/**
 * A name in canonical form: lower case, with the trailing dot (`dns.Fqdn` and
 * `strings.ToLower` in CoreDNS's `request.Name`).
 *
 * @example
 * ```ts
 * fqdn("API.Default"); // "api.default."
 * ```
 */
export function fqdn(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith(".") ? n : `${n}.`;
}

/**
 * Whether `name` is `zone` or below it (both fully qualified; `dns.IsSubDomain(zone, name)`).
 *
 * @example
 * ```ts
 * isSubdomain("cluster.local.", "api.default.svc.cluster.local."); // true
 * isSubdomain("cluster.local.", "cluster.local.");                 // true
 * isSubdomain("cluster.local.", "example.com.");                  // false
 * ```
 */
export function isSubdomain(zone: string, name: string): boolean {
  if (zone === ".") return true;
  return name === zone || name.endsWith(`.${zone}`);
}

/**
 * `"4"` or `"6"` when `s` parses as an IPv4 or IPv6 address (Go's `net.ParseIP`), else `undefined`.
 *
 * @example
 * ```ts
 * ipFamily("10.96.0.10"); // "4"
 * ipFamily("fd00::1");    // "6"
 * ipFamily("api");        // undefined
 * ```
 */
export function ipFamily(s: string): "4" | "6" | undefined {
  if (parseIPv4Octets(s) !== undefined) return "4";
  if (s.includes(":") && parseIPv6Groups(s) !== undefined) return "6";
  return undefined;
}

/**
 * Drops duplicate records (same name, type and data), keeping the first (`dnsutil.Dedup`).
 *
 * @example
 * ```ts
 * const a = { name: "api.default.svc.cluster.local.", type: "A", ttl: 30, data: "10.96.0.20" } as const;
 * dedupRecords([a, { ...a, ttl: 5 }]).length; // 1: same name, type and data
 * ```
 */
export function dedupRecords(records: readonly DnsRecord[]): DnsRecord[] {
  const seen = new Set<string>();
  const out: DnsRecord[] = [];
  for (const r of records) {
    const k = `${r.name}\u0000${r.type}\u0000${r.data}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(r);
  }
  return out;
}

/**
 * The address in a reverse name (`4.3.2.1.in-addr.arpa.` is `1.2.3.4`;
 * 32 nibbles under `ip6.arpa.` an IPv6 address), or `undefined`
 * (CoreDNS's `dnsutil.ExtractAddressFromReverse`).
 *
 * @example
 * ```ts
 * addressFromReverse("20.0.96.10.in-addr.arpa."); // "10.96.0.20"
 * ```
 */
export function addressFromReverse(name: string): string | undefined {
  const n = fqdn(name);
  if (n.endsWith(".in-addr.arpa.")) {
    const labels = n.slice(0, -".in-addr.arpa.".length).split(".");
    if (labels.length !== 4) return undefined;
    const ip = labels.reverse().join(".");
    return parseIPv4Octets(ip) !== undefined ? ip : undefined;
  }
  if (n.endsWith(".ip6.arpa.")) {
    const labels = n.slice(0, -".ip6.arpa.".length).split(".");
    if (labels.length !== 32 || !labels.every((l) => /^[0-9a-f]$/.test(l))) return undefined;
    const hex = labels.reverse().join("");
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4).replace(/^0+(?=.)/, ""));
    const g = parseIPv6Groups(groups.join(":"));
    return g === undefined ? undefined : formatIPv6(g);
  }
  return undefined;
}

/**
 * The reverse name of an address (`10.96.0.20` is `20.0.96.10.in-addr.arpa.`).
 *
 * @example
 * ```ts
 * reverseName("10.244.1.7"); // "7.1.244.10.in-addr.arpa."
 * ```
 */
export function reverseName(ip: string): string {
  const v4 = parseIPv4Octets(ip);
  if (v4 !== undefined) return `${v4.reverse().join(".")}.in-addr.arpa.`;
  const g = parseIPv6Groups(ip);
  if (g === undefined) throw new RangeError(`reverseName: ip: Invalid value: "${ip}": must be a valid IP address`);
  const nibbles = g.map((x) => x.toString(16).padStart(4, "0")).join("");
  return `${[...nibbles].reverse().join(".")}.ip6.arpa.`;
}
