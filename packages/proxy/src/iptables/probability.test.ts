import { describe, it, expect } from "vitest";
import fc from "fast-check";
// seedrandom is wrapped once in @kube-netsim/core (STYLE #3) and not resolvable from this
// package: RandomStream(name, seedString) is exactly seedrandom.alea(seedString).
import { RandomStream } from "@kube-netsim/core";
import { computeProbability, kernelThreshold, iptablesSelectionProbabilities, IptablesSelector } from "./probability.js";

const TWO_31 = 2 ** 31;

/**
 * Independent reference for Go's "%0.10f": the exact decimal expansion of the double
 * (toFixed(100) is exact for these values: 1/n >= 1e-5 has at most 69 fraction digits),
 * rounded to ten decimals half-to-even by string arithmetic.
 */
function referenceGoFixed10(x: number): string {
  const exact = x.toFixed(100);
  const [intPart, frac] = exact.split(".");
  const kept = BigInt(intPart + frac.slice(0, 10));
  const rest = frac.slice(10).replace(/0+$/, "");
  let roundUp: boolean;
  if (rest === "") roundUp = false;
  else if (rest[0] > "5") roundUp = true;
  else if (rest[0] < "5") roundUp = false;
  else if (rest.length > 1) roundUp = true;
  else roundUp = kept % 2n === 1n; // exactly halfway: to even
  const v = (kept + (roundUp ? 1n : 0n)).toString().padStart(11, "0");
  return `${v.slice(0, -10)}.${v.slice(-10)}`;
}

/** lround(decimal * 2^31) on the exact decimal value of the string (no binary rounding). */
function referenceThresholdFromDecimal(s: string): bigint {
  const [i, f] = s.split(".");
  const d = BigInt(i + f); // value = d / 10^10
  const num = d * 2n ** 31n;
  const den = 10n ** 10n;
  const q = num / den;
  return 2n * (num - q * den) >= den ? q + 1n : q;
}

describe("computeProbability (pkg/proxy/iptables/proxier.go, fmt %0.10f of 1/n)", () => {
  it.each([
    [1, "1.0000000000"],
    [2, "0.5000000000"],
    [3, "0.3333333333"],
    [4, "0.2500000000"],
    [5, "0.2000000000"],
    [7, "0.1428571429"],
    [1000, "0.0010000000"],
    [1001, "0.0009990010"],
    [2048, "0.0004882812"],
  ])("computeProbability(%i) = %s", (n, s) => {
    expect(computeProbability(n)).toBe(s);
  });

  it("equals correctly rounded, ties-to-even decimals of the float64 1/n for n = 1..100000", () => {
    const mismatches: number[] = [];
    const toFixedDiffers: number[] = [];
    for (let n = 1; n <= 100_000; n++) {
      const got = computeProbability(n);
      if (got !== referenceGoFixed10(1 / n)) mismatches.push(n);
      if (got !== (1 / n).toFixed(10)) toFixedDiffers.push(n);
    }
    expect(mismatches).toEqual([]);
    // JS toFixed rounds exact ties up; the only exact tie in range is 1/2048 = 0.00048828125.
    expect(toFixedDiffers).toEqual([2048]);
    expect((1 / 2048).toFixed(10)).toBe("0.0004882813");
  });

  it("rejects n that kube-proxy never asks for", () => {
    expect(() => computeProbability(0)).toThrow(RangeError);
    expect(() => computeProbability(-1)).toThrow(RangeError);
    expect(() => computeProbability(1.5)).toThrow(RangeError);
  });
});

describe("kernelThreshold (libxt_statistic.c lround(0x80000000 * strtod(p)))", () => {
  it.each([
    ["1.0000000000", 2147483648],
    ["0.5000000000", 1073741824],
    ["0.3333333333", 715827883], // 715827882.595... rounds up
    ["0.2500000000", 536870912],
    ["0.2000000000", 429496730], // 429496729.6
    ["0.1428571429", 306783378], // 306783378.378...
    ["0.0004882812", 1048576], // 1048575.99...
    ["0.0004882813", 1048576], // 1048576.21...: toFixed's string would give the same threshold
    ["0", 0],
    ["0.00000000001", 0],
  ])("kernelThreshold(%s) = %i", (s, t) => {
    expect(kernelThreshold(s)).toBe(t);
  });

  it("matches lround on the exact decimal for every kube-proxy string with k = 2..100000", () => {
    const bad: number[] = [];
    for (let k = 2; k <= 100_000; k++) {
      const s = computeProbability(k);
      if (BigInt(kernelThreshold(s)) !== referenceThresholdFromDecimal(s)) bad.push(k);
    }
    expect(bad).toEqual([]);
  });

  it.each(["", "abc", "1.5", "-0.1", "0.5 ", "nan", "inf", "0x0.8", "1e1"])("rejects %j", (s) => {
    expect(() => kernelThreshold(s)).toThrow(RangeError);
  });

  it("accepts what strtod accepts within [0, 1]", () => {
    expect(kernelThreshold(" 0.5")).toBe(1073741824);
    expect(kernelThreshold("5e-1")).toBe(1073741824);
    expect(kernelThreshold(".25")).toBe(536870912);
    expect(kernelThreshold("1")).toBe(TWO_31);
  });
});

