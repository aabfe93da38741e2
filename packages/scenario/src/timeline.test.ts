import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { exponential } from "@kube-netsim/core";
import type { Deployment, Service } from "@kube-netsim/model";
import type { Outcome } from "@kube-netsim/traffic";
import { Simulation } from "./simulation.js";
import { Timeline } from "./timeline.js";
import type { TimelineBucket } from "./timeline.js";

const OUTCOMES: readonly Outcome[] = ["completed", "refused", "reset", "timedOut", "dropped"];
const ended = (b: TimelineBucket): number => OUTCOMES.reduce((a, o) => a + b.outcomes[o], 0);

describe("Timeline (unit)", () => {
  it("puts each request in the bucket where it ends, for any bucket width, and creates the empty buckets in between", () => {
    const cases: [string, number, number[], number[]][] = [
      // name, bucket ms, end times, expected requests per bucket
      ["1 s buckets", 1000, [0, 999.9, 1000, 3500], [2, 1, 0, 1]],
      ["250 ms buckets", 250, [0, 249, 250, 1000], [2, 1, 0, 0, 1]],
      ["7.5 ms buckets", 7.5, [7.4, 7.5, 30], [1, 1, 0, 0, 1]],
    ];
    for (const [name, width, ends, expected] of cases) {
      const tl = new Timeline(width, 0);
      for (const t of ends) tl.record("completed", t, 1);
      expect(tl.buckets().map(ended), name).toEqual(expected);
      expect(tl.buckets().map((b) => b.start), name).toEqual(expected.map((_, i) => i * width));
    }
  });

  it("counts every outcome apart and measures latency from completed requests only", () => {
    const tl = new Timeline(1000, 5000);
    tl.record("completed", 5100, 10);
    tl.record("completed", 5200, 30);
    tl.record("reset", 5300, 900);
    tl.record("timedOut", 5400, 1000);
    tl.record("refused", 5500, 0.1);
    tl.record("dropped", 5600, 0.2);
    const [b] = tl.buckets();
    expect(b.outcomes).toEqual({ completed: 2, refused: 1, reset: 1, timedOut: 1, dropped: 1 });
    expect(b.latency.mean).toBe(20);
    expect(b.latency.max).toBeCloseTo(30, 0);
  });

  it("gives p50, p90, p99 and p99.9 within the histogram's 0.4% relative error, and NaN for a bucket with no completed request", () => {
    const tl = new Timeline(1000, 0);
    // Latencies 1..10000 ms, in a scrambled order: the exact quantiles are 5000, 9000, 9900 and 9990.
    for (let i = 0; i < 10_000; i++) tl.record("completed", 10, 1 + ((i * 7919) % 10_000));
    tl.record("refused", 1500, 1);
    const [b, empty] = tl.buckets();
    const within = (got: number, want: number): void => expect(Math.abs(got - want) / want).toBeLessThan(0.004);
    within(b.latency.p50, 5000);
    within(b.latency.p90, 9000);
    within(b.latency.p99, 9900);
    within(b.latency.p999, 9990);
    within(b.latency.mean, 5000.5);
    within(b.latency.max, 10_000);
    expect(Object.values(empty.latency).every(Number.isNaN)).toBe(true);
    expect(empty.outcomes.refused).toBe(1);
  });

  it("keeps the fewest ready endpoints seen between two samples, starting from the value when the bucket began", () => {
    const tl = new Timeline(1000, 0);
    tl.observeReadyEndpoints("node-1", 3);
    tl.observeReadyEndpoints("node-2", 3);
    // Bucket 0: node-1 dips to 1 and recovers, node-2 stays.
    tl.observeReadyEndpoints("node-1", 1);
    tl.observeReadyEndpoints("node-1", 3);
    tl.sample(0, { endpointsByNode: { "node-1": 3, "node-2": 3 }, readyEndpointsByNode: { "node-1": 3, "node-2": 3 }, pods: { Running: 3 }, readyPods: 3 });
    // Bucket 1: no sync at all: the fewest is the value it started with.
    tl.sample(1, { endpointsByNode: { "node-1": 3, "node-2": 3 }, readyEndpointsByNode: { "node-1": 3, "node-2": 3 }, pods: { Running: 3 }, readyPods: 3 });
    // Bucket 2: node-2 drops to 2 and stays there (one terminating endpoint is no longer ready).
    tl.observeReadyEndpoints("node-2", 2);
    tl.sample(2, { endpointsByNode: { "node-1": 3, "node-2": 2 }, readyEndpointsByNode: { "node-1": 3, "node-2": 2 }, pods: { Running: 2, Terminating: 1 }, readyPods: 2 });
    const b = tl.buckets();
    expect(b.map((x) => x.minReadyEndpointsByNode)).toEqual([
      { "node-1": 1, "node-2": 3 },
      { "node-1": 3, "node-2": 3 },
      { "node-1": 3, "node-2": 2 },
    ]);
    expect(b[2].pods).toEqual({ Running: 2, Terminating: 1 });
    expect(b[2].readyPods).toBe(2);
  });

  it("refuses a bucket that is not a positive finite number of ms, naming the field", () => {
    for (const bad of [0, -1, NaN, Infinity]) expect(() => new Timeline(bad, 0)).toThrow(`timeline: bucket: Invalid value: ${bad}: must be a number of ms > 0`);
  });
});

