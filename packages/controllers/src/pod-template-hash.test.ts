import { describe, it, expect } from "vitest";
import fc from "fast-check";
import type { PodTemplateSpec } from "@kube-netsim/model";
import { computePodTemplateHash, safeEncodeString } from "./pod-template-hash.js";

const template = (image = "nginx:1.25", labels: Record<string, string> = { app: "web" }): PodTemplateSpec => ({
  metadata: { labels },
  spec: { containers: [{ name: "c", image, ports: [{ containerPort: 8080, name: "http" }] }] },
});

// An independent 32-bit FNV-1a (BigInt arithmetic, ASCII input) to check the real one against.
function referenceFnv1a32(s: string): number {
  let h = 0x811c9dc5n;
  for (let i = 0; i < s.length; i++) {
    h ^= BigInt(s.charCodeAt(i));
    h = (h * 0x01000193n) % 0x100000000n;
  }
  return Number(h);
}

// Digit -> safe character, worked out by hand from alphanums[code % 27]:
// '0'=48 -> 21 '4', '1' -> '5', '2' -> '6', '3' -> '7', '4' -> '8', '5'=53 -> 26 '9',
// '6'=54 -> 0 'b', '7' -> 'c', '8' -> 'd', '9'=57 -> 3 'f'.
const DIGIT_TO_SAFE: Record<string, string> = { "0": "4", "1": "5", "2": "6", "3": "7", "4": "8", "5": "9", "6": "b", "7": "c", "8": "d", "9": "f" };

describe("safeEncodeString (k8s.io/apimachinery/pkg/util/rand SafeEncodeString)", () => {
  it.each([
    ["digits 0123 (codes 48..51 -> indices 21..24)", "0123", "4567"],
    ["all ten digits", "0123456789", "456789bcdf"],
    ["lower-case letters (a=97 -> 16 'v', z=122 -> 14 's')", "az", "vs"],
    ["NUL maps to index 0", "\u0000", "b"],
    ["empty string", "", ""],
  ])("%s", (_name, input, want) => {
    expect(safeEncodeString(input)).toBe(want);
  });

  it("keeps the length and only uses the safe alphabet", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const out = safeEncodeString(s);
        expect(out).toHaveLength(s.length);
        expect(out).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]*$/);
      }),
    );
  });
});

describe("computePodTemplateHash", () => {
  it("is the safe-encoded decimal FNV-1a of the template's canonical JSON", () => {
    // Keys sorted at every level; the reference FNV is checked on a published test vector first.
    expect(referenceFnv1a32("a")).toBe(0xe40c292c);
    const canonical = '{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx:1.25","name":"c","ports":[{"containerPort":8080,"name":"http"}]}]}}';
    const want = [...String(referenceFnv1a32(canonical))].map((d) => DIGIT_TO_SAFE[d]).join("");
    expect(computePodTemplateHash(template())).toBe(want);
  });

  it("gives the same hash for the same template (and for an equal copy)", () => {
    const a = computePodTemplateHash(template());
    expect(computePodTemplateHash(template())).toBe(a);
    expect(computePodTemplateHash(JSON.parse(JSON.stringify(template())) as PodTemplateSpec)).toBe(a);
  });

  it("does not depend on key order", () => {
    const reordered: PodTemplateSpec = {
      spec: { containers: [{ ports: [{ name: "http", containerPort: 8080 }], image: "nginx:1.25", name: "c" }] },
      metadata: { labels: { app: "web" } },
    };
    expect(computePodTemplateHash(reordered)).toBe(computePodTemplateHash(template()));
    expect(computePodTemplateHash(template("x", { a: "1", b: "2" }))).toBe(computePodTemplateHash(template("x", { b: "2", a: "1" })));
  });

  it("ignores keys whose value is undefined (absent and undefined are the same field)", () => {
    const withUndefined: PodTemplateSpec = { metadata: { labels: { app: "web" }, annotations: undefined }, spec: template().spec };
    expect(computePodTemplateHash(withUndefined)).toBe(computePodTemplateHash(template()));
  });

  it.each([
    ["image", template("nginx:1.26")],
    ["label value", template("nginx:1.25", { app: "api" })],
    ["extra label", template("nginx:1.25", { app: "web", tier: "a" })],
    ["container port", { ...template(), spec: { containers: [{ name: "c", image: "nginx:1.25", ports: [{ containerPort: 8081, name: "http" }] }] } }],
    ["container order", { ...template(), spec: { containers: [{ name: "b" }, { name: "a" }] } }],
  ])("changes when the %s changes", (_name, changed) => {
    expect(computePodTemplateHash(changed)).not.toBe(computePodTemplateHash(template()));
  });

  it("is order-sensitive for arrays", () => {
    const ab: PodTemplateSpec = { spec: { containers: [{ name: "a" }, { name: "b" }] } };
    const ba: PodTemplateSpec = { spec: { containers: [{ name: "b" }, { name: "a" }] } };
    expect(computePodTemplateHash(ab)).not.toBe(computePodTemplateHash(ba));
  });

  it("changes with collisionCount (0 is the default)", () => {
    const t = template();
    const h0 = computePodTemplateHash(t);
    expect(computePodTemplateHash(t, 0)).toBe(h0);
    const h1 = computePodTemplateHash(t, 1);
    const h2 = computePodTemplateHash(t, 2);
    expect(h1).not.toBe(h0);
    expect(h2).not.toBe(h1);
    expect(h2).not.toBe(h0);
  });

  it("only uses the safe alphabet, in fact only the ten characters a decimal number encodes to", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 4 }),
        fc.nat(5),
        (image, labels, collisionCount) => {
          const h = computePodTemplateHash(template(image, labels), collisionCount);
          expect(h).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
          // A uint32 in decimal has 1..10 digits, each encoded to one of "456789bcdf".
          expect(h).toMatch(/^[456789bcdf]{1,10}$/);
        },
      ),
    );
  });
});
