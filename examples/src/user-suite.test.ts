/**
 * An example of kube-netsim imported into a team's own test suite.
 *
 * The claim: "our rollout settings (user-manifests.ts) never refuse, reset or lose a
 * request under IPVS with the least-connection scheduler, whatever happens: rollouts,
 * pods deleted, scaling between 2 and 6 replicas". fast-check draws churn schedules, node
 * layouts and client mixes; each is run with `runScenario` and checked with the kit's
 * matchers. When the claim is false, fast-check shrinks the failure to a small schedule
 * and prints it as text (see the last test, which removes the preStop hook on purpose).
 */
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Deployment } from "@kube-netsim/model";
import { installMatchers, nodeLayout, runScenario, scenario } from "@kube-netsim/testing";
import type { Scenario, Workload } from "@kube-netsim/testing";
import { checkout } from "./user-manifests.js";

beforeAll(() => installMatchers(expect));

/** Our scenarios: our workload, IPVS lc, 2-4 nodes, 1-3 clients, up to 5 churn actions in 20 s. */
const ourScenarios = (w: Workload = checkout): fc.Arbitrary<Scenario> =>
  scenario({
    workloads: [w],
    nodes: { minNodes: 2, maxNodes: 4 },
    kubeProxy: { modes: ["ipvs"], ipvsSchedulers: ["lc"] },
    minClients: 1,
    maxClients: 3,
    minRate: 50,
    maxRate: 400,
    connections: ["per-request", "keep-alive"],
    churn: { actions: ["rollout", "deletePod", "scale"], minReplicas: 2, maxReplicas: 6, maxActions: 5 },
    minDuration: 15_000,
    maxDuration: 15_000,
  });

describe("checkout: our rollout settings under IPVS lc (property)", () => {
  it("never refuse, reset or lose a request, whatever the churn", () => {
    fc.assert(
      fc.property(ourScenarios(), fc.nat(), (s, seed) => {
        const results = runScenario(s, seed);
        expect(results).toConserveRequests();
        expect(results).toCompleteEveryRequest();
      }),
      { numRuns: 10 },
    );
  });

  it("new connections only go to ready pods once a node has synced, and rollouts stay within replicas + maxSurge and replicas - maxUnavailable", () => {
    fc.assert(
      fc.property(ourScenarios(), fc.nat(), (s, seed) => {
        const results = runScenario(s, seed);
        expect(results).toConnectOnlyToReadyEndpoints();
        expect(results).toRespectRolloutBounds();
      }),
      { numRuns: 8 },
    );
  });

  it("a run is reproducible from its seed", () => {
    const [s] = fc.sample(ourScenarios(), { seed: 7, numRuns: 1 });
    expect(s).toBeDeterministic(7);
  });

  it("per-request clients spread evenly over our 4 pods when nothing churns (chi-square, alpha 0.001)", () => {
    const calm: Scenario = {
      nodes: fc.sample(nodeLayout({ minNodes: 3, maxNodes: 3 }), { seed: 1, numRuns: 1 })[0],
      kubeProxy: { mode: "ipvs", ipvs: { scheduler: "lc" } },
      workloads: [checkout],
      clients: [{ name: "frontend", service: "checkout", node: "node-1", rate: 400, connections: { mode: "per-request" } }],
      schedule: [],
      duration: 30_000,
    };
    // lc sends each connection to the pod with the fewest: far more even than random.
    expect(runScenario(calm, 3)).toSpreadEvenly({ method: "chi-square", alpha: 0.001, endpoints: 4 });
  });
});

describe("the same claim without the preStop hook is false, and fast-check says why", () => {
  const withoutPreStop: Deployment = {
    ...checkout.deployment,
    spec: {
      ...checkout.deployment.spec,
      template: {
        ...checkout.deployment.spec.template,
        spec: { ...checkout.deployment.spec.template.spec, containers: checkout.deployment.spec.template.spec.containers.map(({ lifecycle: _, ...c }) => c) },
      },
    },
  };

  it("some churn schedule loses requests; the counter-example is a short schedule", () => {
    const out = fc.check(
      fc.property(ourScenarios({ ...checkout, deployment: withoutPreStop, application: { ...checkout.application, onSigterm: "exit" } }), fc.nat(), (s, seed) => {
        expect(runScenario(s, seed)).toCompleteEveryRequest();
      }),
      { numRuns: 30 },
    );
    expect(out.failed).toBe(true);
    const [s] = out.counterexample as [Scenario, number];
    // Shrunk to one action: a pod that stops at once while kube-proxy still sends it requests.
    expect(s.schedule.length).toBe(1);
  });
});
