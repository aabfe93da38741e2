/**
 * IPv4 address arithmetic on 32-bit unsigned integers.
 * @packageDocumentation
 */

/** Parses a dotted-quad IPv4 address into an unsigned 32-bit integer; returns -1 when invalid. */
export function parseIPv4(ip: string): number {
  const parts = ip.split(".");
  if (parts.length !== 4) return -1;
  let v = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return -1;
    const n = Number(p);
    if (n > 255) return -1;
    v = v * 256 + n;
  }
  return v;
}

/** Formats an unsigned 32-bit integer as a dotted-quad IPv4 address. */
export function formatIPv4(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** An IPv4 CIDR block such as `10.96.0.0/12`, as base address and prefix length. */
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
