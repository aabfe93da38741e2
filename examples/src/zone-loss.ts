/**
 * Losing a zone.
 *
 * Six nodes in three zones, six `api` pods (one a node), a client on node-1 at 300
 * requests/s. At t = 62.1 s both nodes of zone-b fail. Nothing in the cluster knows for
 * almost a minute: kube-proxy keeps sending a third of the connections to the two lost
 * pods, and those time out. Then the node lifecycle controller gives up on the nodes
 * (Ready Unknown, pods not ready), the EndpointSlice and every kube-proxy follow within
 * milliseconds, and the traffic moves to the surviving zones. The NoExecute taints come
 * one per 10 s in the zone, the pods are evicted 300 s later (the API server's default
 * toleration), and only then are replacements created, in zones a and c.
 *
 * Run: `pnpm build && node examples/dist/zone-loss.js`. Its output is checked in as
 * `examples/zone-loss.out` and a test keeps the two equal.
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
    replicas: 6,
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

/** Runs the scenario and prints its events and a 10-second timeline. */
export function main(print: (line: string) => void): Simulation {
  const sim = new Simulation({ seed: 11, nodes: 6, keepTrace: 100_000 });
  sim.apply([deployment, service]);
  sim.setApplication({ app: "api" }, { concurrency: 4, serviceTime: exponential(5) });
  sim.settle();
  sim.addClient({ name: "frontend", target: "http://api:80", rate: 300, node: "node-1" });
  sim.runUntil(60_000);
  const tl = sim.timeline({ service: "api", bucket: 10_000 });
  sim.at(62_100, (s) => s.loseZone("zone-b"));
  sim.runUntil(440_000);
  tl.stop();
  print("zone-b (node-2, node-5) fails at t=62.100 s; client on node-1 at 300 requests/s");
  print("");
  print("what the control plane did:");
  const shown = /^(fault\.|node-lifecycle\.(NodeStatusUnknown|MarkPodsNotReady|TaintAdded|ZoneState)|taint-eviction)/;
  for (const r of sim.trace.records()) {
    if (!shown.test(r.kind)) continue;
    const detail = Object.values(r.fields).join(" ");
    print(`  ${(r.time / 1000).toFixed(3).padStart(9)} s  ${r.kind.padEnd(36)} ${detail}`);
  }
  const ready = sim.pods({ app: "api" }).filter((p) => p.metadata.deletionTimestamp === undefined && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
  print(`  ready pods at 440 s by node: ${ready.map((p) => p.spec.nodeName).sort().join(", ")}`);
  print("");
  print("every 10 s (endpoints: what each node's kube-proxy forwards to; node-2 and node-5 keep their last rules):");
  const [head, ...rows] = tl.format().trimEnd().split("\n");
  print(head.trimEnd());
  for (const row of rows) {
    const t = Number(row.trim().split(/\s+/)[0]);
    if (t <= 150 || t >= 410) print(row.trimEnd());
    else if (t === 160) print("     ...  (nothing changes until the evictions)");
  }
  sim.drain();
  const o = sim.results().outcomes;
  print("");
  print(`total: ${o.completed} completed, ${o.timedOut} timed out, ${o.refused} refused, ${o.reset} reset`);
  return sim;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main((line) => console.log(line));
