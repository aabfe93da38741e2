/**
 * Bob Jenkins' lookup3 hash as the Linux kernel and Cilium's BPF datapath spell it
 * (bpf/lib/jhash.h, a copy of include/linux/jhash.h): `jhash`, `jhash_3words`,
 * `jhash_2words`, `jhash_1word` and their `__jhash_final` mixing. Cilium's Maglev lookup
 * hashes the flow with `jhash_3words` (bpf/lib/hash.h).
 *
 * All functions work on unsigned 32-bit numbers and allocate nothing.
 *
 * @packageDocumentation
 */

/**
 * `JHASH_INITVAL` (bpf/lib/jhash.h, include/linux/jhash.h): "an arbitrary initial parameter".
 *
 * @example
 * ```ts
 * JHASH_INITVAL;                  // 0xdeadbeef (3735928559)
 * jhash(new Uint8Array(0), 0);    // 0xdeadbeef: an empty key returns the initial value unmixed
 * ```
 */
export const JHASH_INITVAL = 0xdeadbeef;

/**
 * `__jhash_final(a, b, c)` followed by `return c` (bpf/lib/jhash.h): the final avalanche
 * of three 32-bit words into `c`. This is `final()` of lookup3.c.
 *
 * @returns the mixed `c`, in [0, 2^32).
 *
 * @example
 * ```ts
 * jhashFinal(1, 2, 3); // 0x36ff91db
 * ```
 */
export function jhashFinal(a: number, b: number, c: number): number {
  // bpf/lib/jhash.h __jhash_final; rol32(x, k) = (x << k) | (x >>> (32 - k)).
  // `| 0` keeps every intermediate an exact 32-bit value.
  a |= 0;
  b |= 0;
  c |= 0;
  c ^= b; c = (c - ((b << 14) | (b >>> 18))) | 0;
  a ^= c; a = (a - ((c << 11) | (c >>> 21))) | 0;
  b ^= a; b = (b - ((a << 25) | (a >>> 7))) | 0;
  c ^= b; c = (c - ((b << 16) | (b >>> 16))) | 0;
  a ^= c; a = (a - ((c << 4) | (c >>> 28))) | 0;
  b ^= a; b = (b - ((a << 14) | (a >>> 18))) | 0;
  c ^= b; c = (c - ((b << 24) | (b >>> 8))) | 0;
  return c >>> 0;
}

/**
 * `__jhash_nwords(a, b, c, initval)` (bpf/lib/jhash.h): add `initval` to each word, then
 * {@link jhashFinal}.
 *
 * @example
 * ```ts
 * jhashNwords(1, 2, 3, 0);                           // 0x36ff91db: with initval 0, just jhashFinal(1, 2, 3)
 * jhashNwords(1, 2, 3, (JHASH_INITVAL + 12) | 0);    // 0xa46158f5, which is jhash3Words(1, 2, 3, 0)
 * ```
 */
export function jhashNwords(a: number, b: number, c: number, initval: number): number {
  return jhashFinal((a + initval) | 0, (b + initval) | 0, (c + initval) | 0);
}

/**
 * `jhash_3words(a, b, c, initval)` (bpf/lib/jhash.h): hash exactly three 32-bit words.
 *
 * Details: `__jhash_nwords(a, b, c, initval + JHASH_INITVAL + (3 << 2))`. It equals
 * lookup3's `hashword(k, 3, initval)` and the byte-wise {@link jhash} of the 12
 * little-endian bytes of `a, b, c`. Cilium's IPv4 Maglev flow hash is
 * `jhash_3words(saddr, (dport << 16) | sport, nexthdr, HASH_INIT4_SEED)` (bpf/lib/hash.h).
 *
 * @example
 * ```ts
 * jhash3Words(0, 0, 0, 0); // 0x1b68e557 (see jhash.test.ts for how the value was derived)
 * ```
 */
