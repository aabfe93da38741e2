import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { scenario } from "./arbitrary/scenario.js";
import { checkConservation } from "./invariant/conservation.js";
import { checkDeterminism } from "./invariant/determinism.js";
import { checkReadyEndpointsOnly } from "./invariant/ready-endpoints.js";
import { checkRolloutBounds } from "./invariant/rollout-bounds.js";
import { installMatchers } from "./matchers.js";
import { runScenario } from "./run-scenario.js";
import { describeScenario, workloadManifests } from "./scenario.js";
import type { Scenario } from "./scenario.js";

// The kit's invariants over generated scenarios (every data plane, churn of every kind).
// Each run simulates a few seconds of a small cluster in ~10-30 ms; numRuns keep the
// file within a few seconds.

installMatchers(expect);

const seed = fc.integer({ min: 0, max: 0x7fffffff });

/** Fails with the checker's message and the scenario as text. */
function holds(verdict: { pass: boolean; message: string }, s: Scenario): void {
  if (!verdict.pass) throw new Error(`${verdict.message}\n--- scenario ---\n${describeScenario(s)}`);
}

describe("generated scenarios (properties)", () => {
  it("every request ends in exactly one outcome, and nothing is in flight after the drain", () => {
    fc.assert(
      fc.property(scenario({ connections: ["per-request", "keep-alive", "multiplexed"], maxRate: 100, churn: { maxActions: 5 } }), seed, (s, n) => {
        const r = runScenario(s, n);
        holds(checkConservation(r), s);
        expect(r.started).toBeGreaterThan(0);
      }),
      { numRuns: 25 },
    );
  });

  it("no new connection goes to an endpoint that is not usable once the client's node has synced", () => {
    fc.assert(
      fc.property(scenario({ connections: ["per-request"], churn: { maxActions: 6 }, minDuration: 5000, maxDuration: 12_000 }), seed, (s, n) => {
        const r = runScenario(s, n);
        holds(checkReadyEndpointsOnly(r), s);
      }),
      { numRuns: 25 },
    );
  });

  it("rollouts stay within replicas + maxSurge and replicas - maxUnavailable (scale and pod deletions excepted until complete)", () => {
    fc.assert(
      fc.property(
        scenario({ maxClients: 1, maxRate: 50, workload: { rollout: { strategies: ["RollingUpdate", "Recreate"] } }, churn: { maxActions: 5 }, minDuration: 10_000, maxDuration: 20_000 }),
        seed,
        (s, n) => {
          holds(checkRolloutBounds(runScenario(s, n)), s);
        },
      ),
      { numRuns: 20 },
    );
  });

  it("the same scenario and seed give the same digest and results", () => {
    fc.assert(
      fc.property(scenario({ churn: { maxActions: 3 } }), seed, (s, n) => {
        holds(checkDeterminism(s, n), s);
      }),
      { numRuns: 5 },
    );
  });
});

