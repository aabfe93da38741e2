/**
 * The two kernel hash functions the IPVS hashing schedulers use, bit for bit:
 * `hash_32` (include/linux/hash.h, for `sh` and `dh`) and `hsiphash` (lib/siphash.c, for
 * `mh`), without allocation so they can run once per new connection.
 *
 * @packageDocumentation
 */

/**
 * `GOLDEN_RATIO_32` of include/linux/hash.h.
 *
 * @example
 * ```ts
 * GOLDEN_RATIO_32;        // 0x61c88647
 * hash32(0x0a000001, 8);  // 0x27: the top 8 bits of 0x0a000001 * GOLDEN_RATIO_32 mod 2^32
 * ```
 */
export const GOLDEN_RATIO_32 = 0x61c88647;

/**
 * The kernel's `hash_32(val, bits)` (include/linux/hash.h): `(u32)(val * GOLDEN_RATIO_32)
 * >> (32 - bits)`, i.e. the top `bits` bits of the 32-bit product.
 *
 * @param val - any number; only its low 32 bits are used (as `u32`).
 * @param bits - 1..32.
 *
 * @example
 * ```ts
 * hash32(0x0a000001, 8); // top 8 bits of 0x0a000001 * 0x61c88647 mod 2^32
 * ```
 */
export function hash32(val: number, bits: number): number {
  // include/linux/hash.h hash_32 / __hash_32_generic
  return Math.imul(val | 0, GOLDEN_RATIO_32) >>> (32 - bits);
}

/**
 * An `hsiphash_key_t` (include/linux/siphash.h: `unsigned long key[2]`), split into 32-bit
 * halves so hashing needs no BigInt. On a 64-bit kernel both 64-bit words are used; on a
 * 32-bit kernel `unsigned long` is 32 bits and only the low halves exist.
 *
 * @example
 * ```ts
 * const key: HsiphashKey = hsiphashKey(2654435761, 2654435761); // { k0lo: 2654435761, k0hi: 0, k1lo: 2654435761, k1hi: 0 }
 * hsiphashU32(0x0a000001, key); // 0x3080ce4 on a 64-bit kernel
 * ```
 */
export interface HsiphashKey {
  /** Low 32 bits of `key[0]`. */
  readonly k0lo: number;
  /** High 32 bits of `key[0]` (0 on 32-bit kernels). */
  readonly k0hi: number;
  /** Low 32 bits of `key[1]`. */
  readonly k1lo: number;
  /** High 32 bits of `key[1]` (0 on 32-bit kernels). */
  readonly k1hi: number;
}

/**
 * `BITS_PER_LONG` of the kernel: selects which algorithm `hsiphash` is (see {@link hsiphash}).
 *
 * @example
 * ```ts
 * const bits: KernelBitsPerLong = 32; // a 32-bit kernel: HalfSipHash-1-3
 * hsiphashU32(0x0a000001, IPVS_MH_HASH1, bits); // 0x4106026c (64: 0x3080ce4)
 * ```
 */
export type KernelBitsPerLong = 64 | 32;

/**
 * Builds an {@link HsiphashKey} from the two `unsigned long` words.
 *
 * @throws RangeError naming the value when a word is negative, not an integer, or wider
 * than 64 bits.
 *
 * @example
 * ```ts
 * // net/netfilter/ipvs/ip_vs_mh.c generate_hash_secret: hash1 = {2654435761, 2654435761}
 * const hash1 = hsiphashKey(2654435761, 2654435761);
 * ```
 */
export function hsiphashKey(key0: bigint | number, key1: bigint | number): HsiphashKey {
  const w = (k: bigint | number): bigint => {
    if (typeof k === "number" && !Number.isSafeInteger(k)) throw new RangeError(`hsiphashKey: word must be a safe integer or bigint, got ${k}`);
    const b = BigInt(k);
    if (b < 0n || b > 0xffffffffffffffffn) throw new RangeError(`hsiphashKey: word must be in 0..2^64-1, got ${k}`);
    return b;
  };
  const a = w(key0);
  const b = w(key1);
  return Object.freeze({
    k0lo: Number(a & 0xffffffffn),
    k0hi: Number(a >> 32n),
    k1lo: Number(b & 0xffffffffn),
    k1hi: Number(b >> 32n),
  });
}

