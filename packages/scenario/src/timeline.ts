import { LatencyHistogram } from "@kube-netsim/core";
import type { SimTime } from "@kube-netsim/core";
import type { Outcome } from "@kube-netsim/traffic";

/** One bucket of a {@link Timeline}. */
export interface TimelineBucket {
  /** Start of the bucket (ms). */
  readonly start: SimTime;
  /** Requests that ended in this bucket, by outcome. */
  readonly outcomes: Readonly<Record<Outcome, number>>;
  /** Latency of the requests completed in this bucket (ms); NaN when none. */
  readonly latency: { readonly mean: number; readonly p50: number; readonly p99: number; readonly max: number };
  /** Endpoints each node's kube-proxy forwards the watched address to, sampled at the end of the bucket. */
  readonly endpointsByNode: Readonly<Record<string, number>>;
  /** Pods of the watched labels by phase (Terminating counted apart), sampled at the end of the bucket. */
  readonly pods: Readonly<Record<string, number>>;
}

/**
 * Requests by outcome and latency per time bucket, plus samples of what each node's
 * kube-proxy has programmed and of the pods, so a run can be read second by second.
 *
 * @remarks
 * Latency per bucket uses a 2-significant-digit histogram (about 26 KB a bucket, relative
 * error under 0.4%), so long runs with many buckets stay in bounded memory per bucket.
 * Create it with {@link Simulation.timeline}.
 */
export class Timeline {
  private readonly counts: Record<Outcome, number>[] = [];
  private readonly hist: LatencyHistogram[] = [];
  private readonly samples: { endpointsByNode: Record<string, number>; pods: Record<string, number> }[] = [];

  /** @param bucket - bucket width in ms. @param start - time of the first bucket. */
  constructor(
    readonly bucket: number,
    readonly start: SimTime,
  ) {
    if (!(bucket > 0) || !Number.isFinite(bucket)) throw new RangeError(`timeline: bucket: Invalid value: ${bucket}: must be a number of ms > 0`);
  }

  /** @internal Records a request's end. */
  record(outcome: Outcome, end: SimTime, latency: number): void {
    const i = this.index(end);
    this.counts[i][outcome]++;
    if (outcome === "completed") this.hist[i].record(latency);
  }

  /** @internal Records the samples taken at the end of bucket `i`. */
  sample(i: number, endpointsByNode: Record<string, number>, pods: Record<string, number>): void {
    this.index(this.start + i * this.bucket);
    this.samples[i] = { endpointsByNode, pods };
  }

  private stoppedFlag = false;

  /** Stops sampling (a running timeline keeps one sampling event pending, so `Simulation.run()` would not end). */
  stop(): void {
    this.stoppedFlag = true;
  }

  /** Whether {@link Timeline.stop} was called. */
  get stopped(): boolean {
    return this.stoppedFlag;
  }

  /** The buckets so far. */
  buckets(): TimelineBucket[] {
    return this.counts.map((outcomes, i) => {
      const h = this.hist[i];
      const empty = h.count === 0;
      return {
        start: this.start + i * this.bucket,
        outcomes: { ...outcomes },
        latency: { mean: empty ? NaN : h.mean, p50: empty ? NaN : h.quantile(0.5), p99: empty ? NaN : h.quantile(0.99), max: empty ? NaN : h.max },
        endpointsByNode: this.samples[i]?.endpointsByNode ?? {},
        pods: this.samples[i]?.pods ?? {},
      };
    });
  }

  /** A plain-text table: one line per bucket. */
  format(): string {
    const nodes = [...new Set(this.buckets().flatMap((b) => Object.keys(b.endpointsByNode)))].sort();
    const head = `${"t (s)".padStart(8)} ${"ok".padStart(6)} ${"refused".padStart(8)} ${"reset".padStart(6)} ${"timeout".padStart(8)} ${"dropped".padStart(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)}  endpoints per node (${nodes.join("/")})  pods`;
    const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : "-");
    const rows = this.buckets().map((b) => {
      const o = b.outcomes;
      const eps = nodes.map((n) => String(b.endpointsByNode[n] ?? "-")).join("/");
      const pods = Object.entries(b.pods)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ");
      return `${(b.start / 1000).toFixed(1).padStart(8)} ${String(o.completed).padStart(6)} ${String(o.refused).padStart(8)} ${String(o.reset).padStart(6)} ${String(o.timedOut).padStart(8)} ${String(o.dropped).padStart(8)} ${f(b.latency.p50).padStart(8)} ${f(b.latency.p99).padStart(8)}  ${eps.padEnd(Math.max(20, nodes.length * 3))}  ${pods}`;
    });
    return [head, ...rows].join("\n") + "\n";
  }

  private index(t: SimTime): number {
    const i = Math.max(0, Math.floor((t - this.start) / this.bucket));
    while (this.counts.length <= i) {
      this.counts.push({ completed: 0, refused: 0, reset: 0, timedOut: 0, dropped: 0 });
      this.hist.push(new LatencyHistogram({ significantDigits: 2 }));
    }
    return i;
  }
}
