/**
 * The table-based IPVS schedulers: source hashing `sh` (net/netfilter/ipvs/ip_vs_sh.c),
 * destination hashing `dh` (ip_vs_dh.c) and Maglev hashing `mh` (ip_vs_mh.c). Each keeps
 * a lookup table that is rebuilt only when the destination list changes; `schedule` is a
 * hash and an array read.
 *
 * `sh` and `dh` fill their 256 buckets round-robin over the list, so they are NOT
 * consistent: adding or removing one real server remaps most clients. `mh` is Maglev
 * consistent hashing: removing one of N servers remaps about 1/N of the table.
 *
 * @packageDocumentation
 */
import type { IpvsDestination } from "./destination.js";
import type { IpvsScheduler, IpvsSchedulerName, IpvsSchedulerOptions, IpvsTableHash } from "./schedulers.js";
import type { HsiphashKey, KernelBitsPerLong } from "./hsiphash.js";
import { hash32, hsiphashKey, hsiphashU32 } from "./hsiphash.js";

/**
 * `IP_VS_SH_TAB_BITS` (`CONFIG_IP_VS_SH_TAB_BITS`, default 8) of ip_vs_sh.c; also `IP_VS_DH_TAB_BITS` of ip_vs_dh.c.
 *
 * @example
 * ```ts
 * ipvsShHashKey(0x0a000001, 0, 0); // 39: a bucket in 0..(1 << IPVS_SH_TAB_BITS) - 1
 * ```
 */
export const IPVS_SH_TAB_BITS = 8;

/**
 * `IP_VS_SH_TAB_SIZE` / `IP_VS_DH_TAB_SIZE`: 256 buckets.
 *
 * @example
 * ```ts
 * IPVS_SH_TAB_SIZE; // 256
 * createIpvsScheduler("sh").lookupTable()?.length; // 256: the buckets of sh (and dh)
 * ```
 */
export const IPVS_SH_TAB_SIZE: number = 1 << IPVS_SH_TAB_BITS;

const TAB_MASK = IPVS_SH_TAB_SIZE - 1;

/** The multiplier of the older sh/dh hash, `2654435761UL` (0x9E3779B1). */
const KNUTH_MULTIPLIER = 0x9e3779b1 | 0;

/**
 * `static int primes[]` of net/netfilter/ipvs/ip_vs_mh.c: the allowed Maglev table sizes.
 *
 * @example
 * ```ts
 * IPVS_MH_PRIMES[12 - 8]; // 4093: CONFIG_IP_VS_MH_TAB_INDEX=12, the default
 * createIpvsScheduler("mh", { mhTableIndex: 10 }); // a kernel built with index 10: 1021 entries
 * ```
 */
export const IPVS_MH_PRIMES: readonly number[] = Object.freeze([251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071]);

/**
 * `IP_VS_MH_TAB_SIZE` with the default `CONFIG_IP_VS_MH_TAB_INDEX` 12: `primes[12 - 8]` = 4093.
 *
 * @example
 * ```ts
 * const vs = new IpvsVirtualServer({ scheduler: "mh", schedulerOptions: { port: true } });
 * vs.addDestination("10.244.1.2:53", 1);
 * vs.scheduler.lookupTable()?.length; // 4093 = IPVS_MH_TAB_SIZE
 * ```
 */
export const IPVS_MH_TAB_SIZE = 4093;

/**
 * ip_vs_mh.c `generate_hash_secret`: `hash1 = {2654435761, 2654435761}` (offsets and lookups).
 *
 * @example
 * ```ts
 * IPVS_MH_HASH1; // { k0lo: 2654435761, k0hi: 0, k1lo: 2654435761, k1hi: 0 }
 * ipvsMhHashKey(0x0a000001, 40000, IPVS_MH_HASH1, 0) % IPVS_MH_TAB_SIZE; // the table entry of client 10.0.0.1:40000 (mh-port on)
 * ```
 */
