/**
 * A network partition: node-2 loses the control plane, its pod keeps running.
 *
 * Three nodes, one `api` pod on each. Three clients call the Service at 100 requests/s
 * each: `remote` on node-1 (a new connection per request), `pooled` on node-1 (a
 * keep-alive pool of 4 connections) and `local` on node-2 itself. At t = 62.1 s node-2's
 * network to the API server breaks; the node, its pod and the pod network keep working.
 *
 * Run twice: a 2-minute partition (healed before the 300 s toleration runs out) and a
 * 10-minute one (the pod is evicted and replaced meanwhile). In both, nothing fails:
 * the control plane only stops *sending new connections* there once it marks the pod not
 * ready (58 s in), while connections already open (the pool) and the node's own stale
 * kube-proxy rules (the `local` client) keep using the old pod, which still serves. After
 * a short partition the pod takes new connections again only once its kubelet's status
 * manager has posted it Ready (its next 10 s tick), not at the heal itself.
 *
 * Run: `pnpm build && node examples/dist/partition.js`. Its output is checked in as
 * `examples/partition.out` and a test keeps the two equal.
 */
import { fileURLToPath } from "node:url";
import { exponential } from "@kube-netsim/core";
import type { TraceRecord } from "@kube-netsim/core";
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

/** The partition's start (virtual ms). */
export const PARTITION_AT = 62_100;
/** The clients, in the order printed. */
export const CLIENTS = ["remote", "pooled", "local"] as const;

/** What one run observed, for the printout and the test. */
export interface PartitionRun {
  readonly sim: Simulation;
  /** The old pod on node-2 and its IP. */
  readonly oldPod: string;
  readonly oldIP: string;
  /** The replacement's IP, when the pod was evicted. */
  readonly newIP: string | undefined;
  /** Phase boundaries (ms): start, label. */
  readonly phases: readonly (readonly [number, string])[];
  /** Requests started per client per phase: [to the old pod, to the replacement, all]. */
  readonly counts: Readonly<Record<string, readonly (readonly [number, number, number])[]>>;
}

/** Runs one partition of node-2 that heals after `healAfter` ms, until `end`. */
export function run(healAfter: number, end: number): PartitionRun {
  const sim = new Simulation({ seed: 7, keepTrace: 1_000_000, traceRequests: true });
  sim.apply([deployment, service]);
  sim.setApplication({ app: "api" }, { concurrency: 8, serviceTime: exponential(5) });
  sim.settle();
  sim.addClient({ name: "remote", target: "http://api:80", rate: 100, node: "node-1" });
  sim.addClient({ name: "pooled", target: "http://api:80", rate: 100, node: "node-1", connections: { mode: "keep-alive", poolSize: 4 } });
  sim.addClient({ name: "local", target: "http://api:80", rate: 100, node: "node-2" });
  sim.runUntil(PARTITION_AT);
  const old = sim.pods({ app: "api" }).find((p) => p.spec.nodeName === "node-2");
  sim.partitionNode("node-2");
  sim.at(PARTITION_AT + healAfter, (s) => s.healPartition("node-2"));
  sim.runUntil(end);
  sim.drain();
  const records = sim.trace.records();
  const first = (kind: string, node?: string, after = PARTITION_AT): number | undefined => records.find((r) => r.kind === kind && r.time > after && (node === undefined || r.fields.node === node))?.time;
  const notReady = first("node-lifecycle.MarkPodsNotReady");
  const evicted = records.find((r) => r.kind === "taint-eviction")?.time;
  const healed = first("fault.healPartition") as number;
  const phases: [number, string][] = [[30_000, "before"], [PARTITION_AT, "partitioned, not yet noticed"]];
  // Other nodes stop sending new connections at node-1's first sync after the pod turned not ready.
  if (notReady !== undefined && notReady < healed) phases.push([first("kube-proxy.sync", "node-1", notReady) as number, "pod not ready (other nodes' rules)"]);
  if (evicted !== undefined && evicted < healed) phases.push([evicted, "pod evicted, replacement elsewhere"]);
  phases.push([healed, "healed"]);
  // A pod that was not evicted turns Ready again when its kubelet's status manager posts (its
  // next 10 s syncBatch tick), and node-1 sends new connections there again after its next sync.
  const readyAgain = sim.store.get("Pod", "default", old?.metadata.name ?? "")?.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True")?.lastTransitionTime;
  if (readyAgain !== undefined && readyAgain > healed) phases.push([first("kube-proxy.sync", "node-1", readyAgain) as number, "pod Ready again (kubelet status sync)"]);
  const replacement = sim.pods({ app: "api" }).find((p) => evicted !== undefined && (p.metadata.creationTimestamp ?? 0) > evicted);
  const oldIP = old?.status?.podIP ?? "";
  const newIP = replacement?.status?.podIP;
  const counts: Record<string, [number, number, number][]> = {};
  for (const c of CLIENTS) counts[c] = phases.map(() => [0, 0, 0]);
  const phaseOf = (t: number): number => {
    let i = -1;
    for (let k = 0; k < phases.length && phases[k][0] <= t; k++) i = k;
    return i;
  };
  for (const r of records as TraceRecord[]) {
    if (r.kind !== "request") continue;
    const i = phaseOf(Number(r.fields.start));
    if (i < 0) continue;
    const row = counts[String(r.fields.client)][i];
    const ip = String(r.fields.endpoint).split(":")[0];
    if (ip === oldIP) row[0]++;
    else if (ip === newIP) row[1]++;
    row[2]++;
  }
  return { sim, oldPod: old?.metadata.name ?? "", oldIP, newIP, phases, counts };
}

