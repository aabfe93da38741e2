import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LatencyHistogram, StreamingStats } from "./stats.js";
import { RandomSource } from "./random.js";

/** Rank-based true quantile, the same definition the histogram uses. */
function trueQuantile(sorted: readonly number[], q: number): number {
  if (q === 0) return sorted[0];
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}

/** Documented bound: max(lowest / 2, x / S) with S = 2048 (3 digits) or 256 (2 digits). */
function bound(x: number, lowest: number, digits: 2 | 3): number {
  const s = digits === 3 ? 2048 : 256;
  return Math.max(lowest / 2, x / s) * (1 + 1e-9) + lowest * 1e-9;
}

describe("LatencyHistogram exact moments", () => {
  it("count, mean, min, max and population stddev are exact", () => {
    const h = new LatencyHistogram();
    for (const v of [2, 4, 4, 4, 5, 5, 7, 9]) h.record(v);
    expect(h.count).toBe(8);
    expect(h.mean).toBe(5);
    expect(h.min).toBe(2);
    expect(h.max).toBe(9);
    expect(h.stddev).toBe(2);
  });

  it("mean and max stay exact even for values in wide buckets and in overflow", () => {
    const h = new LatencyHistogram({ highest: 1000 });
    h.record(0.0001234);
    h.record(777.777);
    h.record(123456.5);
    expect(h.min).toBe(0.0001234);
    expect(h.max).toBe(123456.5);
    expect(h.mean).toBe((0.0001234 + 777.777 + 123456.5) / 3);
    expect(h.overflow).toBe(1);
  });

  it("an empty histogram reports NaN and serialises to nulls", () => {
    const h = new LatencyHistogram();
    expect(h.count).toBe(0);
    expect(h.mean).toBeNaN();
    expect(h.min).toBeNaN();
    expect(h.max).toBeNaN();
    expect(h.stddev).toBeNaN();
    expect(h.quantile(0.5)).toBeNaN();
    expect(JSON.parse(JSON.stringify(h))).toEqual({
      count: 0, mean: null, min: null, max: null, p50: null, p90: null, p99: null, p999: null,
    });
  });
});

describe("LatencyHistogram quantiles", () => {
  it("quantiles of 10^6 exponential(mean 25) samples are within 0.5% of 25·ln(1/(1−q)) (seed 7)", () => {
    const rng = new RandomSource(7).stream("latency");
    const h = new LatencyHistogram();
    for (let i = 0; i < 1_000_000; i++) h.record(-Math.log(1 - rng.next()) * 25);
    for (const q of [0.5, 0.9, 0.99]) {
      const expected = 25 * Math.log(1 / (1 - q));
      expect(Math.abs(h.quantile(q) - expected) / expected, `q=${q}`).toBeLessThan(0.005);
    }
    expect(Math.abs(h.mean - 25) / 25).toBeLessThan(0.005);
    expect(Math.abs(h.stddev - 25) / 25).toBeLessThan(0.005);
  });

  it("returns the bucket midpoint, clamped to [min, max]", () => {
    const h = new LatencyHistogram();
    // 10 ms = 10 000 units: msb 13, b = 3, width 8 units; bucket [10 000, 10 008) units -> midpoint 10.004 ms.
    h.record(1);
    h.record(10);
    h.record(10);
    h.record(20);
    expect(h.quantile(0.5)).toBeCloseTo(10.004, 12);
    expect(h.quantile(0)).toBe(1);
    expect(h.quantile(1)).toBe(20);
    // rank 1 -> the bucket of 1 ms (width 1 unit: [1.000, 1.001) -> midpoint 1.0005), clamped to max? no: min is 1.
    expect(h.quantile(0.25)).toBeCloseTo(1.0005, 12);
  });

  it("the first bucket is linear with width `lowest`; the next power of two doubles the width", () => {
    const h = new LatencyHistogram();
    h.record(0);
    h.record(2.0475); // 2047 units: last width-1 sub-bucket -> midpoint 2.0475
    h.record(2.048); // 2048 units: first width-2 sub-bucket [2048, 2050) -> midpoint 2.049
    h.record(100);
    expect(h.quantile(0.5)).toBeCloseTo(2.0475, 12);
    expect(h.quantile(0.75)).toBeCloseTo(2.049, 12);
  });

  it("values below `lowest` share the first bucket and are reported within [min, max]", () => {
    const h = new LatencyHistogram();
    h.record(0.0002);
    h.record(0.0004);
    expect(h.quantile(0.5)).toBe(0.0004); // midpoint 0.0005 clamped to max
    expect(h.min).toBe(0.0002);
  });

  it("property: the quantile of a single recorded value v is within the documented bound of v", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 3.6e6, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (v, q) => {
        const h = new LatencyHistogram();
        h.record(v);
        return Math.abs(h.quantile(q) - v) <= bound(v, 0.001, 3);
      }),
    );
  });

  for (const digits of [2, 3] as const) {
    for (const [lowest, highest] of [
      [0.001, 3.6e6],
      [1e-6, 3.6e6], // 3.6e12 units: exercises the > 2^32 index path
    ] as const) {
      it(`property: every quantile is within max(lowest/2, x/S) of the true order statistic (digits=${digits}, lowest=${lowest})`, () => {
        fc.assert(
          fc.property(
            fc.array(
              fc.oneof(
                fc.double({ min: 0, max: highest, noNaN: true }),
                fc.double({ min: 0, max: 100, noNaN: true }),
                fc.double({ min: 0, max: 0.01, noNaN: true }),
              ),
              { minLength: 1, maxLength: 60 },
            ),
            fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 10 }),
            (values, qs) => {
              const h = new LatencyHistogram({ lowest, highest, significantDigits: digits });
              for (const v of values) h.record(v);
              const sorted = [...values].sort((a, b) => a - b);
              for (const q of [...qs, 0, 0.5, 0.999, 1]) {
                const x = trueQuantile(sorted, q);
                if (!(Math.abs(h.quantile(q) - x) <= bound(x, lowest, digits))) return false;
              }
              return true;
            },
          ),
          { numRuns: 300 },
        );
      });
    }
  }

  it.each([-0.1, 1.1, NaN])("quantile(%s) throws a RangeError", (q) => {
    const h = new LatencyHistogram();
    h.record(1);
    expect(() => h.quantile(q)).toThrow(RangeError);
  });
});