describe("iptablesSelectionProbabilities (writeServiceToEndpointRules chain)", () => {
  it("n = 3: thresholds 715827883 then 1073741824, then an unconditional rule", () => {
    // P0 = 715827883 / 2^31
    // P1 = (1 - 715827883/2^31) * 1073741824/2^31 = 1431655765 / 2^32
    // P2 = (1 - 715827883/2^31) * (1 - 1/2)        = 1431655765 / 2^32
    const p = iptablesSelectionProbabilities(3);
    expect(Array.from(p)).toEqual([715827883 / 2 ** 31, 1431655765 / 2 ** 32, 1431655765 / 2 ** 32]);
    expect(p[0]).toBe(0.33333333348855376);
    expect(p[1]).toBe(0.3333333332557231);
  });

  it("n = 1 and n = 2 are exactly uniform", () => {
    expect(Array.from(iptablesSelectionProbabilities(1))).toEqual([1]);
    expect(Array.from(iptablesSelectionProbabilities(2))).toEqual([0.5, 0.5]);
  });

  it("n = 4 and n = 5 from their thresholds", () => {
    // n = 4: 0.25 -> 536870912 (exact), then as n = 3 scaled by 3/4.
    expect(Array.from(iptablesSelectionProbabilities(4))).toEqual([
      0.25,
      0.75 * (715827883 / 2 ** 31),
      0.75 * (1431655765 / 2 ** 32),
      0.75 * (1431655765 / 2 ** 32),
    ]);
    // n = 5: 0.2 -> 429496730 / 2^31 = 0.2000000002793968...
    expect(iptablesSelectionProbabilities(5)[0]).toBe(429496730 / 2 ** 31);
  });

  it("agrees with an exact rational computation (BigInt) for n = 1..30", () => {
    for (let n = 1; n <= 30; n++) {
      const got = iptablesSelectionProbabilities(n);
      // remaining = prod (2^31 - t_j) / 2^(31 i), all exact in BigInt.
      let remNum = 1n;
      let bits = 0;
      for (let i = 0; i < n; i++) {
        let num: bigint;
        let den: number;
        if (i === n - 1) {
          num = remNum;
          den = bits;
        } else {
          const t = BigInt(kernelThreshold(computeProbability(n - i)));
          num = remNum * t;
          den = bits + 31;
          remNum *= 2n ** 31n - t;
          bits += 31;
        }
        const exact = Number(num) / 2 ** den; // numerators < 2^930: Number() is correctly rounded
        expect(Math.abs(got[i] - exact) / exact).toBeLessThan(1e-14);
      }
    }
  });

  it("sums to 1 and stays within 5.7e-10 of 1/n for every n up to 10000", () => {
    // Each rule's p differs from 1/k by at most 5e-11 (ten decimals) + 2^-32 (lround to
    // 2^-31 steps); that error enters P_i at most twice (own rule + the remaining mass),
    // so |P_i - 1/n| <= 2 * (5e-11 + 2^-32) ~ 5.66e-10. Observed max: 2.82e-10 (n = 1119).
    const bound = 2 * (5e-11 + 2 ** -32);
    let worst = 0;
    for (let n = 1; n <= 10_000; n++) {
      const p = iptablesSelectionProbabilities(n);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        sum += p[i];
        worst = Math.max(worst, Math.abs(p[i] - 1 / n));
      }
      expect(Math.abs(sum - 1)).toBeLessThan(1e-13);
    }
    expect(worst).toBeLessThan(bound);
    expect(worst).toBeGreaterThan(1e-10); // the rounding is real: not exactly uniform
  });
});

