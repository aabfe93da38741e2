import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { exponential } from "@kube-netsim/core";
import type { TraceRecord } from "@kube-netsim/core";
import type { Deployment, Service } from "@kube-netsim/model";
import { Simulation } from "./simulation.js";

// A network partition between node-2 and the control plane, end to end. Every run has a
// fixed seed; every time below follows from the defaults: watch delay 5 ms, EndpointSlice
// sync latency 10 ms, Lease renewed every 10 s, node monitor pass every 5 s, grace period
// 50 s, tainting tick every 100 ms, 300 s default tolerations. With seed 7 each of the
// three nodes runs one api pod.

function deployment(replicas: number, preStopSeconds = 0): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api", labels: { app: "api" } },
    spec: {
      replicas,
      selector: { matchLabels: { app: "api" } },
      template: {
        metadata: { labels: { app: "api" } },
        spec: {
          containers: [
            {
              name: "api",
              ports: [{ name: "http", containerPort: 8080 }],
              ...(preStopSeconds > 0 ? { lifecycle: { preStop: { sleep: { seconds: preStopSeconds } } } } : {}),
            },
          ],
        },
      },
    },
  };
}
const apiService: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { selector: { app: "api" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] } };

function cluster(preStopSeconds = 0): Simulation {
  const sim = new Simulation({ seed: 7, keepTrace: 400_000, traceRequests: true });
  sim.apply([deployment(3, preStopSeconds), apiService]);
  sim.setApplication({ app: "api" }, { concurrency: 4, serviceTime: exponential(5) });
  sim.settle();
  return sim;
}

const recs = (sim: Simulation, kind: string): TraceRecord[] => sim.trace.records().filter((r) => r.kind === kind);
const times = (sim: Simulation, kind: string, field?: [string, string]): number[] => recs(sim, kind).filter((r) => !field || r.fields[field[0]] === field[1]).map((r) => r.time);
const podOn = (sim: Simulation, node: string) => sim.pods({ app: "api" }).find((p) => p.spec.nodeName === node);
const ipOf = (r: TraceRecord): string => String(r.fields.endpoint).split(":")[0];
const starts = (sim: Simulation, client: string, ip: string, from: number, to: number): number =>
  recs(sim, "request").filter((r) => r.fields.client === client && ipOf(r) === ip && Number(r.fields.start) >= from && Number(r.fields.start) < to).length;
const ready = (sim: Simulation, name: string) => sim.store.get("Pod", "default", name)?.status?.conditions?.find((c) => c.type === "Ready");