describe("LatencyHistogram overflow and validation", () => {
  it("values above `highest` are clamped into the last bucket and counted as overflow", () => {
    const h = new LatencyHistogram({ highest: 1000 });
    for (let i = 0; i < 9; i++) h.record(10);
    h.record(5000);
    expect(h.overflow).toBe(1);
    expect(h.count).toBe(10);
    expect(h.quantile(1)).toBe(5000);
    // rank 10 lands in the last bucket (≈1000 ms), reported within [min, max].
    const p999 = h.quantile(0.999);
    expect(p999).toBeGreaterThanOrEqual(1000 * (1 - 1 / 1024));
    expect(p999).toBeLessThanOrEqual(5000);
  });

  it.each([-1, NaN, Infinity, -Infinity])("record(%s) throws a RangeError and records nothing", (v) => {
    const h = new LatencyHistogram();
    expect(() => h.record(v)).toThrow(RangeError);
    expect(h.count).toBe(0);
    expect(h.overflow).toBe(0);
  });

  it.each([
    [{ lowest: 0 }, "lowest must be a finite number > 0, got 0"],
    [{ lowest: -1 }, "lowest must be a finite number > 0, got -1"],
    [{ highest: 0.0005 }, "highest must be a finite number > lowest (0.001), got 0.0005"],
    [{ highest: Infinity }, "highest must be a finite number > lowest (0.001), got Infinity"],
    [{ significantDigits: 4 as 3 }, "significantDigits must be 2 or 3, got 4"],
    [{ lowest: 1e-9, highest: 1e9 }, "highest / lowest must be <= 2^52"],
  ])("constructor rejects %j", (opts, message) => {
    expect(() => new LatencyHistogram(opts)).toThrow(RangeError);
    expect(() => new LatencyHistogram(opts)).toThrow(message);
  });
});

