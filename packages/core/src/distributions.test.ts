import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  constant,
  distributionKind,
  empirical,
  exponential,
  lognormal,
  lognormalFromMeanStddev,
  normal,
  uniform,
  type Distribution,
} from "./distributions.js";
import { RandomSource, type RandomStream } from "./random.js";

const N = 200_000;

function moments(d: Distribution, seed: number): { mean: number; variance: number; min: number; max: number } {
  const rng = new RandomSource(seed).stream("moments");
  let mean = 0;
  let m2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 1; i <= N; i++) {
    const x = d.sample(rng);
    const delta = x - mean;
    mean += delta / i;
    m2 += delta * (x - mean);
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { mean, variance: m2 / N, min, max };
}

function relErr(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe("sample moments of 200k samples at seed 2024", () => {
  // Tolerances are ~4-5 standard errors for n = 200 000 (SE of the mean = sd/447;
  // SE of the variance of an exponential = var·sqrt(8/n) = 0.63 %).
  const lnVar = (mu: number, s: number): number => (Math.exp(s * s) - 1) * Math.exp(2 * mu + s * s);
  const cases: Array<{ name: string; d: Distribution; mean: number; variance: number; meanTol: number; varTol: number }> = [
    { name: "exponential(25)", d: exponential(25), mean: 25, variance: 625, meanTol: 0.01, varTol: 0.03 },
    { name: "uniform(2, 10)", d: uniform(2, 10), mean: 6, variance: 64 / 12, meanTol: 0.005, varTol: 0.01 },
    { name: "normal(100, 15)", d: normal(100, 15), mean: 100, variance: 225, meanTol: 0.001, varTol: 0.015 },
    { name: "lognormal(0, 0.5)", d: lognormal(0, 0.5), mean: Math.exp(0.125), variance: lnVar(0, 0.5), meanTol: 0.005, varTol: 0.03 },
    { name: "lognormalFromMeanStddev(20, 10)", d: lognormalFromMeanStddev(20, 10), mean: 20, variance: 100, meanTol: 0.005, varTol: 0.04 },
    { name: "constant(3.5)", d: constant(3.5), mean: 3.5, variance: 0, meanTol: 0, varTol: 0 },
  ];
  it.each(cases)("$name", ({ d, mean, variance, meanTol, varTol }) => {
    expect(d.mean).toBeCloseTo(mean, 12);
    const m = moments(d, 2024);
    expect(relErr(m.mean, mean)).toBeLessThanOrEqual(meanTol);
    if (variance === 0) expect(m.variance).toBe(0);
    else expect(relErr(m.variance, variance)).toBeLessThanOrEqual(varTol);
  });

  it("uniform samples stay in [min, max), exponential and lognormal samples are >= 0", () => {
    const u = moments(uniform(2, 10), 1);
    expect(u.min).toBeGreaterThanOrEqual(2);
    expect(u.max).toBeLessThan(10);
    expect(moments(exponential(1), 1).min).toBeGreaterThanOrEqual(0);
    expect(moments(lognormal(1, 2), 1).min).toBeGreaterThan(0);
  });

  it("empirical over 1..100 has mean 50.5 and variance of its piecewise-linear CDF", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    const d = empirical(xs);
    // Interpolated between consecutive integers: uniform on [1, 100], mean 50.5, variance 99²/12.
    expect(d.mean).toBe(50.5);
    const m = moments(d, 2024);
    expect(relErr(m.mean, 50.5)).toBeLessThanOrEqual(0.005);
    expect(relErr(m.variance, (99 * 99) / 12)).toBeLessThanOrEqual(0.01);
    expect(m.min).toBeGreaterThanOrEqual(1);
    expect(m.max).toBeLessThanOrEqual(100);
  });
});

