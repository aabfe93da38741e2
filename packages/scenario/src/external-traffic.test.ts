import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { exponential } from "@kube-netsim/core";
import type { Deployment, Service, ServiceSpec } from "@kube-netsim/model";
import type { ProxyMode } from "@kube-netsim/proxy";
import { Simulation } from "./simulation.js";
import type { SimulationOptions } from "./simulation.js";

// Traffic from outside the cluster, end to end. Two api pods on three nodes: the
// scheduler puts them on node-1 (10.244.0.2) and node-2 (10.244.1.2); node-3 has none.

function deployment(replicas: number): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api" },
    spec: {
      replicas,
      selector: { matchLabels: { app: "api" } },
      template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", ports: [{ containerPort: 8080 }] }] } },
    },
  };
}

function service(spec: Partial<ServiceSpec>): Service {
  return { apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080 }], ...spec } };
}

function cluster(spec: Partial<ServiceSpec>, options: Partial<SimulationOptions> = {}, replicas: number = 2): Simulation {
  const sim = new Simulation({ seed: 1, ...options });
  sim.apply([deployment(replicas), service(spec)]);
  sim.setApplication({ app: "api" }, { serviceTime: exponential(5) });
  sim.settle();
  return sim;
}

const nodePort = (sim: Simulation): number => sim.store.get("Service", "default", "api")?.spec.ports?.[0].nodePort ?? 0;

