/**
 * IP address parsing and formatting, in one place: the API server's strict reading
 * (Go's `net.ParseIP`), kube-proxy's sloppy one (k8s.io/utils/net `ParseIPSloppy`),
 * Go's `net.IP.String()` printing, and IPv4 arithmetic on 32-bit unsigned integers for
 * the ClusterIP and Pod CIDR allocators.
 *
 * @packageDocumentation
 */

/**
 * How an IPv4 dotted quad is read, alone or as the trailing dotted quad of an IPv6
 * address (`::ffff:10.0.0.1`).
 *
 * - `"strict"`: Go's `net.ParseIP` since Go 1.17, which API validation uses
 *   (pkg/apis/core/validation): each octet is `0` or has no leading zero, 0..255.
 * - `"sloppy"`: k8s.io/utils/net `ParseIPSloppy` (the Go 1.16 parser kube-proxy keeps for
 *   addresses stored before the rule tightened): an octet is any run of decimal digits
 *   worth at most 255, leading zeros read as decimal (`010` is 10, never octal).
 *
 * IPv6 hex groups are read the same way in both modes.
 *
 * @example
 * ```ts
 * const mode: IPParseMode = "sloppy"; // as kube-proxy reads addresses
 * parseIPv4Octets("010.1.2.3", mode);     // [10, 1, 2, 3]: leading zeros read as decimal
 * parseIPv4Octets("010.1.2.3", "strict"); // undefined: API validation refuses leading zeros
 * ```
 */
export type IPParseMode = "strict" | "sloppy";

const STRICT_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const SLOPPY_OCTET = /^[0-9]+$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * Parses an IPv4 dotted quad (`a.b.c.d`) into its 4 octets; `undefined` when it is not one.
 *
 * @param s - the text, without a prefix length or port.
 * @param mode - `"strict"` (default, API validation) or `"sloppy"` (kube-proxy); see {@link IPParseMode}.
 *
 * @example
 * ```ts
 * parseIPv4Octets("10.96.0.1");                 // [10, 96, 0, 1]
 * parseIPv4Octets("010.001.002.003");           // undefined (leading zeros)
 * parseIPv4Octets("010.001.002.003", "sloppy"); // [10, 1, 2, 3]
 * parseIPv4Octets("256.0.0.1", "sloppy");       // undefined
 * ```
 */
export function parseIPv4Octets(s: string, mode: IPParseMode = "strict"): number[] | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const octet = mode === "sloppy" ? SLOPPY_OCTET : STRICT_OCTET;
  const out: number[] = [];
  for (const p of parts) {
    if (!octet.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** Colon-separated hex groups; the last item may be a dotted quad (two groups) when `allowV4Tail`. */
function parseGroups(s: string, allowV4Tail: boolean, mode: IPParseMode): number[] | undefined {
  if (s === "") return [];
  const items = s.split(":");
  const out: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (allowV4Tail && i === items.length - 1 && it.includes(".")) {
      const v4 = parseIPv4Octets(it, mode);
      if (v4 === undefined) return undefined;
      out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    } else if (HEX_GROUP.test(it)) {
      out.push(Number.parseInt(it, 16));
    } else {
      return undefined;
    }
  }
  return out;
}

/**
 * Parses IPv6 text into its 8 16-bit groups, following Go's `net.ParseIP` (no zone, no
 * brackets): 1 to 4 hex digits per group, at most one `::` standing for one or more zero
 * groups, and an optional trailing dotted quad for the last two groups
 * (`::ffff:10.0.0.1`). `undefined` when the text is not an IPv6 address.
 *
 * Details: `mode` only changes how the trailing dotted quad's octets are read (leading
 * zeros, see {@link IPParseMode}). An IPv4-mapped address is returned as its 8 groups
 * (`[0, 0, 0, 0, 0, 0xffff, …]`); a plain dotted quad is not IPv6 text and yields `undefined`.
 *
 * @example
 * ```ts
 * parseIPv6Groups("fd00::1");            // [0xfd00, 0, 0, 0, 0, 0, 0, 1]
 * parseIPv6Groups("::ffff:10.0.0.1");    // [0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001]
 * parseIPv6Groups("::ffff:10.0.0.01");   // undefined (strict)
 * parseIPv6Groups("::ffff:10.0.0.01", "sloppy"); // [0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001]
 * parseIPv6Groups("1::2::3");            // undefined (two "::")
 * ```
 */
export function parseIPv6Groups(s: string, mode: IPParseMode = "strict"): number[] | undefined {
  const d = s.indexOf("::");
  if (d < 0) {
    const g = parseGroups(s, true, mode);
    return g !== undefined && g.length === 8 ? g : undefined;
  }
  if (s.indexOf("::", d + 1) >= 0) return undefined;
  const left = parseGroups(s.slice(0, d), false, mode);
  const right = parseGroups(s.slice(d + 2), true, mode);
  // "::" must stand for at least one zero group.
  if (left === undefined || right === undefined || left.length + right.length > 7) return undefined;
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * The 4 octets of an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, i.e. groups
 * `0, 0, 0, 0, 0, 0xffff`), else `undefined`: what Go's `net.IP.To4()` recovers from the
 * 16-byte form, which makes such an address count as IPv4 in validation and print as IPv4.
 * Internal to the model package (not exported from its index).
 */
export function ipv4MappedOctets(g: readonly number[]): number[] | undefined {
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return [g[6] >> 8, g[6] & 0xff, g[7] >> 8, g[7] & 0xff];
  }
  return undefined;
}

