import { exponential } from "@kube-netsim/core";
import type { Deployment, Service } from "@kube-netsim/model";
import { describe, expect, it } from "vitest";
import { compareModes, formatComparison, parseMode } from "./compare.js";

const deployment: Deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "api" },
  spec: {
    replicas: 4,
    selector: { matchLabels: { app: "api" } },
    template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", ports: [{ containerPort: 8080 }] }] } },
  },
};
const service: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080 }] } };

describe("compareModes", () => {
  const rows = compareModes({ modes: ["iptables", "nftables", "ipvs:rr", "ipvs:lc", "cilium"], simulation: { seed: 8 } }, (sim) => {
    sim.apply([deployment, service]);
    sim.setApplication({ app: "api" }, { concurrency: 1, serviceTime: exponential(5) });
    sim.settle();
    sim.addClient({ name: "c", target: "api:80", rate: 600 });
    sim.runFor(30_000);
    sim.drain();
  });

  it("sends the same requests in every mode (common random numbers)", () => {
    const started = rows.map((r) => r.results.started);
    expect(new Set(started).size).toBe(1);
  });

  it("shows rr's strict rotation and its lower waiting than random choice (M/D-like arrivals per pod)", () => {
    const byMode = new Map(rows.map((r) => [r.mode, r.results]));
    const rr = byMode.get("ipvs:rr");
    const ipt = byMode.get("iptables");
    const counts = (rr?.endpoints ?? []).map((e) => e.completed);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    // rho = 0.75 per pod: random splitting gives M/M/1 (20 ms); rotation smooths arrivals, so waiting drops.
    expect(rr?.latency.mean ?? Infinity).toBeLessThan((ipt?.latency.mean ?? 0) * 0.8);
  });

  it("prints a table with one row per mode", () => {
    const text = formatComparison(rows);
    expect(text.split("\n").filter(Boolean)).toHaveLength(6);
    expect(text).toMatch(/^ipvs:lc /m);
  });

  it("refuses unknown modes, naming the value", () => {
    expect(() => parseMode("ipvs:lc:x")).toThrow('modes: Unsupported value: "ipvs:lc:x"');
    expect(() => parseMode("iptables:rr")).toThrow(RangeError);
    expect(parseMode("ipvs:mh")).toEqual({ mode: "ipvs", ipvs: { scheduler: "mh" } });
  });

  it.each([
    ["cilium", { mode: "cilium", ipvs: undefined }],
    ["cilium:random", { mode: "cilium", ipvs: undefined, cilium: { algorithm: "random" } }],
    ["cilium:maglev", { mode: "cilium", ipvs: undefined, cilium: { algorithm: "maglev" } }],
  ])("parses %s", (mode, settings) => {
    expect(parseMode(mode)).toEqual(settings);
  });

  it.each([
    ["cilium:hash", 'modes: Unsupported value: "cilium:hash": supported Cilium algorithms: random, maglev'],
    ["cilium:Maglev", 'modes: Unsupported value: "cilium:Maglev": supported Cilium algorithms: random, maglev'],
    ["cilium:maglev:x", 'modes: Unsupported value: "cilium:maglev:x": supported values: "iptables", "nftables", "cilium", "cilium:<algorithm>", "ipvs" or "ipvs:<scheduler>"'],
    ["nftables:maglev", 'modes: Unsupported value: "nftables:maglev": supported values: "iptables", "nftables", "cilium", "cilium:<algorithm>", "ipvs" or "ipvs:<scheduler>"'],
  ])("refuses %s", (mode, message) => {
    expect(() => parseMode(mode)).toThrow(message);
  });
});
