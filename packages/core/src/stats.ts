/**
 * Streaming statistics in bounded memory: a log-linear latency histogram
 * (HdrHistogram-style) for request/connection latencies, and Welford running
 * moments for any numeric series.
 *
 * @packageDocumentation
 */

/** 2^32 as a double. */
const TWO_POW_32 = 4294967296;

/**
 * Options of a {@link LatencyHistogram}. All values are in milliseconds.
 *
 * @example
 * ```ts
 * const opts: LatencyHistogramOptions = { lowest: 0.01, highest: 60_000, significantDigits: 2 };
 * const h = new LatencyHistogram(opts); // 10 µs .. 1 min, quantiles within 0.39 % (1/256)
 * ```
 */
export interface LatencyHistogramOptions {
  /**
   * Smallest discernible value (the unit of the linear first bucket), in ms.
   * Values below it share the first sub-bucket [0, lowest). Default 0.001 (1 µs).
   */
  readonly lowest?: number;
  /**
   * Largest trackable value, in ms. Larger values are recorded into the last
   * bucket and counted in {@link LatencyHistogram.overflow}. Default 3.6e6 (1 hour).
   */
  readonly highest?: number;
  /** Decimal significant digits kept by the buckets: 2 or 3. Default 3. */
  readonly significantDigits?: 2 | 3;
}

/**
 * Plain JSON summary of a {@link LatencyHistogram}, in milliseconds. NaN (JSON `null`) when empty.
 *
 * @example
 * ```ts
 * const { mean, p50, p99, max } = sim.results().latency; // ms
 * ```
 */
export interface LatencySummary {
  /** Number of recorded values. */
  readonly count: number;
  /** Exact mean. */
  readonly mean: number;
  /** Exact minimum. */
  readonly min: number;
  /** Exact maximum. */
  readonly max: number;
  /** Median (bucket representative). */
  readonly p50: number;
  /** 90th percentile. */
  readonly p90: number;
  /** 99th percentile. */
  readonly p99: number;
  /** 99.9th percentile. */
  readonly p999: number;
}

/**
 * Latency histogram with bounded relative error and bounded memory, in the style
 * of HdrHistogram (written from scratch here).
 *
 * ## Layout
 *
 * A value v (ms) is quantised to an integer number of units u = ⌊v / lowest⌋.
 * With S = 2^k sub-buckets (k = 11 for 3 significant digits, since 2048 ≥ 2·10³;
 * k = 8 for 2 digits, 256 ≥ 2·10²) and H = S/2:
 *
 * - bucket 0 covers u in [0, S) with width-1 sub-buckets;
 * - bucket b ≥ 1 covers u in [H·2^b, S·2^b) with H sub-buckets of width 2^b.
 *
 * The flat index is `b·H + (u >> b)` where `b = msb(u | (S−1)) − (k−1)`, computed
 * with `Math.clz32` — no logarithm, no loop, no allocation in {@link record}.
 * The counts live in one Float64Array whose length depends only on the options
 * (23 221 entries for the defaults), never on how many values are recorded.
 *
 * ## Accuracy
 *
 * {@link quantile} returns the midpoint of the bucket holding the requested rank,
 * clamped to [min, max]. For a true order statistic x ≤ highest the error is at
 * most max(lowest / 2, x / S): ≤ 0.049 % relative (1/2048) for 3 significant
 * digits, ≤ 0.39 % (1/256) for 2, and ≤ 0.5 µs absolute for values near zero with
 * the default `lowest`. Values above `highest` have no error bound (only the exact
 * `max` is kept for them). `count`, `mean`, `min`, `max` and `stddev` are computed
 * from the recorded values themselves, not from the buckets.
 *
 * @example
 * ```ts
 * const h = new LatencyHistogram();
 * h.record(12.5); // ms, e.g. one HTTP request through a ClusterIP Service
 * h.quantile(0.99);
 * JSON.stringify(h); // {"count":1,"mean":12.5,...}
 * ```
 */
export class LatencyHistogram {
  /** Smallest discernible value, ms. */
  readonly lowest: number;
  /** Largest trackable value, ms. */
  readonly highest: number;
  /** Significant decimal digits (2 or 3). */
  readonly significantDigits: 2 | 3;

  readonly #inv: number;
  readonly #subMask: number;
  readonly #shift: number;
  readonly #lastIndex: number;
  readonly #counts: Float64Array;
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = -Infinity;
  #wMean = 0;
  #m2 = 0;
  #overflow = 0;