describe("Simulation: LoadBalancer Services", () => {
  it("stay pending without a load-balancer implementation, and an external client says why", () => {
    const sim = cluster({ type: "LoadBalancer" });
    expect(sim.loadBalancerIP("api")).toBeUndefined();
    expect(() => sim.addExternalClient({ name: "net", target: "lb", service: "api", rate: 10 })).toThrow(
      'external client "net": target: Invalid value: "lb": Service "api" is pending (EXTERNAL-IP <pending>): the cluster has no load-balancer implementation; give the Simulation a loadBalancer option',
    );
    // The NodePort works regardless.
    expect(nodePort(sim)).toBeGreaterThanOrEqual(30086);
  });

  it("get an ingress IP from the pool after the provisioning delay", () => {
    const sim = new Simulation({ seed: 1, loadBalancer: { ipPool: "198.51.100.0/24", provisioningDelay: 30_000 } });
    sim.apply([deployment(2), service({ type: "LoadBalancer" })]);
    sim.runFor(29_000);
    expect(sim.loadBalancerIP("api")).toBeUndefined();
    sim.runFor(2000);
    expect(sim.loadBalancerIP("api")).toBe("198.51.100.1");
    // Back to ClusterIP: the ingress is cleared and the address returns to the pool.
    sim.apply([service({})]);
    sim.runFor(100);
    expect(sim.loadBalancerIP("api")).toBeUndefined();
    expect(sim.store.get("Service", "default", "api")?.spec.ports?.[0].nodePort).toBeUndefined();
    sim.apply([{ ...service({ type: "LoadBalancer" }), metadata: { name: "web" } }]);
    sim.runFor(31_000);
    expect(sim.loadBalancerIP("web")).toBe("198.51.100.1");
  });

  it("externalTrafficPolicy Cluster: every node is healthy and forwards; pods on other nodes are an extra hop and see the node's IP", () => {
    const sim = cluster({ type: "LoadBalancer" }, { loadBalancer: {} });
    sim.addExternalClient({ name: "net", target: "lb", service: "api", rate: 300 });
    sim.runFor(20_000);
    sim.drain();
    const r = sim.results();
    expect(r.outcomes).toMatchObject({ refused: 0, timedOut: 0 });
    expect(r.outcomes.completed).toBe(r.started);
    const ext = r.external?.net;
    expect(ext).toBeDefined();
    const e = ext!.byEntryNode;
    const total = e["node-1"].connections + e["node-2"].connections + e["node-3"].connections;
    expect(total).toBe(r.started);
    // The load balancer spreads uniformly over 3 healthy nodes: 1/3 each within 0.03 at this seed (n ~ 6000).
    for (const n of ["node-1", "node-2", "node-3"]) expect(Math.abs(e[n].connections / total - 1 / 3)).toBeLessThan(0.03);
    // node-3 has no endpoint: everything it takes goes to another node.
    expect(e["node-3"].toLocalEndpoint).toBe(0);
    expect(e["node-3"].toOtherNode).toBe(e["node-3"].connections);
    // Masquerade: the pods never see the client's IP, only the node of entry's.
    expect(Object.keys(ext!.sourceIPSeen).sort()).toEqual(["10.0.0.10", "10.0.0.11", "10.0.0.12"]);
    expect(sim.loadBalancerHealthyNodes("api")).toEqual(["node-1", "node-2", "node-3"]);
  });

  it("externalTrafficPolicy Local: health checks 200/503 steer the load balancer to nodes with endpoints, the client IP is preserved", () => {
    const sim = cluster({ type: "LoadBalancer", externalTrafficPolicy: "Local" }, { loadBalancer: {} });
    const svc = sim.store.get("Service", "default", "api");
    expect(svc?.spec.healthCheckNodePort).toBeGreaterThanOrEqual(30086);
    expect(sim.kubeProxy("node-1").healthCheck("default", "api")).toEqual({ statusCode: 200, localEndpoints: 1, serviceProxyHealthy: true });
    expect(sim.kubeProxy("node-3").healthCheck("default", "api")).toEqual({ statusCode: 503, localEndpoints: 0, serviceProxyHealthy: true });
    sim.addExternalClient({ name: "net", target: "lb", service: "api", rate: 300, sourceIP: "203.0.113.77" });
    expect(sim.loadBalancerHealthyNodes("api")).toEqual(["node-1", "node-2"]);
    sim.runFor(20_000);
    sim.drain();
    const r = sim.results();
    expect(r.outcomes.completed).toBe(r.started);
    const e = r.external!.net.byEntryNode;
    expect(e["node-3"].connections).toBe(0);
    expect(e["node-1"].toOtherNode + e["node-2"].toOtherNode).toBe(0);
    expect(r.external!.net.sourceIPSeen).toEqual({ "203.0.113.77": r.started });
    // No request crossed a zone: each entered where its endpoint is.
    expect(sim.crossZoneTraffic().crossZone).toBe(0);
  });

  it("Local: when a node loses its endpoint, the load balancer keeps sending to it until 3 failed checks (24 s), and those connections time out", () => {
    const sim = cluster({ type: "LoadBalancer", externalTrafficPolicy: "Local" }, { loadBalancer: {} });
    sim.addExternalClient({ name: "net", target: "lb", service: "api", rate: 200, connectTimeout: 1000 });
    sim.runFor(10_000);
    const before = sim.results().outcomes.timedOut;
    expect(before).toBe(0);
    const onNode1 = sim.pods({ app: "api" }).find((p) => p.spec.nodeName === "node-1")!;
    sim.store.mutate("Node", undefined, "node-1", (n) => {
      n.spec = { ...n.spec, unschedulable: true };
    });
    sim.deletePod(onNode1.metadata.name);
    sim.runFor(5000);
    expect(sim.kubeProxy("node-1").healthCheck("default", "api").statusCode).toBe(503);
    expect(sim.loadBalancerHealthyNodes("api")).toContain("node-1");
    sim.runFor(30_000);
    expect(sim.loadBalancerHealthyNodes("api")).not.toContain("node-1");
    const lost = sim.results().outcomes.timedOut;
    // Requests to node-1 between its last endpoint's removal and the third failed check:
    // about a third of 200/s for 16-24 s, i.e. between 600 and 1900.
    expect(lost).toBeGreaterThan(600);
    expect(lost).toBeLessThan(1900);
    sim.runFor(10_000);
    expect(sim.results().outcomes.timedOut).toBe(lost);
    sim.drain();
  });
});

