/**
 * The iptables `statistic` chain kube-proxy writes to spread NEW connections over a
 * Service's endpoints, reproduced bit for bit: the probability strings kube-proxy prints,
 * the 31-bit thresholds iptables stores, and the exact per-endpoint selection
 * probabilities that result.
 *
 * @packageDocumentation
 */

/**
 * Scale of `xt_statistic_info.u.random.probability`: iptables stores
 * `lround(0x80000000 * p)` and the kernel matches when a 31-bit random value is below it.
 */
const STATISTIC_SCALE = 0x80000000;

const TEN_POW_10 = 10_000_000_000n;
const float64 = new Float64Array(1);
const bits64 = new BigUint64Array(float64.buffer);

/**
 * Go's `fmt.Sprintf("%0.10f", x)` for a finite `x >= 0`: the exact binary value rounded to
 * ten decimals, ties to even (strconv/ftoa.go sends `'f'` with a precision to `bigFtoa`,
 * whose rounding is strconv/decimal.go `shouldRoundUp`: "exactly halfway - round to
 * even"). JS `toFixed` rounds ties up instead.
 */
function goFormatFixed10(x: number): string {
  float64[0] = x;
  const raw = bits64[0];
  const biased = Number((raw >> 52n) & 0x7ffn);
  let mant = raw & 0xfffffffffffffn;
  let exp: number;
  if (biased === 0) {
    exp = -1074;
  } else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  let scaled: bigint;
  if (exp >= 0) {
    scaled = (mant << BigInt(exp)) * TEN_POW_10;
  } else {
    const num = mant * TEN_POW_10;
    const shift = BigInt(-exp);
    const den = 1n << shift;
    const q = num >> shift;
    const twiceRem = (num - (q << shift)) * 2n;
    scaled = twiceRem > den || (twiceRem === den && (q & 1n) === 1n) ? q + 1n : q;
  }
  const intPart = scaled / TEN_POW_10;
  const frac = (scaled % TEN_POW_10).toString().padStart(10, "0");
  return `${intPart}.${frac}`;
}

/**
 * kube-proxy's `computeProbability(n)` (pkg/proxy/iptables/proxier.go):
 * `fmt.Sprintf("%0.10f", 1.0/float64(n))`, the `--probability` of the rule that still has
 * `n` endpoints to choose from.
 *
 * Details: ten decimals of the float64 `1/n`, rounded half-to-even on its exact binary
 * value, as Go does. For `n` up to 100000 this equals JS `(1/n).toFixed(10)` except at
 * `n = 2048`, where `1/2048 = 0.00048828125` is an exact tie: Go prints `0.0004882812`,
 * `toFixed` prints `0.0004882813` (both give the same kernel threshold, 1048576).
 *
 * @throws RangeError unless `n` is a positive safe integer (kube-proxy never asks for 0:
 * its `precomputedProbabilities[0]` is `"<bad value>"`).
 *
 * @example
 * ```ts
 * computeProbability(3); // "0.3333333333"
 * computeProbability(2); // "0.5000000000"
 * ```
 */
export function computeProbability(n: number): string {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`computeProbability: n must be a positive integer, got ${n}`);
  return goFormatFixed10(1 / n);
}

/** C `lround` for a finite non-negative double: nearest integer, halves away from zero. */
function lroundNonNegative(x: number): number {
  const f = Math.floor(x);
  return x - f >= 0.5 ? f + 1 : f;
}

