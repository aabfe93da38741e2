import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { studentTCdf, studentTQuantile, summarize } from "./stats.js";

describe("Student t", () => {
  // t(0.975, df) from the standard table (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
  it.each([
    [1, 12.706],
    [2, 4.303],
    [3, 3.182],
    [4, 2.776],
    [5, 2.571],
    [9, 2.262],
    [10, 2.228],
    [19, 2.093],
    [29, 2.045],
    [30, 2.042],
    [60, 2.0],
    [99, 1.984],
    [120, 1.98],
  ])("t(0.975, %i) = %f", (df, t) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 3);
  });

  it.each([
    [0.95, 10, 1.812],
    [0.995, 5, 4.032],
  ])("t(%f, %i) = %f", (p, df, t) => expect(studentTQuantile(p, df)).toBeCloseTo(t, 3));

  it("the quantile inverts the CDF (any p in (0.5, 1), any df)", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.51, max: 0.999, noNaN: true }), fc.integer({ min: 1, max: 500 }), (p, df) => {
        expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 9);
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it("refuses p outside (0.5, 1) and df < 1", () => {
    expect(() => studentTQuantile(0.4, 3)).toThrow("p: Invalid value: 0.4: must be between 0.5 and 1, exclusive");
    expect(() => studentTQuantile(0.975, 0)).toThrow("df: Invalid value: 0: must be >= 1");
  });
});

describe("summarize", () => {
  it("mean, sample standard deviation and the 95% half-width t(0.975, n-1) s / sqrt(n)", () => {
    const s = summarize([10, 12, 11, 13]);
    expect(s.n).toBe(4);
    expect(s.mean).toBe(11.5);
    expect(s.stddev).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(s.ci95).toBeCloseTo((3.182446 * Math.sqrt(5 / 3)) / 2, 5);
    expect([s.min, s.max]).toEqual([10, 13]);
  });

  it("leaves out values that are not finite; one value has no interval; none has no mean", () => {
    expect(summarize([5, NaN, 7])).toMatchObject({ n: 2, mean: 6 });
    const one = summarize([3]);
    expect(one.mean).toBe(3);
    expect(one.ci95).toBeNaN();
    expect(summarize([NaN]).n).toBe(0);
  });

  it("covers the true mean about 95% of the time (normal samples of 10, fixed seed)", () => {
    // 2000 intervals of 10 draws from N(0, 1): coverage 0.95 ± 3 sd (sd = sqrt(0.95 * 0.05 / 2000) = 0.0049).
    let state = 12345;
    const uniform = (): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return (state + 0.5) / 2 ** 32;
    };
    const normal = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    let covered = 0;
    for (let i = 0; i < 2000; i++) {
      const s = summarize(Array.from({ length: 10 }, normal));
      if (Math.abs(s.mean) <= s.ci95) covered++;
    }
    expect(Math.abs(covered / 2000 - 0.95)).toBeLessThan(3 * 0.0049);
  });
});
