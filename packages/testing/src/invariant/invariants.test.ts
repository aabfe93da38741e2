import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { constant, exponential, RandomSource, Scheduler } from "@kube-netsim/core";
import { ObjectStore } from "@kube-netsim/model";
import type { Deployment, EndpointSlice, ReplicaSet, Service } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";
import type { SimulationResults } from "@kube-netsim/scenario";
import type { OutcomeCounts } from "@kube-netsim/traffic";
import { ScenarioObserver } from "../observer.js";
import type { ScenarioResults } from "../run-scenario.js";
import { checkAllCompleted } from "./all-completed.js";
import { chiSquareCdf, chiSquareCritical } from "./chi-square.js";
import { checkConservation } from "./conservation.js";
import { checkReadyEndpointsOnly } from "./ready-endpoints.js";
import { checkRolloutBounds } from "./rollout-bounds.js";
import { checkSpread } from "./spread.js";

// The checkers on hand-built results (exact numbers), and the observer behind
// checkReadyEndpointsOnly / checkRolloutBounds on hand-written API objects and trace records.

const NONE: OutcomeCounts = { completed: 0, refused: 0, reset: 0, timedOut: 0, dropped: 0 };

function results(counts: readonly number[], extra: Partial<SimulationResults> = {}): SimulationResults {
  const completed = counts.reduce((a, b) => a + b, 0);
  return {
    time: 0,
    started: completed,
    inFlight: 0,
    outcomes: { ...NONE, completed },
    latency: { count: completed, mean: 1, min: 1, max: 1, p50: 1, p90: 1, p99: 1, p999: 1 },
    endpoints: counts.map((c, i) => ({ address: `10.244.0.${i + 2}:8080`, pod: `api-${i}`, node: "node-1", completed: c, share: completed > 0 ? c / completed : 0 })),
    syncsByNode: {},
    events: 0,
    digest: "0000000000000000",
    ...extra,
  };
}

describe("checkConservation", () => {
  it.each([
    { name: "balanced and drained", r: results([5, 5]), pass: true, message: "every one of the 10 requests ended in exactly one outcome (completed 10, refused 0, reset 0, timedOut 0, dropped 0)" },
    {
      name: "one request lost",
      r: results([5, 5], { started: 11 }),
      pass: false,
      message: "requests are not conserved: started 11 != ended 10 (completed 10, refused 0, reset 0, timedOut 0, dropped 0) + inFlight 0",
    },
    {
      name: "one request counted twice by an endpoint",
      r: results([5, 5], { endpoints: results([6, 5]).endpoints }),
      pass: false,
      message: "requests are not conserved: the endpoints completed 11 requests, the outcomes say 10",
    },
    {
      name: "in flight after the run",
      r: results([5, 5], { started: 12, inFlight: 2 }),
      pass: false,
      message: "requests are not conserved: 2 requests still in flight after the run (drain it first, or pass { drained: false })",
    },
  ])("$name", ({ r, pass, message }) => {
    expect(checkConservation(r)).toEqual({ pass, message });
  });

  it("accepts requests in flight when asked", () => {
    expect(checkConservation(results([5, 5], { started: 12, inFlight: 2 }), { drained: false }).pass).toBe(true);
  });

  it("counts dnsFailed when clients resolve names through cluster DNS", () => {
    const r = results([5, 5], { started: 13, outcomes: { ...NONE, completed: 10, dnsFailed: 3 } });
    expect(checkConservation(r)).toEqual({ pass: true, message: "every one of the 13 requests ended in exactly one outcome (completed 10, refused 0, reset 0, timedOut 0, dropped 0, dnsFailed 3)" });
    expect(checkAllCompleted(r)).toEqual({ pass: false, message: "of 13 requests, 3 dnsFailed (only 10 completed)" });
    expect(checkAllCompleted(r, { allow: ["dnsFailed"] }).pass).toBe(true);
  });
});

describe("checkAllCompleted", () => {
  it.each([
    { name: "all completed", r: results([3]), allow: [], pass: true, message: "all 3 requests completed" },
    { name: "nothing started", r: results([]), allow: [], pass: false, message: "no request was started, so nothing can be said about them" },
    {
      name: "refused and timed out",
      r: results([3], { started: 6, outcomes: { ...NONE, completed: 3, refused: 2, timedOut: 1 } }),
      allow: [],
      pass: false,
      message: "of 6 requests, 2 refused, 1 timedOut (only 3 completed)",
    },
    {
      name: "dropped, allowed",
      r: results([3], { started: 5, outcomes: { ...NONE, completed: 3, dropped: 2 } }),
      allow: ["dropped" as const],
      pass: true,
      message: "all 5 requests completed (allowing dropped: 2)",
    },
  ])("$name", ({ r, allow, pass, message }) => {
    expect(checkAllCompleted(r, { allow })).toEqual({ pass, message });
  });
});