function report(title: string, r: PartitionRun, end: number, print: (line: string) => void): void {
  print(title);
  print("");
  print("what the control plane and node-2 did:");
  const shown = /^(fault\.|node-lifecycle\.(NodeStatusUnknown|MarkPodsNotReady|TaintAdded|TaintRemoved)|taint-eviction)/;
  for (const rec of r.sim.trace.records()) {
    const deleted = rec.kind === "Pod.DELETED" && rec.fields.name === r.oldPod;
    if (!shown.test(rec.kind) && !deleted) continue;
    print(`  ${(rec.time / 1000).toFixed(3).padStart(9)} s  ${rec.kind.padEnd(36)} ${Object.entries(rec.fields).filter(([k, v]) => v !== null && k !== "rv").map(([, v]) => v).join(" ")}`);
  }
  print("");
  print(`where requests went (to the old pod on node-2 ${r.oldIP}${r.newIP ? ` / to its replacement ${r.newIP}` : ""} / all):`);
  const label = (i: number): string => {
    const from = r.phases[i][0] / 1000;
    const to = (i + 1 < r.phases.length ? r.phases[i + 1][0] : end) / 1000;
    return `${from.toFixed(3).padStart(8)}-${to.toFixed(3).padEnd(8)} ${r.phases[i][1]}`;
  };
  print(`  ${"phase (s)".padEnd(50)} ${CLIENTS.map((c) => c.padStart(20)).join("")}`);
  r.phases.forEach((_p, i) => {
    const cells = CLIENTS.map((c) => {
      const [o, n, all] = r.counts[c][i];
      return (r.newIP ? `${o}/${n}/${all}` : `${o}/${all}`).padStart(20);
    });
    print(`  ${label(i).padEnd(50)} ${cells.join("")}`);
  });
  const o = r.sim.results().outcomes;
  print(`  total: ${o.completed} completed, ${o.timedOut} timed out, ${o.refused} refused, ${o.reset} reset`);
}

/** Runs both partitions and prints what happened. */
export function main(print: (line: string) => void): { short: PartitionRun; long: PartitionRun } {
  const short = run(120_000, 240_000);
  report("node-2 loses the control plane at t=62.100 s for 2 minutes; 100 requests/s from each client", short, 240_000, print);
  print("");
  const long = run(600_000, 720_000);
  report("the same for 10 minutes: the pod is evicted (300 s toleration) while it still runs", long, 720_000, print);
  return { short, long };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main((line) => console.log(line));
