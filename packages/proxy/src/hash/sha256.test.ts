import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { base32StdEncode, sha256, utf8Encode } from "./sha256.js";

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("sha256 (FIPS 180-4 known answers)", () => {
  // NIST CSRC "Examples with Intermediate Values" for SHA-256, and FIPS 180-2 appendix B.
  const cases: ReadonlyArray<readonly [string, string | Uint8Array, string]> = [
    ["one block: 'abc'", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
    ["empty message", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    [
      "two blocks: the 448-bit message",
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    ],
    [
      "the 896-bit message (FIPS 180-2 B.3 style, two blocks)",
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
    ],
    ["one million 'a' (FIPS 180-2 B.3)", "a".repeat(1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"],
    ["55 bytes: padding fits in one block", "a".repeat(55), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"],
    ["56 bytes: padding spills into a second block", "a".repeat(56), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"],
    ["64 bytes: exactly one block of data", "a".repeat(64), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"],
    ["raw bytes 0x00..0x03", new Uint8Array([0, 1, 2, 3]), "054edec1d0211f624fed0cbca9d4f9400b0e491c43742af2c5b0abebf0c990d8"],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      expect(hex(sha256(input))).toBe(expected);
    });
  }

  it("hashes a string as its UTF-8 bytes (Go's []byte(s))", () => {
    expect(hex(sha256("é"))).toBe(hex(sha256(new Uint8Array([0xc3, 0xa9]))));
    expect([...utf8Encode("é€😀")]).toEqual([0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
  });

  it("always returns 32 bytes and does not mutate its input", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const copy = Uint8Array.from(bytes);
        const d = sha256(bytes);
        expect(d.length).toBe(32);
        expect(bytes).toEqual(copy);
      }),
    );
  });
});

describe("base32StdEncode (RFC 4648 §10 test vectors, Go base32.StdEncoding)", () => {
  const vectors: ReadonlyArray<readonly [string, string]> = [
    ["", ""],
    ["f", "MY======"],
    ["fo", "MZXQ===="],
    ["foo", "MZXW6==="],
    ["foob", "MZXW6YQ="],
    ["fooba", "MZXW6YTB"],
    ["foobar", "MZXW6YTBOI======"],
  ];
  for (const [input, expected] of vectors) {
    it(`BASE32("${input}") = "${expected}"`, () => {
      expect(base32StdEncode(utf8Encode(input))).toBe(expected);
    });
  }

  it("uses the standard alphabet A-Z2-7 for every 5-bit value", () => {
    // 0x00 0x44 0x32 0x14 0xC7 0x42 0x54 0xB6 0x35 0xCF 0x84 0x65 0x3A 0x56 0xD7 0xC6 0x75 0xBE 0x77 0xDF
    // is the 5-bit sequence 0, 1, 2, ..., 31.
    const bytes = new Uint8Array([
      0x00, 0x44, 0x32, 0x14, 0xc7, 0x42, 0x54, 0xb6, 0x35, 0xcf, 0x84, 0x65, 0x3a, 0x56, 0xd7, 0xc6, 0x75, 0xbe, 0x77, 0xdf,
    ]);
    expect(base32StdEncode(bytes)).toBe("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
  });

  it("encodes a SHA-256 digest to 56 characters ending in ====", () => {
    const s = base32StdEncode(sha256("ns1/svc1:p80tcp"));
    expect(s).toHaveLength(56);
    expect(s.endsWith("====")).toBe(true);
    expect(s.slice(0, 52)).toMatch(/^[A-Z2-7]+$/);
  });

  it("output length is 8 * ceil(n / 5) and decodes back (round trip through a reference decoder)", () => {
    const decode = (s: string): number[] => {
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
      const out: number[] = [];
      let buf = 0;
      let bits = 0;
      for (const ch of s.replace(/=+$/, "")) {
        buf = (buf << 5) | alphabet.indexOf(ch);
        bits += 5;
        if (bits >= 8) {
          out.push((buf >>> (bits - 8)) & 0xff);
          bits -= 8;
        }
      }
      return out;
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const s = base32StdEncode(bytes);
        expect(s.length).toBe(8 * Math.ceil(bytes.length / 5));
        expect(decode(s)).toEqual([...bytes]);
      }),
    );
  });
});
