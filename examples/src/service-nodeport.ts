/**
 * Service type NodePort: the same port on every node, externalTrafficPolicy Cluster vs Local.
 *
 * Two `api` pods (on node-1 and node-2) behind a NodePort Service. A client outside the
 * cluster calls `<node IP>:<nodePort>` of each node in turn. With `Cluster`, every node
 * answers: node-3 has no pod, so it forwards to another node and masquerades the
 * client's address (the pod sees node-3's IP). With `Local`, node-3 drops the connection
 * (no local endpoint) and the client times out, while node-1 and node-2 keep the client's IP.
 *
 * Run: `pnpm build && node examples/dist/service-nodeport.js`. Its output is checked in
 * as `examples/service-nodeport.out` and a test keeps the two equal.
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
    spec: { type: "NodePort", externalTrafficPolicy: policy, selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] },
  };
}

/** Runs the example, printing each line with `print`. */
export function main(print: (line: string) => void = console.log): void {
  for (const policy of ["Cluster", "Local"] as const) {
    const sim = new Simulation({ seed: 5 });
    sim.apply([deployment, service(policy)]);
    sim.setApplication({ app: "api" }, { serviceTime: exponential(5) });
    sim.settle();
    print(`externalTrafficPolicy: ${policy} (nodePort 30080)`);
    print(`  target               pod here  completed  timed out  source IP the pod saw`);
    for (const node of sim.nodeNames) {
      const target = `${sim.nodeIP(node)}:30080`;
      sim.addExternalClient({ name: node, target, rate: 20, sourceIP: "203.0.113.7" });
    }
    sim.runFor(10_000);
    sim.drain();
    const r = sim.results();
    for (const node of sim.nodeNames) {
      const ext = r.external?.[node];
      const here = sim.pods({ app: "api" }).some((p) => p.spec.nodeName === node) ? "yes" : "no";
      const done = Object.values(ext?.byEntryAndEndpoint ?? {}).reduce((a, b) => a + b, 0);
      const lost = ext?.byEntryNode[node]?.dropped ?? 0;
      const seen = Object.keys(ext?.sourceIPSeen ?? {}).join(", ") || "-";
      print(`  ${`${sim.nodeIP(node)}:30080`.padEnd(19)}  ${here.padEnd(8)}  ${String(done).padStart(9)}  ${String(lost).padStart(9)}  ${seen}`);
    }
    print(`  outcomes: ${JSON.stringify(r.outcomes)}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