export const IPVS_MH_HASH1: HsiphashKey = hsiphashKey(2654435761, 2654435761);

/**
 * ip_vs_mh.c `generate_hash_secret`: `hash2 = {2654446892, 2654446892}` (skips).
 *
 * @example
 * ```ts
 * IPVS_MH_HASH2; // { k0lo: 2654446892, k0hi: 0, k1lo: 2654446892, k1hi: 0 }
 * // a real server's skip in its Maglev permutation (ip_vs_mh.c ip_vs_mh_permutate):
 * const skip = (ipvsMhHashKey(ipvsAddressFold("10.244.1.2"), 53, IPVS_MH_HASH2, 0) % (IPVS_MH_TAB_SIZE - 1)) + 1;
 * ```
 */
export const IPVS_MH_HASH2: HsiphashKey = hsiphashKey(2654446892, 2654446892);

/**
 * ip_vs_sh.c `ip_vs_sh_hashkey(af, addr, port, offset)`: the bucket (0..255) for a client.
 *
 * Details:
 * - `"hash_32"` (current kernels): `(offset + hash_32(port + addr, 8)) & 255`, the top 8
 *   bits of `(port + addr) * 0x61C88647 mod 2^32`.
 * - `"multiplicative"` (older kernels): `(offset + (port + addr) * 2654435761) & 255`, the
 *   LOW 8 bits of the product, so only the low 8 bits of `port + addr` matter (for IPv4
 *   without port: only the last octet). The first kernels had no port and no offset, which
 *   is this formula with both 0.
 * - `port + addr` is a 32-bit unsigned sum; `port` is 0 unless the service has `sh-port`.
 *
 * @param addr - client address key (IPv4 as u32; IPv6 folded).
 * @param port - client source port, or 0.
 * @param offset - 0 for the first lookup; the `sh-fallback` probe passes its offset.
 *
 * @example
 * ```ts
 * ipvsShHashKey(0x0a000001, 0, 0);                    // hash_32(0x0a000001, 8)
 * ipvsShHashKey(0x0a000001, 0, 0, "multiplicative");  // 0xb1: (1 * 0x9E3779B1) & 255
 * ```
 */
export function ipvsShHashKey(addr: number, port: number, offset: number, hash: IpvsTableHash = "hash_32"): number {
  const v = (port + addr) >>> 0;
  // net/netfilter/ipvs/ip_vs_sh.c ip_vs_sh_hashkey
  if (hash === "hash_32") return (offset + hash32(v, IPVS_SH_TAB_BITS)) & TAB_MASK;
  return (offset + Math.imul(v, KNUTH_MULTIPLIER)) & TAB_MASK;
}

/**
 * ip_vs_dh.c `ip_vs_dh_hashkey(af, addr)`: the bucket (0..255) for a packet's DESTINATION
 * address: `hash_32(addr, 8)` in current kernels, `(addr * 2654435761) & 255` in older
 * ones (see {@link ipvsShHashKey}).
 *
 * @example
 * ```ts
 * ipvsDhHashKey(0x0a60000a); // bucket of ClusterIP 10.96.0.10
 * ```
 */
export function ipvsDhHashKey(addr: number, hash: IpvsTableHash = "hash_32"): number {
  // net/netfilter/ipvs/ip_vs_dh.c ip_vs_dh_hashkey
  if (hash === "hash_32") return hash32(addr >>> 0, IPVS_SH_TAB_BITS);
  return Math.imul(addr >>> 0, KNUTH_MULTIPLIER) & TAB_MASK;
}

