import { it } from "vitest";
import { exponential } from "@kube-netsim/core";
import type { Deployment, Service } from "@kube-netsim/model";
import { Simulation } from "./simulation.js";

const dep: Deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api" }, spec: { replicas: 2, selector: { matchLabels: { app: "api" } }, template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", ports: [{ containerPort: 8080 }] }] } } } };
const svc = (etp: "Cluster" | "Local"): Service => ({ apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { type: "LoadBalancer", externalTrafficPolicy: etp, selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080 }] } });

it("explore", () => {
  for (const mode of ["iptables", "nftables", "ipvs", "cilium"] as const) for (const etp of ["Cluster", "Local"] as const) {
    const sim = new Simulation({ seed: 1, loadBalancer: {}, kubeProxy: { mode } });
    sim.apply([dep, svc(etp)]);
    sim.setApplication({ app: "api" }, { serviceTime: exponential(5) });
    sim.settle();
    const s = sim.store.get("Service", "default", "api")!;
    console.log(mode, etp, JSON.stringify(s.spec.ports), s.spec.healthCheckNodePort, JSON.stringify(s.status), sim.pods().map((p) => p.spec.nodeName + " " + p.status?.podIP).join(","));
    sim.addExternalClient({ name: "net", target: "lb", service: "api", rate: 100 });
    const np = s.spec.ports![0].nodePort!;
    sim.addExternalClient({ name: "np3", target: `${sim.nodeIP("node-3")}:${np}`, rate: 10 });
    sim.addClient({ name: "pod3", target: `${sim.nodeIP("node-3")}:${np}`, rate: 10, node: "node-3" });
    sim.runFor(20000);
    sim.drain();
    const r = sim.results();
    console.log(JSON.stringify(r.outcomes), JSON.stringify(r.external, null, 0), sim.loadBalancerHealthyNodes("api"), JSON.stringify(sim.crossZoneTraffic()));
    if (mode === "iptables" && etp === "Local") console.log(sim.kubeProxy("node-1").ruleset());
  }
});
