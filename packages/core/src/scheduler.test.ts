import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Scheduler, seconds } from "./scheduler.js";

function recorder(s: Scheduler): { log: [number, number][]; id: number } {
  const log: [number, number][] = [];
  const id = s.register({ handleEvent: (arg) => log.push([arg, s.now]) });
  return { log, id };
}

describe("Scheduler", () => {
  it("runs events in time order, ties first-in first-out", () => {
    const s = new Scheduler();
    const { log, id } = recorder(s);
    s.schedule(10, id, 1);
    s.schedule(5, id, 2);
    s.schedule(10, id, 3);
    s.schedule(5, id, 4);
    s.schedule(0, id, 5);
    s.run();
    expect(log).toEqual([[5, 0], [2, 5], [4, 5], [1, 10], [3, 10]]);
  });

  it("keeps FIFO order for many ties across heap growth (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 3000 }), (delays) => {
        const s = new Scheduler(16);
        const { log, id } = recorder(s);
        delays.forEach((d, i) => s.schedule(d, id, i));
        s.run();
        const expected = delays.map((d, i) => [i, d] as [number, number]).sort((a, b) => a[1] - b[1] || a[0] - b[0]);
        expect(log).toEqual(expected);
      }),
      { numRuns: 50, seed: 42 },
    );
  });

  it("events scheduled by handlers at the current time run after those already due", () => {
    const s = new Scheduler();
    const log: string[] = [];
    let self = -1;
    self = s.register({
      handleEvent: (arg) => {
        log.push(`e${arg}`);
        if (arg === 1) s.schedule(0, self, 3);
      },
    });
    s.schedule(1, self, 1);
    s.schedule(1, self, 2);
    s.run();
    expect(log).toEqual(["e1", "e2", "e3"]);
  });

  it("runUntil runs everything due at or before the target and then reads the target", () => {
    const s = new Scheduler();
    const { log, id } = recorder(s);
    s.schedule(5, id, 1);
    s.schedule(10, id, 2);
    s.schedule(10.000001, id, 3);
    expect(s.runUntil(10)).toBe(2);
    expect(s.now).toBe(10);
    expect(log.map((e) => e[0])).toEqual([1, 2]);
    expect(s.pending).toBe(1);
    s.schedule(1, id, 4);
    s.runUntil(20);
    expect(log.map((e) => e[0])).toEqual([1, 2, 3, 4]);
    expect(log[3][1]).toBe(11);
  });

  it("refuses to travel back in time", () => {
    const s = new Scheduler();
    const { id } = recorder(s);
    s.runUntil(100);
    expect(() => s.scheduleAt(99, id)).toThrow(RangeError);
    expect(() => s.schedule(-1, id)).toThrow(/delay must be a finite number >= 0, got -1/);
    expect(() => s.runUntil(50)).toThrow(RangeError);
    expect(() => s.schedule(Number.NaN, id)).toThrow(RangeError);
    expect(() => s.schedule(1, 99)).toThrow(/unknown handler id 99/);
  });

  it("cancels timers exactly, and re-arming replaces the pending firing", () => {
    const s = new Scheduler();
    const { log, id } = recorder(s);
    const t1 = s.createTimer(id, 1);
    const t2 = s.createTimer(id, 2);
    s.setTimer(t1, 10);
    s.setTimer(t2, 20);
    expect(s.pending).toBe(2);
    expect(s.cancelTimer(t1)).toBe(true);
    expect(s.cancelTimer(t1)).toBe(false);
    expect(s.pending).toBe(1);
    s.setTimer(t2, 5); // re-arm earlier: the 20 ms firing is superseded
    s.run();
    expect(log).toEqual([[2, 5]]);
    expect(s.pending).toBe(0);
    expect(s.isTimerSet(t2)).toBe(false);
    // A fired timer can be armed again.
    s.setTimer(t2, 1);
    s.run();
    expect(log).toEqual([[2, 5], [2, 6]]);
  });

  it("released timer slots are reused", () => {
    const s = new Scheduler();
    const { log, id } = recorder(s);
    const t = s.createTimer(id, 7);
    s.setTimer(t, 3);
    s.releaseTimer(t);
    const u = s.createTimer(id, 8);
    expect(u).toBe(t);
    s.setTimer(u, 4);
    s.run();
    expect(log).toEqual([[8, 4]]);
  });

  it("stop() returns from run after the current event", () => {
    const s = new Scheduler();
    let n = 0;
    const id = s.register({
      handleEvent: () => {
        n++;
        if (n === 3) s.stop();
      },
    });
    for (let i = 0; i < 10; i++) s.schedule(i, id);
    s.run();
    expect(n).toBe(3);
    expect(s.now).toBe(2);
    s.run();
    expect(n).toBe(10);
  });

  it("step runs one event at a time", () => {
    const s = new Scheduler();
    const { log, id } = recorder(s);
    s.schedule(2, id, 1);
    s.schedule(1, id, 2);
    expect(s.peekTime()).toBe(1);
    expect(s.step()).toBe(true);
    expect(log).toEqual([[2, 1]]);
    expect(s.step()).toBe(true);
    expect(s.step()).toBe(false);
  });

  it("seconds converts to milliseconds", () => {
    expect(seconds(1.5)).toBe(1500);
  });
});
