import { describe, expect, it } from "vitest";
import { LAB_SECTIONS, checkLabPage } from "./lab-kit.js";
import { CLIENT_IP, report, run } from "./05-external-traffic-policy-local.js";

describe("lab 5: externalTrafficPolicy Local", () => {
  const runs = run();
  const page = checkLabPage("05-external-traffic-policy-local.md", report(runs));
  const [cluster, local] = runs;

  it("the page has every section, shows what the run prints and quotes exactly the computed figures", () => {
    expect(page.headings).toEqual([...LAB_SECTIONS]);
    expect(page.printedOnPage).toBe(page.printedByRun);
    expect(page.quotedOnPage).toEqual(page.quotedByRun);
  });

  it("the pods are two on node-1 and one on node-2 in both runs", () => {
    for (const r of runs) expect(r.pods.map((p) => p.node)).toEqual(["node-1", "node-1", "node-2"]);
  });

  it("Cluster: a third each, half the connections take a second hop, pods see node IPs", () => {
    for (const p of cluster.pods) expect(Math.abs(p.share - 1 / 3)).toBeLessThan(0.02);
    expect(Math.abs(cluster.extraHops / cluster.connections - 1 / 2)).toBeLessThan(0.02);
    expect(cluster.sourceIPs).not.toContain(CLIENT_IP);
    expect(cluster.sourceIPs).toHaveLength(2);
  });

  it("Local: per node, not per pod: the lone pod gets half; no extra hop; the client IP is kept", () => {
    expect(Math.abs(local.pods[2].share - 1 / 2)).toBeLessThan(0.02);
    for (const p of local.pods.slice(0, 2)) expect(Math.abs(p.share - 1 / 4)).toBeLessThan(0.02);
    expect(local.extraHops).toBe(0);
    expect(local.sourceIPs).toEqual([CLIENT_IP]);
    expect(local.timedOut).toBe(0);
  });
});