/**
 * Prints 8 IPv6 groups like Go's `net.IP.String()`: an IPv4-mapped address
 * (`::ffff:a.b.c.d`) prints as the dotted quad; otherwise lower-case hex without leading
 * zeros, with the longest run of two or more zero groups (the first one on ties) written
 * as `::`. A single zero group is never compressed (RFC 5952).
 *
 * @param groups - exactly 8 numbers 0..0xffff, as {@link parseIPv6Groups} returns.
 *
 * @example
 * ```ts
 * formatIPv6([0xfd00, 0, 0, 1, 0, 0, 0, 1]);        // "fd00:0:0:1::1" (longest run)
 * formatIPv6([0xfd00, 0, 0, 1, 0, 0, 1, 1]);        // "fd00::1:0:0:1:1" (first run on ties)
 * formatIPv6([0, 0, 0, 0, 0, 0xffff, 0x0a00, 1]);   // "10.0.0.1"
 * ```
 */
export function formatIPv6(groups: readonly number[]): string {
  const g = groups;
  const mapped = ipv4MappedOctets(g);
  if (mapped !== undefined) return mapped.join(".");
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
 * it ({@link formatIPv6}); an IPv4-mapped IPv6 address prints as IPv4.
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
  const v4 = parseIPv4Octets(address, "sloppy");
  if (v4 !== undefined) return v4.join(".");
  if (address.includes(":")) {
    const v6 = parseIPv6Groups(address, "sloppy");
    if (v6 !== undefined) return formatIPv6(v6);
  }
  return address;
}

// ---------------------------------------------------------------------------
// IPv4 arithmetic on 32-bit unsigned integers
// ---------------------------------------------------------------------------

/**
 * Parses a strict dotted-quad IPv4 address (no leading zeros) into an unsigned 32-bit
 * integer; returns -1 when invalid.
 *
 * @example
 * ```ts
 * parseIPv4("10.96.0.1"); // 174063617
 * parseIPv4("10.96.0.01"); // -1
 * ```
 */
export function parseIPv4(ip: string): number {
  const o = parseIPv4Octets(ip);
  return o === undefined ? -1 : ((o[0] * 256 + o[1]) * 256 + o[2]) * 256 + o[3];
}

/**
 * Formats an unsigned 32-bit integer as a dotted-quad IPv4 address.
 *
 * @example
 * ```ts
 * formatIPv4(parseIPv4("10.96.0.10")); // "10.96.0.10"
 * formatIPv4(parseCidr("10.244.0.0/16").base + 258); // "10.244.1.2"
 * ```
 */
export function formatIPv4(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/**
 * An IPv4 CIDR block such as `10.96.0.0/12`, as base address and prefix length.
 *
 * @example
 * ```ts
 * const cidr: IPv4Cidr = parseCidr("10.244.0.0/16"); // { base: 183762944, prefix: 16, size: 65536 }
 * formatIPv4(cidr.base + cidr.size - 1);             // "10.244.255.255"
 * ```
 */
export interface IPv4Cidr {
  /** The network address as an unsigned 32-bit integer. */
  readonly base: number;
  /** Prefix length, 0..32. */
  readonly prefix: number;
  /** Number of addresses in the block (2^(32-prefix)). */
  readonly size: number;
}

/**
 * Parses `a.b.c.d/n`.
 * @throws Error naming the value when it is not a valid IPv4 CIDR or has host bits set.
 *
 * @example
 * ```ts
 * parseCidr("10.96.0.0/12"); // { base: 174063616, prefix: 12, size: 1048576 }
 * parseCidr("10.96.0.1/12"); // throws: host bits set (network address is 10.96.0.0)
 * ```
 */
export function parseCidr(cidr: string): IPv4Cidr {
  const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(cidr);
  const base = m ? parseIPv4(m[1]) : -1;
  const prefix = m ? Number(m[2]) : -1;
  if (!m || base < 0 || prefix > 32) throw new Error(`invalid CIDR ${JSON.stringify(cidr)}: must be an IPv4 CIDR like 10.96.0.0/12`);
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) throw new Error(`invalid CIDR ${JSON.stringify(cidr)}: host bits set (network address is ${formatIPv4(base - (base % size))})`);
  return { base, prefix, size };
}
