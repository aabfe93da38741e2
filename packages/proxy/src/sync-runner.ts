import type { EventHandler, Scheduler, SimTime, TimerId } from "@kube-netsim/core";

/**
 * Which form of kube-proxy's rate-limited sync loop to model.
 *
 * @example
 * ```ts
 * new Simulation({ seed: 1, kubeProxy: { kubernetesVersion: "1.30" } }); // "burst", the runner before 1.33
 * new SyncRunner(scheduler, sync, { kind: "burst", minSyncPeriod: 1000 });
 * ```
 */
export type SyncRunnerKind = "bounded-frequency" | "burst";

/**
 * Settings of a {@link SyncRunner}.
 *
 * @example
 * ```ts
 * const options: SyncRunnerOptions = { minSyncPeriod: 10_000, maxInterval: 3_600_000, kind: "bounded-frequency" }; // --iptables-min-sync-period=10s
 * const runner = new SyncRunner(scheduler, (now) => 0, options);
 * ```
 */
export interface SyncRunnerOptions {
  /** `minSyncPeriod` in ms: the least time between the end of one sync and the start of the next. Default 1000 (1 s). */
  readonly minSyncPeriod?: number;
  /** Forced periodic sync in ms (`FullSyncPeriod`, 1 h). Default 3,600,000. */
  readonly maxInterval?: number;
  /**
   * `"bounded-frequency"`: the newer runner (pkg/proxy/runner/bounded_frequency_runner.go,
   * Kubernetes 1.33+): after a sync, no other starts for `minSyncPeriod`, no bursts.
   * `"burst"`: the older runner (pkg/util/async/bounded_frequency_runner.go, until
   * about 1.32): a token bucket of 2 tokens refilled at one per `minSyncPeriod`, so two
   * syncs can run back to back. Default `"bounded-frequency"`.
   */
  readonly kind?: SyncRunnerKind;
}

/**
 * kube-proxy's rate-limited sync loop on the virtual clock.
 *
 * @remarks
 * Every Service or EndpointSlice change calls {@link SyncRunner.run}; requests that
 * arrive while a sync is already due are coalesced (upstream uses a one-slot channel).
 * With the newer runner a sync requested at time t after a sync that ended at t0
 * starts at max(t, t0 + minSyncPeriod) (spec section 2.5). The sync itself is the
 * callback given to the constructor; it returns how long it took (ms), which counts
 * towards the end of the run.
 *
 * @example
 * ```ts
 * const syncs: number[] = [];
 * const runner = new SyncRunner(scheduler, (now) => { syncs.push(now); return 0; }, { minSyncPeriod: 1000 });
 * runner.start();                                   // first sync at t = 0
 * scheduler.runUntil(100); runner.run();            // changes at 100, 150, 200 ms ...
 * scheduler.runUntil(150); runner.run();
 * scheduler.runUntil(200); runner.run();
 * scheduler.runUntil(5000);
 * syncs; // [0, 1000]: coalesced into one sync a minSyncPeriod after the first
 * // with { kind: "burst" } (before 1.33): [0, 100, ~1000], the second token lets one through at once
 * ```
 */
