import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { podToEndpoint, resolveFenceposts, shouldPodBeInEndpoints } from "@kube-netsim/controllers";
import { validateObject } from "@kube-netsim/model";
import type { Service } from "@kube-netsim/model";
import { assertProduceSameValueGivenSameSeed } from "../same-seed.js";
import { churnAction, churnSchedule } from "./churn-schedule.js";
import { effectiveConditions, endpointConditions } from "./endpoint-conditions.js";
import { endpoint, endpointSlice } from "./endpoint-slice.js";
import { intOrPercent } from "./int-or-percent.js";
import { kubeProxySettings } from "./kube-proxy-settings.js";
import { nodeLayout } from "./node-layout.js";
import { pod } from "./pod.js";
import { rolloutSettings } from "./rollout-settings.js";
import { scenario } from "./scenario.js";
import { service, servicePolicy } from "./service.js";
import { applicationSpec, workload, workloadSettings } from "./workload.js";

// Every arbitrary of the kit: same seed, same values (and same shrink path); values
// valid as the API server sees them; shrinking towards small readable values.

const ARBITRARIES: readonly { readonly name: string; readonly arb: fc.Arbitrary<unknown> }[] = [
  { name: "endpointConditions", arb: endpointConditions() },
  { name: "pod", arb: pod() },
  { name: "endpoint", arb: endpoint() },
  { name: "endpointSlice", arb: endpointSlice() },
  { name: "servicePolicy", arb: servicePolicy({ types: ["ClusterIP", "NodePort", "LoadBalancer"], trafficDistribution: true }) },
  { name: "service", arb: service() },
  { name: "nodeLayout", arb: nodeLayout() },
  { name: "intOrPercent", arb: intOrPercent() },
  { name: "rolloutSettings", arb: rolloutSettings({ strategies: ["RollingUpdate", "Recreate"] }) },
  { name: "kubeProxySettings", arb: kubeProxySettings() },
  { name: "applicationSpec", arb: applicationSpec() },
  { name: "workloadSettings", arb: workloadSettings() },
  { name: "workload", arb: workload() },
  { name: "churnAction", arb: churnAction() },
  { name: "churnSchedule", arb: churnSchedule() },
  { name: "scenario", arb: scenario() },
  { name: "scenario (every option)", arb: scenario({ watchDelays: [0, 50], kubeProxy: { minSyncPeriods: [0, 1000] }, connections: ["multiplexed"], maxWorkloads: 4, maxClients: 4 }) },
];

describe("every arbitrary produces the same value given the same seed", () => {
  it.each(ARBITRARIES)("$name", ({ arb }) => {
    assertProduceSameValueGivenSameSeed(arb, { seeds: 4, valuesPerSeed: 4 });
  });

  it("the helper notices an arbitrary that is not a function of its seed", () => {
    let calls = 0;
    const impure = fc.nat().map((n) => n + calls++);
    expect(() => assertProduceSameValueGivenSameSeed(impure, { seeds: 1 })).toThrow(/the same seed generated two different values/);
  });
});

