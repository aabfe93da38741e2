import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { murmur3Hash128, utf8Encode } from "./murmur3.js";

/**
 * Published vectors of github.com/spaolacci/murmur3 murmur_test.go (`data`, checked there
 * with `Sum128WithSeed`, which seeds h1 = h2 = seed like Cilium's pkg/murmur3 Hash128):
 * [seed, h1, h2, input].
 */
const SPAOLACCI_VECTORS: ReadonlyArray<readonly [number, bigint, bigint, string]> = [
  [0x00, 0x0000000000000000n, 0x0000000000000000n, ""],
  [0x00, 0xcbd8a7b341bd9b02n, 0x5b1e906a48ae1d19n, "hello"],
  [0x00, 0x342fac623a5ebc8en, 0x4cdcbc079642414dn, "hello, world"],
  [0x00, 0xb89e5988b737affcn, 0x664fc2950231b2cbn, "19 Jan 2038 at 3:14:07 AM"],
  [0x00, 0xcd99481f9ee902c9n, 0x695da1a38987b6e7n, "The quick brown fox jumps over the lazy dog."],
  [0x01, 0x4610abe56eff5cb5n, 0x51622daa78f83583n, ""],
  [0x01, 0xa78ddff5adae8d10n, 0x128900ef20900135n, "hello"],
  [0x01, 0x8b95f808840725c6n, 0x1597ed5422bd493bn, "hello, world"],
  [0x01, 0x2a929de9c8f97b2fn, 0x56a41d99af43a2dbn, "19 Jan 2038 at 3:14:07 AM"],
  [0x01, 0xfb3325171f9744dan, 0xaaf8b92a5f722952n, "The quick brown fox jumps over the lazy dog."],
  [0x2a, 0xf02aa77dfa1b8523n, 0xd1016610da11cbb9n, ""],
  [0x2a, 0xc4b8b3c960af6f08n, 0x2334b875b0efbc7an, "hello"],
  [0x2a, 0xb91864d797caa956n, 0xd5d139a55afe6150n, "hello, world"],
  [0x2a, 0xfd8f19ebdc8c6b6an, 0xd30fdc310fa08ff9n, "19 Jan 2038 at 3:14:07 AM"],
  [0x2a, 0x74f33c659cda5af7n, 0x4ec7a891caf316f0n, "The quick brown fox jumps over the lazy dog."],
];

describe("murmur3Hash128 (cilium pkg/murmur3 Hash128 = MurmurHash3_x64_128)", () => {
  it.each(SPAOLACCI_VECTORS)("seed %i: spaolacci/murmur3 vector (%s) ", (seed, h1, h2, input) => {
    expect(murmur3Hash128(utf8Encode(input), seed)).toEqual([h1, h2]);
  });

  it("passes SMHasher's VerificationTest with 0x6384BA69 (KeysetTest.cpp; main.cpp value for MurmurHash3_x64_128)", () => {
    // Hash keys {}, {0}, {0,1}, ... {0..254} with seed 256 - i, concatenate the 16-byte
    // digests (h1 then h2, little-endian), hash that with seed 0, read the first 4 bytes LE.
    // Covers every length 0..255 (all tail cases, 0..15 blocks) and 4096 bytes.
    const key = new Uint8Array(256);
    const hashes = new Uint8Array(16 * 256);
    const putLE64 = (buf: Uint8Array, off: number, v: bigint): void => {
      for (let b = 0; b < 8; b++) buf[off + b] = Number((v >> BigInt(8 * b)) & 0xffn);
    };
    for (let i = 0; i < 256; i++) {
      key[i] = i;
      const [h1, h2] = murmur3Hash128(key.subarray(0, i), 256 - i);
      putLE64(hashes, i * 16, h1);
      putLE64(hashes, i * 16 + 8, h2);
    }
    const [f1] = murmur3Hash128(hashes, 0);
    expect(Number(f1 & 0xffff_ffffn)).toBe(0x6384ba69);
  });

  it("returns two values in [0, 2^64) for any input and seed", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat({ max: 0xffff_ffff }), (data, seed) => {
        const [h1, h2] = murmur3Hash128(data, seed);
        return h1 >= 0n && h1 < 1n << 64n && h2 >= 0n && h2 < 1n << 64n;
      }),
    );
  });

  it.each([[-1], [2 ** 32], [1.5], [Number.NaN]])("rejects seed %s", (seed) => {
    expect(() => murmur3Hash128(new Uint8Array(0), seed)).toThrow(RangeError);
  });
});

describe("utf8Encode (Go []byte(string))", () => {
  it.each([
    ["ascii", "a/b:1", [0x61, 0x2f, 0x62, 0x3a, 0x31]],
    ["two-byte é", "é", [0xc3, 0xa9]],
    ["three-byte €", "€", [0xe2, 0x82, 0xac]],
    ["U+FFFD", "\ufffd", [0xef, 0xbf, 0xbd]],
    ["astral 😀 (surrogate pair)", "\u{1F600}", [0xf0, 0x9f, 0x98, 0x80]],
    ["lone high surrogate -> U+FFFD", "\ud83d", [0xef, 0xbf, 0xbd]],
    ["lone low surrogate -> U+FFFD", "x\ude00", [0x78, 0xef, 0xbf, 0xbd]],
  ])("%s", (_name, s, bytes) => {
    expect(Array.from(utf8Encode(s))).toEqual(bytes);
  });

  it("matches the WHATWG TextEncoder on arbitrary UTF-16 (including lone surrogates)", () => {
    const enc = new TextEncoder();
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 }).map((cu) => String.fromCharCode(...cu)),
        (s) => {
          expect(Array.from(utf8Encode(s))).toEqual(Array.from(enc.encode(s)));
        },
      ),
    );
  });
});
