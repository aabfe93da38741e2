import { describe, it, expect } from "vitest";
import { exponential } from "@kube-netsim/core";
import type { Deployment, EndpointSlice, Service } from "@kube-netsim/model";
import { Simulation } from "./simulation.js";

// A Service without a selector gets no EndpointSlices from the controller
// (pkg/controller/endpointslice/endpointslice_controller.go syncService returns early
// when Spec.Selector is nil); its endpoints are whatever slices the user writes, linked
// by the kubernetes.io/service-name label (staging/src/k8s.io/endpointslice/utils.go).

const backend: Deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "legacy-db" },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "legacy-db" } },
    template: { metadata: { labels: { app: "legacy-db" } }, spec: { containers: [{ name: "db", ports: [{ containerPort: 5432 }] }] } },
  },
};

const selectorless: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "db" }, spec: { ports: [{ name: "pg", port: 5432, targetPort: 5432 }] } };

function handMadeSlice(addresses: string[]): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "db-1", labels: { "kubernetes.io/service-name": "db" } },
    addressType: "IPv4",
    endpoints: addresses.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: [{ name: "pg", port: 5432, protocol: "TCP" }],
  };
}

describe("Simulation: a Service without a selector and a hand-made EndpointSlice", () => {
  function cluster(): Simulation {
    const sim = new Simulation({ seed: 5 });
    sim.apply([backend, selectorless]);
    sim.setApplication({ app: "legacy-db" }, { serviceTime: exponential(2) });
    sim.settle();
    return sim;
  }

  it("gets no EndpointSlice from the controller, so its ClusterIP refuses connections", () => {
    const sim = cluster();
    sim.addClient({ name: "c", target: "db:5432", rate: 50 });
    sim.runFor(2_000);
    sim.drain();
    const r = sim.results();
    expect(r.outcomes.completed).toBe(0);
    expect(r.outcomes.refused).toBe(r.started);
    expect(r.started).toBeGreaterThan(50);
  });

  it("serves through the slice the user wrote, spread over its endpoints, and the controller leaves it alone", () => {
    const sim = cluster();
    const ips = sim.pods({ app: "legacy-db" }).map((p) => p.status?.podIP as string);
    expect(ips).toHaveLength(2);
    sim.apply([handMadeSlice(ips)]);
    sim.settle();
    sim.addClient({ name: "c", target: "db:5432", rate: 200 });
    sim.runFor(20_000);
    sim.drain();
    const r = sim.results();
    expect(r.outcomes.completed).toBe(r.started);
    expect(r.endpoints.map((e) => e.address).sort()).toEqual(ips.map((ip) => `${ip}:5432`).sort());
    // Uniform choice over 2 endpoints: each share within 0.5 +- 0.03 at this seed (about 4,000 requests).
    for (const e of r.endpoints) expect(Math.abs(e.completed / r.outcomes.completed - 0.5)).toBeLessThan(0.03);
    const slices = sim.store.list("EndpointSlice").filter((s) => s.metadata.labels?.["kubernetes.io/service-name"] === "db");
    expect(slices.map((s) => s.metadata.name)).toEqual(["db-1"]);
  });
});