describe("partitionNode: the control plane's timeline (defaults, partition at 62.1 s, heal at 600 s)", () => {
  const sim = cluster();
  sim.addClient({ name: "remote", target: "http://api:80", rate: 100, node: "node-1" });
  sim.addClient({ name: "local", target: "http://api:80", rate: 100, node: "node-2" });
  sim.runUntil(62_100);
  const old = podOn(sim, "node-2");
  const oldName = old?.metadata.name as string;
  const oldIP = old?.status?.podIP as string;
  sim.partitionNode("node-2");
  sim.runUntil(600_000);
  const replacement = sim.pods({ app: "api" }).find((p) => p.metadata.creationTimestamp === 425_110);
  const during = { oldStillInAPI: sim.store.get("Pod", "default", oldName)?.metadata.deletionTimestamp, nodeReady: sim.store.get("Node", undefined, "node-2")?.status?.conditions?.find((c) => c.type === "Ready")?.status };
  sim.healPartition("node-2");
  sim.runUntil(700_000);
  sim.drain();
  const after = (kind: string, t: number, node?: string): number[] => times(sim, kind, node ? ["node", node] : undefined).filter((x) => x > t);

  it.each<[string, () => unknown, unknown]>([
    ["fault.partitionNode", () => times(sim, "fault.partitionNode"), [62_100]],
    // The last Lease renewal (60 s) is seen at the 65 s pass; 120 s is the first pass after 65 + 50 s.
    ["Ready=Unknown", () => times(sim, "node-lifecycle.NodeStatusUnknown"), [120_000]],
    ["pods' Ready=False (MarkPodsNotReady)", () => times(sim, "node-lifecycle.MarkPodsNotReady"), [120_000]],
    ["EndpointSlice: endpoint not ready (5 ms watch + 10 ms sync)", () => after("EndpointSlice.MODIFIED", 62_100)[0], 120_015],
    ["node-1's kube-proxy drops it", () => after("kube-proxy.sync", 62_100, "node-1")[0], 120_020],
    ["node-3's kube-proxy drops it", () => after("kube-proxy.sync", 62_100, "node-3")[0], 120_020],
    ["node-2's kube-proxy syncs nothing until the heal, then in full", () => recs(sim, "kube-proxy.sync").filter((r) => r.fields.node === "node-2" && r.time > 62_100 && r.time <= 600_000).map((r) => [r.time, r.fields.full]), [[600_000, true]]],
    ["unreachable:NoExecute taint", () => times(sim, "node-lifecycle.TaintAdded"), [125_100]],
    ["taint eviction 300 s after it saw the taint", () => recs(sim, "taint-eviction").map((r) => [r.time, r.fields.pod]), [[425_105, oldName]]],
    ["the evicted pod is Terminating in the API until the heal", () => during.oldStillInAPI, 425_105],
    ["the node is Unknown until the heal", () => during.nodeReady, "Unknown"],
    ["the replacement runs on another node", () => replacement !== undefined && replacement.spec.nodeName !== "node-2", true],
    ["fault.healPartition", () => times(sim, "fault.healPartition"), [600_000]],
    ["the kubelet terminates the evicted pod as it heals (the app exits on SIGTERM)", () => times(sim, "Pod.DELETED", ["name", oldName]), [600_000]],
    ["taints removed at the next pass", () => times(sim, "node-lifecycle.TaintRemoved"), [605_000]],
    ["node Ready=True again", () => sim.store.get("Node", undefined, "node-2")?.status?.conditions?.find((c) => c.type === "Ready")?.status, "True"],
    ["three api pods in the end", () => sim.pods({ app: "api" }).length, 3],
    // The data path stayed up: nothing timed out, nothing was reset.
    ["every request completed", () => {
      const o = sim.results().outcomes;
      return [o.timedOut, o.reset, o.refused, o.dropped, sim.results().inFlight];
    }, [0, 0, 0, 0, 0]],
  ])("%s", (_name, actual, expected) => {
    expect(actual()).toEqual(expected);
  });

  it("other nodes stop opening connections to the partitioned node's pod once their kube-proxy syncs (120.02 s)", () => {
    // ~100/s × 1/3 × 57.9 s ≈ 1930 before, none after (until the pod is gone).
    expect(starts(sim, "remote", oldIP, 62_100, 120_020)).toBeGreaterThan(1700);
    expect(starts(sim, "remote", oldIP, 120_020, Infinity)).toBe(0);
  });

  it("a client on the partitioned node keeps its stale rules: the old pod, still running, serves it after its eviction; the replacement is not used until the heal", () => {
    expect(starts(sim, "local", oldIP, 425_105, 600_000)).toBeGreaterThan(5000); // ~100/s × 1/3 × 175 s ≈ 5800
    const newIP = replacement?.status?.podIP as string;
    expect(starts(sim, "local", newIP, 0, 600_000)).toBe(0);
    expect(starts(sim, "local", newIP, 600_000, Infinity)).toBeGreaterThan(2000);
    expect(starts(sim, "local", oldIP, 600_000, Infinity)).toBe(0);
  });
});

describe("healPartition before the eviction", () => {
  it("the pods were never restarted: same IP, Ready again when the kubelet's status manager syncs (10 s tick), taints gone at the next pass, traffic back", () => {
    const sim = cluster();
    sim.addClient({ name: "remote", target: "http://api:80", rate: 100, node: "node-1" });
    sim.runUntil(62_100);
    const old = podOn(sim, "node-2");
    const name = old?.metadata.name as string;
    sim.partitionNode("node-2");
    sim.runUntil(180_000);
    expect(ready(sim, name)?.status).toBe("False");
    sim.runUntil(182_100);
    sim.healPartition("node-2");
    sim.runUntil(240_000);
    // The heal at 182.1 s; the status manager's next syncBatch tick is at 190 s.
    expect(ready(sim, name)).toMatchObject({ status: "True", lastTransitionTime: 190_000 });
    const pod = sim.store.get("Pod", "default", name);
    expect([pod?.status?.podIP, pod?.metadata.deletionTimestamp, pod?.status?.containerStatuses?.[0]?.restartCount]).toEqual([old?.status?.podIP, undefined, 0]);
    // The node's Ready=True at the heal is seen at the 185 s pass.
    expect(times(sim, "node-lifecycle.TaintRemoved")).toEqual([185_000]);
    expect(recs(sim, "taint-eviction")).toEqual([]);
    // The endpoint is ready again: 190 s + 5 ms watch + 10 ms sync, node-1 syncs 5 ms later.
    expect(times(sim, "kube-proxy.sync", ["node", "node-1"]).filter((t) => t > 182_100)[0]).toBe(190_020);
    expect(starts(sim, "remote", old?.status?.podIP as string, 120_020, 190_020)).toBe(0);
    expect(starts(sim, "remote", old?.status?.podIP as string, 190_020, 240_000)).toBeGreaterThan(1500);
    expect(sim.partitionedNodeNames).toEqual([]);
  });
});

