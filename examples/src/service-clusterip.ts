/**
 * Service type ClusterIP: one virtual IP, kube-proxy picks an endpoint per connection.
 *
 * Three `api` pods behind a ClusterIP Service, a pod client at 300 requests/s with a new
 * connection per request. The node's iptables rules (`KUBE-SVC-...`) send a connection to
 * the first endpoint with probability 1/3, to the second with 1/2 of the rest, and to the
 * third otherwise, so each pod gets a third of the requests.
 *
 * Run: `pnpm build && node examples/dist/service-clusterip.js`. Its output is checked in
 * as `examples/service-clusterip.out` and a test keeps the two equal.
 */
import { fileURLToPath } from "node:url";
import { exponential } from "@kube-netsim/core";
import type { Deployment, Service } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";

const deployment: Deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "api" },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "api" } },
    template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", ports: [{ containerPort: 8080 }] }] } },
  },
};

const service: Service = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "api" },
  spec: { selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080 }] },
};

/** Runs the example, printing each line with `print`. */
export function main(print: (line: string) => void = console.log): void {
  const sim = new Simulation({ seed: 21 });
  sim.apply([deployment, service]);
  sim.setApplication({ app: "api" }, { serviceTime: exponential(5) });
  sim.settle();
  const clusterIP = sim.store.get("Service", "default", "api")?.spec.clusterIP;
  print(`Service api: type ClusterIP, ${clusterIP}:80 -> targetPort 8080 on 3 pods`);
  print(`iptables rules on node-1 for it (iptables-save, abridged):`);
  for (const line of sim.kubeProxy("node-1").ruleset().split("\n")) {
    if (/^-A KUBE-SVC-/.test(line) && line.includes("default/api")) print(`  ${line}`);
  }
  sim.addClient({ name: "frontend", target: "http://api:80", rate: 300 });
  sim.runFor(60_000);
  sim.drain();
  const r = sim.results();
  print(`60 s at 300 requests/s, a new connection per request:`);
  for (const e of r.endpoints) print(`  ${e.address.padEnd(16)} ${e.pod.padEnd(22)} ${e.node}  ${String(e.completed).padStart(6)}  ${(100 * e.share).toFixed(2)}%`);
  print(`outcomes: ${JSON.stringify(r.outcomes)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
