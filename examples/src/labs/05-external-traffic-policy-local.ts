/**
 * Lab 5: externalTrafficPolicy Local.
 *
 * Three `api` pods on a two-node cluster (two on node-1, one on node-2) behind a
 * LoadBalancer Service; a client on the internet sends 300 requests/s through the load
 * balancer for 60 s. Once with `externalTrafficPolicy: Cluster`, once with `Local`.
 *
 * Run: `pnpm build && node examples/dist/labs/05-external-traffic-policy-local.js`.
 * Page: `examples/labs/05-external-traffic-policy-local.md`.
 */
import { exponential } from "@kube-netsim/core";
import type { Deployment, Service } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";
import { isMain, pct } from "./lab-kit.js";
import type { LabOutput } from "./lab-kit.js";

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

function service(policy: "Cluster" | "Local"): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "api" },
    spec: { type: "LoadBalancer", externalTrafficPolicy: policy, selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080 }] },
  };
}

/** One pod's part. */
export interface PodShare {
  readonly node: string;
  readonly share: number;
}

/** One policy's minute. */
export interface PolicyRun {
  readonly policy: "Cluster" | "Local";
  /** Pods sorted by node then address, with their share of the completed requests. */
  readonly pods: readonly PodShare[];
  /** Connections that entered a node without going to a pod on it (extra hop). */
  readonly extraHops: number;
  readonly connections: number;
  /** Distinct source IPs the pods saw, and whether the client's own was among them. */
  readonly sourceIPs: readonly string[];
  readonly timedOut: number;
}

/** The client's address. */
export const CLIENT_IP = "203.0.113.7";

function runPolicy(policy: "Cluster" | "Local"): PolicyRun {
  const sim = new Simulation({ seed: 5, nodes: [{ name: "node-1", zone: "zone-a" }, { name: "node-2", zone: "zone-b" }], loadBalancer: {} });
  sim.apply([deployment, service(policy)]);
  sim.setApplication({ app: "api" }, { concurrency: 8, serviceTime: exponential(5) });
  sim.settle();
  sim.addExternalClient({ name: "internet", target: "lb", service: "api", rate: 300, sourceIP: CLIENT_IP });
  sim.runFor(60_000);
  sim.drain();
  const r = sim.results();
  const ext = r.external?.internet;
  let extraHops = 0;
  let connections = 0;
  for (const e of Object.values(ext?.byEntryNode ?? {})) {
    extraHops += e.toOtherNode;
    connections += e.connections;
  }
  const pods = [...r.endpoints].sort((a, b) => (a.node === b.node ? (a.address < b.address ? -1 : 1) : a.node < b.node ? -1 : 1)).map((e) => ({ node: e.node, share: e.share }));
  return { policy, pods, extraHops, connections, sourceIPs: Object.keys(ext?.sourceIPSeen ?? {}).sort(), timedOut: r.outcomes.timedOut };
}

/** Runs both policies. */
export function run(): PolicyRun[] {
  return [runPolicy("Cluster"), runPolicy("Local")];
}

/** What the lab prints, and the figures its page quotes. */
export function report(runs: readonly PolicyRun[]): LabOutput {
  const lines = ["LoadBalancer Service, 3 pods (2 on node-1, 1 on node-2), 300 requests/s from 203.0.113.7 for 60 s:"];
  for (const r of runs) {
    lines.push(`  externalTrafficPolicy: ${r.policy}`);
    lines.push(`    shares per pod: ${r.pods.map((p) => `${p.node} ${pct(p.share)}`).join(", ")}`);
    lines.push(`    extra hops: ${r.extraHops} of ${r.connections} connections; source IPs the pods saw: ${r.sourceIPs.join(", ")}; timed out: ${r.timedOut}`);
  }
  const [cluster, local] = runs;
  const quotes = [
    ...cluster.pods.map((p) => pct(p.share)),
    ...local.pods.map((p) => pct(p.share)),
    String(cluster.extraHops),
    String(cluster.connections),
    String(local.extraHops),
    ...cluster.sourceIPs,
    ...local.sourceIPs,
  ];
  return { lines, quotes };
}

if (isMain(import.meta.url)) for (const line of report(run()).lines) console.log(line);
