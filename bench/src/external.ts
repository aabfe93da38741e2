/**
 * What traffic from outside costs per request: the same load (10 pods, 3 nodes, iptables,
 * per-request connections) from a pod client on a ClusterIP, and from an external client
 * through a load balancer with externalTrafficPolicy Cluster and Local. The external path
 * adds one node choice (a random draw over the healthy nodes) and the route's counters.
 *
 * Usage: node bench/dist/external.js [--seconds S] [--rate R]
 * Last line: external clusterip_ns=<x> lb_cluster_ns=<y> lb_local_ns=<z>
 */
import { exponential } from "@kube-netsim/core";
import type { Deployment, Service } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";

const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const SECONDS = arg("--seconds", 60);
const RATE = arg("--rate", 20_000);

function run(kind: "clusterip" | "Cluster" | "Local"): { ns: number; requests: number } {
  const deployment: Deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api" },
    spec: { replicas: 10, selector: { matchLabels: { app: "api" } }, template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", ports: [{ containerPort: 8080 }] }] } } },
  };
  const spec: Service["spec"] = kind === "clusterip" ? {} : { type: "LoadBalancer", externalTrafficPolicy: kind };
  const service: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080 }], ...spec } };
  const sim = new Simulation({ seed: 1, loadBalancer: {} });
  sim.apply([deployment, service]);
  sim.setApplication({ app: "api" }, { concurrency: 64, serviceTime: exponential(1) });
  sim.settle();
  if (kind === "clusterip") sim.addClient({ name: "c", target: "api:80", rate: RATE });
  else sim.addExternalClient({ name: "c", target: "lb", service: "api", rate: RATE });
  const r0 = sim.results().started;
  const t0 = performance.now();
  sim.runFor(SECONDS * 1000);
  const ms = performance.now() - t0;
  const requests = sim.results().started - r0;
  return { ns: (ms * 1e6) / requests, requests };
}

run("clusterip"); // warm-up
const c = run("clusterip");
const lc = run("Cluster");
const ll = run("Local");
console.log(`${c.requests} requests per run (${RATE}/s for ${SECONDS} s): ClusterIP ${c.ns.toFixed(0)} ns/request, LoadBalancer Cluster ${lc.ns.toFixed(0)}, Local ${ll.ns.toFixed(0)}`);
console.log(`external clusterip_ns=${c.ns.toFixed(0)} lb_cluster_ns=${lc.ns.toFixed(0)} lb_local_ns=${ll.ns.toFixed(0)}`);