describe("LatencyHistogram memory, merge, reset", () => {
  it("bucket array length depends only on the options, not on how many values are recorded", () => {
    const h = new LatencyHistogram();
    // b = msb(3.6e9) − 10 = 21, sub = 3.6e9 >> 21 = 1716 -> last index 21·1024 + 1716 = 23 220.
    expect(h.bucketCount).toBe(23_221);
    const rng = new RandomSource(1).stream("mem");
    for (let i = 0; i < 200_000; i++) h.record(rng.next() * 4e6);
    expect(h.bucketCount).toBe(23_221);
    // 2 digits: S = 256, b = 31 − 7 = 24, sub = 3.6e9 >> 24 = 214 -> 24·128 + 214 + 1.
    expect(new LatencyHistogram({ significantDigits: 2 }).bucketCount).toBe(3_287);
  });

  it("merge equals recording everything into one histogram", () => {
    const rng = new RandomSource(11).stream("merge");
    const a = new LatencyHistogram({ highest: 150 });
    const b = new LatencyHistogram({ highest: 150 });
    const all = new LatencyHistogram({ highest: 150 });
    for (let i = 0; i < 50_000; i++) {
      // integer microseconds: sums are exact in any order
      const v = Math.floor(-Math.log(1 - rng.next()) * 30_000) / 1000;
      (i % 3 === 0 ? a : b).record(v);
      all.record(v);
    }
    a.merge(b);
    expect(a.count).toBe(all.count);
    expect(a.overflow).toBe(all.overflow);
    expect(a.overflow).toBeGreaterThan(0);
    expect(a.min).toBe(all.min);
    expect(a.max).toBe(all.max);
    expect(a.mean).toBeCloseTo(all.mean, 9);
    expect(a.stddev).toBeCloseTo(all.stddev, 9);
    for (let q = 0; q <= 1; q += 0.01) expect(a.quantile(q)).toBe(all.quantile(q));
    expect(a.quantile(0.999)).toBe(all.quantile(0.999));
  });

  it("merge into an empty histogram copies; merging an empty one is a no-op", () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    b.record(3);
    b.record(5);
    a.merge(new LatencyHistogram());
    a.merge(b);
    expect(a.toJSON()).toEqual(b.toJSON());
    expect(a.stddev).toBe(1);
  });

  it("merge rejects a histogram with a different configuration", () => {
    const a = new LatencyHistogram();
    expect(() => a.merge(new LatencyHistogram({ significantDigits: 2 }))).toThrow(RangeError);
    expect(() => a.merge(new LatencyHistogram({ highest: 1000 }))).toThrow(/configurations differ/);
    expect(() => a.merge(new LatencyHistogram({ lowest: 0.01 }))).toThrow(RangeError);
  });

  it("reset forgets everything", () => {
    const h = new LatencyHistogram({ highest: 10 });
    h.record(1);
    h.record(100);
    h.reset();
    expect(h.count).toBe(0);
    expect(h.overflow).toBe(0);
    expect(h.quantile(0.5)).toBeNaN();
    h.record(2);
    expect(h.toJSON()).toEqual({ count: 1, mean: 2, min: 2, max: 2, p50: 2, p90: 2, p99: 2, p999: 2 });
  });

  it("toJSON returns count, exact mean/min/max and p50/p90/p99/p999", () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i);
    const s = h.toJSON();
    expect(Object.keys(s)).toEqual(["count", "mean", "min", "max", "p50", "p90", "p99", "p999"]);
    expect(s.count).toBe(1000);
    expect(s.mean).toBe(500.5);
    expect(s.min).toBe(1);
    expect(s.max).toBe(1000);
    for (const [got, want] of [[s.p50, 500], [s.p90, 900], [s.p99, 990], [s.p999, 999]]) {
      expect(Math.abs(got - want)).toBeLessThanOrEqual(want / 2048 + 1e-12);
    }
  });
});

describe("StreamingStats", () => {
  it("computes count, mean, min, max, population and sample variance (Welford)", () => {
    const s = new StreamingStats();
    for (const x of [2, 4, 4, 4, 5, 5, 7, 9]) s.add(x);
    expect(s.count).toBe(8);
    expect(s.mean).toBe(5);
    expect(s.min).toBe(2);
    expect(s.max).toBe(9);
    expect(s.variance).toBe(4);
    expect(s.stddev).toBe(2);
    expect(s.sampleVariance).toBeCloseTo(32 / 7, 12);
    expect(s.toJSON()).toEqual({ count: 8, mean: 5, min: 2, max: 9, stddev: 2 });
  });

  it("is numerically stable for a large offset (1e9 + small spread)", () => {
    const s = new StreamingStats();
    for (const x of [4, 7, 13, 16]) s.add(1e9 + x);
    expect(s.variance).toBeCloseTo(22.5, 6);
  });

  it("empty stats are NaN; one value has variance 0 and no sample variance", () => {
    const s = new StreamingStats();
    expect(s.mean).toBeNaN();
    expect(s.min).toBeNaN();
    expect(s.variance).toBeNaN();
    s.add(-3);
    expect(s.variance).toBe(0);
    expect(s.sampleVariance).toBeNaN();
    expect(s.min).toBe(-3);
    s.reset();
    expect(s.count).toBe(0);
  });

  it("property: merge equals adding everything to one", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true })),
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true })),
        (xs, ys) => {
          const a = new StreamingStats();
          const b = new StreamingStats();
          const all = new StreamingStats();
          for (const x of xs) { a.add(x); all.add(x); }
          for (const y of ys) { b.add(y); all.add(y); }
          a.merge(b);
          if (a.count !== all.count) return false;
          if (all.count === 0) return Number.isNaN(a.mean);
          const close = (p: number, q: number): boolean => Math.abs(p - q) <= 1e-6 * Math.max(1, Math.abs(q));
          return a.min === all.min && a.max === all.max && close(a.mean, all.mean) && close(a.variance, all.variance);
        },
      ),
    );
  });

  it.each([NaN, Infinity])("add(%s) throws a RangeError", (x) => {
    expect(() => new StreamingStats().add(x)).toThrow(RangeError);
  });
});