/**
 * ip_vs_mh.c `ip_vs_mh_hashkey(af, addr, port, key, offset)`: `v = offset + port + addr`
 * as a 32-bit unsigned sum, then `hsiphash(&v, sizeof(v), key)` (raw `u32`, before the
 * caller's `% M`). Used with {@link IPVS_MH_HASH1} / {@link IPVS_MH_HASH2} on a real
 * server's address and port (permutation), and with `IPVS_MH_HASH1` on the client's
 * address and port (lookup).
 *
 * Details: the address and port are ADDED, not concatenated, so e.g. `10.0.0.1:80` and
 * `10.0.0.2:79` get the same preference list.
 *
 * @example
 * ```ts
 * ipvsMhHashKey(0x0a000001, 80, IPVS_MH_HASH1, 0) % IPVS_MH_TAB_SIZE; // offset of 10.0.0.1:80
 * ```
 */
export function ipvsMhHashKey(addr: number, port: number, key: HsiphashKey, offset: number, bitsPerLong: KernelBitsPerLong = 64): number {
  // net/netfilter/ipvs/ip_vs_mh.c ip_vs_mh_hashkey
  return hsiphashU32((offset + port + addr) >>> 0, key, bitsPerLong);
}

/** ip_vs_sh.c / ip_vs_mh.c `is_unavailable`: weight <= 0 or IP_VS_DEST_F_OVERLOAD. */
function isUnavailable(d: IpvsDestination): boolean {
  return d.weight <= 0 || d.overloaded;
}

// ---------------------------------------------------------------------------
// sh
// ---------------------------------------------------------------------------

/**
 * Source hashing (net/netfilter/ipvs/ip_vs_sh.c): 256 buckets keyed by the client
 * address (and port with `sh-port`).
 */
export class SourceHashingScheduler implements IpvsScheduler {
  /** Always `"sh"`. */
  readonly name: IpvsSchedulerName = "sh";
  private readonly buckets: (IpvsDestination | null)[] = new Array<IpvsDestination | null>(IPVS_SH_TAB_SIZE).fill(null);
  private readonly fallback: boolean;
  private readonly usePort: boolean;
  private readonly hash: IpvsTableHash;

  /** @param options - `fallback` (sh-fallback), `port` (sh-port), `hash`. */
  constructor(options: IpvsSchedulerOptions) {
    this.fallback = options.fallback === true;
    this.usePort = options.port === true;
    this.hash = options.hash ?? "hash_32";
  }

  /**
   * ip_vs_sh.c ip_vs_sh_reassign: walk the list round-robin, giving each destination
   * `weight` consecutive buckets before moving on (a weight-0 destination still takes one
   * bucket per round: `++d_count >= weight` is immediately true); empty list => all NULL.
   */
  private reassign(dests: readonly IpvsDestination[]): void {
    const n = dests.length;
    if (n === 0) {
      this.buckets.fill(null);
      return;
    }
    let p = 0;
    let dCount = 0;
    for (let i = 0; i < IPVS_SH_TAB_SIZE; i++) {
      const d = dests[p];
      this.buckets[i] = d;
      if (++dCount >= d.weight) {
        p = p + 1 < n ? p + 1 : 0; // past the head wraps to the first entry
        dCount = 0;
      }
    }
  }

  /** `init_service`: build the table. */
  initService(dests: readonly IpvsDestination[]): void {
    this.reassign(dests);
  }

  /** `add_dest` = ip_vs_sh_dest_changed: rebuild. */
  addDest(dests: readonly IpvsDestination[]): void {
    this.reassign(dests);
  }

  /** `del_dest` = ip_vs_sh_dest_changed: rebuild. */
  delDest(dests: readonly IpvsDestination[]): void {
    this.reassign(dests);
  }

  /** `upd_dest` = ip_vs_sh_dest_changed: rebuild (weights shape the table). */
  updDest(dests: readonly IpvsDestination[]): void {
    this.reassign(dests);
  }

