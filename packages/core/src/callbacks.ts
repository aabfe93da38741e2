import type { EventHandler, HandlerId, Scheduler, SimTime } from "./scheduler.js";

/**
 * Runs closures on the virtual clock, for control-plane work that happens a few
 * thousand times per run (a pod start, a sync), where clarity beats the last
 * nanosecond. The data path (requests, connections) uses integer events instead.
 *
 * @remarks
 * Closures are kept in a slot array with a free list, so the slots are reused; ties
 * run in scheduling order like every other event.
 *
 * @example
 * ```ts
 * const later = new Callbacks(scheduler);
 * later.after(1000, () => console.log("one second later"));
 * ```
 */
export class Callbacks implements EventHandler {
  private readonly slots: ((now: SimTime) => void)[] = [];
  private readonly free: number[] = [];
  private readonly id: HandlerId;

  constructor(private readonly scheduler: Scheduler) {
    this.id = scheduler.register(this);
  }

  /**
   * Runs `fn` `delay` ms from now.
   *
   * @example
   * ```ts
   * const later = new Callbacks(scheduler);
   * later.after(50, (now) => console.log(`50 ms later: t = ${now}`));
   * ```
   */
  after(delay: SimTime, fn: (now: SimTime) => void): void {
    this.scheduler.schedule(delay, this.id, this.store(fn));
  }

  /**
   * Runs `fn` at absolute time `time` (>= now).
   *
   * @example
   * ```ts
   * later.at(500, (now) => console.log(`at t = ${now} ms`)); // 500
   * ```
   */
  at(time: SimTime, fn: (now: SimTime) => void): void {
    this.scheduler.scheduleAt(time, this.id, this.store(fn));
  }

  /** Number of callbacks waiting. */
  get pending(): number {
    return this.slots.length - this.free.length;
  }

  /** @internal */
  handleEvent(arg: number): void {
    const fn = this.slots[arg];
    this.slots[arg] = noop;
    this.free.push(arg);
    fn(this.scheduler.now);
  }

  private store(fn: (now: SimTime) => void): number {
    if (this.free.length > 0) {
      const i = this.free.pop() as number;
      this.slots[i] = fn;
      return i;
    }
    this.slots.push(fn);
    return this.slots.length - 1;
  }
}

function noop(): void {}