describe("Simulation: kube-proxy health and the load balancer (pkg/proxy/healthcheck/proxy_health.go)", () => {
  it("Cluster: a kube-proxy stalled while changes arrive fails /healthz 60 s (2 x syncPeriod) after the first one, and the load balancer stops sending to its node", () => {
    const sim = cluster({ type: "LoadBalancer" }, { loadBalancer: {} });
    sim.addExternalClient({ name: "net", target: "lb", service: "api", rate: 200 });
    sim.runFor(10_000);
    expect(sim.loadBalancerHealthyNodes("api")).toEqual(["node-1", "node-2", "node-3"]);
    const stalledAt = sim.now;
    sim.stallKubeProxy("node-3", 300_000);
    // Nothing to sync yet: still healthy, however long the stall.
    sim.runFor(70_000);
    expect(sim.kubeProxy("node-3").healthz().statusCode).toBe(200);
    // A change (scale to 3) reaches node-3's kube-proxy, which cannot sync it.
    sim.scale("api", 3);
    // Step until the first change reaches node-3's kube-proxy (it is then out of sync).
    while (sim.kubeProxy("node-3").inSync) sim.runFor(1);
    const changedAt = sim.now;
    sim.runFor(59_998);
    expect(sim.kubeProxy("node-3").healthz().statusCode).toBe(200);
    sim.runFor(3);
    expect(sim.kubeProxy("node-3").healthz()).toEqual({ statusCode: 503, healthy: false, nodeEligible: true });
    // Three failed checks 8 s apart later (24 s), the load balancer drops node-3.
    sim.runFor(30_000);
    expect(sim.loadBalancerHealthyNodes("api")).toEqual(["node-1", "node-2"]);
    const entered = sim.results().external!.net.byEntryNode["node-3"].connections;
    sim.runFor(20_000);
    expect(sim.results().external!.net.byEntryNode["node-3"].connections).toBe(entered);
    expect(changedAt - stalledAt).toBeGreaterThanOrEqual(70_000);
    sim.drain();
  });
});

describe("Simulation: NodePorts and externalIPs", () => {
  it("REJECT vs DROP per policy: NodePort on a node without endpoints times out under Local, works under Cluster; no endpoint at all is refused", () => {
    for (const etp of ["Cluster", "Local"] as const) {
      const sim = cluster({ type: "NodePort", externalTrafficPolicy: etp });
      sim.addExternalClient({ name: "net", target: `${sim.nodeIP("node-3")}:${nodePort(sim)}`, rate: 50 });
      sim.runFor(10_000);
      const o = sim.results().outcomes;
      if (etp === "Cluster") expect(o.timedOut).toBe(0);
      else expect(o.completed).toBe(0);
      sim.scale("api", 0);
      sim.runFor(40_000);
      const before = sim.results().outcomes;
      sim.runFor(10_000);
      sim.drain();
      const after = sim.results().outcomes;
      // With no endpoint anywhere every new connection is refused (REJECT), under both policies.
      expect(after.refused - before.refused).toBeGreaterThan(400);
      expect(after.timedOut - before.timedOut).toBe(0);
      expect(after.completed - before.completed).toBe(0);
    }
  });

  it("short-circuit: a pod on a node without endpoints calling that node's NodePort under Local reaches the Cluster endpoints, keeping its own IP", () => {
    const sim = cluster({ type: "NodePort", externalTrafficPolicy: "Local" });
    sim.addClient({ name: "pod", target: `${sim.nodeIP("node-3")}:${nodePort(sim)}`, rate: 100, node: "node-3" });
    sim.runFor(10_000);
    sim.drain();
    const r = sim.results();
    expect(r.outcomes.completed).toBe(r.started);
    const ext = r.external!.pod;
    expect(ext.byEntryNode["node-3"].toOtherNode).toBe(r.started);
    expect(Object.keys(ext.sourceIPSeen)).toEqual(["10.244.2.2"]);
  });

  it("externalIPs: traffic enters at the chosen node and follows the Service's policy", () => {
    const sim = cluster({ externalIPs: ["198.51.100.7"] });
    sim.addExternalClient({ name: "net", target: "198.51.100.7:80", node: "node-2", rate: 100 });
    sim.runFor(10_000);
    sim.drain();
    const r = sim.results();
    expect(r.outcomes.completed).toBe(r.started);
    expect(Object.keys(r.external!.net.byEntryNode)).toEqual(["node-2"]);
  });

  it("refuses targets that are not external addresses, and duplicate client names", () => {
    const sim = cluster({ type: "NodePort" });
    expect(() => sim.addExternalClient({ name: "x", target: "10.99.0.1:80", rate: 1 })).toThrow(
      'external client "x": target: Invalid value: "10.99.0.1:80": 10.99.0.1 is not a node IP, a load-balancer ingress IP or an externalIP of any Service',
    );
    sim.addClient({ name: "dup", target: "api:80", rate: 1 });
    expect(() => sim.addExternalClient({ name: "dup", target: `${sim.nodeIP("node-1")}:${nodePort(sim)}`, rate: 1 })).toThrow('name: Duplicate value: "dup"');
  });
});