describe("healPartition after the eviction: graceful termination counted from the heal", () => {
  it("preStop sleep 5 s: SIGTERM at 605 s, the object deleted then (not at once, as the 425 s deletion would give)", () => {
    const sim = cluster(5);
    sim.runUntil(62_100);
    const name = podOn(sim, "node-2")?.metadata.name as string;
    sim.partitionNode("node-2");
    sim.runUntil(600_000);
    sim.healPartition("node-2");
    sim.runUntil(610_000);
    expect(times(sim, "Pod.DELETED", ["name", name])).toEqual([605_000]);
  });
});

describe("pods bound to the node during the partition", () => {
  it("stay Pending (the kubelet does not see them) and start when the partition heals", () => {
    const sim = cluster();
    sim.runUntil(62_100);
    sim.partitionNode("node-2");
    sim.runUntil(70_000);
    sim.scale("api", 9);
    sim.runUntil(100_000);
    const bound = sim.pods({ app: "api" }).filter((p) => p.spec.nodeName === "node-2" && p.metadata.creationTimestamp !== undefined && p.metadata.creationTimestamp >= 70_000);
    expect(bound.length).toBeGreaterThan(0);
    expect(bound.map((p) => p.status?.podIP)).toEqual(bound.map(() => undefined));
    sim.healPartition("node-2");
    sim.runUntil(102_000);
    // The 1 s start delay after the kubelet lists them.
    for (const p of bound) expect(ready(sim, p.metadata.name)).toMatchObject({ status: "True", lastTransitionTime: 101_000 });
  });
});

describe("a partition is a fault like the others", () => {
  it("failNode on a partitioned node crashes it: recoverNode brings it back, it is no longer partitioned", () => {
    const sim = cluster();
    sim.runUntil(62_100);
    sim.partitionNode("node-2");
    sim.runUntil(70_000);
    sim.failNode("node-2");
    expect([sim.partitionedNodeNames, sim.failedNodeNames]).toEqual([[], ["node-2"]]);
    expect(() => sim.healPartition("node-2")).toThrow('healPartition: node: Invalid value: "node-2": the node is not partitioned');
    sim.recoverNode("node-2");
    sim.runUntil(80_000);
    expect(ready(sim, podOn(sim, "node-2")?.metadata.name as string)?.status).toBe("True");
  });

  it("the same seed and the same partition give the same digest", () => {
    const run = (): string => {
      const sim = cluster();
      sim.addClient({ name: "fe", target: "http://api:80", rate: 50, node: "node-2", connections: { mode: "keep-alive", poolSize: 2 } });
      sim.at(20_000, (s) => s.partitionNode("node-2"));
      sim.at(100_000, (s) => s.healPartition("node-2"));
      sim.runUntil(120_000);
      sim.drain();
      return sim.results().digest;
    };
    expect(run()).toBe(run());
  });

  const sim = cluster();
  sim.failNode("node-3");
  sim.partitionNode("node-1");
  it.each<[string, () => unknown, string]>([
    ["partitionNode unknown", () => sim.partitionNode("node-9"), 'partitionNode: node: Not found: "node-9": known nodes: node-1, node-2, node-3'],
    ["healPartition unknown", () => sim.healPartition("node-9"), 'healPartition: node: Not found: "node-9": known nodes: node-1, node-2, node-3'],
    ["partitionNode twice", () => sim.partitionNode("node-1"), 'partitionNode: node: Invalid value: "node-1": the node is already partitioned'],
    ["partitionNode a failed node", () => sim.partitionNode("node-3"), 'partitionNode: node: Invalid value: "node-3": the node has failed'],
    ["healPartition not partitioned", () => sim.healPartition("node-2"), 'healPartition: node: Invalid value: "node-2": the node is not partitioned'],
    ["stallKubeProxy on a partitioned node", () => sim.stallKubeProxy("node-1", 10), 'stallKubeProxy: node: Invalid value: "node-1": the node is partitioned (its kube-proxy syncs again when it heals)'],
  ])("%s", (_name, fn, message) => {
    expect(fn).toThrow(message);
  });
});