describe("IptablesSelector", () => {
  it("pick maps fixed uniforms through the n = 3 CDF", () => {
    const sel = IptablesSelector.forEndpointCount(3);
    const c0 = 715827883 / 2 ** 31; // 0.33333333348855376
    const c1 = 1 - 1431655765 / 2 ** 32; // 0.6666666667442769
    expect(sel.cumulativeProbability(0)).toBe(c0);
    expect(sel.cumulativeProbability(1)).toBe(c1);
    expect(sel.cumulativeProbability(2)).toBe(1);
    expect(sel.pick(0)).toBe(0);
    expect(sel.pick(0.3333333334)).toBe(0); // < c0
    expect(sel.pick(c0)).toBe(1); // boundary belongs to the next rule
    expect(sel.pick(0.5)).toBe(1);
    expect(sel.pick(0.6666666667)).toBe(1); // < c1 = 0.66666666674...
    expect(sel.pick(c1)).toBe(2);
    expect(sel.pick(0.9)).toBe(2);
    expect(sel.pick(1 - 2 ** -53)).toBe(2);
  });

  it("n = 1 always picks 0; n = 2 splits at exactly 0.5", () => {
    expect(IptablesSelector.forEndpointCount(1).pick(0.999)).toBe(0);
    const two = IptablesSelector.forEndpointCount(2);
    expect(two.pick(0.4999999999)).toBe(0);
    expect(two.pick(0.5)).toBe(1);
  });

  it("rejects u outside [0, 1) and bad n", () => {
    const sel = IptablesSelector.forEndpointCount(3);
    expect(() => sel.pick(1)).toThrow(RangeError);
    expect(() => sel.pick(-0.1)).toThrow(RangeError);
    expect(() => sel.pick(Number.NaN)).toThrow(RangeError);
    expect(() => new IptablesSelector(0)).toThrow(RangeError);
  });

  it("is cached per endpoint count (like precomputedProbabilities)", () => {
    expect(IptablesSelector.forEndpointCount(7)).toBe(IptablesSelector.forEndpointCount(7));
    expect(IptablesSelector.forEndpointCount(7)).not.toBe(IptablesSelector.forEndpointCount(8));
  });

  it("CDF increments equal iptablesSelectionProbabilities", () => {
    for (const n of [2, 3, 10, 257, 1001]) {
      const sel = IptablesSelector.forEndpointCount(n);
      const p = iptablesSelectionProbabilities(n);
      let prev = 0;
      for (let i = 0; i < n; i++) {
        expect(Math.abs(sel.cumulativeProbability(i) - prev - p[i])).toBeLessThan(1e-15);
        prev = sel.cumulativeProbability(i);
      }
    }
  });

  it("chi-square: 100,000 picks over 10 endpoints are uniform (df = 9, alpha = 0.001, critical 27.88)", () => {
    // The same generator as seedrandom.alea("chi2"): RandomStream wraps alea with this exact seed string.
    const rng = new RandomStream("chi2", "chi2");
    const sel = IptablesSelector.forEndpointCount(10);
    const counts = new Array<number>(10).fill(0);
    const draws = 100_000;
    for (let k = 0; k < draws; k++) counts[sel.pick(rng.next())]++;
    const expected = draws / 10;
    const chi2 = counts.reduce((acc, c) => acc + ((c - expected) * (c - expected)) / expected, 0);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(draws);
    expect(chi2).toBeLessThan(27.88);
    // Same seed, same picks.
    const again = new RandomStream("chi2", "chi2");
    const counts2 = new Array<number>(10).fill(0);
    for (let k = 0; k < draws; k++) counts2[sel.pick(again.next())]++;
    expect(counts2).toEqual(counts);
  });
});

describe("IptablesSelector.pick equals a binary search over the chain's CDF", () => {
  it("for any n and u (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (n, u) => {
        const sel = IptablesSelector.forEndpointCount(n);
        let lo = 0;
        let hi = n - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (u < sel.cumulativeProbability(mid)) hi = mid;
          else lo = mid + 1;
        }
        return sel.pick(u) === lo;
      }),
      { numRuns: 2000 },
    );
  });

  it("at the exact CDF boundaries", () => {
    for (const n of [2, 3, 7, 1119, 2048]) {
      const sel = IptablesSelector.forEndpointCount(n);
      for (let i = 0; i < n - 1; i++) {
        const b = sel.cumulativeProbability(i);
        expect(sel.pick(b)).toBe(i + 1);
        const below = b - Number.EPSILON;
        if (below >= (i === 0 ? 0 : sel.cumulativeProbability(i - 1))) expect(sel.pick(below)).toBe(i);
      }
    }
  });
});
