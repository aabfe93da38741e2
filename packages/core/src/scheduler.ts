/**
 * The virtual clock and its event queue.
 *
 * **Time unit.** Simulated time is a `number` of **milliseconds** since the start of
 * the simulation (time 0). It is an IEEE-754 double, so integers are exact up to
 * 2^53 ms (about 285,000 years) and the resolution at time t is t * 2^-52: about
 * 2e-8 ms (20 ps) after one day and 7e-6 ms (7 ns) after one year. Durations taken
 * from Kubernetes (seconds) are converted with {@link seconds}.
 *
 * **Event order.** Events run in order of (time, sequence number): the sequence
 * number is taken from a counter when the event is scheduled, so two events due at
 * the same instant run first-in first-out. No tie is ever decided by sort stability
 * or map order (compare SimPy's `Environment.schedule`, which orders by
 * (time, priority, insertion counter)).
 *
 * @packageDocumentation
 */

/**
 * Simulated time or duration, in milliseconds.
 *
 * @example
 * ```ts
 * const t: SimTime = seconds(90); // 90000
 * sim.runFor(t);
 * ```
 */
export type SimTime = number;

/**
 * Identifier of a registered {@link EventHandler}, returned by {@link Scheduler.register}.
 *
 * @example
 * ```ts
 * const id: HandlerId = scheduler.register({ handleEvent: (arg) => console.log("tick", arg) });
 * scheduler.schedule(1000, id, 7); // calls handleEvent(7) at now + 1000 ms
 * ```
 */
export type HandlerId = number;

/**
 * Something that reacts to events. Events carry no closure and no object, only an
 * integer argument, so that scheduling allocates nothing: a handler that manages many
 * entities (all pods' applications, all clients) uses the argument as an index.
 *
 * @example
 * ```ts
 * class Ticker implements EventHandler {
 *   ticks = 0;
 *   handleEvent(_arg: number): void {
 *     this.ticks++;
 *   }
 * }
 * const ticker = new Ticker();
 * scheduler.schedule(1000, scheduler.register(ticker));
 * ```
 */
export interface EventHandler {
  /**
   * Called when an event scheduled for this handler is due.
   * The current time is {@link Scheduler.now}; it is not passed as an argument
   * because a double argument of a call the JIT cannot inline is boxed, which would
   * allocate once per event.
   * @param arg - the integer given to {@link Scheduler.schedule}.
   */
  handleEvent(arg: number): void;
}

/**
 * Converts seconds (Kubernetes' unit for most settings) to simulated milliseconds.
 *
 * @example
 * ```ts
 * seconds(30); // 30000 (ms)
 * sim.runFor(seconds(90));
 * ```
 */
export function seconds(s: number): SimTime {
  return s * 1000;
}

const INITIAL_CAPACITY = 1024;

/**
 * Identifier of a reusable, cancellable timer, returned by {@link Scheduler.createTimer}.
 *
 * @example
 * ```ts
 * const timeout: TimerId = scheduler.createTimer(handlerId, connectionId);
 * scheduler.setTimer(timeout, seconds(30)); // (re)arm
 * scheduler.cancelTimer(timeout);          // call it off
 * ```
 */
export type TimerId = number;

/**
 * A virtual clock with a binary-heap event queue held in typed arrays.
 *
 * @remarks
 * **When to use.** Every component of a simulation schedules its future work here,
 * and nothing in kube-netsim ever reads the wall clock.
 *
 * **Details.** The heap stores four parallel typed arrays (time, sequence, handler,
 * argument); scheduling and running an event allocate nothing (the arrays double
 * when full). Two ways to schedule:
 * - {@link Scheduler.schedule}: fire-and-forget events (an arrival, a service
 *   completion). Cheapest; cannot be cancelled.
 * - timers ({@link Scheduler.createTimer}, {@link Scheduler.setTimer},
 *   {@link Scheduler.cancelTimer}): a reusable slot that holds at most one pending
 *   event, for things that get re-armed or called off (a sync deadline, a timeout).
 *   Cancelling is O(1) and exact: the superseded heap entry is recognised and
 *   skipped when it reaches the top.
 *
 * **Gotchas.** The clock never moves backwards: scheduling in the past throws. After
 * {@link Scheduler.runUntil}(t) the clock reads exactly `t` even if no event was due
 * at `t` (like Effect's TestClock `adjust`), so later `schedule(d)` calls are
 * relative to `t`.
 *
 * @example
 * ```ts
 * const scheduler = new Scheduler();
 * const log: number[] = [];
 * const h = scheduler.register({ handleEvent: (arg) => log.push(arg, scheduler.now) });
 * scheduler.schedule(5, h, 1);
 * scheduler.schedule(5, h, 2); // same time: runs after 1 (FIFO)
 * scheduler.runUntil(10);      // log = [1, 5, 2, 5]; scheduler.now === 10
 * ```
 */