describe("property: one partition at a time fails only the partitioned node's own clients, and every request ends in exactly one outcome", () => {
  // An evicted pod is still deleted when its node heals, and a deletion races every other
  // node's kube-proxy (up to minSyncPeriod late), so the application does what any should:
  // a preStop sleep longer than that, and a drain on SIGTERM. Then the only failures left
  // are the partitioned node's own: its stale rules still send to pods deleted meanwhile
  // (evicted from the node partitioned before), and those requests time out.
  // (With several nodes cut off at once the whole Service can go: their pods are all not
  // ready, and replacements scheduled onto a partitioned node before it turned Unknown
  // stay Pending; see the test after this one.)
  type Cut = { readonly gap: number; readonly node: number; readonly duration: number };
  const cutArb = fc.record({ gap: fc.integer({ min: 0, max: 20_000 }), node: fc.integer({ min: 0, max: 2 }), duration: fc.integer({ min: 1, max: 40_000 }) });
  it("fixed seed, 25 schedules of partitions (short grace and toleration, so evictions happen), three kinds of client", () => {
    fc.assert(
      fc.property(fc.array(cutArb, { maxLength: 4 }), (cuts: Cut[]) => {
        const sim = new Simulation({ seed: 5, keepTrace: 100_000, traceRequests: true, nodeLifecycle: { nodeMonitorGracePeriod: 10_000, defaultTolerationSeconds: 5 } });
        sim.apply([deployment(3, 5), apiService]);
        sim.setApplication({ app: "api" }, { concurrency: 4, serviceTime: exponential(10), onSigterm: "drain" });
        sim.settle();
        const names = ["node-1", "node-2", "node-3"];
        const clientNode: Record<string, string> = { a: "node-1", b: "node-2", c: "node-3" };
        sim.addClient({ name: "a", target: "http://api:80", rate: 40, node: "node-1" });
        sim.addClient({ name: "b", target: "http://api:80", rate: 40, node: "node-2", connections: { mode: "keep-alive", poolSize: 2 } });
        sim.addClient({ name: "c", target: "http://api:80", rate: 40, node: "node-3", connections: { mode: "multiplexed" } });
        // [node, from, to): one after the other, never overlapping.
        const spans: [string, number, number][] = [];
        let t = sim.now;
        for (const c of cuts) {
          const node = names[c.node];
          const from = t + c.gap;
          spans.push([node, from, from + c.duration]);
          sim.at(from, (s) => s.partitionNode(node));
          sim.at(from + c.duration, (s) => s.healPartition(node));
          t = from + c.duration;
        }
        sim.runUntil(t + 30_000);
        sim.drain();
        const r = sim.results();
        const o = r.outcomes;
        // A failure belongs to a client on the node cut off when it started, or in the second after
        // its heal (its kube-proxy programs the API's state at once; the next sync is minSyncPeriod later).
        const own = (node: string, at: number): boolean => spans.some(([n, from, to]) => n === node && at >= from && at < to + 1_100);
        const failures = sim.trace.records().filter((x) => x.kind === "request" && x.fields.outcome !== "completed");
        return (
          r.inFlight === 0 &&
          r.started > 0 &&
          r.started === o.completed + o.refused + o.reset + o.timedOut + o.dropped &&
          failures.every((x) => own(clientNode[String(x.fields.client)], Number(x.fields.start))) &&
          sim.pods({ app: "api" }).length === 3
        );
      }),
      { seed: 20_261_204, numRuns: 25 },
    );
  });
});

describe("every node cut off at once (the control plane's own network failed)", () => {
  it("master disruption: pods not ready but nothing tainted or evicted; stale rules everywhere keep serving; after the heal, refusals until the kubelets' status sync", () => {
    const sim = cluster();
    for (const n of sim.nodeNames) sim.addClient({ name: `on-${n}`, target: "http://api:80", rate: 100, node: n });
    sim.runUntil(62_100);
    for (const n of sim.nodeNames) sim.partitionNode(n);
    sim.runUntil(182_100);
    expect(times(sim, "node-lifecycle.MarkPodsNotReady")).toEqual([120_000, 120_000, 120_000]);
    expect([recs(sim, "node-lifecycle.TaintAdded"), recs(sim, "taint-eviction")]).toEqual([[], []]);
    for (const n of sim.nodeNames) sim.healPartition(n);
    sim.runUntil(240_000);
    sim.drain();
    // Each kube-proxy's full sync at the heal programs the API's state: every endpoint still not
    // ready (the kubelets post their pods' status at their 190 s syncBatch tick; the
    // EndpointSlice has them at 190.015 s), so the Service has none and connections are
    // refused (REJECT) until the sync at 190.02 s.
    const refused = recs(sim, "request").filter((r) => r.fields.outcome === "refused").map((r) => Number(r.fields.start));
    expect(refused.length).toBeGreaterThan(2000); // ~ 300/s x 7.9 s = 2370
    expect([Math.min(...refused) >= 182_100, Math.max(...refused) < 190_020]).toEqual([true, true]);
    const syncs = times(sim, "kube-proxy.sync", ["node", "node-1"]);
    expect([syncs.find((t) => t >= 182_100), syncs.find((t) => t > 190_000)]).toEqual([182_100, 190_020]);
    const o = sim.results().outcomes;
    expect([o.timedOut, o.reset, o.dropped, o.completed + o.refused]).toEqual([0, 0, 0, sim.results().started]);
  });
});
