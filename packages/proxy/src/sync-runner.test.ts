import { Scheduler } from "@kube-netsim/core";
import { describe, expect, it } from "vitest";
import { SyncRunner } from "./sync-runner.js";
import type { SyncRunnerOptions } from "./sync-runner.js";

function setup(options: SyncRunnerOptions, took = 0): { s: Scheduler; runner: SyncRunner; runs: number[]; trigger: (at: number) => void } {
  const s = new Scheduler();
  const runs: number[] = [];
  const runner = new SyncRunner(s, (now) => (runs.push(now), took), options);
  const trig = s.register({ handleEvent: () => runner.run() });
  return { s, runner, runs, trigger: (at) => s.scheduleAt(at, trig) };
}

describe("SyncRunner (bounded-frequency, Kubernetes 1.33+)", () => {
  it("starts a sync at max(request, previous end + minSyncPeriod) and coalesces requests", () => {
    const { s, runner, runs, trigger } = setup({ minSyncPeriod: 1000 });
    runner.start(); // t=0
    trigger(100); // -> 1000
    trigger(200); // coalesced
    trigger(900); // coalesced
    trigger(2500); // -> 2500 (more than 1 s after the last end)
    trigger(2600); // -> 3500
    s.runUntil(10_000);
    expect(runs).toEqual([0, 1000, 2500, 3500]);
  });

  it("measures minSyncPeriod from the END of the previous sync", () => {
    const { s, runner, runs, trigger } = setup({ minSyncPeriod: 1000 }, 300);
    runner.start(); // runs 0..300
    trigger(500); // earliest 300 + 1000 = 1300
    s.runUntil(5000);
    expect(runs).toEqual([0, 1300]);
  });

  it("forces a sync every maxInterval (FullSyncPeriod, 1 h by default)", () => {
    const { s, runner, runs } = setup({});
    runner.start();
    s.runUntil(3 * 3_600_000);
    expect(runs).toEqual([0, 3_600_000, 7_200_000, 10_800_000]);
  });

  it("refuses bad settings with the field name", () => {
    const s = new Scheduler();
    expect(() => new SyncRunner(s, () => 0, { minSyncPeriod: -1 })).toThrow(/minSyncPeriod: Invalid value: -1/);
    expect(() => new SyncRunner(s, () => 0, { kind: "fast" as never })).toThrow(/Unsupported value: "fast"/);
  });
});

describe("SyncRunner (burst, until ~1.32: token bucket, burst 2)", () => {
  it("allows two back-to-back syncs, then one per minSyncPeriod", () => {
    const { s, runner, runs, trigger } = setup({ minSyncPeriod: 1000, kind: "burst" });
    runner.start(); // token 2 -> 1
    trigger(10); // token 1 -> 0: runs at once
    trigger(20); // no token: waits until a full token has accumulated
    s.runUntil(5000);
    expect(runs[0]).toBe(0);
    expect(runs[1]).toBe(10);
    expect(runs[2]).toBeGreaterThan(900);
    expect(runs[2]).toBeLessThanOrEqual(1020);
    expect(runs.length).toBe(3);
  });
});
