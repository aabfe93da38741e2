import { Scheduler } from "@kube-netsim/core";
import { describe, expect, it } from "vitest";
import { SyncRunner } from "./sync-runner.js";
import type { SyncRunnerKind } from "./sync-runner.js";

// A stalled kube-proxy (SyncRunner.hold): no sync starts while held; what was requested
// meanwhile runs once, when the hold ends.

function setup(kind: SyncRunnerKind = "bounded-frequency") {
  const s = new Scheduler();
  const runs: number[] = [];
  const runner = new SyncRunner(s, (now) => (runs.push(now), 0), { minSyncPeriod: 1000, kind });
  const at = (t: number, fn: () => void): void => {
    s.scheduleAt(t, s.register({ handleEvent: fn }));
  };
  return { s, runner, runs, at };
}

describe("SyncRunner.hold", () => {
  it.each<SyncRunnerKind>(["bounded-frequency", "burst"])("%s: requests during a hold are coalesced into one sync at its end", (kind) => {
    const { s, runner, runs, at } = setup(kind);
    runner.start(); // 0
    at(5000, () => runner.hold(20_000));
    at(6000, () => runner.run());
    at(9000, () => runner.run());
    at(25_000, () => runner.run()); // after the hold: as usual
    s.runUntil(30_000);
    expect(runs).toEqual([0, 20_000, 25_000]);
  });

  it("a sync already due when the hold starts moves to its end", () => {
    const { s, runner, runs, at } = setup();
    runner.start(); // 0
    at(500, () => runner.run()); // due at 1000
    at(600, () => runner.hold(3000));
    s.runUntil(10_000);
    expect(runs).toEqual([0, 3000]);
  });

  it("holds forever until release, then syncs once if anything was due", () => {
    const { s, runner, runs, at } = setup();
    runner.start();
    at(100, () => runner.hold(Infinity));
    at(2000, () => runner.run());
    at(50_000, () => runner.release());
    s.runUntil(60_000);
    expect(runs).toEqual([0, 50_000]);
  });

  it("a hold with nothing requested ends with no sync", () => {
    const { s, runner, runs, at } = setup();
    runner.start();
    at(100, () => runner.hold(5000));
    s.runUntil(60_000);
    expect(runs).toEqual([0]);
    expect(runner.held).toBe(false);
  });

  it("refuses a hold that ends in the past", () => {
    const { s, runner, at } = setup();
    let error: unknown;
    at(100, () => {
      try {
        runner.hold(50);
      } catch (e) {
        error = e;
      }
    });
    s.runUntil(200);
    expect(String(error)).toBe("RangeError: hold: until: Invalid value: 50: must be >= the current time 100");
  });
});