const DECIMAL_FLOAT = /^[ \t\n\v\f\r]*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/**
 * The value iptables stores for `-m statistic --mode random --probability <p>`:
 * `lround(0x80000000 * p)` (iptables extensions/libxt_statistic.c `statistic_parse`),
 * where `p` is read with `strtod` and must lie in [0, 1] (libxtables/xtoptions.c
 * `xtopt_parse_float`, option entry `.min = 0, .max = 1`).
 *
 * The kernel matches a packet when `(get_random_u32() & 0x7FFFFFFF) < threshold`
 * (linux net/netfilter/xt_statistic.c `statistic_mt`), so the rule's real match
 * probability is `threshold / 2^31`. `iptables-save` prints it back as
 * `%.11f` of `threshold / 0x80000000` (e.g. `0.33333333349`).
 *
 * Gotchas: `strtod` also accepts hexadecimal floats, `inf` and `nan`; kube-proxy never
 * writes those and they are rejected here. Very old iptables (before the xtables option
 * parser, < 1.4.11) truncated instead of rounding.
 *
 * @throws RangeError for a string that is not a decimal number in [0, 1].
 *
 * @example
 * ```ts
 * kernelThreshold("0.3333333333"); // 715827883  (0.3333333333 * 2^31 = 715827882.595...)
 * kernelThreshold("0.5000000000"); // 1073741824
 * ```
 */
export function kernelThreshold(probabilityString: string): number {
  if (!DECIMAL_FLOAT.test(probabilityString)) {
    throw new RangeError(`statistic: bad value for option "--probability": ${JSON.stringify(probabilityString)}`);
  }
  const p = Number(probabilityString.trimStart());
  if (!(p >= 0 && p <= 1)) {
    throw new RangeError(`statistic: bad value for option "--probability", or out of range (0-1): ${probabilityString}`);
  }
  // 0x80000000 * p is exact (multiplication by a power of two), as in C.
  return lroundNonNegative(STATISTIC_SCALE * p);
}

/** thresholdsByRemaining[k] = kernelThreshold(computeProbability(k)); index 0 unused (kube-proxy's precomputedProbabilities). */
const thresholdsByRemaining: number[] = [Number.NaN];

function thresholdForRemaining(k: number): number {
  for (let i = thresholdsByRemaining.length; i <= k; i++) thresholdsByRemaining.push(kernelThreshold(computeProbability(i)));
  return thresholdsByRemaining[k];
}

/** Fills `out[i]` with the remaining mass after rules 0..i (so `out[n-1] = 0`). */
function remainingAfterRules(n: number): Float64Array {
  const remaining = new Float64Array(n);
  let r = 1;
  for (let i = 0; i < n - 1; i++) {
    // (2^31 - t) / 2^31 is exact in float64; one rounding per step.
    r *= (STATISTIC_SCALE - thresholdForRemaining(n - i)) / STATISTIC_SCALE;
    remaining[i] = r;
  }
  remaining[n - 1] = 0;
  return remaining;
}

/**
 * The probability that a NEW connection lands on endpoint `i` (rule order = endpoints
 * sorted by `IP:port`) of kube-proxy's chain for `n` endpoints
 * (pkg/proxy/iptables/proxier.go writeServiceToEndpointRules).
 *
 * Rule `i < n-1` carries `--probability computeProbability(n-i)` and matches with
 * `p_i = kernelThreshold(...) / 2^31` when rules `0..i-1` did not; the last rule is
 * unconditional. So `P_i = p_i * prod_{j<i}(1 - p_j)` and `P_{n-1} = prod_{j<n-1}(1 - p_j)`.
 * Computed in float64 from the exact thresholds (relative error below `n * 2^-53`).
 *
 * @example
 * ```ts
 * iptablesSelectionProbabilities(3);
 * // [715827883 / 2^31, 1431655765 / 2^32, 1431655765 / 2^32]
 * // = [0.33333333348855376, 0.3333333332557231, 0.3333333332557231]
 * ```
 */
export function iptablesSelectionProbabilities(n: number): Float64Array {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`iptablesSelectionProbabilities: n must be a positive integer, got ${n}`);
  const remaining = remainingAfterRules(n);
  const out = new Float64Array(n);
  let before = 1;
  for (let i = 0; i < n; i++) {
    out[i] = i === n - 1 ? before : before * (thresholdForRemaining(n - i) / STATISTIC_SCALE);
    before = remaining[i];
  }
  return out;
}