  /**
   * @param options - see {@link LatencyHistogramOptions}.
   * @throws RangeError on a non-positive or non-finite `lowest`, a `highest` not
   *   above `lowest`, a range `highest / lowest` above 2^52, or significantDigits
   *   other than 2 or 3.
   */
  constructor(options: LatencyHistogramOptions = {}) {
    const lowest = options.lowest ?? 0.001;
    const highest = options.highest ?? 3.6e6;
    const digits = options.significantDigits ?? 3;
    if (!(Number.isFinite(lowest) && lowest > 0)) {
      throw new RangeError(`LatencyHistogram: lowest must be a finite number > 0, got ${lowest}`);
    }
    if (!(Number.isFinite(highest) && highest > lowest)) {
      throw new RangeError(`LatencyHistogram: highest must be a finite number > lowest (${lowest}), got ${highest}`);
    }
    if (digits !== 2 && digits !== 3) {
      throw new RangeError(`LatencyHistogram: significantDigits must be 2 or 3, got ${String(digits)}`);
    }
    const inv = 1 / lowest;
    const maxUnits = Math.floor(highest * inv);
    if (!(maxUnits <= 2 ** 52)) {
      throw new RangeError(`LatencyHistogram: highest / lowest must be <= 2^52, got ${highest / lowest}`);
    }
    this.lowest = lowest;
    this.highest = highest;
    this.significantDigits = digits;
    const k = Math.ceil(Math.log2(2 * 10 ** digits)); // 11 or 8
    this.#inv = inv;
    this.#subMask = (1 << k) - 1;
    this.#shift = k - 1;
    this.#lastIndex = this.#indexOfUnits(maxUnits);
    this.#counts = new Float64Array(this.#lastIndex + 1);
  }