describe("chi-square critical values (tables to 3 decimals)", () => {
  it.each([
    { alpha: 0.05, k: 1, want: 3.841 },
    { alpha: 0.01, k: 1, want: 6.635 },
    { alpha: 0.001, k: 1, want: 10.828 },
    { alpha: 0.05, k: 2, want: 5.991 },
    { alpha: 0.001, k: 2, want: 13.816 },
    { alpha: 0.01, k: 10, want: 23.209 },
    { alpha: 0.001, k: 29, want: 58.301 },
    { alpha: 0.05, k: 100, want: 124.342 },
  ])("alpha $alpha, $k degrees of freedom: $want", ({ alpha, k, want }) => {
    expect(chiSquareCritical(alpha, k)).toBeCloseTo(want, 3);
  });

  it("the CDF is monotone and the critical value inverts it (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.double({ min: 1e-6, max: 0.5, noNaN: true }), (k, alpha) => {
        const x = chiSquareCritical(alpha, k);
        expect(1 - chiSquareCdf(x, k)).toBeCloseTo(alpha, 6);
        expect(chiSquareCdf(x * 1.01, k)).toBeGreaterThan(chiSquareCdf(x, k));
      }),
      { numRuns: 200 },
    );
  });

  it("refuses bad parameters", () => {
    expect(() => chiSquareCritical(0, 3)).toThrow("alpha: Invalid value: 0: must be between 0 and 1, exclusive");
    expect(() => chiSquareCritical(0.05, 0)).toThrow("degrees of freedom: Invalid value: 0: must be an integer >= 1");
  });
});

describe("checkSpread", () => {
  it.each([
    { name: "exactly even", counts: [100, 100, 100], options: { tolerance: 0 }, pass: true },
    { name: "within 10 %", counts: [95, 100, 105], options: { tolerance: 0.1 }, pass: true },
    { name: "15 % off", counts: [85, 100, 115], options: { tolerance: 0.1 }, pass: false },
    { name: "an endpoint with nothing, counted", counts: [150, 150], options: { tolerance: 0.1, endpoints: 3 }, pass: false },
    // Statistic (90-100)^2/100 + 0 + (110-100)^2/100 = 2.0 <= 13.816 (alpha 0.001, 2 df).
    { name: "chi-square accepts 90/100/110", counts: [90, 100, 110], options: { method: "chi-square" as const }, pass: true },
    // Statistic 2 * 50^2/100 = 50 > 13.816.
    { name: "chi-square rejects 50/100/150", counts: [50, 100, 150], options: { method: "chi-square" as const }, pass: false },
  ])("$name", ({ counts, options, pass }) => {
    expect(checkSpread(results(counts), options).pass).toBe(pass);
  });

  it("says what it measured", () => {
    expect(checkSpread(results([85, 100, 115]), { tolerance: 0.1 }).message).toBe(
      "not spread evenly: largest deviation from the mean 100.0 is 15.00 % (tolerance 10.00 %) over 3 endpoints: 10.244.0.2:8080 85, 10.244.0.3:8080 100, 10.244.0.4:8080 115",
    );
    expect(checkSpread(results([50, 100, 150]), { method: "chi-square" }).message).toMatch(/^not spread evenly: chi-square 50\.000 vs critical 13\.816 \(alpha 0\.001, 2 degrees of freedom, p = 1\.39e-11\)/);
  });

  it("checks only the endpoints a filter keeps, and names the ones with none", () => {
    const r = results([100, 100, 10]);
    expect(checkSpread(r, { tolerance: 0.01 }).pass).toBe(false);
    expect(checkSpread(r, { tolerance: 0.01, filter: (e) => e.pod !== "api-2" }).pass).toBe(true);
    expect(checkSpread(results([150, 150]), { tolerance: 0.1, endpoints: 3 }).message).toMatch(/over 3 endpoints: 10\.244\.0\.2:8080 150, 10\.244\.0\.3:8080 150 and 1 with none$/);
  });

  it("refuses a bad tolerance or endpoint count", () => {
    expect(() => checkSpread(results([1, 1]), { tolerance: -1 })).toThrow("tolerance: Invalid value: -1");
    expect(() => checkSpread(results([1, 1]), { tolerance: 0.1, endpoints: 1 })).toThrow("endpoints: Invalid value: 1");
  });

  it("kube-proxy's iptables probabilities spread per-request connections evenly (3 pods, seed 12, chi-square at alpha 0.001 and 5 %)", () => {
    const sim = new Simulation({ seed: 12 });
    sim.apply([
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "api" },
        spec: { replicas: 3, selector: { matchLabels: { app: "api" } }, template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", ports: [{ name: "http", containerPort: 8080 }] }] } } },
      },
      { apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { selector: { app: "api" }, ports: [{ name: "http", port: 80, targetPort: "http" }] } },
    ]);
    sim.setApplication({ app: "api" }, { concurrency: 8, serviceTime: exponential(2) });
    sim.settle();
    sim.addClient({ name: "c", target: "api:80", rate: 300 });
    sim.runFor(30_000);
    sim.drain();
    const r = sim.results();
    expect(r.started).toBeGreaterThan(8500); // ~300/s for 30 s
    expect(r).toSatisfy((x: SimulationResults) => checkSpread(x, { method: "chi-square", alpha: 0.001, endpoints: 3 }).pass);
    // ~3000 requests each: one standard deviation is ~1 %, 5 % is 5 sigma.
    expect(checkSpread(r, { tolerance: 0.05, endpoints: 3 }).pass).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// The observer, on a bare API server and hand-written trace records

function bare(): { scheduler: Scheduler; store: ObjectStore } {
  const scheduler = new Scheduler();
  const store = new ObjectStore(scheduler, { random: new RandomSource(1).stream("apiserver") });
  return { scheduler, store };
}

function svc(local: boolean): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "api", namespace: "default" },
    spec: { selector: { app: "api" }, ports: [{ name: "http", port: 80, targetPort: 8080 }], ...(local ? { internalTrafficPolicy: "Local" as const } : {}) },
  };
}

