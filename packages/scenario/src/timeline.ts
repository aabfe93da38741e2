import { LatencyHistogram } from "@kube-netsim/core";
import type { SimTime } from "@kube-netsim/core";
import type { Outcome, OutcomeCounts, RequestOutcome } from "@kube-netsim/traffic";

/**
 * Latency of the requests completed in one {@link TimelineBucket} (ms); every field NaN when none completed.
 *
 * @example
 * ```ts
 * const tl = sim.timeline({ service: "api", bucket: 1000 });
 * sim.runFor(30_000);
 * tl.stop();
 * const l: TimelineLatency = tl.buckets()[10].latency; // the 11th second
 * if (!Number.isNaN(l.p99)) console.log(`p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms`);
 * ```
 */
export interface TimelineLatency {
  /** Mean. */
  readonly mean: number;
  /** Median. */
  readonly p50: number;
  /** 90th percentile. */
  readonly p90: number;
  /** 99th percentile. */
  readonly p99: number;
  /** 99.9th percentile. */
  readonly p999: number;
  /** Largest. */
  readonly max: number;
}

/**
 * One bucket of a {@link Timeline}.
 *
 * @example
 * ```ts
 * for (const b of tl.buckets()) {
 *   const failed = b.outcomes.refused + b.outcomes.reset + b.outcomes.timedOut + b.outcomes.dropped;
 *   console.log(`${b.start / 1000}s ${failed} failed, ready pods ${b.readyPods}, node-1 forwards to ${b.readyEndpointsByNode["node-1"]}`);
 * }
 * ```
 */
export interface TimelineBucket {
  /** Start of the bucket (ms). */
  readonly start: SimTime;
  /** Requests that ended in this bucket, by outcome (`dnsFailed` only once one ended so). */
  readonly outcomes: OutcomeCounts & { readonly dnsFailed?: number };
  /** Latency of the requests completed in this bucket (ms); NaN when none. */
  readonly latency: TimelineLatency;
  /**
   * Endpoints each node's kube-proxy forwards the watched address to, sampled at the end of
   * the bucket: the ready ones, or the serving-terminating ones when none is ready (spec 1.2).
   */
  readonly endpointsByNode: Readonly<Record<string, number>>;
  /** Of those, the ready (not terminating) endpoints each node's kube-proxy has programmed, at the end of the bucket. */
  readonly readyEndpointsByNode: Readonly<Record<string, number>>;
  /**
   * The fewest ready endpoints each node's kube-proxy had programmed at any moment of the
   * bucket (its value when the bucket began and after each sync within it).
   */
  readonly minReadyEndpointsByNode: Readonly<Record<string, number>>;
  /**
   * Pods of the Service's selector by phase (`Pending`, `Running`, `Succeeded`, `Failed`),
   * pods with a deletionTimestamp counted apart as `Terminating`, sampled at the end of the bucket.
   */
  readonly pods: Readonly<Record<string, number>>;
  /** Of those pods, the ones whose `Ready` condition is True and that are not terminating, at the end of the bucket. */
  readonly readyPods: number;
}

/** What {@link Simulation.timeline} samples at the end of each bucket. @internal */
export interface TimelineSample {
  readonly endpointsByNode: Record<string, number>;
  readonly readyEndpointsByNode: Record<string, number>;
  readonly pods: Record<string, number>;
  readonly readyPods: number;
}

/**
 * Requests by outcome and latency per time bucket, plus samples of what each node's
 * kube-proxy has programmed and of the pods, so a run can be read second by second.
 *
 * @remarks
 * **Details.** A request is counted in the bucket where it ends (requests started before
 * the timeline are not counted). Endpoints and pods are sampled at the end of each
 * bucket; the fewest ready endpoints per node is tracked at every kube-proxy sync, so a
 * dip shorter than a bucket still shows. Latency per bucket uses a 2-significant-digit
 * histogram (about 26 KB a bucket, relative error under 0.4%), so long runs with many
 * buckets stay in bounded memory per bucket. Create it with {@link Simulation.timeline}.
 *
 * @example
 * ```ts
 * const tl = sim.timeline({ service: "api", bucket: 500 });
 * sim.apply([apiDeploymentV2]);
 * sim.runFor(20_000);
 * tl.stop();
 * const worst = Math.min(...tl.buckets().map((b) => b.minReadyEndpointsByNode["node-1"]));
 * ```
 */
export class Timeline {
  private readonly counts: (Record<Outcome, number> & { dnsFailed?: number })[] = [];
  private readonly hist: LatencyHistogram[] = [];
  private readonly samples: (TimelineSample & { minReadyEndpointsByNode: Record<string, number> })[] = [];
  /** Ready endpoints per node now, and the fewest since the last sample. */
  private readonly readyNow: Record<string, number> = {};
  private runningMin: Record<string, number> = {};

  /** @param bucket - bucket width in ms. @param start - time of the first bucket. */
  constructor(
    readonly bucket: number,
    readonly start: SimTime,
  ) {
    if (!(bucket > 0) || !Number.isFinite(bucket)) throw new RangeError(`timeline: bucket: Invalid value: ${bucket}: must be a number of ms > 0`);
  }

