import { describe, expect, it } from "vitest";
import { LAB_SECTIONS, checkLabPage } from "./lab-kit.js";
import { CLIENT_COUNTS, find, report, run } from "./07-session-affinity-recent.js";

describe("lab 7: session affinity and xt_recent's 100-address limit", () => {
  const runs = run();
  const page = checkLabPage("07-session-affinity-recent.md", report(runs));

  it("the page has every section, shows what the run prints and quotes exactly the computed figures", () => {
    expect(page.headings).toEqual([...LAB_SECTIONS]);
    expect(page.printedOnPage).toBe(page.printedByRun);
    expect(page.quotedOnPage).toEqual(page.quotedByRun);
  });

  it("nftables keeps every client on one pod at every client count", () => {
    for (const n of CLIENT_COUNTS) {
      const r = find(runs, "nftables", n);
      expect(r.sticky).toBe(n);
      expect(r.moves).toBe(0);
    }
  });

  it("iptables keeps every client while each list stays under 100 addresses", () => {
    for (const n of [50, 150]) {
      expect(find(runs, "iptables", n).sticky).toBe(n);
      expect(find(runs, "iptables", n).moves).toBe(0);
    }
  });

  it("at 400 clients the lists overflow: clients move, and far more than rarely", () => {
    const r = find(runs, "iptables", 400);
    expect(r.sticky).toBeLessThan(r.clients / 10);
    expect(r.moves / r.requests).toBeGreaterThan(0.1);
    expect(r.moves / r.requests).toBeLessThan(0.5);
    // Same arrivals in both modes: every client's request count is drawn from its own stream.
    expect(r.requests).toBe(find(runs, "nftables", 400).requests);
  });
});