export class SyncRunner implements EventHandler {
  private readonly timer: TimerId;
  private readonly minInterval: number;
  private readonly maxInterval: number;
  private readonly kind: SyncRunnerKind;
  private lastRunEnd: SimTime = -Infinity;
  // Token bucket for the burst runner (burstRuns = 2, qps = 1/minSyncPeriod).
  private tokens = 2;
  private tokensAt: SimTime = 0;
  private runs = 0;
  private pendingAt: SimTime = Infinity;
  private heldUntil: SimTime = -Infinity;
  private missed = false;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly sync: (now: SimTime) => number,
    options: SyncRunnerOptions = {},
  ) {
    this.minInterval = options.minSyncPeriod ?? 1000;
    this.maxInterval = options.maxInterval ?? 3_600_000;
    this.kind = options.kind ?? "bounded-frequency";
    if (!(this.minInterval >= 0) || !Number.isFinite(this.minInterval)) throw new RangeError(`minSyncPeriod: Invalid value: ${this.minInterval}: must be a finite number of ms >= 0`);
    if (!(this.maxInterval > 0)) throw new RangeError(`syncPeriod: Invalid value: ${this.maxInterval}: must be > 0`);
    if (this.kind !== "bounded-frequency" && this.kind !== "burst") throw new RangeError(`syncRunner: Unsupported value: "${String(this.kind)}": supported values: "bounded-frequency", "burst"`);
    this.timer = scheduler.createTimer(scheduler.register(this));
  }

  /** Number of syncs run so far. */
  get syncCount(): number {
    return this.runs;
  }

  /**
   * Requests a sync as soon as the rate limit allows; requests already due are coalesced.
   *
   * @example
   * ```ts
   * store.watch("EndpointSlice", () => runner.run(), { delay: 5 }); // every change asks for a sync
   * ```
   */
  run(): void {
    const at = this.earliestStart(this.scheduler.now);
    if (at === Infinity) {
      this.missed = true; // held until released; the release syncs
      return;
    }
    // A sync already due no later than `at` covers this request too.
    if (this.scheduler.isTimerSet(this.timer) && this.pendingAt <= at) return;
    this.arm(at);
  }

  /**
   * Runs the first sync now, as kube-proxy does once its informers have synced.
   *
   * @example
   * ```ts
   * runner.start(); // once the informers have synced
   * ```
   */
  start(): void {
    this.arm(Math.max(this.scheduler.now, this.heldUntil));
  }

  /**
   * Holds the loop: no sync starts before `until` (ms; `Infinity` holds it until
   * {@link SyncRunner.release}). A sync that was due meanwhile starts at `until`; a sync
   * under way finishes. Models a kube-proxy that is stuck (or whose node is down).
   */
  hold(until: SimTime): void {
    if (!(until >= this.scheduler.now)) throw new RangeError(`hold: until: Invalid value: ${until}: must be >= the current time ${this.scheduler.now}`);
    this.heldUntil = until;
    if (!this.scheduler.isTimerSet(this.timer) || this.pendingAt >= until) return;
    if (until === Infinity) {
      this.scheduler.cancelTimer(this.timer);
      this.pendingAt = Infinity;
      this.missed = true;
    } else this.arm(until);
  }

  /** Ends a {@link SyncRunner.hold} now; the next sync comes when one is requested (or the periodic one is due). */
  release(): void {
    this.heldUntil = -Infinity;
    const missed = this.missed;
    this.missed = false;
    if (missed) this.run();
    else if (!this.scheduler.isTimerSet(this.timer)) this.arm(Math.max(this.scheduler.now, this.lastRunEnd + this.maxInterval));
  }

  /** Whether the loop is held now. */
  get held(): boolean {
    return this.scheduler.now < this.heldUntil;
  }

  /** @internal */
  handleEvent(): void {
    const now = this.scheduler.now;
    if (now < this.heldUntil) {
      // Held: whatever was due waits for the end of the hold.
      if (this.heldUntil !== Infinity) this.arm(this.heldUntil);
      else {
        this.pendingAt = Infinity;
        this.missed = true;
      }
      return;
    }
    if (this.kind === "burst") {
      this.refill(now);
      this.tokens -= 1;
    }
    this.runs++;
    const took = this.sync(now);
    this.lastRunEnd = now + took;
    // The next forced sync comes maxInterval after this one.
    this.arm(this.lastRunEnd + this.maxInterval);
  }

  private earliestStart(now: SimTime): SimTime {
    if (this.kind === "bounded-frequency") return Math.max(now, this.lastRunEnd + this.minInterval, this.heldUntil);
    this.refill(now);
    // Wait until one token has accumulated.
    const at = this.tokens >= 1 ? now : now + (1 - this.tokens) * this.minInterval;
    return Math.max(at, this.heldUntil);
  }

  private refill(now: SimTime): void {
    if (this.minInterval === 0) {
      this.tokens = 2;
    } else {
      this.tokens = Math.min(2, this.tokens + (now - this.tokensAt) / this.minInterval);
    }
    this.tokensAt = now;
  }

  private arm(at: SimTime): void {
    this.pendingAt = at;
    this.scheduler.setTimerAt(this.timer, at);
  }
}