// ---------------------------------------------------------------------------
// 64-bit kernels: "HalfSipHash1-3" is SipHash-1-3 on 64-bit words, output truncated to u32
// (lib/siphash.c: "on 64-bit, we make HalfSipHash1-3 actually be SipHash1-3").
// State: v0..v3 as (lo, hi) pairs in one preallocated array; Uint32Array stores wrap mod 2^32.
// ---------------------------------------------------------------------------

const S = new Uint32Array(8);
const V0 = 0;
const V1 = 2;
const V2 = 4;
const V3 = 6;

function add64(d: number, s: number): void {
  const lo = S[d] + S[s];
  S[d] = lo;
  S[d + 1] = S[d + 1] + S[s + 1] + (lo > 0xffffffff ? 1 : 0);
}

function xor64(d: number, s: number): void {
  S[d] ^= S[s];
  S[d + 1] ^= S[s + 1];
}

function rol64(i: number, r: number): void {
  const lo = S[i];
  const hi = S[i + 1];
  if (r === 32) {
    S[i] = hi;
    S[i + 1] = lo;
    return;
  }
  S[i + 1] = (hi << r) | (lo >>> (32 - r));
  S[i] = (lo << r) | (hi >>> (32 - r));
}

/** lib/siphash.c SIPROUND. */
function sipRound(): void {
  add64(V0, V1); rol64(V1, 13); xor64(V1, V0); rol64(V0, 32);
  add64(V2, V3); rol64(V3, 16); xor64(V3, V2);
  add64(V0, V3); rol64(V3, 21); xor64(V3, V0);
  add64(V2, V1); rol64(V1, 17); xor64(V1, V2); rol64(V2, 32);
}

/** lib/siphash.c PREAMBLE: the "somepseudorandomlygeneratedbytes" constants XOR the key. */
function preamble64(key: HsiphashKey): void {
  S[V0] = 0x70736575 ^ key.k0lo; S[V0 + 1] = 0x736f6d65 ^ key.k0hi;
  S[V1] = 0x6e646f6d ^ key.k1lo; S[V1 + 1] = 0x646f7261 ^ key.k1hi;
  S[V2] = 0x6e657261 ^ key.k0lo; S[V2 + 1] = 0x6c796765 ^ key.k0hi;
  S[V3] = 0x79746573 ^ key.k1lo; S[V3 + 1] = 0x74656462 ^ key.k1hi;
}

/** One message word m = (lo, hi): v3 ^= m; one round (the "1" of SipHash-1-3); v0 ^= m. */
function compress64(lo: number, hi: number): void {
  S[V3] ^= lo; S[V3 + 1] ^= hi;
  sipRound();
  S[V0] ^= lo; S[V0 + 1] ^= hi;
}

/** lib/siphash.c HPOSTAMBLE (64-bit): last block b, 3 finalisation rounds, u32 of v0^v1^v2^v3. */
function postamble64(blo: number, bhi: number): number {
  compress64(blo, bhi);
  S[V2] ^= 0xff;
  sipRound();
  sipRound();
  sipRound();
  return (S[V0] ^ S[V1] ^ S[V2] ^ S[V3]) >>> 0;
}

// ---------------------------------------------------------------------------
// 32-bit kernels: real HalfSipHash-1-3 on 32-bit words (lib/siphash.c, #else branch).
// ---------------------------------------------------------------------------

const H = new Uint32Array(4);

function rol32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** lib/siphash.c HSIPROUND (32-bit). */
function halfSipRound(): void {
  H[0] += H[1]; H[1] = rol32(H[1], 5); H[1] ^= H[0]; H[0] = rol32(H[0], 16);
  H[2] += H[3]; H[3] = rol32(H[3], 8); H[3] ^= H[2];
  H[0] += H[3]; H[3] = rol32(H[3], 7); H[3] ^= H[0];
  H[2] += H[1]; H[1] = rol32(H[1], 13); H[1] ^= H[2]; H[2] = rol32(H[2], 16);
}