describe("runScenario", () => {
  const w = workloadManifests({
    name: "api",
    rollout: { replicas: 3, strategy: "RollingUpdate", maxSurge: 1, maxUnavailable: 0, minReadySeconds: 0 },
    policy: { type: "ClusterIP", internalTrafficPolicy: "Cluster", sessionAffinity: "None" },
    preStopSeconds: 5,
    terminationGracePeriodSeconds: 30,
    application: { concurrency: 4, meanServiceTimeMs: 5, onSigterm: "drain" },
  });
  const base: Scenario = {
    nodes: [{ name: "node-1", zone: "zone-a" }, { name: "node-2", zone: "zone-b" }],
    kubeProxy: { mode: "iptables" },
    workloads: [w],
    clients: [{ name: "c", service: "api", node: "node-2", rate: 100, connections: { mode: "per-request" } }],
    schedule: [
      { at: 1000, action: "rollout", deployment: "api" },
      { at: 20_000, action: "deletePod", deployment: "api", pod: 0 },
    ],
    duration: 15_000,
  };

  it("runs the schedule (actions at or after the duration do not run), drains, and keeps the observations", () => {
    const r = runScenario(base, 1);
    expect(r.inFlight).toBe(0);
    expect(r.observations.actions).toEqual(["t=1.000 s: rollout restart of api"]);
    expect(r.observations.rolloutSamples).toBeGreaterThan(10);
    expect(r.observations.connectionsChecked).toBe(r.started - r.outcomes.refused);
    // A safe rollout (maxUnavailable 0, preStop 5 s, draining app) loses nothing.
    expect(r.outcomes.completed).toBe(r.started);
    expect(r.seed).toBe(1);
    expect(r.scenario).toBe(base);
  });

  it.each([
    { name: "unknown Service", s: { ...base, clients: [{ ...base.clients[0], service: "nope" }] }, error: 'clients[0].service: Not found: "nope": the scenario\'s Services are default/api' },
    { name: "unknown node", s: { ...base, clients: [{ ...base.clients[0], node: "node-9" }] }, error: 'clients[0].node: Not found: "node-9": the scenario\'s nodes are node-1, node-2' },
    { name: "unknown Deployment", s: { ...base, schedule: [{ at: 0, action: "rollout" as const, deployment: "web" }] }, error: 'schedule[0].deployment: Not found: "web"' },
    { name: "negative duration", s: { ...base, duration: -1 }, error: "duration: Invalid value: -1: must be a finite number of ms >= 0" },
    { name: "bad action time", s: { ...base, schedule: [{ at: Number.NaN, action: "rollout" as const, deployment: "api" }] }, error: "schedule[0].at: Invalid value: NaN: must be a finite number of ms >= 0" },
  ])("refuses a scenario with an $name, naming the field", ({ s, error }) => {
    expect(() => runScenario(s, 1)).toThrow(error);
  });

  it("refuses invalid manifests as the API server does", () => {
    const bad: Scenario = { ...base, workloads: [{ ...w, service: { ...w.service, spec: { ...w.service.spec, ports: [{ name: "http", port: 80, targetPort: 70000 }] } } }] };
    expect(() => runScenario(bad, 1)).toThrow("spec.ports[0].targetPort: Invalid value: 70000");
  });
});

describe("traffic spread (property)", () => {
  it("per-request clients of a calm Service spread evenly over its pods under every balancing data plane (chi-square, alpha 0.001)", () => {
    // No churn, sessionAffinity None, internalTrafficPolicy Cluster, per-request clients
    // and 15 s of traffic: each new connection is balanced over all pods. Data planes
    // whose choice is not spread per connection are left out: IPVS sh and dh hash the
    // source or destination address (one client, one pod), mh hashes the source too, and
    // sed / nq prefer the first idle server at low load (net/netfilter/ipvs/ip_vs_*.c).
    // A correct balancer fails at alpha 0.001 with probability 1e-3 per run; at this
    // fixed seed the outcome is fixed. (With ipvs sh instead, the first run fails:
    // "chi-square 1572.000 vs critical 10.828 ... 10.244.0.3:8080 1572".)
    fc.assert(
      fc.property(
        scenario({
          maxWorkloads: 1,
          workload: { service: { internalTrafficPolicies: ["Cluster"], sessionAffinities: ["None"] }, rollout: { minReplicas: 2, maxReplicas: 5 } },
          kubeProxy: { modes: ["iptables", "nftables", "ipvs", "cilium"], ipvsSchedulers: ["rr", "wrr", "lc", "wlc"] },
          connections: ["per-request"],
          minRate: 100,
          churn: { maxActions: 0 },
          minDuration: 15_000,
          maxDuration: 15_000,
        }),
        seed,
        (s, n) => {
          const r = runScenario(s, n);
          const replicas = s.workloads[0].deployment.spec.replicas ?? 1;
          expect(r).toSpreadEvenly({ method: "chi-square", alpha: 0.001, endpoints: replicas });
        },
      ),
      { numRuns: 15 },
    );
  });
});