// ---------------------------------------------------------------------------

function apiDeployment(image: string, o: { replicas: number; maxSurge: number | string; maxUnavailable: number | string; preStopSeconds: number }): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api" },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { app: "api" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: o.maxSurge, maxUnavailable: o.maxUnavailable } },
      template: {
        metadata: { labels: { app: "api" } },
        spec: {
          containers: [
            {
              name: "api",
              image,
              ports: [{ name: "http", containerPort: 8080 }],
              ...(o.preStopSeconds > 0 ? { lifecycle: { preStop: { sleep: { seconds: o.preStopSeconds } } } } : {}),
            },
          ],
        },
      },
    },
  };
}

const apiService: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { selector: { app: "api" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] } };

describe("Simulation.timeline during a rollout", () => {
  const setup = { replicas: 4, maxSurge: 1, maxUnavailable: 1, preStopSeconds: 3 };
  const sim = new Simulation({ seed: 17 });
  sim.apply([apiDeployment("api:1", setup), apiService]);
  sim.setApplication({ app: "api" }, { concurrency: 4, serviceTime: exponential(5), onSigterm: "drain" });
  sim.settle();
  sim.addClient({ name: "c", target: "api:80", rate: 200 });
  const fine = sim.timeline({ service: "api", bucket: 250 });
  const coarse = sim.timeline({ service: "api", bucket: 1000 });
  sim.runFor(2000);
  sim.apply([apiDeployment("api:2", setup)]);
  sim.runFor(18_000);
  fine.stop();
  coarse.stop();
  sim.drain();
  const b = coarse.buckets();

  it("counts every request once, whatever the bucket width: 4 fine buckets add up to each coarse one", () => {
    expect(b.reduce((a, x) => a + ended(x), 0)).toBe(sim.results().started);
    const f = fine.buckets();
    for (let i = 0; i < 20; i++) {
      for (const o of OUTCOMES) expect(f.slice(4 * i, 4 * i + 4).reduce((a, x) => a + x.outcomes[o], 0), `second ${i} ${o}`).toBe(b[i].outcomes[o]);
    }
  });

  it("shows the old pods Terminating through their 3 s preStop sleep, and never fewer than replicas - maxUnavailable ready pods", () => {
    expect(b[0].pods).toEqual({ Running: 4 });
    expect(b.some((x) => (x.pods.Terminating ?? 0) > 0)).toBe(true);
    // Terminating pods stay for the preStop sleep (3 s) and the drain: about 3 buckets each.
    expect(b.filter((x) => (x.pods.Terminating ?? 0) > 0).length).toBeGreaterThanOrEqual(3);
    for (const x of b.slice(0, 20)) expect(x.readyPods, `t=${x.start}`).toBeGreaterThanOrEqual(3);
    expect(b[19].pods).toEqual({ Running: 4 });
    expect(b[19].readyPods).toBe(4);
  });

  it("each node's kube-proxy never has fewer than replicas - maxUnavailable ready endpoints, and ends with 4 ready, none terminating", () => {
    for (const x of b.slice(0, 20)) for (const n of sim.nodeNames) expect(x.minReadyEndpointsByNode[n], `t=${x.start} ${n}`).toBeGreaterThanOrEqual(3);
    expect(b[19].readyEndpointsByNode).toEqual({ "node-1": 4, "node-2": 4, "node-3": 4 });
    expect(b[19].endpointsByNode).toEqual({ "node-1": 4, "node-2": 4, "node-3": 4 });
  });

  it("prints one line per bucket with the ready endpoints per node and the pods by phase", () => {
    const lines = coarse.format().split("\n");
    expect(lines[0]).toMatch(/^ +t \(s\) +ok +refused +reset +timeout +dropped +p50 ms +p99 ms +ready eps +fewest +pods +\(ready endpoints per node node-1\/node-2\/node-3/);
    expect(lines[1]).toMatch(/4\/4\/4 +4\/4\/4 +Running 4 \(ready 4\)$/);
    expect(lines.some((l) => /Running \d, Terminating \d \(ready \d\)$/.test(l))).toBe(true);
  });
});

describe("Simulation.timeline: a dip shorter than a bucket", () => {
  it("the fewest ready endpoints shows a deleted pod that was replaced before the bucket ended", () => {
    const sim = new Simulation({ seed: 3 });
    sim.apply([apiDeployment("api:1", { replicas: 3, maxSurge: 1, maxUnavailable: 0, preStopSeconds: 0 }), apiService]);
    sim.setApplication({ app: "api" }, { serviceTime: exponential(2) });
    sim.settle();
    const tl = sim.timeline({ service: "api", bucket: 10_000 });
    sim.runFor(1000);
    sim.deletePod(sim.pods({ app: "api" })[0].metadata.name);
    sim.runFor(9000);
    tl.stop();
    const [b] = tl.buckets();
    // Replaced after about 1 s (the pod start delay): by the end of the bucket every node has 3 again.
    expect(b.readyEndpointsByNode).toEqual({ "node-1": 3, "node-2": 3, "node-3": 3 });
    expect(b.minReadyEndpointsByNode).toEqual({ "node-1": 2, "node-2": 2, "node-3": 2 });
    expect(b.pods).toEqual({ Running: 3 });
  });
});

describe("Simulation.timeline: stopping mid-bucket", () => {
  it("samples the bucket in progress at the stop, and adds no bucket when the stop falls on a boundary", () => {
    const sim = new Simulation({ seed: 5 });
    sim.apply([apiDeployment("api:1", { replicas: 2, maxSurge: 1, maxUnavailable: 0, preStopSeconds: 0 }), apiService]);
    sim.setApplication({ app: "api" }, { serviceTime: exponential(2) });
    sim.settle();
    const mid = sim.timeline({ service: "api", bucket: 1000 });
    const edge = sim.timeline({ service: "api", bucket: 1000 });
    sim.runFor(2000);
    edge.stop();
    sim.runFor(500);
    sim.scale("api", 3);
    sim.runFor(0);
    mid.stop();
    expect(edge.buckets()).toHaveLength(2);
    const b = mid.buckets();
    expect(b).toHaveLength(3);
    // The third bucket's sample is the state at the stop: the ReplicaSet was just scaled, its pod not yet created.
    expect(b[2].pods).toEqual({ Running: 2 });
    expect(b[2].readyEndpointsByNode).toEqual({ "node-1": 2, "node-2": 2, "node-3": 2 });
    sim.runFor(5000);
    expect(mid.buckets()).toHaveLength(3); // stopped: no more samples
  });
});

describe("Simulation.timeline (property)", () => {
  it("for random bucket widths, the buckets hold every request that started after the timeline began, exactly once", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 4 }), (width, deleteAt, replicas) => {
        const sim = new Simulation({ seed: width });
        sim.apply([apiDeployment("api:1", { replicas, maxSurge: 1, maxUnavailable: 0, preStopSeconds: 0 }), apiService]);
        sim.setApplication({ app: "api" }, { serviceTime: exponential(2) });
        sim.settle();
        const tl = sim.timeline({ service: "api", bucket: width });
        sim.addClient({ name: "c", target: "api:80", rate: 100 });
        sim.runFor(deleteAt);
        sim.deletePod(sim.pods({ app: "api" })[0].metadata.name);
        sim.runFor(3000);
        tl.stop();
        sim.drain();
        const r = sim.results();
        return r.inFlight === 0 && tl.buckets().reduce((a, x) => a + ended(x), 0) === r.started;
      }),
      { numRuns: 20 },
    );
  });
});