describe("Simulation: external traffic on every data plane", () => {
  const modes: ProxyMode[] = ["iptables", "nftables", "ipvs", "cilium"];
  it.each(modes)("%s: LB Local serves everything from local endpoints; NodePort on node-3 under Local times out; same seed, same digest", (mode) => {
    const run = (): ReturnType<Simulation["results"]> => {
      const sim = cluster({ type: "LoadBalancer", externalTrafficPolicy: "Local" }, { loadBalancer: {}, kubeProxy: { mode } });
      sim.addExternalClient({ name: "net", target: "lb", service: "api", rate: 100 });
      sim.addExternalClient({ name: "np3", target: `${sim.nodeIP("node-3")}:${nodePort(sim)}`, rate: 10 });
      sim.runFor(20_000);
      sim.drain();
      return sim.results();
    };
    const r = run();
    const net = r.external!.net.byEntryNode;
    expect(net["node-3"].connections).toBe(0);
    expect(net["node-1"].dropped + net["node-2"].dropped).toBe(0);
    const np3 = r.external!.np3.byEntryNode["node-3"];
    expect(np3.dropped).toBe(np3.connections);
    expect(r.outcomes.timedOut).toBe(np3.connections);
    expect(r.outcomes.completed + r.outcomes.timedOut).toBe(r.started);
    expect(run().digest).toBe(r.digest);
  });
});

describe("Simulation: cross-zone accounting", () => {
  it("externalTrafficPolicy Cluster through the LB: 2/3 of requests cross a zone (entry uniform over 3 zones, endpoints in 2), within 0.03", () => {
    const sim = cluster({ type: "LoadBalancer" }, { loadBalancer: {} });
    sim.addExternalClient({ name: "net", target: "lb", service: "api", rate: 300 });
    sim.runFor(20_000);
    sim.drain();
    const x = sim.crossZoneTraffic();
    expect(x.requests).toBe(sim.results().started);
    expect(Math.abs(x.share - 2 / 3)).toBeLessThan(0.03);
    expect(Object.keys(x.byZonePair)).toEqual(["zone-a -> zone-a", "zone-a -> zone-b", "zone-b -> zone-a", "zone-b -> zone-b", "zone-c -> zone-a", "zone-c -> zone-b"]);
    expect(sim.crossZoneTraffic({ requestBytes: 800, responseBytes: 4000 }).crossZoneBytes).toBe(x.crossZone * 4800);
    expect(() => sim.crossZoneTraffic({ requestBytes: -1 })).toThrow("crossZoneTraffic: requestBytes + responseBytes: Invalid value: -1: must be a finite number >= 0");
  });

  it("a pod client in zone-a calling a ClusterIP: half of its requests go to zone-b", () => {
    const sim = cluster({});
    sim.addClient({ name: "frontend", target: "api:80", rate: 300, node: "node-1" });
    sim.runFor(20_000);
    sim.drain();
    const x = sim.crossZoneTraffic();
    expect(x.requests).toBe(sim.results().outcomes.completed);
    expect(Math.abs(x.share - 0.5)).toBeLessThan(0.03);
    expect(sim.results().external).toBeUndefined();
  });
});

describe("Simulation.apply: NodePorts", () => {
  it("a list asking for a taken NodePort is refused as a whole, with the API server's message", () => {
    const sim = new Simulation({ seed: 1 });
    sim.apply([{ ...service({ type: "NodePort", ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] }), metadata: { name: "a" } }]);
    const b = { ...service({ type: "NodePort", ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] }), metadata: { name: "b" } };
    const c = { ...service({ type: "NodePort" }), metadata: { name: "c" } };
    expect(() => sim.apply([c, b])).toThrow('Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
    expect(sim.store.get("Service", "default", "c")).toBeUndefined();
    expect(sim.store.nodePorts.allocated).toBe(1);
    // Re-applying the same Service keeps its port.
    sim.apply([{ ...service({ type: "NodePort", ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] }), metadata: { name: "a" } }]);
    expect(sim.store.nodePorts.allocated).toBe(1);
  });
});