function slice(endpoints: EndpointSlice["endpoints"]): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "api-abcde", namespace: "default", labels: { "kubernetes.io/service-name": "api" } },
    addressType: "IPv4",
    endpoints,
    ports: [{ name: "http", protocol: "TCP", port: 8080 }],
  };
}

const asResults = (o: ScenarioObserver): ScenarioResults => ({ ...results([1]), seed: 0, scenario: { nodes: [], kubeProxy: {}, workloads: [], clients: [], schedule: [], duration: 0 }, observations: o.observations() });

describe("checkReadyEndpointsOnly (observer)", () => {
  // Endpoint .2 turns not ready at t=10; the watch delay is 5 ms; node-1 syncs at t=20.
  function story(local: boolean, requestStart: number, node: string = "node-1", endpoint: string = "10.244.0.2:8080"): ScenarioResults {
    const { scheduler, store } = bare();
    store.create(svc(local));
    store.create(slice([{ addresses: ["10.244.0.2"], nodeName: "node-1" }, { addresses: ["10.244.0.3"], nodeName: "node-2" }]));
    const o = new ScenarioObserver(store, ["node-1", "node-2"], 5);
    o.addService(store.get("Service", "default", "api") as Service);
    o.addClient("c", node, "default/api", true);
    scheduler.runUntil(10);
    store.update(slice([{ addresses: ["10.244.0.2"], nodeName: "node-1", conditions: { ready: false } }, { addresses: ["10.244.0.3"], nodeName: "node-2" }]));
    o.onRecord({ time: 10, kind: "EndpointSlice.MODIFIED", fields: { name: "api-abcde" } });
    o.onRecord({ time: 20, kind: "kube-proxy.sync", fields: { node: "node-1" } });
    o.onRecord({ time: requestStart + 5, kind: "request", fields: { outcome: "completed", start: requestStart, latency: 5, endpoint, client: "c" } });
    return asResults(o);
  }

  it.each([
    { name: "a connection after the node synced the change is a violation", local: false, start: 25, pass: false },
    { name: "a connection before the node synced is allowed (propagation window)", local: false, start: 18, pass: true },
    { name: "a connection at the very sync instant is allowed (order undefined)", local: false, start: 20, pass: true },
    { name: "a connection before the change is allowed", local: false, start: 9, pass: true },
    // Local: on node-1 the only local endpoint is not ready and none is serving-terminating: nothing is usable; still a violation.
    { name: "Local policy: the local endpoint is not usable either", local: true, start: 25, pass: false },
  ])("$name", ({ local, start, pass }) => {
    expect(checkReadyEndpointsOnly(story(local, start)).pass).toBe(pass);
  });

  it("the ready endpoint is fine; the failure names client, node, endpoint and times", () => {
    expect(checkReadyEndpointsOnly(story(false, 25, "node-1", "10.244.0.3:8080")).pass).toBe(true);
    expect(checkReadyEndpointsOnly(story(false, 25)).message).toBe(
      "1 of 1 new connections went to an endpoint that was not usable although the node had synced:\n  t=25.000 ms c on node-1 -> default/api 10.244.0.2:8080: unusable since 10.000 ms, node synced at 20.000 ms",
    );
  });

  it("a serving-terminating endpoint is usable when no endpoint is ready (spec 1.2 fallback)", () => {
    const { store } = bare();
    store.create(svc(false));
    store.create(slice([{ addresses: ["10.244.0.2"], conditions: { ready: false, serving: true, terminating: true } }, { addresses: ["10.244.0.3"], conditions: { ready: false, serving: false, terminating: true } }]));
    const o = new ScenarioObserver(store, ["node-1"], 5);
    o.addService(store.get("Service", "default", "api") as Service);
    o.addClient("c", "node-1", "default/api", true);
    o.onRecord({ time: 20, kind: "kube-proxy.sync", fields: { node: "node-1" } });
    o.onRecord({ time: 30, kind: "request", fields: { outcome: "completed", start: 25, latency: 5, endpoint: "10.244.0.2:8080", client: "c" } });
    expect(checkReadyEndpointsOnly(asResults(o)).pass).toBe(true);
    o.onRecord({ time: 30, kind: "request", fields: { outcome: "refused", start: 26, latency: 0, endpoint: "10.244.0.3:8080", client: "c" } });
    expect(checkReadyEndpointsOnly(asResults(o)).pass).toBe(false);
  });

  it("keep-alive clients are not checked", () => {
    const { store } = bare();
    store.create(svc(false));
    store.create(slice([{ addresses: ["10.244.0.2"], conditions: { ready: false } }]));
    const o = new ScenarioObserver(store, ["node-1"], 5);
    o.addService(store.get("Service", "default", "api") as Service);
    o.addClient("pool", "node-1", "default/api", false);
    o.onRecord({ time: 20, kind: "kube-proxy.sync", fields: { node: "node-1" } });
    o.onRecord({ time: 30, kind: "request", fields: { outcome: "completed", start: 25, latency: 5, endpoint: "10.244.0.2:8080", client: "pool" } });
    expect(asResults(o).observations.connectionsChecked).toBe(0);
  });
});