  /**
   * ip_vs_sh.c ip_vs_sh_schedule: the bucket's destination, or NULL when it is
   * unavailable (weight 0 / overloaded) unless `sh-fallback`: then ip_vs_sh_get_fallback
   * probes `roffset = (offset + ihash) % 256` for offset 0..255, rehashing with
   * `roffset`, and stops at the first available destination (or an empty bucket).
   */
  schedule(_dests: readonly IpvsDestination[], srcIP: number, srcPort: number): IpvsDestination | null {
    const port = this.usePort ? srcPort : 0;
    const ihash = ipvsShHashKey(srcIP, port, 0, this.hash);
    const first = this.buckets[ihash];
    if (first === null) return null;
    if (!isUnavailable(first)) return first;
    if (!this.fallback) return null;
    for (let offset = 0; offset < IPVS_SH_TAB_SIZE; offset++) {
      const roffset = (offset + ihash) % IPVS_SH_TAB_SIZE;
      const d = this.buckets[ipvsShHashKey(srcIP, port, roffset, this.hash)];
      if (d === null) break;
      if (!isUnavailable(d)) return d;
    }
    return null;
  }

  /** The 256 buckets. */
  lookupTable(): readonly (IpvsDestination | null)[] {
    return this.buckets;
  }
}

// ---------------------------------------------------------------------------
// dh
// ---------------------------------------------------------------------------

/**
 * Destination hashing (net/netfilter/ipvs/ip_vs_dh.c): 256 buckets keyed by the packet's
 * destination address. For a kube-proxy virtual server that is always the Service IP, so
 * every client of one virtual server lands on the same real server.
 */
export class DestinationHashingScheduler implements IpvsScheduler {
  /** Always `"dh"`. */
  readonly name: IpvsSchedulerName = "dh";
  private readonly buckets: (IpvsDestination | null)[] = new Array<IpvsDestination | null>(IPVS_SH_TAB_SIZE).fill(null);
  private readonly hash: IpvsTableHash;

  /** @param options - `hash` only (dh has no scheduler flags). */
  constructor(options: IpvsSchedulerOptions) {
    this.hash = options.hash ?? "hash_32";
  }

  /**
   * ip_vs_dh.c ip_vs_dh_reassign: one bucket per destination per round, in list order,
   * weights ignored; empty list => all NULL.
   */
  private reassign(dests: readonly IpvsDestination[]): void {
    const n = dests.length;
    if (n === 0) {
      this.buckets.fill(null);
      return;
    }
    for (let i = 0; i < IPVS_SH_TAB_SIZE; i++) this.buckets[i] = dests[i % n];
  }

  /** `init_service`: build the table. */
  initService(dests: readonly IpvsDestination[]): void {
    this.reassign(dests);
  }

  /** `add_dest` = ip_vs_dh_dest_changed: rebuild. */
  addDest(dests: readonly IpvsDestination[]): void {
    this.reassign(dests);
  }

  /** `del_dest` = ip_vs_dh_dest_changed: rebuild. */
  delDest(dests: readonly IpvsDestination[]): void {
    this.reassign(dests);
  }

  /** ip_vs_dh.c registers no `upd_dest`: a weight edit leaves the table as is. */
  updDest(): void {}

  /**
   * ip_vs_dh.c ip_vs_dh_schedule: the bucket of the destination address; NULL when the
   * bucket's real server has weight <= 0 or is overloaded (no fallback).
   */
  schedule(_dests: readonly IpvsDestination[], _srcIP: number, _srcPort: number, dstIP: number): IpvsDestination | null {
    const d = this.buckets[ipvsDhHashKey(dstIP, this.hash)];
    return d === null || isUnavailable(d) ? null : d;
  }

  /** The 256 buckets. */
  lookupTable(): readonly (IpvsDestination | null)[] {
    return this.buckets;
  }
}

// ---------------------------------------------------------------------------
// mh
// ---------------------------------------------------------------------------

/** `IP_VS_MH_TAB_BITS` = CONFIG_IP_VS_MH_TAB_INDEX / 2 (ip_vs_mh.c), used for the weight shift. */
function mhTabBits(index: number): number {
  return Math.trunc(index / 2);
}