describe("Simulation: source IP of short-circuited pod traffic", () => {
  it.each([
    ["iptables", "Cluster", "node"],
    ["iptables", "Local", "pod"],
    ["nftables", "Cluster", "node"],
    ["cilium", "Cluster", "pod"],
  ] as const)("%s, externalTrafficPolicy %s: the endpoint sees the %s IP", (mode, etp, seen) => {
    const sim = cluster({ type: "LoadBalancer", externalTrafficPolicy: etp }, { loadBalancer: {}, kubeProxy: { mode } });
    const lb = sim.loadBalancerIP("api") as string;
    sim.addClient({ name: "pod", target: `${lb}:80`, rate: 50, node: "node-3" });
    sim.runFor(5000);
    sim.drain();
    const r = sim.results();
    expect(r.outcomes.completed).toBe(r.started);
    expect(r.external!.pod.byEntryNode["node-3"].connections).toBe(r.started);
    expect(Object.keys(r.external!.pod.sourceIPSeen)).toEqual([seen === "node" ? sim.nodeIP("node-3") : "10.244.2.2"]);
  });
});

describe("Simulation: external traffic properties", () => {
  const FC = { seed: Number(process.env.FC_SEED ?? 20261204), numRuns: 12 };
  it("property: every external request ends in exactly one outcome, and each entered exactly one node with one fate", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<ProxyMode>("iptables", "nftables", "ipvs", "cilium"),
        fc.constantFrom<"Cluster" | "Local">("Cluster", "Local"),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 1, max: 1000 }),
        (mode, etp, replicas, seed) => {
          const sim = new Simulation({ seed, loadBalancer: {}, kubeProxy: { mode } });
          sim.apply([deployment(replicas), service({ type: "LoadBalancer", externalTrafficPolicy: etp })]);
          sim.setApplication({ app: "api" }, { serviceTime: exponential(5) });
          sim.settle();
          sim.addExternalClient({ name: "lb", target: "lb", service: "api", rate: 100 });
          sim.addExternalClient({ name: "np", target: `${sim.nodeIP("node-2")}:${nodePort(sim)}`, rate: 50 });
          sim.at(sim.now + 1500, (s) => s.scale("api", (replicas + 1) % 4));
          sim.runFor(4000);
          sim.drain();
          const r = sim.results();
          const o = r.outcomes;
          if (r.inFlight !== 0 || o.completed + o.refused + o.reset + o.timedOut + o.dropped !== r.started) return false;
          let connections = 0;
          for (const c of Object.values(r.external ?? {})) {
            for (const e of Object.values(c.byEntryNode)) {
              if (e.toLocalEndpoint + e.toOtherNode + e.rejected + e.dropped !== e.connections) return false;
              connections += e.connections;
            }
          }
          return connections === r.started;
        },
      ),
      FC,
    );
  });
});

describe("Simulation: NodePort range and load-balancer trace", () => {
  it("a full --service-node-port-range refuses the next NodePort Service with the allocator's error", () => {
    const sim = new Simulation({ seed: 1, serviceNodePortRange: "30000-30001" });
    sim.apply([{ ...service({ type: "NodePort", ports: [{ name: "a", port: 80, targetPort: 8080 }, { name: "b", port: 81, targetPort: 8080 }] }), metadata: { name: "a" } }]);
    expect(() => sim.apply([{ ...service({ type: "NodePort" }), metadata: { name: "b" } }])).toThrow("failed to allocate a nodePort: range is full");
    expect(sim.store.get("Service", "default", "b")).toBeUndefined();
    expect(sim.store.clusterIPs.allocated).toBe(2); // the kubernetes Service and "a": no address was left behind
  });

  it("health transitions of the load balancer are in the trace", () => {
    const sim = new Simulation({ seed: 1, loadBalancer: {}, keepTrace: 10_000 });
    sim.apply([deployment(2), service({ type: "LoadBalancer", externalTrafficPolicy: "Local" })]);
    sim.setApplication({ app: "api" }, { serviceTime: exponential(5) });
    sim.settle();
    sim.addExternalClient({ name: "net", target: "lb", service: "api", rate: 10 });
    sim.runFor(1000);
    const health = sim.trace.records().filter((r) => r.kind === "load-balancer.health");
    expect(health.map((r) => r.fields)).toEqual([
      { service: "default/api", node: "node-1", healthy: true },
      { service: "default/api", node: "node-2", healthy: true },
    ]);
    sim.drain();
  });
});
