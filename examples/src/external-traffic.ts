/**
 * Traffic from outside: externalTrafficPolicy Cluster vs Local behind a load balancer.
 *
 * Two api pods on a three-node cluster (one zone per node), a LoadBalancer Service, and
 * a client on the internet at 200 requests/s. With `Cluster`, every node is healthy and
 * forwards: a third of the connections enter on the node without a pod and take an extra
 * hop, the pods see node IPs, and most requests cross a zone. With `Local`, the load
 * balancer's health checks (healthCheckNodePort: 200/503) keep it on the two nodes with a
 * pod, the client IP is preserved and nothing crosses a zone. Then the Deployment is scaled
 * to one replica: under `Local`, for the 16-24 s the load balancer needs to see three
 * failed checks, connections to the emptied node are dropped.
 *
 * Run: `pnpm build && node examples/dist/external-traffic.js`. Its output is checked in
 * as `examples/external-traffic.out` and a test keeps the two equal.
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
    replicas: 2,
    selector: { matchLabels: { app: "api" } },
    template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", ports: [{ containerPort: 8080 }] }] } },
  },
};

function service(policy: "Cluster" | "Local"): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "api" },
    spec: { type: "LoadBalancer", externalTrafficPolicy: policy, selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080 }] },
  };
}

/** Prints one policy's run. */
function run(policy: "Cluster" | "Local", print: (line: string) => void): void {
  const sim = new Simulation({ seed: 11, loadBalancer: {} });
  sim.apply([deployment, service(policy)]);
  sim.setApplication({ app: "api" }, { serviceTime: exponential(5) });
  sim.settle();
  sim.addExternalClient({ name: "internet", target: "lb", service: "api", rate: 200, sourceIP: "203.0.113.7" });
  sim.runFor(30_000);
  const r = sim.results();
  const ext = r.external?.internet;
  print(`externalTrafficPolicy: ${policy} (load balancer ${sim.loadBalancerIP("api")}, healthy nodes: ${sim.loadBalancerHealthyNodes("api")?.join(", ")})`);
  print(`  node    pod here  connections  to local pod  extra hop  health check`);
  for (const node of sim.nodeNames) {
    const e = ext?.byEntryNode[node];
    const here = sim.pods({ app: "api" }).some((p) => p.spec.nodeName === node) ? "yes" : "no";
    const hc = policy === "Local" ? String(sim.kubeProxy(node).healthCheck("default", "api").statusCode) : "200 (/healthz)";
    print(`  ${node}  ${here.padEnd(8)}  ${String(e?.connections ?? 0).padStart(11)}  ${String(e?.toLocalEndpoint ?? 0).padStart(12)}  ${String(e?.toOtherNode ?? 0).padStart(9)}  ${hc}`);
  }
  const seen = Object.entries(ext?.sourceIPSeen ?? {}).map(([ip, n]) => `${ip} x${n}`).join(", ");
  print(`  source IP the pods saw: ${seen}`);
  const x = sim.crossZoneTraffic();
  print(`  cross-zone: ${x.crossZone} of ${x.requests} requests (${(100 * x.share).toFixed(1)}%); timed out: ${r.outcomes.timedOut}`);
  const nodesBefore = new Set(sim.pods({ app: "api" }).map((p) => p.spec.nodeName));
  sim.scale("api", 1);
  const before = r.outcomes.timedOut;
  sim.runFor(40_000);
  sim.drain();
  const after = sim.results().outcomes;
  const left = sim.pods({ app: "api" }).filter((p) => p.metadata.deletionTimestamp === undefined).map((p) => p.spec.nodeName);
  const gone = [...nodesBefore].filter((n) => !left.includes(n)).join(", ");
  print(`  scale to 1 replica (the pod on ${gone} goes): ${after.timedOut - before} requests timed out in the next 40 s, ${after.refused} refused`);
}

/** Runs the example, printing each line with `print`. */
export function main(print: (line: string) => void = console.log): void {
  run("Cluster", print);
  run("Local", print);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