describe("generated objects pass the model's validation", () => {
  it("pods, EndpointSlices, Services (every type and policy) and workloads", () => {
    fc.assert(
      fc.property(
        pod(),
        endpointSlice(),
        service({ types: ["ClusterIP", "NodePort", "LoadBalancer"], trafficDistribution: true }),
        workload({ rollout: { strategies: ["RollingUpdate", "Recreate"] } }),
        (p, s, svc, w) => {
          for (const o of [p, s, svc, w.deployment, w.service]) expect(validateObject(o).map(String)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("rollout settings resolve as upstream does: never both fenceposts 0, maxUnavailable at most 100%", () => {
    fc.assert(
      fc.property(rolloutSettings(), (r) => {
        const { surge, unavailable } = resolveFenceposts(r.maxSurge, r.maxUnavailable, r.replicas);
        expect(surge + unavailable).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe("what the arbitraries generate", () => {
  it("endpointConditions covers nil conditions, nil fields and every combination", () => {
    const seen = new Set(fc.sample(endpointConditions(), { seed: 5, numRuns: 2000 }).map((c) => (c === undefined ? "nil" : JSON.stringify(c))));
    expect(seen.has("nil")).toBe(true);
    expect(seen.has("{}")).toBe(true);
    expect(seen.has(JSON.stringify({ ready: false, serving: true, terminating: true }))).toBe(true);
    // 1 nil + every object with each of 3 keys absent, true or false: 3^3 = 27.
    expect(seen.size).toBe(28);
  });

  it.each([
    { name: "nil conditions", c: undefined, want: { ready: true, serving: true, terminating: false } },
    { name: "empty conditions", c: {}, want: { ready: true, serving: true, terminating: false } },
    { name: "not ready, nil serving", c: { ready: false }, want: { ready: false, serving: true, terminating: false } },
    { name: "serving terminating", c: { ready: false, serving: true, terminating: true }, want: { ready: false, serving: true, terminating: true } },
  ])("effectiveConditions: $name", ({ c, want }) => {
    expect(effectiveConditions(c)).toEqual(want);
  });

  it("pods map to every endpoint condition the EndpointSlice controller writes", () => {
    const svc: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "api", namespace: "default" }, spec: { selector: { app: "api" }, ports: [{ name: "http", port: 80, targetPort: "http" }] } };
    const seen = new Set<string>();
    for (const p of fc.sample(pod(), { seed: 9, numRuns: 500 })) {
      if (!shouldPodBeInEndpoints(p, true)) continue;
      const c = podToEndpoint(p, undefined, svc).conditions;
      seen.add(`${c?.ready}/${c?.serving}/${c?.terminating}`);
    }
    // ready/serving/terminating: ready and running, not ready, terminating while serving, terminating and not serving.
    expect([...seen].sort()).toEqual(["false/false/false", "false/false/true", "false/true/true", "true/true/false"]);
  });

  it("endpointSlice addresses are unique within a slice and nodes come from the layout", () => {
    fc.assert(
      fc.property(endpointSlice({ nodes: ["a", "b"], zones: ["z1", "z2"], maxEndpoints: 30 }), (s) => {
        const ips = s.endpoints.map((e) => e.addresses[0]);
        expect(new Set(ips).size).toBe(ips.length);
        for (const e of s.endpoints) {
          if (e.nodeName !== undefined) expect(e.zone).toBe(e.nodeName === "a" ? "z1" : "z2");
        }
      }),
      { numRuns: 100 },
    );
  });

  it("nodeLayout names nodes node-1..n within the zone limit", () => {
    fc.assert(
      fc.property(nodeLayout({ minNodes: 2, maxNodes: 5, maxZones: 2 }), (nodes) => {
        expect(nodes.length).toBeGreaterThanOrEqual(2);
        expect(nodes.length).toBeLessThanOrEqual(5);
        expect(nodes.map((n) => n.name)).toEqual(nodes.map((_, i) => `node-${i + 1}`));
        for (const n of nodes) expect(["zone-a", "zone-b"]).toContain(n.zone);
      }),
      { numRuns: 100 },
    );
  });

  it("churnSchedule is in time order; scenario clients and actions refer to the scenario's own nodes, Services and Deployments", () => {
    fc.assert(
      fc.property(churnSchedule({ maxActions: 8 }), (s) => {
        for (let i = 1; i < s.length; i++) expect(s[i].at).toBeGreaterThanOrEqual(s[i - 1].at);
      }),
      { numRuns: 100 },
    );
    fc.assert(
      fc.property(scenario({ maxWorkloads: 4, maxClients: 4 }), (s) => {
        const services = s.workloads.map((w) => w.service.metadata.name);
        const nodes = s.nodes.map((n) => n.name);
        for (const c of s.clients) {
          expect(services).toContain(c.service);
          expect(nodes).toContain(c.node);
        }
        for (const a of s.schedule) {
          expect(a.at).toBeLessThan(s.duration);
          expect(s.workloads.map((w) => w.deployment.metadata.name)).toContain(a.deployment);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("scenario draws a watch delay only when asked, and prints it", () => {
    for (const s of fc.sample(scenario(), { seed: 1, numRuns: 20 })) expect(s.watchDelay).toBeUndefined();
    const drawn = fc.sample(scenario({ watchDelays: [0, 50] }), { seed: 1, numRuns: 40 });
    expect(new Set(drawn.map((s) => s.watchDelay))).toEqual(new Set([0, 50]));
    expect(fc.stringify(drawn.find((s) => s.watchDelay === 50))).toMatch(/, watch delay 50 ms\n/);
  });

  it("kubeProxySettings gives a scheduler only to IPVS", () => {
    fc.assert(
      fc.property(kubeProxySettings(), (k) => {
        expect(k.ipvs !== undefined).toBe(k.mode === "ipvs");
      }),
      { numRuns: 100 },
    );
  });

  it("refuses impossible constraints, naming the field", () => {
    expect(() => nodeLayout({ minNodes: 3, maxNodes: 2 })).toThrow("maxNodes: Invalid value: 2: must be an integer between minNodes (3) and 250");
    expect(() => kubeProxySettings({ modes: [] })).toThrow("modes: Required value: at least one proxy mode");
    expect(() => churnAction({ deployments: [] })).toThrow("deployments: Required value: at least one Deployment name");
    expect(() => scenario({ workloads: [] })).toThrow("workloads: Required value: at least one workload");
    expect(() => scenario({ minDuration: 5000, maxDuration: 10 })).toThrow("maxDuration: Invalid value: 10");
  });
});

describe("shrinking gives small readable counter-examples", () => {
  // A property that fails for every value: fast-check shrinks to the smallest value.
  const smallest = <T>(arb: fc.Arbitrary<T>): T => {
    const out = fc.check(
      fc.property(arb, () => false),
      { seed: 42, numRuns: 20 },
    );
    if (out.counterexample === null) throw new Error("the property did not fail");
    return out.counterexample[0] as T;
  };

  it("pod: a Running, Ready, unterminated pod-0 on node-1", () => {
    const p = smallest(pod());
    expect(p.metadata.name).toBe("pod-0");
    expect(p.metadata.deletionTimestamp).toBeUndefined();
    expect(p.spec.nodeName).toBe("node-1");
    expect(p.status?.phase).toBe("Running");
    expect(p.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
  });

  it("endpointSlice: the empty (placeholder) slice", () => {
    expect(smallest(endpointSlice()).endpoints).toEqual([]);
  });

  it("rolloutSettings: 1 replica, maxSurge 0, maxUnavailable 1", () => {
    expect(smallest(rolloutSettings())).toEqual({ replicas: 1, strategy: "RollingUpdate", maxSurge: 0, maxUnavailable: 1, minReadySeconds: 0 });
  });

  it("scenario: one node, one single-replica workload, one slow client, no churn, the shortest run; printed as text", () => {
    const s = smallest(scenario());
    expect(s.nodes).toEqual([{ name: "node-1", zone: "zone-a" }]);
    expect(s.workloads).toHaveLength(1);
    expect(s.workloads[0].deployment.spec.replicas).toBe(1);
    expect(s.clients).toEqual([{ name: "client-1", service: "api", node: "node-1", rate: 20, connections: { mode: "per-request" } }]);
    expect(s.schedule).toEqual([]);
    expect(s.duration).toBe(2000);
    expect(fc.stringify(s)).toBe(
      [
        "nodes: node-1 (zone-a)",
        "kube-proxy: iptables, minSyncPeriod 1000 ms",
        'workload api: replicas 1, RollingUpdate maxSurge 0 maxUnavailable 1, minReadySeconds 0, preStop none, grace 30 s; Service api ClusterIP internalTrafficPolicy Cluster, sessionAffinity None; app concurrency 1, 1 ms, on SIGTERM drain',
        "client client-1 on node-1 -> api: 20/s per-request",
        "duration 2000 ms",
      ].join("\n"),
    );
  });
});
