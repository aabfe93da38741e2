import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CONTAINER_BACKOFF_INITIAL_MS, CONTAINER_BACKOFF_MAX_MS, ContainerBackOff, crashLoopWaits } from "./container-backoff.js";

describe("ContainerBackOff (client-go flowcontrol.Backoff as the kubelet uses it)", () => {
  it("upstream constants: 10 s initial, 300 s cap", () => {
    expect(CONTAINER_BACKOFF_INITIAL_MS).toBe(10_000);
    expect(CONTAINER_BACKOFF_MAX_MS).toBe(300_000);
  });

  it("a container that crashes at once: first restart immediate, then 10, 20, 40, 80, 160, 300, 300 s", () => {
    expect(crashLoopWaits(9, 0)).toEqual([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  it("a container that runs 30 s each time waits the same back-offs after each exit", () => {
    expect(crashLoopWaits(8, 30_000)).toEqual([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });

  it("one that runs longer than the back-off between crashes restarts at once (the window counts from the exit)", () => {
    // Runs 15 s: the 10 s window after the exit has not passed at the exit itself, so it still waits.
    expect(crashLoopWaits(3, 15_000)).toEqual([0, 10_000, 20_000]);
  });

  it.each<[string, number, number[]]>([
    ["ran exactly 10 min since its last start: not yet expired (> 2 x 300 s needed)", 600_000, [0, 10_000, 20_000]],
    ["ran 10 min and 1 ms: every exit starts the back-off over (immediate restart)", 600_001, [0, 0, 0]],
  ])("reset after 10 minutes: %s", (_name, runFor, want) => {
    expect(crashLoopWaits(3, runFor)).toEqual(want);
  });

  it("the back-off resets after a 10-minute run in the middle of a crash loop", () => {
    const b = new ContainerBackOff();
    const key = "default/api/app";
    let t = 0;
    const waits: number[] = [];
    const cycle = (runFor: number): void => {
      const exit = t + runFor;
      const start = b.isInBackOffSince(key, exit, exit) ? b.backOffEnds(key, exit) : exit;
      b.next(key, exit, start);
      waits.push(start - exit);
      t = start;
    };
    for (let i = 0; i < 8; i++) cycle(0); // reaches the 300 s cap
    cycle(11 * 60_000); // a long healthy run: the entry expires
    cycle(0);
    cycle(0);
    expect(waits).toEqual([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 0, 10_000, 20_000]);
    expect(b.get(key)).toBe(40_000);
  });

  it.each<[string, number, number, boolean]>([
    ["no entry", -1, 5_000, false],
    ["inside the window", 0, 9_999, true],
    ["at the end of the window", 0, 10_000, false],
  ])("isInBackOffSince: %s", (_name, exit, now, want) => {
    const b = new ContainerBackOff();
    if (exit >= 0) b.next("k", exit, exit);
    expect(b.isInBackOffSince("k", Math.max(0, exit), now)).toBe(want);
  });

  it("property: while every run is shorter than 10 min the waits are exactly 0, 10, 20, ... s capped at 300 s, whatever the run lengths", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 600_000 }), { minLength: 1, maxLength: 30 }), (runs) => {
        const b = new ContainerBackOff();
        let t = 0;
        runs.forEach((r, i) => {
          const exit = t + r;
          const start = b.isInBackOffSince("k", exit, exit) ? b.backOffEnds("k", exit) : exit;
          b.next("k", exit, start);
          expect(start - exit).toBe(i === 0 ? 0 : Math.min(10_000 * 2 ** (i - 1), 300_000));
          t = start;
        });
      }),
      { seed: 20261204, numRuns: 200 },
    );
  });
});