describe("empirical", () => {
  it("mean is the exact mean of the interpolated distribution (end samples carry half weight)", () => {
    // Segments [0,1] and [1,10], each with probability 1/2: mean = (0.5 + 5.5) / 2 = 3.
    expect(empirical([10, 0, 1]).mean).toBe(3);
    expect(empirical([7]).mean).toBe(7);
  });

  it("a single sample is a constant", () => {
    const d = empirical([4.25]);
    const rng = new RandomSource(1).stream("e");
    for (let i = 0; i < 10; i++) expect(d.sample(rng)).toBe(4.25);
  });

  it("reproduces the type-7 sample quantiles of its input", () => {
    const src = new RandomSource(99).stream("input");
    const input = Array.from({ length: 500 }, () => -Math.log(1 - src.next()) * 30);
    const sortedInput = [...input].sort((a, b) => a - b);
    const type7 = (q: number): number => {
      const h = q * (sortedInput.length - 1);
      const i = Math.floor(h);
      return i + 1 < sortedInput.length ? sortedInput[i] + (h - i) * (sortedInput[i + 1] - sortedInput[i]) : sortedInput[i];
    };
    const d = empirical(input);
    const rng = new RandomSource(99).stream("draws");
    const draws = Array.from({ length: N }, () => d.sample(rng)).sort((a, b) => a - b);
    for (const q of [0.1, 0.25, 0.5, 0.75, 0.9, 0.99]) {
      const sampled = draws[Math.floor(q * (N - 1))];
      // 200k draws: the quantile of u is within ~0.0015 of q; allow 3% of the local value.
      expect(relErr(sampled, type7(q)), `q=${q}`).toBeLessThan(0.03);
    }
    expect(draws[0]).toBeGreaterThanOrEqual(sortedInput[0]);
    expect(draws[N - 1]).toBeLessThanOrEqual(sortedInput[sortedInput.length - 1]);
  });

  it("maps u exactly onto the linear interpolation between sorted samples", () => {
    // Stub stream: returns the given uniforms in order.
    const us = [0, 0.25, 0.5, 0.75, 0.999999];
    let k = 0;
    const stub = { next: (): number => us[k++] } as unknown as RandomStream;
    const d = empirical([30, 10, 20, 0, 40]); // sorted 0,10,20,30,40; h = u*4
    expect(us.map(() => d.sample(stub))).toEqual([0, 10, 20, 30, 0.999999 * 40]);
  });

  it("copies its input: mutating the caller's array later has no effect", () => {
    const xs = [1, 2, 3];
    const d = empirical(xs);
    xs[0] = 1000;
    expect(d.mean).toBe(2);
  });
});

describe("determinism", () => {
  const all: Array<[string, () => Distribution]> = [
    ["exponential", () => exponential(5)],
    ["uniform", () => uniform(-1, 1)],
    ["normal", () => normal(0, 1)],
    ["lognormal", () => lognormal(1, 0.3)],
    ["empirical", () => empirical([5, 1, 3, 9])],
  ];
  it.each(all)("%s: same seed gives the same samples, different seed differs", (_n, make) => {
    const run = (seed: number): number[] => {
      const rng = new RandomSource(seed).stream("d");
      const d = make();
      return Array.from({ length: 50 }, () => d.sample(rng));
    };
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });

  it.each([
    ["constant", constant(1), 0],
    ["exponential", exponential(1), 1],
    ["uniform", uniform(0, 1), 1],
    ["normal", normal(0, 1), 2],
    ["lognormal", lognormal(0, 1), 2],
    ["empirical", empirical([1, 2]), 1],
  ] as const)("%s consumes exactly %s uniform(s) per sample", (_n, d, perSample) => {
    const a = new RandomSource(3).stream("c");
    const b = new RandomSource(3).stream("c");
    for (let i = 0; i < 10; i++) d.sample(a);
    for (let i = 0; i < 10 * perSample; i++) b.next();
    expect(a.next()).toBe(b.next());
  });

  it("exponential uses inversion -ln(1 - u) * mean", () => {
    const a = new RandomSource(4).stream("x");
    const b = new RandomSource(4).stream("x");
    const d = exponential(7);
    for (let i = 0; i < 20; i++) expect(d.sample(a)).toBe(-Math.log(1 - b.next()) * 7);
  });

  it("normal is Box-Muller sqrt(-2 ln(1-u1)) cos(2 pi u2), no cached variate", () => {
    const a = new RandomSource(4).stream("x");
    const b = new RandomSource(4).stream("x");
    const d = normal(10, 2);
    for (let i = 0; i < 20; i++) {
      const u1 = b.next();
      const u2 = b.next();
      expect(d.sample(a)).toBe(10 + 2 * (Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2)));
    }
  });

  it("property: every sample of every distribution is finite", () => {
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (seed, m) => {
        const rng = new RandomSource(seed).stream("p");
        for (const d of [exponential(m), normal(m, m), lognormalFromMeanStddev(m, m), uniform(-m, m)]) {
          for (let i = 0; i < 20; i++) if (!Number.isFinite(d.sample(rng))) return false;
        }
        return true;
      }),
    );
  });
});