const selectorCache = new Map<number, IptablesSelector>();

/**
 * The endpoint choice of kube-proxy's iptables `statistic` chain for `n` endpoints,
 * compiled once into a cumulative distribution: {@link IptablesSelector.pick} maps one
 * uniform `u` in [0, 1) to an endpoint index by binary search.
 *
 * Details:
 * - One uniform is consumed per NEW connection (packets of an existing connection follow
 *   conntrack and never reach the chain). Inverting the CDF with one uniform gives exactly
 *   the distribution of walking the chain with one kernel random per rule.
 * - `cdf[i] = 1 - (mass remaining after rule i)`, `cdf[n-1] = 1` exactly, so every `u` in
 *   [0, 1) picks a valid index.
 * - Every Service with `n` endpoints shares one compiled selector: use
 *   {@link IptablesSelector.forEndpointCount}, the counterpart of kube-proxy's
 *   `precomputedProbabilities` cache.
 *
 * @example
 * ```ts
 * const sel = IptablesSelector.forEndpointCount(3);
 * sel.pick(0.2); // 0
 * sel.pick(0.5); // 1
 * sel.pick(0.9); // 2
 * ```
 */
export class IptablesSelector {
  /** Number of endpoints (rules) of the chain. */
  readonly endpointCount: number;
  private readonly cdf: Float64Array;

  /** Compiles the chain for `n >= 1` endpoints. Prefer {@link IptablesSelector.forEndpointCount}. */
  constructor(n: number) {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`IptablesSelector: n must be a positive integer, got ${n}`);
    this.endpointCount = n;
    const remaining = remainingAfterRules(n);
    const cdf = new Float64Array(n);
    for (let i = 0; i < n; i++) cdf[i] = 1 - remaining[i];
    cdf[n - 1] = 1;
    this.cdf = cdf;
  }

  /**
   * The shared, cached selector for `n` endpoints.
   *
   * @example
   * ```ts
   * const chain = IptablesSelector.forEndpointCount(3); // rules with --probability 0.3333333333, 0.5000000000, then unconditional
   * ```
   */
  static forEndpointCount(n: number): IptablesSelector {
    let sel = selectorCache.get(n);
    if (sel === undefined) {
      sel = new IptablesSelector(n);
      selectorCache.set(n, sel);
    }
    return sel;
  }

  /**
   * The endpoint index (0-based, in `IP:port` order) chosen for a NEW connection given one
   * uniform `u` in [0, 1): the smallest `i` with `u < cdf[i]`. Allocation-free.
   *
   * @throws RangeError when `u` is outside [0, 1).
   *
   * @example
   * ```ts
   * chain.pick(0);    // 0
   * chain.pick(0.5);  // 1
   * chain.pick(0.99); // 2
   * ```
   */
  pick(u: number): number {
    if (!(u >= 0 && u < 1)) throw new RangeError(`IptablesSelector.pick: u must be in [0, 1), got ${u}`);
    // The chain is uniform to within ~3e-10, so floor(u * n) is almost always the answer:
    // start there and step to the smallest i with u < cdf[i] (the same result a binary
    // search gives, in one or two reads instead of log2(n)).
    const cdf = this.cdf;
    const last = cdf.length - 1;
    let i = Math.min(last, Math.floor(u * cdf.length));
    while (i < last && u >= cdf[i]) i++;
    while (i > 0 && u < cdf[i - 1]) i--;
    return i;
  }

  /**
   * `cdf[i]`: probability that the chosen index is `<= i`.
   *
   * @example
   * ```ts
   * chain.cumulativeProbability(0); // 0.33333333348855376: the kernel threshold round(2^31 / 3) / 2^31
   * chain.cumulativeProbability(2); // 1
   * ```
   */
  cumulativeProbability(i: number): number {
    return this.cdf[i];
  }
}
