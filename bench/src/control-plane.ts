/**
 * The control plane at scale (issue 9), through the public `Simulation` API: n pods over
 * n / 100 nodes and n / 10 Services (one Deployment of 10 replicas behind each), built and
 * settled, then a rolling update of 10% of the Deployments (a new image), settled again.
 * Every write goes through the API server; every EndpointSlice update and every node's
 * kube-proxy sync is simulated (no client traffic: this measures the control plane).
 *
 * Usage: node bench/dist/control-plane.js [pods ...]   (default: 1000 10000 30000)
 * 50,000 pods and more need a larger heap (`node --max-old-space-size=12000`); 100,000
 * pods (1,000 nodes, 10,000 Services) take about 4-5 minutes and 10 GB: see bench/README.md.
 * The smallest size runs once untimed first, so that the JIT's warm-up is not in the table.
 * Prints a table (pods, nodes, services, events, kube-proxy syncs and Service programs
 * summed over nodes, wall s, virtual s, virtual s per wall s, µs per pod, the growth of the
 * wall time against n log n from the smallest size, and the process's peak RSS so far), and
 * as its last line: control-plane pods=<largest> ... virtual_per_wall=<x>.
 */
import type { Deployment, KubeObject, Service } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";

/** One size's figures. */
export interface ControlPlaneResult {
  readonly pods: number;
  readonly nodes: number;
  readonly services: number;
  readonly events: number;
  readonly kubeProxySyncs: number;
  /** Service rule sets written by kube-proxies, summed over nodes (KubeProxyStats.servicesProgrammed). */
  readonly servicesProgrammed: number;
  readonly wallS: number;
  readonly buildWallS: number;
  readonly rolloutWallS: number;
  readonly virtualS: number;
}

const REPLICAS = 10;

function deployment(i: number, image: string): Deployment {
  const app = `app-${i}`;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: app },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers: [{ name: "app", image, ports: [{ containerPort: 8080 }] }] } },
    },
  };
}

function service(i: number): Service {
  const app = `app-${i}`;
  return { apiVersion: "v1", kind: "Service", metadata: { name: app }, spec: { selector: { app }, ports: [{ port: 80, targetPort: 8080 }] } };
}

/** Builds the cluster of `pods` pods, settles it, rolls 10% of the Deployments, settles again. */
export function runControlPlane(pods: number, seed: number = 1): ControlPlaneResult {
  const nodes = Math.max(1, Math.round(pods / 100));
  const services = Math.max(1, Math.round(pods / REPLICAS));
  const t0 = performance.now();
  // 100 pods per node (under the kubelet's default maxPods of 110): a /24 per node, taken
  // from a /9 pod network (32,768 node CIDRs); Services from the default 10.96.0.0/12.
  const sim = new Simulation({ seed, nodes, clusterCIDR: "10.128.0.0/9", nodeCIDRMaskSize: 24 });
  let syncs = 0;
  let programmed = 0;
  const objects: KubeObject[] = [];
  for (let i = 0; i < services; i++) objects.push(deployment(i, "example/app:1"), service(i));
  sim.apply(objects);
  sim.settle(3_600_000);
  const t1 = performance.now();
  const rolled: KubeObject[] = [];
  for (let i = 0; i < services; i += 10) rolled.push(deployment(i, "example/app:2"));
  sim.apply(rolled);
  sim.settle(3_600_000);
  const t2 = performance.now();
  for (const name of sim.nodeNames) {
    syncs += sim.kubeProxy(name).stats.syncs;
    programmed += sim.kubeProxy(name).stats.servicesProgrammed;
  }
  return {
    pods,
    nodes,
    services,
    events: sim.scheduler.eventsRun,
    kubeProxySyncs: syncs,
    servicesProgrammed: programmed,
    wallS: (t2 - t0) / 1000,
    buildWallS: (t1 - t0) / 1000,
    rolloutWallS: (t2 - t1) / 1000,
    virtualS: sim.now / 1000,
  };
}

const sizes = process.argv.slice(2).map(Number);
const list = sizes.length > 0 ? sizes : [1_000, 10_000, 30_000];
for (const n of list) {
  if (!Number.isInteger(n) || n < 10) {
    console.error(`usage: node bench/dist/control-plane.js [pods ...]  (pods: integers >= 10; got ${n})`);
    process.exit(2);
  }
}
const results: ControlPlaneResult[] = [];
runControlPlane(Math.min(...list)); // warm-up, not reported
console.log("| pods | nodes | services | events | kube-proxy syncs | Service programs | wall s (build + rollout) | virtual s | virtual s per wall s | µs per pod | wall growth / n log n growth | peak RSS MiB |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const n of list) {
  const r = runControlPlane(n);
  results.push(r);
  const base = results[0];
  const nlogn = (x: number): number => x * Math.log2(x);
  const growth = r.wallS / base.wallS / (nlogn(r.pods) / nlogn(base.pods));
  console.log(
    `| ${r.pods} | ${r.nodes} | ${r.services} | ${r.events} | ${r.kubeProxySyncs} | ${r.servicesProgrammed} | ${r.wallS.toFixed(2)} (${r.buildWallS.toFixed(2)} + ${r.rolloutWallS.toFixed(2)}) | ${r.virtualS.toFixed(1)} | ${(r.virtualS / r.wallS).toFixed(2)} | ${((r.wallS * 1e6) / r.pods).toFixed(1)} | ${growth.toFixed(2)} | ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} |`,
  );
}
const last = results[results.length - 1];
console.log(
  `control-plane pods=${last.pods} nodes=${last.nodes} services=${last.services} events=${last.events} wall_s=${last.wallS.toFixed(2)} virtual_s=${last.virtualS.toFixed(1)} virtual_per_wall=${(last.virtualS / last.wallS).toFixed(3)}`,
);