  /** @internal Records a request's end. */
  record(outcome: RequestOutcome, end: SimTime, latency: number): void {
    const i = this.index(end);
    const c = this.counts[i];
    c[outcome] = (c[outcome] ?? 0) + 1;
    if (outcome === "completed") this.hist[i].record(latency);
  }

  /** @internal The ready endpoints a node's kube-proxy programmed at a sync (or when the timeline starts). */
  observeReadyEndpoints(node: string, ready: number): void {
    this.readyNow[node] = ready;
    const m = this.runningMin[node];
    if (m === undefined || ready < m) this.runningMin[node] = ready;
  }

  /** @internal Records the samples taken at the end of bucket `i`. */
  sample(i: number, s: TimelineSample): void {
    this.index(this.start + i * this.bucket);
    const minReadyEndpointsByNode: Record<string, number> = {};
    for (const [node, n] of Object.entries(s.readyEndpointsByNode)) minReadyEndpointsByNode[node] = Math.min(n, this.runningMin[node] ?? n);
    this.samples[i] = { ...s, minReadyEndpointsByNode };
    this.runningMin = { ...this.readyNow, ...s.readyEndpointsByNode };
  }

  private stoppedFlag = false;

  /** @internal Set by the Simulation: samples the bucket in progress when the timeline stops. */
  sampleNow: ((index: number) => void) | undefined = undefined;

  /**
   * Stops sampling (a running timeline keeps one sampling event pending, so `Simulation.run()`
   * would not end). The bucket in progress, if any, is sampled now: its endpoint and pod
   * records hold the state at the stop.
   *
   * @example
   * ```ts
   * tl.stop(); // before sim.run(), which would otherwise never run out of sampling events
   * ```
   */
  stop(): void {
    if (this.stoppedFlag) return;
    this.sampleNow?.(this.samples.length);
    this.stoppedFlag = true;
  }

  /** Whether {@link Timeline.stop} was called. */
  get stopped(): boolean {
    return this.stoppedFlag;
  }

  /**
   * The buckets so far (a bucket not yet sampled has empty endpoint and pod records).
   *
   * @example
   * ```ts
   * const tl = sim.timeline({ service: "api", bucket: 1000 });
   * sim.runFor(30_000);
   * for (const b of tl.buckets()) console.log(b.start, b.outcomes.timedOut, b.readyEndpointsByNode["node-1"]);
   * ```
   */
  buckets(): TimelineBucket[] {
    return this.counts.map((outcomes, i) => {
      const h = this.hist[i];
      const q = (x: number): number => (h.count === 0 ? NaN : h.quantile(x));
      const s = this.samples[i];
      return {
        start: this.start + i * this.bucket,
        outcomes: { ...outcomes },
        latency: { mean: h.count === 0 ? NaN : h.mean, p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999), max: h.count === 0 ? NaN : h.max },
        endpointsByNode: s?.endpointsByNode ?? {},
        readyEndpointsByNode: s?.readyEndpointsByNode ?? {},
        minReadyEndpointsByNode: s?.minReadyEndpointsByNode ?? {},
        pods: s?.pods ?? {},
        readyPods: s?.readyPods ?? 0,
      };
    });
  }

  /**
   * A plain-text table, one line per bucket: outcomes, p50 and p99 latency, the ready
   * endpoints each node programmed at the end of the bucket and the fewest during it, and
   * the pods by phase (with how many are ready).
   *
   * @example
   * ```ts
   * console.log(tl.format()); // one line per second: outcomes, p50/p99, endpoints per node, pods by phase
   * ```
   */
  format(): string {
    const all = this.buckets();
    const nodes = [...new Set(all.flatMap((b) => Object.keys(b.endpointsByNode)))].sort();
    const per = (r: Readonly<Record<string, number>>): string => nodes.map((n) => String(r[n] ?? "-")).join("/");
    const epsWidth = Math.max(12, nodes.length * 3);
    const head = `${"t (s)".padStart(8)} ${"ok".padStart(6)} ${"refused".padStart(8)} ${"reset".padStart(6)} ${"timeout".padStart(8)} ${"dropped".padStart(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)}  ${"ready eps".padEnd(epsWidth)}  ${"fewest".padEnd(epsWidth)}  pods   (ready endpoints per node ${nodes.join("/")}: at the end of the bucket, fewest during it)`;
    const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : "-");
    const rows = all.map((b) => {
      const o = b.outcomes;
      const phases = Object.entries(b.pods)
        .sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0))
        .map(([k, v]) => `${k} ${v}`)
        .join(", ");
      const pods = phases === "" ? "" : `${phases} (ready ${b.readyPods})`;
      return `${(b.start / 1000).toFixed(1).padStart(8)} ${String(o.completed).padStart(6)} ${String(o.refused).padStart(8)} ${String(o.reset).padStart(6)} ${String(o.timedOut).padStart(8)} ${String(o.dropped).padStart(8)} ${f(b.latency.p50).padStart(8)} ${f(b.latency.p99).padStart(8)}  ${per(b.readyEndpointsByNode).padEnd(epsWidth)}  ${per(b.minReadyEndpointsByNode).padEnd(epsWidth)}  ${pods}`;
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