function preamble32(key: HsiphashKey): void {
  H[0] = key.k0lo;
  H[1] = key.k1lo;
  H[2] = 0x6c796765 ^ key.k0lo;
  H[3] = 0x74656462 ^ key.k1lo;
}

function compress32(m: number): void {
  H[3] ^= m;
  halfSipRound();
  H[0] ^= m;
}

function postamble32(b: number): number {
  compress32(b);
  H[2] ^= 0xff;
  halfSipRound();
  halfSipRound();
  halfSipRound();
  return (H[1] ^ H[3]) >>> 0;
}

/**
 * The kernel's `hsiphash(data, len, key)` (lib/siphash.c `__hsiphash_aligned` /
 * `__hsiphash_unaligned`, identical results): a fast keyed hash for hash tables, returning
 * a `u32`.
 *
 * Details: which algorithm this is depends on the kernel's word size. On 64-bit kernels
 * (x86_64, arm64: every realistic Kubernetes node) it is SipHash-1-3 on 64-bit words with
 * the output truncated to 32 bits; on 32-bit kernels it is HalfSipHash-1-3 on 32-bit
 * words with a 32-bit key. Both are checked against all 64 vectors of the kernel's
 * self-test (lib/tests/siphash_kunit.c, formerly lib/test_siphash.c).
 *
 * @param data - the bytes, as the kernel reads them from memory (little-endian words).
 * @param bitsPerLong - 64 (default) or 32.
 *
 * @example
 * ```ts
 * const key = hsiphashKey(0x0706050403020100n, 0x0f0e0d0c0b0a0908n);
 * hsiphash(new Uint8Array([]), key); // 0x050fc4dc (test_vectors_hsiphash[0])
 * ```
 */
export function hsiphash(data: Uint8Array, key: HsiphashKey, bitsPerLong: KernelBitsPerLong = 64): number {
  const len = data.length;
  if (bitsPerLong === 32) {
    const end = len - (len % 4);
    preamble32(key);
    for (let i = 0; i < end; i += 4) compress32((data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) >>> 0);
    let b = (len << 24) >>> 0;
    for (let i = end; i < len; i++) b |= data[i] << (8 * (i - end));
    return postamble32(b >>> 0);
  }
  const end = len - (len % 8);
  preamble64(key);
  for (let i = 0; i < end; i += 8) {
    const lo = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) >>> 0;
    const hi = (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24)) >>> 0;
    compress64(lo, hi);
  }
  // b = len << 56 | the 0..7 trailing bytes, little-endian
  let blo = 0;
  let bhi = (len & 0xff) << 24;
  for (let i = end; i < len; i++) {
    const shift = 8 * (i - end);
    if (shift < 32) blo |= data[i] << shift;
    else bhi |= data[i] << (shift - 32);
  }
  return postamble64(blo >>> 0, bhi >>> 0);
}

/**
 * `hsiphash(&v, sizeof(v), key)` for one `u32` `v` on a little-endian machine, without
 * allocating: what net/netfilter/ipvs/ip_vs_mh.c `ip_vs_mh_hashkey` computes per
 * connection. Equal to the kernel's `hsiphash_1u32(v, key)` on both word sizes.
 *
 * @param value - only its low 32 bits are hashed.
 * @param bitsPerLong - 64 (default) or 32; see {@link hsiphash}.
 *
 * @example
 * ```ts
 * const key = hsiphashKey(0x0706050403020100n, 0x0f0e0d0c0b0a0908n);
 * hsiphashU32(0x03020100, key); // 0x88d38328 (test_vectors_hsiphash[4])
 * ```
 */
export function hsiphashU32(value: number, key: HsiphashKey, bitsPerLong: KernelBitsPerLong = 64): number {
  const v = value >>> 0;
  if (bitsPerLong === 32) {
    // len 4 = one full 32-bit block, no tail: b = 4 << 24
    preamble32(key);
    compress32(v);
    return postamble32(0x04000000);
  }
  // len 4 < 8: no full block; b = (4 << 56) | le32(v)
  preamble64(key);
  return postamble64(v, 0x04000000);
}