describe("checkRolloutBounds (observer)", () => {
  function deployment(replicas: number): Deployment {
    return {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "api", namespace: "default" },
      spec: {
        replicas,
        selector: { matchLabels: { app: "api" } },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api" }] } },
      },
    };
  }
  function replicaSet(name: string, replicas: number, ownerUid: string): ReplicaSet {
    return {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name, namespace: "default", ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "api", uid: ownerUid, controller: true }] },
      spec: { replicas, selector: { matchLabels: { app: "api", h: name } }, template: { metadata: { labels: { app: "api", h: name } }, spec: { containers: [{ name: "api" }] } } },
    };
  }

  it("ReplicaSets wanting more than replicas + maxSurge, and too few available pods, are violations; a disrupted Deployment is not checked", () => {
    const { store } = bare();
    const d = store.create(deployment(2));
    const uid = d.metadata.uid as string;
    const o = new ScenarioObserver(store, ["node-1"], 5);
    o.addDeployment(d);
    store.create(replicaSet("old", 2, uid));
    store.create(replicaSet("new", 2, uid));
    o.onRecord({ time: 1, kind: "ReplicaSet.ADDED", fields: {} });
    const r = checkRolloutBounds(asResults(o));
    expect(r.pass).toBe(false);
    // 4 wanted > 2 + 1; and no pod exists, 0 available < 2 - 0.
    expect(r.message).toBe(
      "2 rollout bound violations in 1 Deployment states sampled:\n  t=1.000 ms api: ReplicaSets want 4 pods > replicas 2 + maxSurge 1\n  t=1.000 ms api: 0 available pods < replicas 2 - maxUnavailable 0\nactions: none",
    );
    o.disrupted("default", "api");
    o.onRecord({ time: 2, kind: "ReplicaSet.MODIFIED", fields: {} });
    expect(asResults(o).observations.rolloutViolationCount).toBe(2);
  });
});

describe("Trace records the observer reads", () => {
  it("the Simulation traces EndpointSlice writes, kube-proxy syncs and (with traceRequests) request ends under the kinds the observer expects", () => {
    const sim = new Simulation({ seed: 1, traceRequests: true, keepTrace: 100_000, timings: { watchDelay: constant(5) } });
    sim.apply([
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "api" },
        spec: { replicas: 1, selector: { matchLabels: { app: "api" } }, template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", ports: [{ name: "http", containerPort: 8080 }] }] } } },
      },
      svc(false),
    ]);
    sim.setApplication({ app: "api" }, { serviceTime: exponential(1) });
    sim.settle();
    sim.addClient({ name: "c", target: "api:80", rate: 10 });
    sim.runFor(1000);
    const kinds = new Set(sim.trace.records().map((r) => r.kind));
    for (const k of ["EndpointSlice.ADDED", "kube-proxy.sync", "request", "Pod.ADDED", "ReplicaSet.ADDED", "Deployment.ADDED"]) expect(kinds).toContain(k);
    const req = sim.trace.records().find((r) => r.kind === "request");
    expect(Object.keys(req?.fields ?? {}).sort()).toEqual(["client", "endpoint", "latency", "outcome", "start"]);
  });
});