/**
 * Maglev hashing (net/netfilter/ipvs/ip_vs_mh.c), table size M = 4093 by default.
 *
 * Details:
 * - Permutation (ip_vs_mh_permutate), per destination in list order: `offset =
 *   hashkey(addr, port, hash1) % M`, `skip = hashkey(addr, port, hash2) % (M - 1) + 1`,
 *   `turns = ((last_weight / gcd) >> rshift) || (last_weight != 0)`, with gcd over the
 *   positive `last_weight`s and `rshift = max(0, fls(max_last_weight / gcd) - 6)`.
 * - Population (ip_vs_mh_populate): rounds over the list; each destination with
 *   `turns >= 1` takes `turns` slots per round, each its next free preferred slot
 *   (`perm += skip` mod M while taken), until all M slots are filled.
 * - It uses `last_weight`, not `weight`: a real server drained to weight 0 keeps its
 *   slots; clients hashed there get NULL (no `mh-fallback`) or are re-probed.
 * - With more destinations than M, the kernel's rebuild fails with EINVAL and the old
 *   table stays; so it does here.
 */
export class MaglevHashingScheduler implements IpvsScheduler {
  /** Always `"mh"`. */
  readonly name: IpvsSchedulerName = "mh";
  /** Table size M. */
  readonly tableSize: number;
  private readonly lookup: (IpvsDestination | null)[];
  private readonly fallback: boolean;
  private readonly usePort: boolean;
  private readonly bits: KernelBitsPerLong;
  private readonly tabBits: number;
  /**
   * Each destination's starting slot and skip (its two hsiphash values mod M and M - 1):
   * they depend only on its address and port, which never change, so a rebuild after one
   * more real server hashes that one only. The kernel hashes every destination on every
   * rebuild (ip_vs_mh_permutate); the table it builds is the same.
   */
  private readonly permutation = new WeakMap<IpvsDestination, Int32Array>();

  /**
   * @param options - `fallback` (mh-fallback), `port` (mh-port), `bitsPerLong`, `mhTableIndex`.
   * @throws RangeError naming the value when `mhTableIndex` is not an integer in 8..17.
   */
  constructor(options: IpvsSchedulerOptions) {
    const index = options.mhTableIndex ?? 12;
    if (!Number.isInteger(index) || index < 8 || index > 17) {
      throw new RangeError(`mhTableIndex (CONFIG_IP_VS_MH_TAB_INDEX) must be an integer in 8..17, got ${index}`);
    }
    this.tableSize = IPVS_MH_PRIMES[index - 8];
    this.tabBits = mhTabBits(index);
    this.lookup = new Array<IpvsDestination | null>(this.tableSize).fill(null);
    this.fallback = options.fallback === true;
    this.usePort = options.port === true;
    this.bits = options.bitsPerLong ?? 64;
  }

