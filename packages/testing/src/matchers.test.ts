import { describe, it, expect } from "vitest";
import fc from "fast-check";
import type { SimulationResults } from "@kube-netsim/scenario";
import { scenario } from "./arbitrary/scenario.js";
import { installMatchers } from "./matchers.js";
import { runScenario } from "./run-scenario.js";

installMatchers(expect);

// The matchers wrap the checkers: pass, fail with the checker's message, and `.not`.

const ok: SimulationResults = {
  time: 0,
  started: 4,
  inFlight: 0,
  outcomes: { completed: 4, refused: 0, reset: 0, timedOut: 0, dropped: 0 },
  latency: { count: 4, mean: 1, min: 1, max: 1, p50: 1, p90: 1, p99: 1, p999: 1 },
  endpoints: [
    { address: "10.244.0.2:8080", pod: "a", node: "node-1", completed: 2, share: 0.5 },
    { address: "10.244.0.3:8080", pod: "b", node: "node-1", completed: 2, share: 0.5 },
  ],
  syncsByNode: {},
  events: 0,
  digest: "0",
};
const lossy: SimulationResults = { ...ok, started: 5, outcomes: { ...ok.outcomes, refused: 1 } };
const uneven: SimulationResults = { ...ok, endpoints: [{ ...ok.endpoints[0], completed: 3 }, { ...ok.endpoints[1], completed: 1 }] };

describe("Vitest matchers", () => {
  it("toConserveRequests / toCompleteEveryRequest / toSpreadEvenly pass on good results", () => {
    expect(ok).toConserveRequests();
    expect(ok).toCompleteEveryRequest();
    expect(ok).toSpreadEvenly({ tolerance: 0 });
    expect(uneven).not.toSpreadEvenly({ tolerance: 0.1 });
    expect(lossy).not.toCompleteEveryRequest();
  });

  it("fail with the checker's message", () => {
    expect(() => expect(lossy).toCompleteEveryRequest()).toThrow("of 5 requests, 1 refused (only 4 completed)");
    expect(() => expect({ ...ok, started: 3 }).toConserveRequests()).toThrow("requests are not conserved: started 3 != ended 4");
    expect(() => expect(uneven).toSpreadEvenly({ tolerance: 0.1 })).toThrow("not spread evenly: largest deviation from the mean 2.0 is 50.00 %");
    expect(() => expect(ok).not.toConserveRequests()).toThrow("every one of the 4 requests ended in exactly one outcome");
  });

  it("say what they expected when given something else", () => {
    expect(() => expect(42).toConserveRequests()).toThrow("expected SimulationResults, received 42");
    expect(() => expect(ok).toConnectOnlyToReadyEndpoints()).toThrow("expected the ScenarioResults of runScenario, received an object with keys time, started");
    expect(() => expect(ok).toBeDeterministic(1)).toThrow("expected a Scenario, received an object with keys time");
  });

  it("scenario matchers run on runScenario's results and on a Scenario", () => {
    const [s] = fc.sample(scenario({ churn: { actions: ["rollout"] } }), { seed: 3, numRuns: 1 });
    const r = runScenario(s, 3);
    expect(r).toConserveRequests();
    expect(r).toConnectOnlyToReadyEndpoints();
    expect(r).toRespectRolloutBounds();
    expect(s).toBeDeterministic(3);
  });

  it("installMatchers is idempotent", () => {
    installMatchers(expect);
    expect(ok).toConserveRequests();
  });
});
