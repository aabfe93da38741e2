import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "./liveness.js";

describe("liveness example", () => {
  const lines: string[] = [];
  const runs = main((l) => lines.push(l));
  const [none, readiness, liveness] = runs;
  const tailErrors = (r: (typeof runs)[number]): number => r.tail.refused + r.tail.reset + r.tail.timedOut + r.tail.dropped;

  it("prints exactly the checked-in output", () => {
    const golden = readFileSync(fileURLToPath(new URL("../liveness.out", import.meta.url)), "utf8");
    expect(lines.join("\n") + "\n").toBe(golden);
  });

  it("without probes the hung pod keeps timing out; a readiness probe stops the errors; liveness also restores the pod", () => {
    expect(tailErrors(none)).toBeGreaterThan(1000);
    expect([none.endpoints, none.restarts]).toEqual([3, 0]);
    expect(tailErrors(readiness)).toBe(0);
    expect([readiness.endpoints, readiness.restarts]).toEqual([2, 0]);
    expect(tailErrors(liveness)).toBe(0);
    expect([liveness.endpoints, liveness.restarts]).toEqual([3, 1]);
    expect(readiness.outcomes.timedOut).toBeLessThan(none.outcomes.timedOut / 4);
  });
});
