/**
 * Sampling distributions for simulated quantities: client think times and
 * inter-arrival times, Pod service times, network delays.
 *
 * Each distribution is a small immutable class with a monomorphic, allocation-free
 * `sample(rng)`. The number of uniforms consumed per sample is fixed and documented
 * for each distribution, so a stream's position after k samples is predictable.
 *
 * @packageDocumentation
 */
import type { RandomStream } from "./random.js";

/**
 * A probability distribution that can be sampled from a {@link RandomStream}.
 *
 * @example
 * ```ts
 * const think = exponential(5); // mean 5 ms
 * const delay = think.sample(rng);
 * think.describe(); // "exponential(mean=5)"
 * ```
 */
export interface Distribution {
  /** Draws one value. Deterministic given the stream's position; never allocates. */
  sample(rng: RandomStream): number;
  /** The exact expected value of `sample`. */
  readonly mean: number;
  /** Short human-readable form, e.g. `"exponential(mean=5)"`. */
  describe(): string;
}

const TWO_PI = 2 * Math.PI;

function requireFinite(fn: string, param: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RangeError(`${fn}: ${param} must be a finite number, got ${String(value)}`);
  }
}

function requirePositive(fn: string, param: string, value: number): void {
  requireFinite(fn, param, value);
  if (!(value > 0)) throw new RangeError(`${fn}: ${param} must be > 0, got ${value}`);
}

function requireNonNegative(fn: string, param: string, value: number): void {
  requireFinite(fn, param, value);
  if (!(value >= 0)) throw new RangeError(`${fn}: ${param} must be >= 0, got ${value}`);
}

/** Point mass at a value. Consumes no uniforms. */
class ConstantDistribution implements Distribution {
  readonly mean: number;
  constructor(value: number) {
    this.mean = value;
  }
  sample(_rng: RandomStream): number {
    return this.mean;
  }
  describe(): string {
    return `constant(${this.mean})`;
  }
}

/** Exponential by inversion; one uniform per sample. */
class ExponentialDistribution implements Distribution {
  readonly mean: number;
  constructor(mean: number) {
    this.mean = mean;
  }
  sample(rng: RandomStream): number {
    // u in [0, 1) so 1 - u in (0, 1]: the log is finite.
    return -Math.log(1 - rng.next()) * this.mean;
  }
  describe(): string {
    return `exponential(mean=${this.mean})`;
  }
}

/** Continuous uniform on [min, max); one uniform per sample. */
class UniformDistribution implements Distribution {
  readonly mean: number;
  readonly #min: number;
  readonly #width: number;
  readonly #max: number;
  constructor(min: number, max: number) {
    this.#min = min;
    this.#max = max;
    this.#width = max - min;
    this.mean = min + this.#width / 2;
  }
  sample(rng: RandomStream): number {
    return this.#min + rng.next() * this.#width;
  }
  describe(): string {
    return `uniform(min=${this.#min}, max=${this.#max})`;
  }
}

/**
 * Standard normal variate by the basic Box–Muller transform (cosine branch only),
 * consuming exactly two uniforms and keeping no state between calls.
 */
function standardNormal(rng: RandomStream): number {
  const u1 = rng.next();
  const u2 = rng.next();
  // 1 - u1 is in (0, 1], so the log is finite.
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(TWO_PI * u2);
}

/** Normal; two uniforms per sample (Box–Muller, no cached second variate). */
class NormalDistribution implements Distribution {
  readonly mean: number;
  readonly #stddev: number;
  constructor(mean: number, stddev: number) {
    this.mean = mean;
    this.#stddev = stddev;
  }
  sample(rng: RandomStream): number {
    return this.mean + this.#stddev * standardNormal(rng);
  }
  describe(): string {
    return `normal(mean=${this.mean}, stddev=${this.#stddev})`;
  }
}

