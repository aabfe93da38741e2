import { describe, expect, it } from "vitest";
import { LAB_SECTIONS, checkLabPage } from "./lab-kit.js";
import { EVERY_MS, SECONDS, STALL_MS, report, run } from "./09-readiness-flapping.js";

describe("lab 9: readiness flapping", () => {
  const runs = run();
  const page = checkLabPage("09-readiness-flapping.md", report(runs));
  const [none, patient, eager] = runs;
  const stalls = Math.ceil((SECONDS * 1000) / EVERY_MS) - 1;

  it("the page has every section, shows what the run prints and quotes exactly the computed figures", () => {
    expect(page.headings).toEqual([...LAB_SECTIONS]);
    expect(page.printedOnPage).toBe(page.printedByRun);
    expect(page.quotedOnPage).toEqual(page.quotedByRun);
  });

  it("without a probe, about a third of the traffic for each stall times out (within 10%)", () => {
    const expected = stalls * (STALL_MS / 1000) * (200 / 3);
    expect(Math.abs(none.outcomes.timedOut - expected) / expected).toBeLessThan(0.1);
    expect(none.readyFlips).toBe(0);
    expect(none.sliceWrites).toBe(0);
  });

  it("the patient probe never fires during a 2 s stall", () => {
    expect(patient.readyFlips).toBe(0);
    expect(patient.sliceWrites).toBe(0);
    expect(patient.syncs).toBe(0);
  });

  it("the eager probe flips twice per stall, one slice write each, synced on every node, and saves little", () => {
    expect(eager.readyFlips).toBe(2 * stalls);
    expect(eager.sliceWrites).toBe(eager.readyFlips);
    expect(eager.syncs).toBe(3 * eager.sliceWrites);
    expect(eager.outcomes.timedOut).toBeLessThan(none.outcomes.timedOut);
    expect(eager.outcomes.timedOut).toBeGreaterThan(0.9 * none.outcomes.timedOut);
  });

  it("every request ends in one outcome", () => {
    for (const r of runs) {
      const o = r.outcomes;
      expect(o.completed + o.refused + o.reset + o.timedOut + o.dropped).toBe(r.started);
      expect(Math.abs(r.started - 200 * SECONDS) / (200 * SECONDS)).toBeLessThan(0.02);
    }
  });
});