export class Scheduler {
  private times: Float64Array;
  private seqs: Float64Array;
  // Handler id and argument of each entry, interleaved ([2i] handler, [2i+1] argument),
  // so that moving an entry touches one cache line per array, as in a hand-written heap.
  private ha: Int32Array;
  private size = 0;
  private nextSeq = 0;
  private current: SimTime = 0;
  private readonly handlers: EventHandler[] = [];
  private stopRequested = false;
  private executed = 0;
  // Timers: slot -> handler, arg, seq of the live heap entry (-1 when idle).
  private timerHandler: Int32Array = new Int32Array(64);
  private timerArg: Int32Array = new Int32Array(64);
  private timerSeq: Float64Array = new Float64Array(64).fill(-1);
  private timerFree: number[] = [];
  private timerCount = 0;
  private staleEntries = 0;

  /** @param capacity - initial heap capacity (grows as needed). */
  constructor(capacity: number = INITIAL_CAPACITY) {
    const c = Math.max(16, capacity | 0);
    this.times = new Float64Array(c);
    this.seqs = new Float64Array(c);
    this.ha = new Int32Array(2 * c);
  }

  /** The current simulated time in milliseconds. */
  get now(): SimTime {
    return this.current;
  }

  /** Number of events waiting to run (superseded or cancelled timer entries excluded). */
  get pending(): number {
    return this.size - this.staleEntries;
  }

  /** Number of events run so far. */
  get eventsRun(): number {
    return this.executed;
  }

  /**
   * Registers a handler and returns its id, to be passed to {@link Scheduler.schedule}.
   * Register once per component, not per event.
   *
   * @example
   * ```ts
   * const scheduler = new Scheduler();
   * const arrivals = scheduler.register({ handleEvent: (client) => console.log(`request from client ${client} at ${scheduler.now} ms`) });
   * scheduler.schedule(10, arrivals, 7);
   * scheduler.run(); // "request from client 7 at 10 ms"
   * ```
   */
  register(handler: EventHandler): HandlerId {
    this.handlers.push(handler);
    return this.handlers.length - 1;
  }

  /**
   * Schedules an event `delay` ms from now for handler `handler` with integer `arg`.
   * @throws RangeError if delay is negative or not finite, or the handler is unknown.
   *
   * @example
   * ```ts
   * scheduler.schedule(10, handler, 1); // 10 ms from now, arg 1
   * ```
   */
  schedule(delay: SimTime, handler: HandlerId, arg: number = 0): void {
    if (!(delay >= 0) || delay === Infinity) {
      throw new RangeError(`schedule: delay must be a finite number >= 0, got ${delay}`);
    }
    this.checkHandler(handler);
    this.push(this.current + delay, handler, arg);
  }

  /**
   * Schedules an event at absolute time `time` (>= now).
   * @throws RangeError if time is before now (the clock never goes back) or not finite.
   *
   * @example
   * ```ts
   * scheduler.scheduleAt(5, handler, 2); // at t = 5 ms; runs before an event scheduled for 10 ms
   * ```
   */
  scheduleAt(time: SimTime, handler: HandlerId, arg: number = 0): void {
    this.checkTime(time, "scheduleAt");
    this.checkHandler(handler);
    this.push(time, handler, arg);
  }