export function jhash3Words(a: number, b: number, c: number, initval: number): number {
  return jhashNwords(a, b, c, (initval + JHASH_INITVAL + (3 << 2)) | 0);
}

/**
 * `jhash_2words(a, b, initval)` (bpf/lib/jhash.h): `__jhash_nwords(a, b, 0, initval + JHASH_INITVAL + (2 << 2))`.
 *
 * @example
 * ```ts
 * jhash2Words(1, 2, 0);                                  // 0x8b4c7979
 * jhash(new Uint8Array([1, 0, 0, 0, 2, 0, 0, 0]), 0);    // 0x8b4c7979: the same two words as little-endian bytes
 * ```
 */
export function jhash2Words(a: number, b: number, initval: number): number {
  return jhashNwords(a, b, 0, (initval + JHASH_INITVAL + (2 << 2)) | 0);
}

/**
 * `jhash_1word(a, initval)` (bpf/lib/jhash.h): `__jhash_nwords(a, 0, 0, initval + JHASH_INITVAL + (1 << 2))`.
 *
 * @example
 * ```ts
 * jhash1Word(1, 0);                          // 0x72a82a9b
 * jhash(new Uint8Array([1, 0, 0, 0]), 0);    // 0x72a82a9b
 * ```
 */
export function jhash1Word(a: number, initval: number): number {
  return jhashNwords(a, 0, 0, (initval + JHASH_INITVAL + (1 << 2)) | 0);
}

/**
 * `jhash(key, length, initval)` (bpf/lib/jhash.h; include/linux/jhash.h): hash a byte
 * string, reading 32-bit words little-endian as on x86-64 / arm64 (the kernel's
 * `__get_unaligned_cpu32`). Identical to lookup3's `hashlittle` on a little-endian host.
 *
 * Details: `a = b = c = JHASH_INITVAL + length + initval`; while more than 12 bytes
 * remain, add three words and `__jhash_mix`; add the last 1..12 bytes and
 * `__jhash_final`; a zero-length remainder returns `c` unmixed.
 *
 * @example
 * ```ts
 * jhash(new Uint8Array(0), 0); // 0xdeadbeef
 * ```
 */
export function jhash(key: Uint8Array, initval: number): number {
  let length = key.length;
  let a = (JHASH_INITVAL + length + initval) | 0;
  let b = a;
  let c = a;
  let k = 0;
  while (length > 12) {
    a = (a + (key[k] | (key[k + 1] << 8) | (key[k + 2] << 16) | (key[k + 3] << 24))) | 0;
    b = (b + (key[k + 4] | (key[k + 5] << 8) | (key[k + 6] << 16) | (key[k + 7] << 24))) | 0;
    c = (c + (key[k + 8] | (key[k + 9] << 8) | (key[k + 10] << 16) | (key[k + 11] << 24))) | 0;
    // bpf/lib/jhash.h __jhash_mix
    a = (a - c) | 0; a ^= (c << 4) | (c >>> 28); c = (c + b) | 0;
    b = (b - a) | 0; b ^= (a << 6) | (a >>> 26); a = (a + c) | 0;
    c = (c - b) | 0; c ^= (b << 8) | (b >>> 24); b = (b + a) | 0;
    a = (a - c) | 0; a ^= (c << 16) | (c >>> 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= (a << 19) | (a >>> 13); a = (a + c) | 0;
    c = (c - b) | 0; c ^= (b << 4) | (b >>> 28); b = (b + a) | 0;
    length -= 12;
    k += 12;
  }
  if (length === 0) return c >>> 0;
  // The fall-through switch: byte j of the last block goes to word j >> 2 at bit 8*(j&3).
  for (let j = length - 1; j >= 0; j--) {
    const v = key[k + j] << (8 * (j & 3));
    if (j >= 8) c = (c + v) | 0;
    else if (j >= 4) b = (b + v) | 0;
    else a = (a + v) | 0;
  }
  return jhashFinal(a, b, c);
}