describe("describe()", () => {
  it.each([
    [constant(2), "constant(2)"],
    [exponential(5), "exponential(mean=5)"],
    [uniform(1, 3), "uniform(min=1, max=3)"],
    [normal(0, 1.5), "normal(mean=0, stddev=1.5)"],
    [lognormal(1, 0.25), "lognormal(mu=1, sigma=0.25)"],
    [empirical([1, 2, 3]), "empirical(n=3, mean=2)"],
  ])("%#: %s", (d, text) => {
    expect(d.describe()).toBe(text);
  });
});

describe("parameter validation", () => {
  it.each([
    ["exponential(-1)", () => exponential(-1), "exponential: mean must be > 0, got -1"],
    ["exponential(0)", () => exponential(0), "exponential: mean must be > 0, got 0"],
    ["exponential(NaN)", () => exponential(NaN), "exponential: mean must be a finite number, got NaN"],
    ["constant(Infinity)", () => constant(Infinity), "constant: value must be a finite number, got Infinity"],
    ["uniform(3, 1)", () => uniform(3, 1), "uniform: max must be >= min (3), got 1"],
    ["uniform(NaN, 1)", () => uniform(NaN, 1), "uniform: min must be a finite number, got NaN"],
    ["normal(0, -1)", () => normal(0, -1), "normal: stddev must be >= 0, got -1"],
    ["normal(Infinity, 1)", () => normal(Infinity, 1), "normal: mean must be a finite number, got Infinity"],
    ["lognormal(0, -0.5)", () => lognormal(0, -0.5), "lognormal: sigma must be >= 0, got -0.5"],
    ["lognormalFromMeanStddev(0, 1)", () => lognormalFromMeanStddev(0, 1), "lognormalFromMeanStddev: mean must be > 0, got 0"],
    ["lognormalFromMeanStddev(1, -1)", () => lognormalFromMeanStddev(1, -1), "lognormalFromMeanStddev: stddev must be >= 0, got -1"],
    ["empirical([])", () => empirical([]), "empirical: samples must not be empty, got 0 samples"],
    ["empirical([1, NaN])", () => empirical([1, NaN]), "empirical: samples[1] must be a finite number, got NaN"],
    ["empirical([Infinity])", () => empirical([Infinity]), "empirical: samples[0] must be a finite number, got Infinity"],
  ])("%s throws a RangeError naming the parameter", (_label, make, message) => {
    expect(make).toThrow(RangeError);
    expect(make).toThrow(message);
  });

  it("accepts the degenerate cases uniform(a, a), normal(m, 0) and lognormal(mu, 0)", () => {
    const rng = new RandomSource(1).stream("deg");
    expect(uniform(2, 2).sample(rng)).toBe(2);
    expect(normal(3, 0).sample(rng)).toBe(3);
    expect(lognormal(0, 0).sample(rng)).toBe(1);
  });
});

describe("distributionKind", () => {
  it.each([
    ["exponential(5)", exponential(5), "exponential"],
    ["constant(2)", constant(2), "constant"],
    ["constant(0)", constant(0), "constant"],
    ["uniform(1, 3)", uniform(1, 3), "other"],
    ["normal(10, 2)", normal(10, 2), "other"],
    ["lognormal(1.5, 0.5)", lognormal(1.5, 0.5), "other"],
    ["empirical([1, 2])", empirical([1, 2]), "other"],
    ["a user-written distribution", { sample: (): number => 3, mean: 3, describe: (): string => "three" }, "other"],
  ] as const)("%s is %s", (_name, d, kind) => {
    expect(distributionKind(d)).toBe(kind);
  });

  it("exponential: sample(rng) is exactly -ln(1 - next()) * mean, one uniform (what a hot loop may inline)", () => {
    const d = exponential(5);
    const a = new RandomSource(11).stream("s");
    const b = new RandomSource(11).stream("s");
    for (let i = 0; i < 1000; i++) expect(d.sample(a)).toBe(-Math.log(1 - b.next()) * d.mean);
  });
});
