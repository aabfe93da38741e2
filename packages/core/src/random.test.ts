import { describe, expect, it } from "vitest";
import fc from "fast-check";
import alea from "seedrandom/lib/alea.js";
import { RandomSource, RandomStream, aleaNext } from "./random.js";

function draw(s: RandomStream, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(s.next());
  return out;
}

describe("RandomSource.stream", () => {
  it("same seed and name give the same sequence", () => {
    expect(draw(new RandomSource(42).stream("a"), 100)).toEqual(draw(new RandomSource(42).stream("a"), 100));
  });

  it("different names give different sequences", () => {
    const src = new RandomSource(42);
    expect(draw(src.stream("a"), 10)).not.toEqual(draw(src.stream("b"), 10));
  });

  it("different root seeds give different sequences", () => {
    expect(draw(new RandomSource(1).stream("a"), 10)).not.toEqual(draw(new RandomSource(2).stream("a"), 10));
    expect(draw(new RandomSource("x").stream("a"), 10)).not.toEqual(draw(new RandomSource("y").stream("a"), 10));
  });

  it("drawing from one stream (or creating others) never shifts another (common random numbers)", () => {
    const busy = new RandomSource(7);
    draw(busy.stream("a"), 1000);
    busy.stream("c");
    busy.fork("node/a").stream("b").next();
    const fresh = new RandomSource(7);
    expect(draw(busy.stream("b"), 50)).toEqual(draw(fresh.stream("b"), 50));
  });

  it("returns the same cached object for the same name, continuing its sequence", () => {
    const src = new RandomSource(3);
    const s = src.stream("x");
    expect(src.stream("x")).toBe(s);
    const first = s.next();
    const ref = new RandomSource(3).stream("x");
    expect(ref.next()).toBe(first);
    expect(src.stream("x").next()).toBe(ref.next());
  });

  it("numeric seed 42 and string seed '42' are the same seed (String(seed) derivation)", () => {
    expect(draw(new RandomSource(42).stream("a"), 5)).toEqual(draw(new RandomSource("42").stream("a"), 5));
    expect(new RandomSource(42).seed).toBe(42);
  });

  it("exposes the documented seed derivation `${seed}\\u0000${name}`", () => {
    const s = new RandomSource(9).stream("proxy");
    expect(s.name).toBe("proxy");
    expect(s.seedString).toBe("9\u0000proxy");
    expect(draw(s, 5)).toEqual(draw(new RandomStream("proxy", "9\u0000proxy"), 5));
  });

  it("pins the alea sequence (golden values; changing them breaks every recorded digest)", () => {
    const s = new RandomSource(42).stream("a");
    const u = [s.nextUint32(), s.nextUint32(), s.nextUint32()];
    expect(u).toEqual([607422656, 2458577825, 714618468]);
  });

  it.each([
    ["empty", ""],
    ["NUL inside", "a\u0000b"],
  ])("rejects an invalid stream name (%s)", (_label, name) => {
    expect(() => new RandomSource(1).stream(name)).toThrow(RangeError);
    expect(() => new RandomSource(1).fork(name)).toThrow(RangeError);
  });

  it("rejects a non-finite numeric seed", () => {
    expect(() => new RandomSource(NaN)).toThrow(/seed must be a finite number or a string/);
    expect(() => new RandomSource(Infinity)).toThrow(RangeError);
  });
});

describe("RandomSource.fork", () => {
  it("is cached and derives its seed as `${seed}\\u0000${name}`", () => {
    const root = new RandomSource(1);
    const child = root.fork("a");
    expect(root.fork("a")).toBe(child);
    expect(child.seed).toBe("1\u0000a");
    expect(draw(child.stream("b"), 5)).toEqual(draw(new RandomSource("1\u0000a").stream("b"), 5));
  });

  it("fork streams differ from the parent's streams and from other forks", () => {
    const root = new RandomSource(1);
    const a = draw(root.fork("a").stream("s"), 10);
    expect(a).not.toEqual(draw(root.stream("s"), 10));
    expect(a).not.toEqual(draw(root.stream("a"), 10));
    expect(a).not.toEqual(draw(root.fork("b").stream("s"), 10));
  });
});

describe("RandomStream values", () => {
  it("next() is in [0, 1) and passes a chi-square uniformity test over 10 bins", () => {
    const s = new RandomSource(12345).stream("uniformity");
    const n = 100_000;
    const bins = new Array<number>(10).fill(0);
    let outOfRange = 0;
    for (let i = 0; i < n; i++) {
      const u = s.next();
      if (!(u >= 0 && u < 1)) outOfRange++;
      bins[Math.floor(u * 10)]++;
    }
    expect(outOfRange).toBe(0);
    const expected = n / 10;
    const chi2 = bins.reduce((acc, o) => acc + ((o - expected) ** 2) / expected, 0);
    // 9 degrees of freedom: the 99.9th percentile of chi-square(9) is 27.88.
    expect(chi2).toBeLessThan(27.88);
  });

  it("nextInt(n) stays in [0, n) and hits every value", () => {
    const s = new RandomSource(5).stream("ints");
    for (const n of [1, 2, 3, 7, 1000]) {
      const seen = new Set<number>();
      let bad = 0;
      for (let i = 0; i < 20_000; i++) {
        const k = s.nextInt(n);
        if (!(Number.isInteger(k) && k >= 0 && k < n)) bad++;
        seen.add(k);
      }
      expect(bad).toBe(0);
      expect(seen.size).toBe(n);
    }
  });

  it("nextInt(3) picks each endpoint with probability 1/3 (like iptables statistic rules)", () => {
    const s = new RandomSource(77).stream("pick");
    const counts = [0, 0, 0];
    const n = 300_000;
    for (let i = 0; i < n; i++) counts[s.nextInt(3)]++;
    for (const c of counts) expect(Math.abs(c / n - 1 / 3)).toBeLessThan(0.005);
  });

  it("nextUint32 returns integers in [0, 2^32) equal to next() * 2^32", () => {
    const a = new RandomSource(8).stream("u");
    const b = new RandomSource(8).stream("u");
    for (let i = 0; i < 1000; i++) {
      const x = a.nextUint32();
      expect(Number.isInteger(x) && x >= 0 && x < 2 ** 32).toBe(true);
      expect(x).toBe(b.next() * 2 ** 32);
    }
  });

  it.each([0, -1, 1.5, NaN, 2 ** 32 + 1])("nextInt rejects n = %s", (n) => {
    expect(() => new RandomSource(1).stream("a").nextInt(n)).toThrow(RangeError);
  });
});

