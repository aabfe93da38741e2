import { describe, it, expect } from "vitest";
import { constant, exponential } from "@kube-netsim/core";
import type { Deployment, Service } from "@kube-netsim/model";
import { Simulation } from "./simulation.js";

// Closed-loop clients through the facade: `users` and `thinkTime` (seed 3).

const deployment: Deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "api", labels: { app: "api" } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "api" } },
    template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", image: "example/api:1.0", ports: [{ containerPort: 8080 }] }] } },
  },
};
const service: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080 }] } };

function cluster(serviceTime = exponential(5)): Simulation {
  const sim = new Simulation({ seed: 3 });
  sim.apply([deployment, service]);
  sim.setApplication({ app: "api" }, { concurrency: 1, serviceTime });
  sim.settle();
  return sim;
}

describe("Simulation.addClient: closed loop (users, thinkTime)", () => {
  it("one user, constant service 10 ms and think 40 ms: 20 requests a second, exactly", () => {
    const sim = cluster(constant(10));
    sim.addClient({ name: "user", target: "http://api:80", users: 1, thinkTime: constant(40) });
    const before = sim.results().outcomes.completed;
    sim.runFor(10_000);
    const r = sim.results();
    expect(r.outcomes.completed - before).toBe(200);
    expect(r.started).toBe(r.outcomes.completed + r.outcomes.refused + r.outcomes.reset + r.outcomes.timedOut + r.outcomes.dropped + r.inFlight);
  });

  it("Little's law: 10 users, think exponential(20): N = X (R + Z) within 2%", () => {
    const sim = cluster();
    sim.addClient({ name: "users", target: "http://api:80", users: 10, thinkTime: exponential(20) });
    const t0 = sim.now;
    sim.runFor(120_000);
    const r = sim.results();
    const X = r.outcomes.completed / (sim.now - t0);
    expect(Math.abs(X * (r.latency.mean + 20) - 10) / 10).toBeLessThan(0.02);
  });

  it.each([
    ["rate and users", { rate: 10, users: 2 }, 'client "c": users: Forbidden: give exactly one of rate, interarrival or users'],
    ["interarrival and users", { interarrival: constant(5), users: 2 }, 'client "c": users: Forbidden: give exactly one of rate, interarrival or users'],
    ["users 0", { users: 0 }, 'client "c": users: Invalid value: 0: must be an integer >= 1'],
    ["thinkTime without users", { rate: 10, thinkTime: constant(5) }, 'client "c": thinkTime: Forbidden: only with users'],
    ["nothing", {}, 'client "c": rate: Invalid value: undefined: must be a number of requests per second > 0 (or give interarrival or users)'],
  ] as const)("rejects %s with the field path", (_name, o, message) => {
    const sim = cluster();
    expect(() => sim.addClient({ name: "c", target: "http://api:80", ...o })).toThrow(message);
  });
});