  /**
   * Creates a reusable timer that, when it fires, calls `handler` with `arg`.
   * The timer starts idle; arm it with {@link Scheduler.setTimer}.
   *
   * @example
   * ```ts
   * const idle = scheduler.createTimer(handler, connectionId); // one timer, reused: no allocation per event
   * scheduler.setTimer(idle, 90_000);   // (re)arm
   * scheduler.cancelTimer(idle);        // true if it was set
   * ```
   */
  createTimer(handler: HandlerId, arg: number = 0): TimerId {
    this.checkHandler(handler);
    let slot: number;
    if (this.timerFree.length > 0) slot = this.timerFree.pop() as number;
    else {
      slot = this.timerCount++;
      if (slot === this.timerHandler.length) this.growTimers();
    }
    this.timerHandler[slot] = handler;
    this.timerArg[slot] = arg | 0;
    this.timerSeq[slot] = -1;
    return slot;
  }

  /**
   * Arms `timer` to fire `delay` ms from now, replacing any pending firing.
   *
   * @example
   * ```ts
   * scheduler.setTimer(timer, 7);   // fires 7 ms from now
   * scheduler.isTimerSet(timer);    // true
   * ```
   */
  setTimer(timer: TimerId, delay: SimTime): void {
    if (!(delay >= 0) || delay === Infinity) {
      throw new RangeError(`setTimer: delay must be a finite number >= 0, got ${delay}`);
    }
    this.setTimerAt(timer, this.current + delay);
  }

  /**
   * Arms `timer` to fire at absolute time `time`, replacing any pending firing.
   *
   * @example
   * ```ts
   * scheduler.setTimerAt(timer, 20); // fires at t = 20 ms (replacing an earlier setting)
   * ```
   */
  setTimerAt(timer: TimerId, time: SimTime): void {
    this.checkTime(time, "setTimerAt");
    if (this.timerSeq[timer] >= 0) this.staleEntries++;
    this.timerSeq[timer] = this.push(time, -1 - timer, 0);
  }

  /**
   * Cancels the pending firing of `timer`. Returns false when it was not armed.
   *
   * @example
   * ```ts
   * scheduler.cancelTimer(timer); // true if it was set; false if it had fired or was never set
   * ```
   */
  cancelTimer(timer: TimerId): boolean {
    if (this.timerSeq[timer] < 0) return false;
    this.timerSeq[timer] = -1;
    this.staleEntries++;
    return true;
  }

  /**
   * Whether `timer` is armed.
   *
   * @example
   * ```ts
   * if (!scheduler.isTimerSet(timer)) scheduler.setTimer(timer, 1000);
   * ```
   */
  isTimerSet(timer: TimerId): boolean {
    return this.timerSeq[timer] >= 0;
  }

  /**
   * Cancels `timer` and returns its slot for reuse by a later {@link Scheduler.createTimer}.
   *
   * @example
   * ```ts
   * scheduler.releaseTimer(timer); // cancels it and returns its slot for reuse by createTimer
   * ```
   */
  releaseTimer(timer: TimerId): void {
    this.cancelTimer(timer);
    this.timerFree.push(timer);
  }

  /**
   * Asks a running {@link Scheduler.runUntil} / {@link Scheduler.run} to return after the current event.
   *
   * @example
   * ```ts
   * scheduler.register({ handleEvent: () => { if (done()) scheduler.stop(); } }); // run() returns after this event
   * ```
   */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Runs every event due at or before `time`, in order, then sets the clock to `time`
   * (unless {@link Scheduler.stop} was called, in which case the clock stays at the
   * time of the last event run). Returns the number of events run.
   * @throws RangeError if `time` is before now.
   *
   * @example
   * ```ts
   * scheduler.runUntil(100); // events due up to t = 100 ms; returns how many ran; now is 100 after it
   * ```
   */
  runUntil(time: SimTime): number {
    if (!(time >= this.current)) {
      throw new RangeError(`runUntil: time must be >= now (${this.current}), got ${time}`);
    }
    const before = this.executed;
    this.stopRequested = false;
    this.loop(time);
    if (!this.stopRequested && time !== Infinity) this.current = time;
    return this.executed - before;
  }

  /**
   * Runs until the queue is empty or {@link Scheduler.stop} is called. Returns the number of events run.
   *
   * @example
   * ```ts
   * const events = scheduler.run(); // until no event is left (or stop())
   * ```
   */
  run(): number {
    const before = this.executed;
    this.stopRequested = false;
    this.loop(Infinity);
    return this.executed - before;
  }

