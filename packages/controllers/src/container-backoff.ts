import type { SimTime } from "@kube-netsim/core";

/**
 * Back-off after the first restart of a crashing container: 10 s (pkg/kubelet/kubelet.go `backOffPeriod`).
 *
 * @example
 * ```ts
 * crashLoopWaits(4, 0); // [0, 10000, 20000, 40000]: after the immediate first restart, CONTAINER_BACKOFF_INITIAL_MS, doubling
 * ```
 */
export const CONTAINER_BACKOFF_INITIAL_MS = 10_000;
/**
 * Longest back-off: 300 s (`MaxContainerBackOff`, pkg/kubelet/apis/config/v1beta1/defaults.go, formerly pkg/kubelet/kubelet.go).
 *
 * @example
 * ```ts
 * crashLoopWaits(8, 0).at(-1); // 300000: capped at CONTAINER_BACKOFF_MAX_MS (5 min)
 * ```
 */
export const CONTAINER_BACKOFF_MAX_MS = 300_000;

/**
 * The kubelet's per-container restart back-off: client-go's `flowcontrol.Backoff`
 * (staging/src/k8s.io/client-go/util/flowcontrol/backoff.go) as
 * pkg/kubelet/kuberuntime/kuberuntime_manager.go `doBackOff` uses it.
 *
 * @remarks
 * Before starting a container that has exited before, the kubelet asks
 * {@link ContainerBackOff.isInBackOffSince} with the `finishedAt` of the latest exited
 * instance: while less than the current back-off has passed since then, the start is
 * refused (`CrashLoopBackOff`). Otherwise it calls {@link ContainerBackOff.next} and starts
 * the container. `next` starts a new entry at 10 s, or doubles the entry up to 300 s; an
 * entry whose last update is more than 2 × 300 s = 10 minutes older than the exit is
 * expired (the container ran for 10 minutes since its last start): the back-off starts
 * again from 10 s. So the first restart is immediate, and later ones wait 10, 20, 40, 80,
 * 160, 300, 300... s after each exit.
 *
 * @example
 * ```ts
 * const b = new ContainerBackOff();
 * b.isInBackOffSince("pod/app", 0, 0); // false: no entry, start at once
 * b.next("pod/app", 0, 0);             // back-off 10 s from now on
 * b.isInBackOffSince("pod/app", 1_000, 5_000); // true: exited at 1 s, 4 s < 10 s ago
 * ```
 */
export class ContainerBackOff {
  private readonly entries = new Map<string, { backoff: number; lastUpdate: SimTime }>();

  constructor(
    private readonly initial: number = CONTAINER_BACKOFF_INITIAL_MS,
    private readonly max: number = CONTAINER_BACKOFF_MAX_MS,
  ) {}

  /**
   * The current back-off of `key` in ms (0 when it has none).
   *
   * @example
   * ```ts
   * const b = new ContainerBackOff();
   * b.next("pod/app", 0, 0);
   * b.get("pod/app"); // 10000
   * b.next("pod/app", 20_000, 20_000);
   * b.get("pod/app"); // 20000: doubled, up to 300000
   * ```
   */
  get(key: string): number {
    return this.entries.get(key)?.backoff ?? 0;
  }

  /**
   * Whether `now` is within the back-off window that began at `eventTime` (the container's exit).
   *
   * @example
   * ```ts
   * b.isInBackOffSince("pod/app", 1_000, 5_000);  // true while less than the back-off has passed since the exit at 1 s
   * b.isInBackOffSince("pod/app", 1_000, 30_000); // false
   * ```
   */
  isInBackOffSince(key: string, eventTime: SimTime, now: SimTime): boolean {
    const e = this.entries.get(key);
    if (e === undefined || this.expired(eventTime, e.lastUpdate)) return false;
    return now - eventTime < e.backoff;
  }

  /**
   * When the back-off window that began at `eventTime` ends (`eventTime` itself when there is none).
   *
   * @example
   * ```ts
   * b.backOffEnds("pod/app", 1_000); // 1000 + the current back-off: when the kubelet may start it again
   * ```
   */
  backOffEnds(key: string, eventTime: SimTime): SimTime {
    const e = this.entries.get(key);
    if (e === undefined || this.expired(eventTime, e.lastUpdate)) return eventTime;
    return eventTime + e.backoff;
  }

  /**
   * Moves `key` to its next back-off (a new or expired entry starts at the initial value), at time `now`.
   *
   * @example
   * ```ts
   * b.next("pod/app", exitAt, now); // 10 s, 20 s, 40 s, ... 300 s; restarts from 10 s after 10 minutes of running
   * ```
   */
  next(key: string, eventTime: SimTime, now: SimTime): void {
    const e = this.entries.get(key);
    if (e === undefined || this.expired(eventTime, e.lastUpdate)) {
      this.entries.set(key, { backoff: this.initial, lastUpdate: now });
      return;
    }
    e.backoff = Math.min(e.backoff * 2, this.max);
    e.lastUpdate = now;
  }

  /**
   * Forgets `key` (its pod is gone).
   *
   * @example
   * ```ts
   * b.delete("pod/app"); // the pod was deleted
   * ```
   */
  delete(key: string): void {
    this.entries.delete(key);
  }

  // hasExpired: "consider stable if it's ok for twice the maxDuration".
  private expired(eventTime: SimTime, lastUpdate: SimTime): boolean {
    return eventTime - lastUpdate > this.max * 2;
  }
}

/**
 * The waits before each restart of a container that exits `runFor` ms after every start,
 * with restarts at the end of each back-off window: the first restart is immediate, then
 * 10, 20, 40, 80, 160, 300, 300... s; a container that runs longer than 10 minutes resets
 * the sequence. For tests and for documentation.
 *
 * @example
 * ```ts
 * crashLoopWaits(8, 0); // [0, 10000, 20000, 40000, 80000, 160000, 300000, 300000]
 * ```
 */
export function crashLoopWaits(restarts: number, runFor: number): number[] {
  const b = new ContainerBackOff();
  const waits: number[] = [];
  let t = 0;
  for (let i = 0; i < restarts; i++) {
    const exit = t + runFor;
    const start = b.isInBackOffSince("c", exit, exit) ? b.backOffEnds("c", exit) : exit;
    b.next("c", exit, start);
    waits.push(start - exit);
    t = start;
  }
  return waits;
}
