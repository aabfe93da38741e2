/**
 * What probes cost: P pods, each with a startup, a readiness and a liveness probe (all
 * defaults: every 10 s), idle for 10 virtual minutes, against the same pods without probes.
 * One timer per pod and active probe, no per-request cost: the difference is the probe ticks.
 *
 * Usage: node bench/dist/probes.js [--pods P]
 * Last line: probes pods=<P> probe_events=<n> ns_per_probe=<x>
 */
import { exponential } from "@kube-netsim/core";
import type { Container, Deployment, Service } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";

const args = process.argv.slice(2);
const podsIdx = args.indexOf("--pods");
const PODS = podsIdx >= 0 ? Number(args[podsIdx + 1]) : 1000;

function idle(probes: boolean): { ms: number; events: number } {
  const container: Container = { name: "api", ports: [{ containerPort: 8080 }], ...(probes ? { startupProbe: {}, readinessProbe: {}, livenessProbe: {} } : {}) };
  const deployment: Deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api" },
    spec: { replicas: PODS, selector: { matchLabels: { app: "api" } }, template: { metadata: { labels: { app: "api" } }, spec: { containers: [container] } } },
  };
  const service: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080 }] } };
  // 1,000 pods on 10 nodes is 100 per node, within a kubelet's default --max-pods of 110;
  // a larger --pods needs more, and a kubelet's --max-pods can be raised (maxPodsPerNode).
  const sim = new Simulation({ seed: 1, nodes: 10, maxPodsPerNode: Math.max(110, Math.ceil(PODS / 10) + 10) });
  sim.apply([deployment, service]);
  sim.setApplication({ app: "api" }, { serviceTime: exponential(5) });
  sim.settle();
  const e0 = sim.results().events;
  const t0 = performance.now();
  sim.runFor(600_000);
  return { ms: performance.now() - t0, events: sim.results().events - e0 };
}

const base = idle(false);
const withProbes = idle(true);
const probeEvents = withProbes.events - base.events;
const ns = ((withProbes.ms - base.ms) * 1e6) / probeEvents;
console.log(`${PODS} pods idle for 10 min: ${base.events} events in ${base.ms.toFixed(1)} ms without probes, ${withProbes.events} in ${withProbes.ms.toFixed(1)} ms with three probes each`);
console.log(`probes pods=${PODS} probe_events=${probeEvents} ns_per_probe=${ns.toFixed(0)}`);