describe("RandomStream matches seedrandom's alea exactly", () => {
  it("gives the same 100,000 values as seedrandom.alea(seedString)", async () => {
    const { default: seedrandom } = await import("seedrandom");
    const s = new RandomSource(7).stream("same-as-seedrandom");
    const ref = seedrandom.alea(s.seedString);
    for (let i = 0; i < 100_000; i++) {
      const a = s.next();
      const b = ref();
      if (a !== b) throw new Error(`draw ${i}: ${a} !== ${b}`);
    }
    expect(s.next()).toBe(ref());
  });
});

describe("RandomStream.moveStateTo and aleaNext", () => {
  const reference = (n: number): number[] => draw(new RandomSource(5).stream("app/default/api-0"), n);

  it("a stream moved before its first draw gives its own sequence, through next() and through aleaNext on the bank", () => {
    const s = new RandomSource(5).stream("app/default/api-0");
    const bank = new Float64Array(12);
    s.moveStateTo(bank, 8);
    expect(bank[11]).toBe(-1); // not seeded yet: the first draw goes through the stream
    const got = [s.next(), aleaNext(bank, 8), aleaNext(bank, 8), s.next(), s.nextUint32() / 2 ** 32, aleaNext(bank, 8)];
    expect(got).toEqual(reference(6));
  });

  it("a stream moved after some draws goes on where it was (carry and state copied)", () => {
    const s = new RandomSource(5).stream("app/default/api-0");
    const first = draw(s, 3);
    const bank = new Float64Array(4);
    s.moveStateTo(bank, 0);
    expect(bank[3]).toBeGreaterThanOrEqual(0);
    expect([...first, aleaNext(bank, 0), s.next()]).toEqual(reference(5));
  });

  it("moving again calls the previous mover's onMovedAway once, before the state is copied on", () => {
    const s = new RandomSource(5).stream("app/default/api-0");
    const a = new Float64Array(4);
    const b = new Float64Array(8);
    const calls: string[] = [];
    s.moveStateTo(a, 0, () => calls.push("a"));
    s.next();
    s.moveStateTo(b, 4, () => calls.push("b"));
    expect(calls).toEqual(["a"]);
    expect([aleaNext(b, 4), s.next()]).toEqual(reference(3).slice(1));
    s.moveStateTo(b, 0);
    expect(calls).toEqual(["a", "b"]);
    expect(s.next()).toBe(reference(4)[3]);
  });

  it("any interleaving of stream and bank draws is the stream's sequence (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 60 }), fc.nat(20), (viaBank, before) => {
        const s = new RandomSource(5).stream("app/default/api-0");
        const got = draw(s, before);
        const bank = new Float64Array(4);
        s.moveStateTo(bank, 0);
        for (const b of viaBank) got.push(b && bank[3] >= 0 ? aleaNext(bank, 0) : s.next());
        expect(got).toEqual(reference(before + viaBank.length));
      }),
      { seed: 20261204, numRuns: 200 },
    );
  });

  it.each([
    ["negative", -1],
    ["past the end", 1],
    ["fractional", 0.5],
  ])("rejects an offset %s with a RangeError naming it", (_name, offset) => {
    const s = new RandomSource(5).stream("x");
    expect(() => s.moveStateTo(new Float64Array(4), offset)).toThrow(new RangeError(`moveStateTo: offset: Invalid value: ${offset}: must be an integer in [0, 0]`));
  });
});

describe("RandomStream seeding", () => {
  it("is seedrandom 3.0.5's alea for any seed string: the first 8 draws are equal (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 80 }), (seed) => {
        const reference = alea(seed);
        const s = new RandomStream("x", seed);
        for (let i = 0; i < 8; i++) expect(s.next()).toBe(reference());
      }),
      { seed: 4242, numRuns: 500 },
    );
  });

  it.each(["", " ", "1\u0000app/default/api-5d8f7c9b4-x2k9q", "42\u0000client/frontend", "é\u{1F600}"])("seed %j: the same state as seedrandom's alea", (seed) => {
    const reference = alea(seed);
    const s = new RandomStream("x", seed);
    for (let i = 0; i < 100; i++) expect(s.next()).toBe(reference());
  });
});
