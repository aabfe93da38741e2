/**
 * Small statistics for sweeps: the mean over seeds with a Student-t confidence interval.
 * @module
 */

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, n = 9; about 15 significant digits). */
function lnGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/**
 * The regularized incomplete beta function I_x(a, b).
 *
 * @example
 * ```ts
 * incompleteBeta(0.5, 1, 1); // ≈ 0.5 (I_x(1, 1) = x)
 * incompleteBeta(0.5, 2, 3); // ≈ 0.6875
 * ```
 */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(x, a, b)) / a : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/**
 * P(T <= t) for Student's t distribution with `df` degrees of freedom.
 *
 * @example
 * ```ts
 * studentTCdf(0, 9);     // 0.5
 * studentTCdf(2.262, 9); // 0.97499...: 2.262 is the 97.5 % quantile for ten samples
 * ```
 */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * The quantile `p` (0.5 < p < 1) of Student's t distribution with `df` degrees of freedom,
 * e.g. `studentTQuantile(0.975, 9)` = 2.262 (the factor of a two-sided 95 % interval from
 * ten samples). Found by bisection on the CDF to 1e-12.
 *
 * @example
 * ```ts
 * studentTQuantile(0.975, 1); // 12.706
 * studentTQuantile(0.975, 99); // 1.984
 * ```
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0.5 && p < 1)) throw new RangeError(`p: Invalid value: ${p}: must be between 0.5 and 1, exclusive`);
  if (!(df >= 1)) throw new RangeError(`df: Invalid value: ${df}: must be >= 1`);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * A metric over the runs of one sweep combination.
 *
 * @example
 * ```ts
 * const s: MetricSummary = summarize([10, 12, 11, 13]);
 * s.n;      // 4
 * s.mean;   // 11.5
 * s.stddev; // 1.2909...
 * s.ci95;   // 2.0542...: the mean is 11.5 ± 2.05 at 95 %
 * ```
 */
export interface MetricSummary {
  /** Runs with a finite value (a latency quantile is not finite when nothing completed). */
  readonly n: number;
  /** Mean over those runs (NaN when n = 0). */
  readonly mean: number;
  /** Sample standard deviation (n - 1 in the denominator; NaN when n < 2). */
  readonly stddev: number;
  /** Half-width of the 95 % confidence interval of the mean, t(0.975, n - 1) * s / sqrt(n) (NaN when n < 2). */
  readonly ci95: number;
  /** Smallest value. */
  readonly min: number;
  /** Largest value. */
  readonly max: number;
}

/**
 * Mean over seeds with a Student-t 95 % confidence interval: each seed is an independent
 * replication, so the interval is mean ± t(0.975, n - 1) · s / √n. Values that are not
 * finite are left out (and `n` says how many remain). Sums run in the order given, so the
 * same values in the same order give the same bits.
 *
 * @example
 * ```ts
 * summarize([10, 12, 11, 13]); // { n: 4, mean: 11.5, ci95: 2.054..., ... }
 * ```
 */
export function summarize(values: readonly number[]): MetricSummary {
  const xs = values.filter((x) => Number.isFinite(x));
  const n = xs.length;
  if (n === 0) return { n, mean: NaN, stddev: NaN, ci95: NaN, min: NaN, max: NaN };
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  const stddev = n > 1 ? Math.sqrt(ss / (n - 1)) : NaN;
  const ci95 = n > 1 ? (studentTQuantile(0.975, n - 1) * stddev) / Math.sqrt(n) : NaN;
  return { n, mean, stddev, ci95, min: Math.min(...xs), max: Math.max(...xs) };
}