  /**
   * Runs the next due event, if any. Returns false when the queue is empty.
   *
   * @example
   * ```ts
   * while (scheduler.step()) inspect(scheduler.now); // one event at a time
   * ```
   */
  step(): boolean {
    const before = this.executed;
    this.stopRequested = false;
    this.loop(Infinity, 1);
    return this.executed > before;
  }

  /**
   * Time of the next pending event, or `Infinity` when none is pending.
   *
   * @example
   * ```ts
   * scheduler.peekTime(); // time of the next event, or Infinity when none
   * ```
   */
  peekTime(): SimTime {
    while (this.size > 0 && this.ha[0] < 0 && this.timerSeq[-1 - this.ha[0]] !== this.seqs[0]) {
      this.staleEntries--;
      this.popTop();
    }
    return this.size > 0 ? this.times[0] : Infinity;
  }

  // The hot loop: inlined pop, no allocation, no closure.
  private loop(limit: SimTime, maxEvents: number = Infinity): void {
    const handlers = this.handlers;
    // Events left to run, -1 for no limit: a small integer, since decrementing a double
    // (Infinity) here boxed a heap number per event.
    let budget = maxEvents === Infinity ? -1 : maxEvents;
    while (this.size > 0 && !this.stopRequested && budget !== 0) {
      const t = this.times[0];
      if (t > limit) break;
      let h = this.ha[0];
      let a = this.ha[1];
      if (h < 0) {
        const slot = -1 - h;
        if (this.timerSeq[slot] !== this.seqs[0]) {
          this.staleEntries--;
          this.popTop();
          continue;
        }
        this.timerSeq[slot] = -1;
        h = this.timerHandler[slot];
        a = this.timerArg[slot];
      }
      this.popTop();
      this.current = t;
      this.executed++;
      if (budget > 0) budget--;
      handlers[h].handleEvent(a);
    }
  }

  private checkHandler(handler: HandlerId): void {
    if (!(handler >= 0 && handler < this.handlers.length && (handler | 0) === handler)) {
      throw new RangeError(`unknown handler id ${handler}`);
    }
  }

  private checkTime(time: SimTime, what: string): void {
    if (!(time >= this.current) || time === Infinity) {
      throw new RangeError(`${what}: time must be finite and >= now (${this.current}), got ${time}`);
    }
  }

  private push(time: SimTime, handler: number, arg: number): number {
    if (this.size === this.times.length) this.grow();
    const seq = this.nextSeq++;
    const times = this.times;
    const seqs = this.seqs;
    const ha = this.ha;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p];
      if (pt < time || (pt === time && seqs[p] < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[p];
      ha[2 * i] = ha[2 * p];
      ha[2 * i + 1] = ha[2 * p + 1];
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    ha[2 * i] = handler;
    ha[2 * i + 1] = arg | 0;
    return seq;
  }

  private popTop(): void {
    const n = --this.size;
    if (n === 0) return;
    const times = this.times;
    const seqs = this.seqs;
    const ha = this.ha;
    const t = times[n];
    const s = seqs[n];
    const h = ha[2 * n];
    const a = ha[2 * n + 1];
    let i = 0;
    for (;;) {
      let l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      if (r < n && (times[r] < times[l] || (times[r] === times[l] && seqs[r] < seqs[l]))) l = r;
      const lt = times[l];
      if (t < lt || (t === lt && s < seqs[l])) break;
      times[i] = lt;
      seqs[i] = seqs[l];
      ha[2 * i] = ha[2 * l];
      ha[2 * i + 1] = ha[2 * l + 1];
      i = l;
    }
    times[i] = t;
    seqs[i] = s;
    ha[2 * i] = h;
    ha[2 * i + 1] = a;
  }

  private growTimers(): void {
    const c = this.timerHandler.length * 2;
    const h = new Int32Array(c);
    const a = new Int32Array(c);
    const q = new Float64Array(c).fill(-1);
    h.set(this.timerHandler);
    a.set(this.timerArg);
    q.set(this.timerSeq);
    this.timerHandler = h;
    this.timerArg = a;
    this.timerSeq = q;
  }

  private grow(): void {
    const c = this.times.length * 2;
    const times = new Float64Array(c);
    const seqs = new Float64Array(c);
    const ha = new Int32Array(2 * c);
    times.set(this.times);
    seqs.set(this.seqs);
    ha.set(this.ha);
    this.times = times;
    this.seqs = seqs;
    this.ha = ha;
  }
}
