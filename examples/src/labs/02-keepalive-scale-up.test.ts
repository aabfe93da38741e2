import { describe, expect, it } from "vitest";
import { LAB_SECTIONS, checkLabPage } from "./lab-kit.js";
import { report, run } from "./02-keepalive-scale-up.js";

describe("lab 2: keep-alive and scale-up", () => {
  const r = run();
  const out = report(r);
  const page = checkLabPage("02-keepalive-scale-up.md", out);
  const [perRequest, keepAlive, retired] = r.runs;

  it("the page has every section, shows what the run prints and quotes exactly the computed figures", () => {
    expect(page.headings).toEqual([...LAB_SECTIONS]);
    expect(page.printedOnPage).toBe(page.printedByRun);
    expect(page.quotedOnPage).toEqual(page.quotedByRun);
  });

  it("the keep-alive pool never reaches the new pods; the other clients give them about half", () => {
    expect(keepAlive.newPodsShare).toBe(0);
    expect(keepAlive.openConnections).toBe(16);
    expect(Math.abs(perRequest.newPodsShare - 0.5)).toBeLessThan(0.02);
    expect(retired.newPodsShare).toBeGreaterThan(0.4);
  });

  it("per-request latency follows M/M/1 theory before and after (within 10%)", () => {
    expect(r.theoryTwoPods).toBeCloseTo(20, 10);
    expect(r.theoryFourPods).toBeCloseTo(20 / 3, 10);
    expect(Math.abs(perRequest.meanBefore - r.theoryTwoPods) / r.theoryTwoPods).toBeLessThan(0.1);
    expect(Math.abs(perRequest.meanAfter - r.theoryFourPods) / r.theoryFourPods).toBeLessThan(0.1);
    expect(Math.abs(retired.meanAfter - r.theoryFourPods) / r.theoryFourPods).toBeLessThan(0.1);
  });

  it("the keep-alive pool beats random choice before the scale-up and gains nothing from it", () => {
    expect(keepAlive.meanBefore).toBeLessThan(0.9 * r.theoryTwoPods);
    expect(keepAlive.meanAfter).toBeGreaterThan(2 * perRequest.meanAfter);
    expect(keepAlive.p99After).toBeGreaterThan(1.5 * perRequest.p99After);
  });
});