/** Lognormal exp(N(mu, sigma²)); two uniforms per sample. */
class LognormalDistribution implements Distribution {
  readonly mean: number;
  readonly #mu: number;
  readonly #sigma: number;
  constructor(mu: number, sigma: number) {
    this.#mu = mu;
    this.#sigma = sigma;
    this.mean = Math.exp(mu + (sigma * sigma) / 2);
  }
  sample(rng: RandomStream): number {
    return Math.exp(this.#mu + this.#sigma * standardNormal(rng));
  }
  describe(): string {
    return `lognormal(mu=${this.#mu}, sigma=${this.#sigma})`;
  }
}

/**
 * Inverse transform of the piecewise-linear empirical CDF: the quantile function
 * is Hyndman & Fan type 7 (R's default), Q(u) = x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋])
 * with h = u·(n − 1) over the sorted samples x. One uniform per sample.
 */
class EmpiricalDistribution implements Distribution {
  readonly mean: number;
  readonly #sorted: Float64Array;
  readonly #last: number;
  constructor(sorted: Float64Array) {
    this.#sorted = sorted;
    const n = sorted.length;
    this.#last = n - 1;
    if (n === 1) {
      this.mean = sorted[0];
    } else {
      // Each of the n-1 segments carries probability 1/(n-1) and is uniform, so its
      // mean is its midpoint: E = (Σx − (x[0] + x[n−1]) / 2) / (n − 1).
      let sum = 0;
      for (let i = 0; i < n; i++) sum += sorted[i];
      this.mean = (sum - (sorted[0] + sorted[n - 1]) / 2) / (n - 1);
    }
  }
  sample(rng: RandomStream): number {
    return this.quantile(rng.next());
  }
  /**
   * The type-7 sample quantile of the input at probability u in [0, 1].
   * (Exposed for tests and reports; `sample` is `quantile(next())`.)
   */
  quantile(u: number): number {
    const xs = this.#sorted;
    const h = u * this.#last;
    const i = Math.floor(h);
    if (i >= this.#last) return xs[this.#last];
    const lo = xs[i];
    return lo + (h - i) * (xs[i + 1] - lo);
  }
  describe(): string {
    return `empirical(n=${this.#sorted.length}, mean=${this.mean})`;
  }
}

/**
 * Which of core's distributions `d` is, for hot loops that sample without a call through
 * the object: `"exponential"` when `d.sample(rng)` is exactly `-Math.log(1 - rng.next()) * d.mean`
 * (one uniform), `"constant"` when it is `d.mean` (no uniform), `"other"` for every other
 * distribution, including user-written ones.
 *
 * @example
 * ```ts
 * distributionKind(exponential(5)); // "exponential"
 * distributionKind(constant(2));    // "constant"
 * distributionKind(uniform(1, 3));  // "other"
 * ```
 */
export function distributionKind(d: Distribution): DistributionKind {
  if (d instanceof ExponentialDistribution) return "exponential";
  if (d instanceof ConstantDistribution) return "constant";
  return "other";
}

/**
 * What {@link distributionKind} tells of a distribution.
 *
 * @example
 * ```ts
 * const kind: DistributionKind = distributionKind(exponential(5)); // "exponential"
 * ```
 */
export type DistributionKind = "exponential" | "constant" | "other";

/**
 * A distribution that always returns `value` (consumes no uniforms).
 *
 * @example
 * ```ts
 * constant(0.2).sample(rng); // 0.2 — e.g. a fixed 200 µs hop delay in ms
 * ```
 * @throws RangeError if value is not finite.
 */
export function constant(value: number): Distribution {
  requireFinite("constant", "value", value);
  return new ConstantDistribution(value);
}

/**
 * Exponential distribution with the given mean (rate 1/mean), sampled by inversion
 * `-ln(1 - u) * mean` — exactly one uniform per sample. The usual model for
 * Poisson-process inter-arrival times of new connections.
 *
 * @example
 * ```ts
 * exponential(5).describe(); // "exponential(mean=5)"
 * ```
 * @throws RangeError if mean is not a finite number > 0.
 */
export function exponential(mean: number): Distribution {
  requirePositive("exponential", "mean", mean);
  return new ExponentialDistribution(mean);
}

/**
 * Continuous uniform distribution on [min, max) — one uniform per sample.
 * `min === max` is allowed and degenerates to a constant.
 *
 * @throws RangeError if min or max is not finite, or max < min.
 *
 * @example
 * ```ts
 * const think = uniform(2, 8);
 * think.mean;       // 5
 * think.describe(); // "uniform(min=2, max=8)"
 * ```
 */
export function uniform(min: number, max: number): Distribution {
  requireFinite("uniform", "min", min);
  requireFinite("uniform", "max", max);
  if (!(max >= min)) throw new RangeError(`uniform: max must be >= min (${min}), got ${max}`);
  return new UniformDistribution(min, max);
}

/**
 * Normal (Gaussian) distribution, sampled with the Box–Muller transform using
 * exactly two uniforms per sample (u1, u2 → sqrt(−2 ln(1 − u1)) · cos(2π u2)).
 * The sine variate is discarded rather than cached, so the distribution object is
 * stateless and can be shared between streams. Samples can be negative; clamp
 * yourself if you model a duration.
 *
 * @throws RangeError if mean is not finite, or stddev is not a finite number >= 0.
 *
 * @example
 * ```ts
 * sim.setApplication({ app: "api" }, { serviceTime: normal(10, 2) }); // mean 10 ms, sd 2 ms
 * ```
 */
export function normal(mean: number, stddev: number): Distribution {
  requireFinite("normal", "mean", mean);
  requireNonNegative("normal", "stddev", stddev);
  return new NormalDistribution(mean, stddev);
}

/**
 * Lognormal distribution exp(X) with X ~ normal(mu, sigma): `mu` and `sigma` are
 * the mean and standard deviation of the underlying normal (not of the result).
 * Two uniforms per sample. Mean is exp(mu + sigma²/2). A common model of
 * heavy-ish tailed service times.
 *
 * @throws RangeError if mu is not finite, or sigma is not a finite number >= 0.
 *
 * @example
 * ```ts
 * const d = lognormal(1.5, 0.5); // ln(service time) ~ N(1.5, 0.5^2)
 * d.mean; // exp(1.5 + 0.5^2 / 2) = 5.078 ms
 * ```
 */
export function lognormal(mu: number, sigma: number): Distribution {
  requireFinite("lognormal", "mu", mu);
  requireNonNegative("lognormal", "sigma", sigma);
  return new LognormalDistribution(mu, sigma);
}

/**
 * Lognormal distribution with the given mean and standard deviation of the
 * result: sigma² = ln(1 + stddev²/mean²), mu = ln(mean) − sigma²/2.
 *
 * @example
 * ```ts
 * const service = lognormalFromMeanStddev(20, 10); // ms; mean 20, stddev 10
 * ```
 * @throws RangeError if mean is not a finite number > 0, or stddev is not a finite number >= 0.
 */
export function lognormalFromMeanStddev(mean: number, stddev: number): Distribution {
  requirePositive("lognormalFromMeanStddev", "mean", mean);
  requireNonNegative("lognormalFromMeanStddev", "stddev", stddev);
  const cv = stddev / mean;
  const sigma2 = Math.log1p(cv * cv);
  return new LognormalDistribution(Math.log(mean) - sigma2 / 2, Math.sqrt(sigma2));
}

/**
 * Empirical distribution of measured samples (e.g. latencies captured from a
 * real cluster), sampled by inverse transform of the piecewise-linear empirical
 * CDF: with the n samples sorted ascending as x[0..n−1] and h = u·(n−1), the
 * result is x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]) — the type-7 sample quantile.
 * One uniform per sample. Values lie in [min, max] of the input; `mean` is the
 * exact mean of this interpolated distribution (which differs slightly from the
 * plain sample mean: the two extreme samples carry half weight).
 *
 * The input is copied and sorted into a Float64Array; later changes to the
 * caller's array have no effect.
 *
 * @throws RangeError if samples is empty or contains a non-finite value.
 *
 * @example
 * ```ts
 * const measured = empirical([1, 2, 3, 10]); // resamples your own measurements
 * measured.mean;       // 3.5
 * measured.describe(); // "empirical(n=4, mean=3.5)"
 * ```
 */
export function empirical(samples: readonly number[]): Distribution {
  if (samples.length === 0) throw new RangeError("empirical: samples must not be empty, got 0 samples");
  const sorted = new Float64Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(`empirical: samples[${i}] must be a finite number, got ${String(v)}`);
    }
    sorted[i] = v;
  }
  sorted.sort();
  return new EmpiricalDistribution(sorted);
}
