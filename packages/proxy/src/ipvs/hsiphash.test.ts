import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { hash32, hsiphash, hsiphashKey, hsiphashU32, GOLDEN_RATIO_32 } from "./hsiphash.js";

// Known answers from the kernel's self-test, lib/tests/siphash_kunit.c (formerly
// lib/test_siphash.c), "taken from reference source available at
// https://github.com/veorq/SipHash": hsiphash(in[0..i), i, key) for in[j] = j, i = 0..63.

/** BITS_PER_LONG == 64: key {0x0706050403020100, 0x0f0e0d0c0b0a0908}. */
const VECTORS_64 = [
  0x050fc4dc, 0x7d57ca93, 0x4dc7d44d, 0xe7ddf7fb, 0x88d38328, 0x49533b67, 0xc59f22a7, 0x9bb11140,
  0x8d299a8e, 0x6c063de4, 0x92ff097f, 0xf94dc352, 0x57b4d9a2, 0x1229ffa7, 0xc0f95d34, 0x2a519956,
  0x7d908b66, 0x63dbd80c, 0xb473e63e, 0x8d297d1c, 0xa6cce040, 0x2b45f844, 0xa320872e, 0xdae6c123,
  0x67349c8c, 0x705b0979, 0xca9913a5, 0x4ade3b35, 0xef6cd00d, 0x4ab1e1f4, 0x43c5e663, 0x8c21d1bc,
  0x16a7b60d, 0x7a8ff9bf, 0x1f2a753e, 0xbf186b91, 0xada26206, 0xa3c33057, 0xae3a36a1, 0x7b108392,
  0x99e41531, 0x3f1ad944, 0xc8138825, 0xc28949a6, 0xfaf8876b, 0x9f042196, 0x68b1d623, 0x8b5114fd,
  0xdf074c46, 0x12cc86b3, 0x0a52098f, 0x9d292f9a, 0xa2f41f12, 0x43a71ed0, 0x73f0bce6, 0x70a7e980,
  0x243c6d75, 0xfdb71513, 0xa67d8a08, 0xb7e8f148, 0xf7a644ee, 0x0f1837f2, 0x4b6694e0, 0xb7bbb3a8,
];

/** BITS_PER_LONG == 32: key {0x03020100, 0x07060504}. */
const VECTORS_32 = [
  0x5814c896, 0xe7e864ca, 0xbc4b0e30, 0x01539939, 0x7e059ea6, 0x88e3d89b, 0xa0080b65, 0x9d38d9d6,
  0x577999b1, 0xc839caed, 0xe4fa32cf, 0x959246ee, 0x6b28096c, 0x66dd9cd6, 0x16658a7c, 0xd0257b04,
  0x8b31d501, 0x2b1cd04b, 0x06712339, 0x522aca67, 0x911bb605, 0x90a65f0e, 0xf826ef7b, 0x62512deb,
  0x57150ad7, 0x5d473507, 0x1ec47442, 0xab64afd3, 0x0a4100d0, 0x6d2ce652, 0x2331b6a3, 0x08d8791a,
  0xbc6dda8d, 0xe0f6c934, 0xb0652033, 0x9b9851cc, 0x7c46fb7f, 0x732ba8cb, 0xf142997a, 0xfcc9aa1b,
  0x05327eb2, 0xe110131c, 0xf9e5e7c0, 0xa7d708a6, 0x11795ab1, 0x65671619, 0x9f5fff91, 0xd89c5267,
  0x007783eb, 0x95766243, 0xab639262, 0x9c7e1390, 0xc368dda6, 0x38ddc455, 0xfa13d379, 0x979ea4e8,
  0x53ecd77e, 0x2ee80657, 0x33dbb66a, 0xae3f0577, 0x88b4c4cc, 0x3e7f480b, 0x74c1ebf8, 0x87178304,
];

const KEY_64 = hsiphashKey(0x0706050403020100n, 0x0f0e0d0c0b0a0908n);
const KEY_32 = hsiphashKey(0x03020100, 0x07060504);

function prefix(i: number): Uint8Array {
  const b = new Uint8Array(i);
  for (let j = 0; j < i; j++) b[j] = j;
  return b;
}

describe("hsiphash (lib/siphash.c) against the kernel self-test vectors", () => {
  it("has 64 vectors per word size", () => {
    expect(VECTORS_64).toHaveLength(64);
    expect(VECTORS_32).toHaveLength(64);
  });

  it.each(VECTORS_64.map((v, i) => [i, v]))("64-bit kernel (SipHash-1-3, u32 output): length %i", (i, v) => {
    expect(hsiphash(prefix(i), KEY_64, 64)).toBe(v);
  });

  it.each(VECTORS_32.map((v, i) => [i, v]))("32-bit kernel (HalfSipHash-1-3): length %i", (i, v) => {
    expect(hsiphash(prefix(i), KEY_32, 32)).toBe(v);
  });

  it("defaults to the 64-bit algorithm", () => {
    expect(hsiphash(prefix(7), KEY_64)).toBe(VECTORS_64[7]);
  });

  it("hsiphashU32 = hsiphash_1u32 = vector[4] (the kunit 'hsiphash self-test 1u32')", () => {
    expect(hsiphashU32(0x03020100, KEY_64)).toBe(VECTORS_64[4]);
    expect(hsiphashU32(0x03020100, KEY_32, 32)).toBe(VECTORS_32[4]);
  });

  it("hsiphashU32(v) equals hsiphash over v's 4 little-endian bytes, both word sizes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (v, k0, k1) => {
        const bytes = new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]);
        const key = hsiphashKey(k0, k1);
        const key32 = hsiphashKey(k0 & 0xffffffffn, k1 & 0xffffffffn);
        expect(hsiphashU32(v, key)).toBe(hsiphash(bytes, key));
        expect(hsiphashU32(v, key32, 32)).toBe(hsiphash(bytes, key32, 32));
      }),
    );
  });

  it("returns unsigned 32-bit values", () => {
    for (let i = 0; i < 64; i++) {
      const h = hsiphash(prefix(i), KEY_64);
      expect(h >= 0 && h <= 0xffffffff && Number.isInteger(h)).toBe(true);
    }
  });

  it.each([[-1], [2 ** 64], [1.5]])("hsiphashKey rejects word %s", (w) => {
    const word = typeof w === "number" && w === 2 ** 64 ? 2n ** 64n : w;
    expect(() => hsiphashKey(word, 0)).toThrow(RangeError);
  });

  it("splits 64-bit key words into 32-bit halves", () => {
    expect(KEY_64).toEqual({ k0lo: 0x03020100, k0hi: 0x07060504, k1lo: 0x0b0a0908, k1hi: 0x0f0e0d0c });
  });
});

describe("hash32 (include/linux/hash.h hash_32)", () => {
  const reference = (v: number, bits: number): number => Number(((BigInt(v >>> 0) * BigInt(GOLDEN_RATIO_32)) & 0xffffffffn) >> BigInt(32 - bits));

  it.each([
    [0, 8, 0],
    [1, 8, 0x61],
    [0x0a000001, 8, reference(0x0a000001, 8)],
    [0xffffffff, 8, reference(0xffffffff, 8)],
    [0x12345678, 32, reference(0x12345678, 32)],
  ])("hash_32(%i, %i) = %i", (v, bits, expected) => {
    expect(hash32(v, bits)).toBe(expected);
  });

  it("is the top `bits` bits of the 32-bit product with 0x61C88647", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 32 }), (v, bits) => {
        expect(hash32(v, bits)).toBe(reference(v, bits));
      }),
    );
  });
});
