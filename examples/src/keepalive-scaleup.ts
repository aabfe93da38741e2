/**
 * Keep-alive defeats balancing after a scale-up.
 *
 * kube-proxy balances connections, not requests. A client with a pool of keep-alive
 * connections chose its endpoints when it opened them; scaling the Deployment from 2 to
 * 4 replicas changes nothing for it until it opens new connections. This example runs
 * the same scale-up for three clients: one connection per request, a keep-alive pool,
 * and a keep-alive pool that retires connections after 200 requests.
 *
 * Run: `pnpm build && node examples/dist/keepalive-scaleup.js`. Its output is checked in
 * as `examples/keepalive-scaleup.out` and a test keeps the two equal.
 */
import { fileURLToPath } from "node:url";
import { exponential } from "@kube-netsim/core";
import type { Deployment, Service } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";
import type { ConnectionPolicy } from "@kube-netsim/traffic";

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

const service: Service = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "api" },
  spec: { selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080 }] },
};

/** Share of requests per pod in the minute after the scale-up, for one connection policy. */
function afterScaleUp(policy: ConnectionPolicy): { shares: string; connections: number } {
  const sim = new Simulation({ seed: 7 });
  sim.apply([deployment, service]);
  sim.setApplication({ app: "api" }, { concurrency: 8, serviceTime: exponential(10) });
  sim.settle();
  sim.addClient({ name: "frontend", target: "http://api:80", rate: 400, connections: policy });
  sim.runFor(30_000);
  const before = new Map(sim.results().endpoints.map((e) => [e.pod, e.completed]));
  sim.scale("api", 4);
  sim.settle();
  sim.runFor(60_000);
  const rows = sim.results().endpoints.map((e) => ({ pod: e.pod, n: e.completed - (before.get(e.pod) ?? 0) }));
  const pods = sim.pods({ app: "api" }).map((p) => p.metadata.name);
  const total = rows.reduce((a, r) => a + r.n, 0);
  const shares = pods
    .map((p) => {
      const n = rows.find((r) => r.pod === p)?.n ?? 0;
      return `${p}${before.has(p) ? "" : " (new)"} ${((100 * n) / total).toFixed(1).padStart(5)}%`;
    })
    .join(", ");
  return { shares, connections: sim.traffic.openConnections };
}

/** Runs the comparison and prints it. */
export function main(print: (line: string) => void): void {
  print("Deployment api scaled from 2 to 4 replicas under 400 requests/s; shares of the next 60 s:");
  const policies: [string, ConnectionPolicy][] = [
    ["connection per request", { mode: "per-request" }],
    ["keep-alive pool of 16", { mode: "keep-alive", poolSize: 16 }],
    ["keep-alive, 200 requests per connection", { mode: "keep-alive", poolSize: 16, maxRequestsPerConnection: 200 }],
  ];
  for (const [label, policy] of policies) {
    const r = afterScaleUp(policy);
    print(`  ${label.padEnd(40)} ${r.shares}  (open connections: ${r.connections})`);
  }
  print("The keep-alive client never opens a new connection, so kube-proxy never gets to choose");
  print("the new pods; retiring connections (or a per-request client) spreads the load again.");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main((line) => console.log(line));
