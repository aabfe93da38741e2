/**
 * MurmurHash3 x64 128-bit, exactly as Cilium computes it for Maglev: Cilium's own
 * `pkg/murmur3` `Hash128(data []byte, seed uint32) (uint64, uint64)`, which follows the
 * SMHasher reference `MurmurHash3_x64_128` (both halves of the state start at the seed,
 * blocks are read little-endian as on the x86-64 / arm64 nodes Cilium runs on).
 *
 * 64-bit arithmetic uses BigInt: this runs only when a Maglev table is rebuilt (once
 * per backend name), never per packet.
 *
 * @packageDocumentation
 */

const MASK64 = 0xffff_ffff_ffff_ffffn;
// pkg/murmur3/murmur3.go Hash128: c1, c2
const C1 = 0x87c3_7b91_1142_53d5n;
const C2 = 0x4cf5_ad43_2745_937fn;

function rotl64(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & MASK64;
}

// pkg/murmur3/murmur3.go fmix64
function fmix64(k: bigint): bigint {
  k ^= k >> 33n;
  k = (k * 0xff51_afd7_ed55_8ccdn) & MASK64;
  k ^= k >> 33n;
  k = (k * 0xc4ce_b9fe_1a85_ec53n) & MASK64;
  k ^= k >> 33n;
  return k;
}

/** Little-endian 64-bit word of `data` at byte offset `off` (the `unsafe` block read). */
function readUint64LE(data: Uint8Array, off: number): bigint {
  const lo = (data[off] | (data[off + 1] << 8) | (data[off + 2] << 16) | (data[off + 3] << 24)) >>> 0;
  const hi = (data[off + 4] | (data[off + 5] << 8) | (data[off + 6] << 16) | (data[off + 7] << 24)) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * Cilium's `murmur3.Hash128(data, seed)` (pkg/murmur3/murmur3.go): the 128-bit
 * MurmurHash3 x64 variant, returned as the two 64-bit halves `[h1, h2]`.
 *
 * Details: `h1 = h2 = uint64(seed)` (the same seeding as the SMHasher reference and as
 * `github.com/spaolacci/murmur3` `Sum128WithSeed`); 16-byte blocks are two little-endian
 * 64-bit words; the tail is mixed as in the reference; finalisation xors the length,
 * cross-adds and applies `fmix64` to both halves. Maglev uses `h1 % M` as the backend's
 * offset and `h2 % (M - 1) + 1` as its skip (pkg/maglev/maglev.go getOffsetAndSkip).
 *
 * @param data - the bytes to hash (for Maglev: the UTF-8 of the backend's hash string).
 * @param seed - a 32-bit unsigned seed.
 * @returns `[h1, h2]`, each in [0, 2^64).
 * @throws RangeError if seed is not an integer in [0, 2^32).
 *
 * @example
 * ```ts
 * murmur3Hash128(utf8Encode("hello"), 0); // [0xcbd8a7b341bd9b02n, 0x5b1e906a48ae1d19n]
 * ```
 */
export function murmur3Hash128(data: Uint8Array, seed: number): readonly [h1: bigint, h2: bigint] {
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= 0xffff_ffff)) {
    throw new RangeError(`murmur3Hash128: seed must be an integer in [0, 2^32), got ${seed}`);
  }
  const len = data.length;
  const nblocks = Math.floor(len / 16);
  let h1 = BigInt(seed);
  let h2 = BigInt(seed);

  for (let i = 0; i < nblocks; i++) {
    let k1 = readUint64LE(data, i * 16);
    let k2 = readUint64LE(data, i * 16 + 8);

    k1 = (k1 * C1) & MASK64;
    k1 = rotl64(k1, 31n);
    k1 = (k1 * C2) & MASK64;
    h1 ^= k1;
    h1 = rotl64(h1, 27n);
    h1 = (h1 + h2) & MASK64;
    h1 = (h1 * 5n + 0x52dc_e729n) & MASK64;

    k2 = (k2 * C2) & MASK64;
    k2 = rotl64(k2, 33n);
    k2 = (k2 * C1) & MASK64;
    h2 ^= k2;
    h2 = rotl64(h2, 31n);
    h2 = (h2 + h1) & MASK64;
    h2 = (h2 * 5n + 0x3849_5ab5n) & MASK64;
  }

  // Tail: bytes 8..14 feed k2, bytes 0..7 feed k1 (little-endian), as the reference's
  // fall-through switch on len & 15.
  const tail = nblocks * 16;
  const rest = len & 15;
  if (rest > 8) {
    let k2 = 0n;
    for (let j = rest - 1; j >= 8; j--) k2 ^= BigInt(data[tail + j]) << BigInt(8 * (j - 8));
    k2 = (k2 * C2) & MASK64;
    k2 = rotl64(k2, 33n);
    k2 = (k2 * C1) & MASK64;
    h2 ^= k2;
  }
  if (rest > 0) {
    let k1 = 0n;
    for (let j = Math.min(rest, 8) - 1; j >= 0; j--) k1 ^= BigInt(data[tail + j]) << BigInt(8 * j);
    k1 = (k1 * C1) & MASK64;
    k1 = rotl64(k1, 31n);
    k1 = (k1 * C2) & MASK64;
    h1 ^= k1;
  }

  const blen = BigInt(len);
  h1 ^= blen;
  h2 ^= blen;
  h1 = (h1 + h2) & MASK64;
  h2 = (h2 + h1) & MASK64;
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  h1 = (h1 + h2) & MASK64;
  h2 = (h2 + h1) & MASK64;
  return [h1, h2];
}

/**
 * The bytes Go hashes for `[]byte(s)`: the UTF-8 encoding of a string.
 *
 * Details: code points are encoded as UTF-8; a lone UTF-16 surrogate (which no Go string
 * converted from valid UTF-8 can contain) is encoded as U+FFFD `EF BF BD`, as the WHATWG
 * `TextEncoder` does. Implemented here because the library targets plain ES2022
 * (no `TextEncoder` global, no `node:` modules).
 *
 * @example
 * ```ts
 * utf8Encode("é"); // Uint8Array [0xc3, 0xa9]
 * ```
 */
export function utf8Encode(s: string): Uint8Array {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const cu = s.charCodeAt(i);
    if (cu < 0x80) n += 1;
    else if (cu < 0x800) n += 2;
    else if (cu >= 0xd800 && cu <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3; // BMP, or a lone surrogate encoded as U+FFFD
  }
  const out = new Uint8Array(n);
  let p = 0;
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (cp <= 0xdbff && (next & 0xfc00) === 0xdc00) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        cp = 0xfffd;
      }
    }
    if (cp < 0x80) {
      out[p++] = cp;
    } else if (cp < 0x800) {
      out[p++] = 0xc0 | (cp >> 6);
      out[p++] = 0x80 | (cp & 0x3f);
    } else if (cp < 0x10000) {
      out[p++] = 0xe0 | (cp >> 12);
      out[p++] = 0x80 | ((cp >> 6) & 0x3f);
      out[p++] = 0x80 | (cp & 0x3f);
    } else {
      out[p++] = 0xf0 | (cp >> 18);
      out[p++] = 0x80 | ((cp >> 12) & 0x3f);
      out[p++] = 0x80 | ((cp >> 6) & 0x3f);
      out[p++] = 0x80 | (cp & 0x3f);
    }
  }
  return out;
}
