/**
 * The flagship example: three `api` pods behind a ClusterIP Service, a frontend
 * calling http://api:80, and what happens when one pod is deleted mid-run.
 *
 * Run it with `pnpm start`. Its output is checked in as `examples/flagship.out` and a
 * test fails if the two ever differ, so this text cannot drift from the code.
 */
import { fileURLToPath } from "node:url";
import { exponential } from "@kube-netsim/core";
import type { Deployment, Service } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";

/** The Deployment from the README: 3 replicas of an API listening on 8080. */
export const apiDeployment: Deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "api", labels: { app: "api" } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "api" } },
    template: {
      metadata: { labels: { app: "api" } },
      spec: { containers: [{ name: "api", image: "example/api:1.0", ports: [{ name: "http", containerPort: 8080 }] }] },
    },
  },
};

/** The Service: port 80 -> targetPort 8080. */
export const apiService: Service = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "api" },
  spec: { selector: { app: "api" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
};

/** Each api pod: one request at a time, 5 ms mean service time (an M/M/1 server). */
const SERVICE_MS = 5;
/** The frontend's total rate; each pod gets a third. */
const RATE_RPS = 300;

const pad = (s: string | number, n: number): string => String(s).padStart(n);
const padEnd = (s: string | number, n: number): string => String(s).padEnd(n);
const ms = (t: number): string => `${(t / 1000).toFixed(3)} s`;

/** Runs the story and prints it line by line. */
export function main(print: (line: string) => void): void {
  const sim = new Simulation({ seed: 42 });
  sim.apply([apiDeployment, apiService]);
  sim.setApplication({ app: "api" }, { concurrency: 1, serviceTime: exponential(SERVICE_MS) });
  sim.settle();

  const svc = sim.store.get("Service", "default", "api");
  print(`kube-netsim flagship: Deployment api (3 replicas) behind Service api (ClusterIP ${svc?.spec.clusterIP}, port 80 -> targetPort 8080)`);
  print(`cluster at rest at t=${ms(sim.now)}; kube-proxy mode iptables on ${sim.nodeNames.join(", ")}`);
  for (const p of sim.pods({ app: "api" })) print(`  pod ${padEnd(p.metadata.name, 22)} ${padEnd(p.status?.podIP ?? "", 12)} on ${p.spec.nodeName}`);
  const rules = sim.kubeProxy("node-1").frontend(`${svc?.spec.clusterIP}:80/TCP`);
  print(`node-1 KUBE-SVC chain for default/api:http: ${rules.endpoints.map((e) => e.key).join(", ")}`);
  print("");

  // Phase 1: steady state.
  sim.addClient({ name: "frontend", target: "http://api:80", rate: RATE_RPS, node: "node-1" });
  const t0 = sim.now;
  sim.runFor(60_000);
  const r1 = sim.results();
  const rho = (RATE_RPS / 3) * (SERVICE_MS / 1000);
  const theoryMean = SERVICE_MS / (1 - rho);
  print(`phase 1: ${RATE_RPS} requests/s for 60 s from node-1 (utilisation per pod ${rho.toFixed(2)})`);
  print(`  ${padEnd("endpoint", 16)} ${padEnd("pod", 22)} ${padEnd("node", 7)} ${pad("requests", 8)} ${pad("share", 7)}`);
  for (const e of r1.endpoints) {
    print(`  ${padEnd(e.address, 16)} ${padEnd(e.pod, 22)} ${padEnd(e.node, 7)} ${pad(e.completed, 8)} ${pad((e.share * 100).toFixed(2) + "%", 7)}`);
  }
  print(`  latency: mean ${r1.latency.mean.toFixed(2)} ms (M/M/1 theory ${theoryMean.toFixed(2)} ms), p99 ${r1.latency.p99.toFixed(2)} ms (theory ${(theoryMean * Math.log(100)).toFixed(2)} ms)`);
  print(`  outcomes: ${JSON.stringify(r1.outcomes)}`);
  print("");

  // Phase 2: delete one pod, watch second by second.
  const victim = sim.pods({ app: "api" })[0];
  const victimIP = victim.status?.podIP;
  print(`phase 2: kubectl delete pod ${victim.metadata.name} (${victimIP}) at t=${ms(sim.now)}`);
  sim.deletePod(victim.metadata.name);
  print(`  ${padEnd("second", 7)} ${pad("ok", 5)} ${pad("refused", 8)} ${pad("timeout", 8)} ${pad("reset", 6)}  endpoints programmed per node (node-1/node-2/node-3)`);
  let prev = sim.results().outcomes;
  for (let s = 1; s <= 5; s++) {
    sim.runFor(1000);
    const cur = sim.results().outcomes;
    const eps = sim.nodeNames.map((n) => sim.kubeProxy(n).frontend(rules.address).endpoints.length).join("/");
    print(
      `  ${padEnd("+" + s, 7)} ${pad(cur.completed - prev.completed, 5)} ${pad(cur.refused - prev.refused, 8)} ${pad(cur.timedOut - prev.timedOut, 8)} ${pad(cur.reset - prev.reset, 6)}  ${eps}`,
    );
    prev = cur;
  }
  sim.runFor(55_000);
  sim.drain();
  const r2 = sim.results();
  print(`  replacement pods: ${sim.pods({ app: "api" }).map((p) => `${p.metadata.name} (${p.status?.podIP})`).join(", ")}`);
  print(`  node-1 KUBE-SVC chain now: ${sim.kubeProxy("node-1").frontend(rules.address).endpoints.map((e) => e.key).join(", ")}`);
  print("");
  print(`whole run (${ms(sim.now - t0)} of traffic, drained):`);
  print(`  started ${r2.started}, outcomes ${JSON.stringify(r2.outcomes)}, in flight ${r2.inFlight}`);
  print(`  latency: mean ${r2.latency.mean.toFixed(2)} ms, p50 ${r2.latency.p50.toFixed(2)} ms, p99 ${r2.latency.p99.toFixed(2)} ms, max ${r2.latency.max.toFixed(2)} ms`);
  print(`  the Service kept working: ${r2.outcomes.completed - r1.outcomes.completed} requests completed after the deletion`);
  print(`  kube-proxy syncs per node: ${JSON.stringify(r2.syncsByNode)}`);
  print(`  trace digest (same seed => same digest): ${r2.digest}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main((line) => console.log(line));
