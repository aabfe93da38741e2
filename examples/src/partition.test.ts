import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main, PARTITION_AT } from "./partition.js";
import type { PartitionRun } from "./partition.js";

describe("partition example", () => {
  const lines: string[] = [];
  const { short, long } = main((l) => lines.push(l));
  const phase = (r: PartitionRun, label: string): number => r.phases.findIndex((p) => p[1] === label);
  const at = (r: PartitionRun, client: string, label: string) => r.counts[client][phase(r, label)];

  it("prints exactly the checked-in output", () => {
    const golden = readFileSync(fileURLToPath(new URL("../partition.out", import.meta.url)), "utf8");
    expect(lines.join("\n") + "\n").toBe(golden);
  });

  it("the phases come from the 50 s grace period and the 300 s toleration", () => {
    // Short: Ready again at the kubelet's 190 s status sync, in node-1's rules 20 ms later.
    expect(short.phases.map((p) => p[0])).toEqual([30_000, PARTITION_AT, 120_020, 182_100, 190_020]);
    expect(long.phases.map((p) => p[0])).toEqual([30_000, PARTITION_AT, 120_020, 425_105, 662_100]);
  });

  it("nothing fails in either run: the data path stayed up", () => {
    for (const r of [short, long]) {
      const res = r.sim.results();
      expect([res.outcomes.timedOut, res.outcomes.refused, res.outcomes.reset, res.outcomes.dropped, res.inFlight]).toEqual([0, 0, 0, 0, 0]);
    }
  });

  it("once node-1's kube-proxy drops the not-ready pod, new connections from node-1 stop going there; the open pool and node-2's stale rules keep using it", () => {
    for (const r of [short, long]) {
      expect(at(r, "remote", "partitioned, not yet noticed")[0]).toBeGreaterThan(1500); // about a third of ~5800
      expect(at(r, "remote", "pod not ready (other nodes' rules)")[0]).toBe(0);
      expect(at(r, "pooled", "pod not ready (other nodes' rules)")[0]).toBeGreaterThan(1000);
      expect(at(r, "local", "pod not ready (other nodes' rules)")[0]).toBeGreaterThan(1500);
    }
  });

  it("2 minutes: healed before the eviction, the same pod takes new connections again once its kubelet has posted it Ready", () => {
    expect(short.newIP).toBeUndefined();
    expect(at(short, "remote", "healed")[0]).toBe(0);
    expect(at(short, "remote", "pod Ready again (kubelet status sync)")[0]).toBeGreaterThan(1500);
    expect(short.sim.pods({ app: "api" }).find((p) => p.spec.nodeName === "node-2")?.metadata.name).toBe(short.oldPod);
  });

  it("10 minutes: evicted at 425.105 s, the old pod serves node-2 until the heal and is deleted then; node-2 never uses the replacement before", () => {
    expect(long.newIP).toBeDefined();
    expect(at(long, "local", "pod evicted, replacement elsewhere")[0]).toBeGreaterThan(6000); // ~ 100/s x 1/3 x 237 s
    expect(at(long, "local", "pod evicted, replacement elsewhere")[1]).toBe(0);
    expect(at(long, "remote", "pod evicted, replacement elsewhere")[1]).toBeGreaterThan(6000);
    expect(at(long, "local", "healed")[0]).toBe(0);
    expect(at(long, "local", "healed")[1]).toBeGreaterThan(1500);
    expect(long.sim.trace.records().filter((r) => r.kind === "Pod.DELETED" && r.fields.name === long.oldPod).map((r) => r.time)).toEqual([662_100]);
  });
});