  /** ip_vs_mh.c ip_vs_mh_dest_changed / init_svc: gcd, rshift, then reassign. */
  private rebuild(dests: readonly IpvsDestination[]): void {
    const M = this.tableSize;
    // ip_vs_mh.c ip_vs_mh_reassign: more dests than slots => -EINVAL, table unchanged
    if (dests.length > M) return;
    // ip_vs_mh.c ip_vs_mh_gcd_weight: gcd of the positive last_weights, 0 if none
    let g = 0;
    let maxLw = 0;
    for (const d of dests) {
      const w = d.lastWeight;
      if (w > 0) {
        let a = w;
        let b = g;
        while (b !== 0) {
          const t = a % b;
          a = b;
          b = t;
        }
        g = g > 0 ? a : w;
      }
      if (w > maxLw) maxLw = w;
    }
    if (g < 1) {
      // ip_vs_mh.c ip_vs_mh_populate: gcd < 1 => ip_vs_mh_reset (all NULL)
      this.lookup.fill(null);
      return;
    }
    // ip_vs_mh.c ip_vs_mh_shift_weight: fls(max/gcd) - IP_VS_MH_TAB_BITS, at least 0
    const fls = 32 - Math.clz32(Math.trunc(maxLw / g));
    const rshift = Math.max(0, fls - this.tabBits);

    // ip_vs_mh.c ip_vs_mh_permutate
    const n = dests.length;
    const perm = new Array<number>(n);
    const skip = new Array<number>(n);
    const turns = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const d = dests[i];
      let ps = this.permutation.get(d);
      if (ps === undefined) {
        ps = new Int32Array(2);
        ps[0] = ipvsMhHashKey(d.ip, d.port, IPVS_MH_HASH1, 0, this.bits) % M;
        ps[1] = (ipvsMhHashKey(d.ip, d.port, IPVS_MH_HASH2, 0, this.bits) % (M - 1)) + 1;
        this.permutation.set(d, ps);
      }
      perm[i] = ps[0];
      skip[i] = ps[1];
      const lw = d.lastWeight;
      turns[i] = Math.trunc(lw / g) >> rshift || (lw !== 0 ? 1 : 0);
    }

    // ip_vs_mh.c ip_vs_mh_populate
    const taken = new Uint8Array(M);
    let filled = 0;
    let dtCount = 0;
    while (filled < M) {
      let p = 0; // from the head to the first entry, dest_setup[0]
      while (p < n) {
        if (turns[p] < 1) {
          p++; // ignore added server with zero weight
          continue;
        }
        let c = perm[p];
        while (taken[c] !== 0) {
          perm[p] += skip[p];
          if (perm[p] >= M) perm[p] -= M;
          c = perm[p];
        }
        taken[c] = 1;
        this.lookup[c] = dests[p];
        if (++filled === M) return;
        if (++dtCount >= turns[p]) {
          dtCount = 0;
          p++;
        }
      }
    }
  }

  /** `init_service`: build the table. */
  initService(dests: readonly IpvsDestination[]): void {
    this.rebuild(dests);
  }

  /** `add_dest` = ip_vs_mh_dest_changed: rebuild. */
  addDest(dests: readonly IpvsDestination[]): void {
    this.rebuild(dests);
  }

  /** `del_dest` = ip_vs_mh_dest_changed: rebuild. */
  delDest(dests: readonly IpvsDestination[]): void {
    this.rebuild(dests);
  }

  /** `upd_dest` = ip_vs_mh_dest_changed: rebuild (only `last_weight` matters). */
  updDest(dests: readonly IpvsDestination[]): void {
    this.rebuild(dests);
  }

  /**
   * ip_vs_mh.c ip_vs_mh_schedule: slot `hashkey(client addr, port or 0, hash1) % M`;
   * NULL if empty or unavailable, unless `mh-fallback` (ip_vs_mh_get_fallback): probe
   * `roffset = (offset + ihash) % M` for offset 0..M-1, rehashing with `roffset`, first
   * available wins, an empty slot stops.
   */
  schedule(_dests: readonly IpvsDestination[], srcIP: number, srcPort: number): IpvsDestination | null {
    const M = this.tableSize;
    const port = this.usePort ? srcPort : 0;
    const ihash = ipvsMhHashKey(srcIP, port, IPVS_MH_HASH1, 0, this.bits) % M;
    const first = this.lookup[ihash];
    if (first === null) return null;
    if (!isUnavailable(first)) return first;
    if (!this.fallback) return null;
    for (let offset = 0; offset < M; offset++) {
      const roffset = (offset + ihash) % M;
      const d = this.lookup[ipvsMhHashKey(srcIP, port, IPVS_MH_HASH1, roffset, this.bits) % M];
      if (d === null) break;
      if (!isUnavailable(d)) return d;
    }
    return null;
  }

  /** The Maglev lookup table (M slots). */
  lookupTable(): readonly (IpvsDestination | null)[] {
    return this.lookup;
  }
}