  /** Flat bucket index of a unit count u in [0, 2^53). */
  #indexOfUnits(u: number): number {
    if (u < TWO_POW_32) {
      const b = 31 - Math.clz32(u | this.#subMask) - this.#shift;
      return (b << this.#shift) + (u >>> b);
    }
    const hi = Math.floor(u / TWO_POW_32);
    const b = 63 - Math.clz32(hi) - this.#shift;
    return b * (1 << this.#shift) + Math.floor(u / 2 ** b);
  }

  /**
   * Records one value in ms. Hot path: no allocation, one well-predicted branch for
   * the range check. Values in [0, lowest) go to the first sub-bucket; values above
   * `highest` go to the last bucket and increment {@link overflow}.
   *
   * @throws RangeError if value is negative, NaN or infinite.
   *
   * @example
   * ```ts
   * const h = new LatencyHistogram();
   * for (let ms = 1; ms <= 100; ms++) h.record(ms);
   * h.quantile(0.5); // 50
   * ```
   */
  record(value: number): void {
    if (value >= 0 && value <= this.highest) {
      const x = value * this.#inv;
      if (x < TWO_POW_32) {
        const u = x >>> 0;
        const b = 31 - Math.clz32(u | this.#subMask) - this.#shift;
        this.#counts[(b << this.#shift) + (u >>> b)]++;
      } else {
        this.#counts[this.#indexOfUnits(Math.floor(x))]++;
      }
    } else {
      this.#recordOutOfRange(value);
    }
    const n = ++this.#count;
    this.#sum += value;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
    // Welford's running variance.
    const d = value - this.#wMean;
    this.#wMean += d / n;
    this.#m2 += d * (value - this.#wMean);
  }

  #recordOutOfRange(value: number): void {
    if (!(value >= 0 && value < Infinity)) {
      throw new RangeError(`LatencyHistogram.record: value must be a finite number >= 0, got ${value}`);
    }
    this.#overflow++;
    this.#counts[this.#lastIndex]++;
  }

  /** Number of recorded values. */
  get count(): number {
    return this.#count;
  }

  /** Number of recorded values above `highest` (clamped into the last bucket). */
  get overflow(): number {
    return this.#overflow;
  }

  /** Exact mean (sum / count) of the recorded values; NaN when empty. */
  get mean(): number {
    return this.#count === 0 ? NaN : this.#sum / this.#count;
  }

  /** Exact smallest recorded value; NaN when empty. */
  get min(): number {
    return this.#count === 0 ? NaN : this.#min;
  }

  /** Exact largest recorded value; NaN when empty. */
  get max(): number {
    return this.#count === 0 ? NaN : this.#max;
  }

  /**
   * Population standard deviation (divisor n) of the recorded values, computed
   * from the values themselves with Welford's algorithm (Chan et al. on merge);
   * NaN when empty.
   */
  get stddev(): number {
    return this.#count === 0 ? NaN : Math.sqrt(this.#m2 / this.#count);
  }

  /** Number of buckets (length of the counts array); fixed by the options. */
  get bucketCount(): number {
    return this.#counts.length;
  }

  /**
   * The value at quantile q: the midpoint of the bucket that holds the value of
   * rank max(1, ⌈q·count⌉), clamped to [min, max]. q = 0 gives min, q = 1 gives max.
   * Error bound: see the class documentation. NaN when empty.
   *
   * @throws RangeError if q is not in [0, 1].
   *
   * @example
   * ```ts
   * h.quantile(0.99); // 98.976 for the values 1..100 (HDR buckets: within the histogram's precision)
   * ```
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`LatencyHistogram.quantile: q must be in [0, 1], got ${q}`);
    const n = this.#count;
    if (n === 0) return NaN;
    if (q === 0) return this.#min;
    if (q === 1) return this.#max;
    const rank = Math.min(n, Math.max(1, Math.ceil(q * n)));
    const counts = this.#counts;
    let seen = 0;
    let idx = 0;
    for (; idx < counts.length; idx++) {
      seen += counts[idx];
      if (seen >= rank) break;
    }
    if (idx >= counts.length) idx = counts.length - 1;
    const v = this.#midpoint(idx);
    return v < this.#min ? this.#min : v > this.#max ? this.#max : v;
  }

  /** Midpoint (ms) of the bucket at a flat index. */
  #midpoint(idx: number): number {
    const half = 1 << this.#shift;
    const b = Math.max(0, Math.floor(idx / half) - 1);
    const sub = idx - b * half;
    const width = 2 ** b;
    return (sub * width + width / 2) * this.lowest;
  }

  /**
   * Adds all of `other`'s values into this histogram, as if they had been
   * recorded here (bucket counts exactly; mean, min, max exactly; variance by
   * Chan et al.'s parallel formula).
   *
   * @throws RangeError if the two histograms have different lowest, highest or significantDigits.
   *
   * @example
   * ```ts
   * const a = new LatencyHistogram();
   * const b = new LatencyHistogram();
   * a.record(1);
   * b.record(3);
   * a.merge(b);
   * a.toJSON().mean; // 2
   * ```
   */
  merge(other: LatencyHistogram): void {
    if (
      other.lowest !== this.lowest ||
      other.highest !== this.highest ||
      other.significantDigits !== this.significantDigits
    ) {
      throw new RangeError(
        `LatencyHistogram.merge: configurations differ (lowest ${this.lowest} vs ${other.lowest}, ` +
          `highest ${this.highest} vs ${other.highest}, significantDigits ${this.significantDigits} vs ${other.significantDigits})`,
      );
    }
    const nb = other.#count;
    if (nb === 0) return;
    const na = this.#count;
    const n = na + nb;
    const delta = other.#wMean - this.#wMean;
    const m2 = this.#m2 + other.#m2 + (delta * delta * na * nb) / n;
    const wMean = this.#wMean + (delta * nb) / n;
    const src = other.#counts;
    const dst = this.#counts;
    for (let i = 0; i < dst.length; i++) dst[i] += src[i];
    this.#count = n;
    this.#sum += other.#sum;
    this.#overflow += other.#overflow;
    if (other.#min < this.#min) this.#min = other.#min;
    if (other.#max > this.#max) this.#max = other.#max;
    this.#wMean = wMean;
    this.#m2 = m2;
  }

  /** Forgets every recorded value (keeps the configuration and the bucket array). */
  reset(): void {
    this.#counts.fill(0);
    this.#count = 0;
    this.#sum = 0;
    this.#min = Infinity;
    this.#max = -Infinity;
    this.#wMean = 0;
    this.#m2 = 0;
    this.#overflow = 0;
  }

  /**
   * Plain summary for reports: count, exact mean/min/max and p50/p90/p99/p99.9.
   *
   * @example
   * ```ts
   * JSON.stringify(h.toJSON()); // {"count":100,"mean":50.5,"min":1,"max":100,"p50":50,"p90":90.016,"p99":98.976,"p999":100}
   * ```
   */
  toJSON(): LatencySummary {
    return {
      count: this.#count,
      mean: this.mean,
      min: this.min,
      max: this.max,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
      p999: this.quantile(0.999),
    };
  }
}

/**
 * Plain JSON summary of a {@link StreamingStats}. NaN (JSON `null`) fields when empty.
 *
 * @example
 * ```ts
 * const s = new StreamingStats();
 * for (const x of [2, 4, 4, 4, 5, 5, 7, 9]) s.add(x);
 * const summary: StreamingStatsSummary = s.toJSON(); // { count: 8, mean: 5, min: 2, max: 9, stddev: 2 }
 * ```
 */
export interface StreamingStatsSummary {
  /** Number of values. */
  readonly count: number;
  /** Mean. */
  readonly mean: number;
  /** Minimum. */
  readonly min: number;
  /** Maximum. */
  readonly max: number;
  /** Population standard deviation. */
  readonly stddev: number;
}

/**
 * Running count, mean, min, max and variance of any numeric series (queue
 * lengths, connections per endpoint, iptables rule counts, ...) in O(1) memory,
 * using Welford's algorithm (and Chan et al.'s formula for {@link merge}).
 *
 * @example
 * ```ts
 * const s = new StreamingStats();
 * for (const x of [2, 4, 4, 4, 5, 5, 7, 9]) s.add(x);
 * s.mean;     // 5
 * s.variance; // 4 (population)
 * ```
 */
export class StreamingStats {
  #count = 0;
  #mean = 0;
  #m2 = 0;
  #min = Infinity;
  #max = -Infinity;

  /**
   * Adds one value.
   *
   * @throws RangeError if x is NaN or infinite.
   *
   * @example
   * ```ts
   * const s = new StreamingStats();
   * [1, 2, 3, 4].forEach((x) => s.add(x));
   * s.toJSON(); // { count: 4, mean: 2.5, min: 1, max: 4, stddev: 1.118... }
   * ```
   */
  add(x: number): void {
    if (!Number.isFinite(x)) throw new RangeError(`StreamingStats.add: x must be a finite number, got ${x}`);
    const n = ++this.#count;
    const d = x - this.#mean;
    this.#mean += d / n;
    this.#m2 += d * (x - this.#mean);
    if (x < this.#min) this.#min = x;
    if (x > this.#max) this.#max = x;
  }

  /**
   * Adds all of `other`'s values, as if they had been added here.
   *
   * @example
   * ```ts
   * const perNode = [new StreamingStats(), new StreamingStats()];
   * perNode[0].add(1);
   * perNode[1].add(3);
   * const all = new StreamingStats();
   * for (const s of perNode) all.merge(s);
   * all.toJSON().mean; // 2
   * ```
   */
  merge(other: StreamingStats): void {
    const nb = other.#count;
    if (nb === 0) return;
    const na = this.#count;
    const n = na + nb;
    const delta = other.#mean - this.#mean;
    this.#m2 = this.#m2 + other.#m2 + (delta * delta * na * nb) / n;
    this.#mean = this.#mean + (delta * nb) / n;
    this.#count = n;
    if (other.#min < this.#min) this.#min = other.#min;
    if (other.#max > this.#max) this.#max = other.#max;
  }

  /** Forgets every value. */
  reset(): void {
    this.#count = 0;
    this.#mean = 0;
    this.#m2 = 0;
    this.#min = Infinity;
    this.#max = -Infinity;
  }

  /** Number of values. */
  get count(): number {
    return this.#count;
  }
  /** Mean; NaN when empty. */
  get mean(): number {
    return this.#count === 0 ? NaN : this.#mean;
  }
  /** Smallest value; NaN when empty. */
  get min(): number {
    return this.#count === 0 ? NaN : this.#min;
  }
  /** Largest value; NaN when empty. */
  get max(): number {
    return this.#count === 0 ? NaN : this.#max;
  }
  /** Population variance (divisor n); NaN when empty. */
  get variance(): number {
    return this.#count === 0 ? NaN : this.#m2 / this.#count;
  }
  /** Sample variance (divisor n − 1); NaN with fewer than 2 values. */
  get sampleVariance(): number {
    return this.#count < 2 ? NaN : this.#m2 / (this.#count - 1);
  }
  /** Population standard deviation; NaN when empty. */
  get stddev(): number {
    return Math.sqrt(this.variance);
  }

  /** Plain summary: count, mean, min, max, stddev. */
  toJSON(): StreamingStatsSummary {
    return { count: this.#count, mean: this.mean, min: this.min, max: this.max, stddev: this.stddev };
  }
}
