/**
 * Lab 3: preStop and rolling updates.
 *
 * Six `api` pods are rolled out to a new image (RollingUpdate, maxSurge 25%,
 * maxUnavailable 0) while three clients, one per node, open a new connection per request,
 * 100 requests/s each. Four pod configurations: no preStop hook, a 1 s and a 5 s preStop
 * sleep with an application that exits at once on SIGTERM, and a 5 s sleep with an
 * application that drains (stops accepting, finishes what it holds).
 *
 * Run: `pnpm build && node examples/dist/labs/03-prestop-rolling-update.js`.
 * Page: `examples/labs/03-prestop-rolling-update.md`.
 */
import { exponential } from "@kube-netsim/core";
import { Simulation } from "@kube-netsim/scenario";
import type { OutcomeCounts } from "@kube-netsim/traffic";
import { apiService } from "../flagship.js";
import { apiDeployment } from "../rollout-kit.js";
import { isMain } from "./lab-kit.js";
import type { LabOutput } from "./lab-kit.js";

/** One pod configuration. */
export interface Setup {
  readonly label: string;
  readonly preStopSeconds: number;
  readonly onSigterm: "exit" | "drain";
}

/** The four configurations, in the order printed. */
export const SETUPS: readonly Setup[] = [
  { label: "no preStop, exit on SIGTERM", preStopSeconds: 0, onSigterm: "exit" },
  { label: "preStop sleep 1 s, exit", preStopSeconds: 1, onSigterm: "exit" },
  { label: "preStop sleep 5 s, exit", preStopSeconds: 5, onSigterm: "exit" },
  { label: "preStop sleep 5 s, drain", preStopSeconds: 5, onSigterm: "drain" },
];

/** What one configuration's rollout gave. */
export interface RolloutRun {
  readonly setup: Setup;
  /** Requests started from the update to 10 s after the cluster came to rest, by outcome. */
  readonly outcomes: OutcomeCounts;
  /**
   * Longest time (ms) from an old pod's deletion to the last node's kube-proxy removing its
   * endpoint from the Service's rules.
   */
  readonly removalMs: number;
}

function rollout(s: Setup): RolloutRun {
  const settings = { replicas: 6, maxSurge: "25%", maxUnavailable: 0, preStopSeconds: s.preStopSeconds };
  const sim = new Simulation({ seed: 3 });
  sim.apply([apiDeployment("example/api:1", settings), apiService]);
  sim.setApplication({ app: "api" }, { concurrency: 4, serviceTime: exponential(10), onSigterm: s.onSigterm });
  sim.settle();
  for (const node of sim.nodeNames) sim.addClient({ name: `client-${node}`, node, target: "http://api:80", rate: 100 });
  sim.runFor(10_000);
  const before = sim.results().outcomes;
  // Each old pod's address, and when it was marked for deletion; polled every 1 ms.
  const oldAddresses = new Map<string, string>();
  for (const p of sim.pods({ app: "api" })) oldAddresses.set(p.metadata.name, `${p.status?.podIP}:8080`);
  const deletedAt = new Map<string, number>();
  const removed = new Set<string>();
  let removalMs = 0;
  const svc = sim.store.get("Service", "default", "api");
  const vip = `${svc?.spec.clusterIP}:80/TCP`;
  const forwarded = (address: string): boolean => sim.nodeNames.some((n) => sim.kubeProxy(n).frontend(vip).endpoints.some((e) => e.key === address && e.ready));
  const t0 = sim.now;
  sim.apply([apiDeployment("example/api:2", settings)]);
  while (removed.size < oldAddresses.size && sim.now - t0 < 120_000) {
    sim.runFor(1);
    for (const [pod, address] of oldAddresses) {
      const at = sim.store.get("Pod", "default", pod)?.metadata.deletionTimestamp;
      if (at !== undefined && !deletedAt.has(pod)) deletedAt.set(pod, at);
      if (deletedAt.has(pod) && !removed.has(pod) && !forwarded(address)) {
        removed.add(pod);
        removalMs = Math.max(removalMs, sim.now - (deletedAt.get(pod) ?? 0));
      }
    }
  }
  sim.settle();
  sim.runFor(10_000);
  sim.drain();
  const after = sim.results().outcomes;
  const d = (k: keyof OutcomeCounts): number => after[k] - before[k];
  return { setup: s, outcomes: { completed: d("completed"), refused: d("refused"), reset: d("reset"), timedOut: d("timedOut"), dropped: d("dropped") }, removalMs };
}

/** Runs every configuration. */
export function run(): RolloutRun[] {
  return SETUPS.map(rollout);
}

/** Requests that did not complete. */
export function failed(o: OutcomeCounts): number {
  return o.refused + o.reset + o.timedOut + o.dropped;
}

/** What the lab prints, and the figures its page quotes. */
export function report(runs: readonly RolloutRun[]): LabOutput {
  const pad = (x: string | number, n: number): string => String(x).padStart(n);
  const lines = [
    "Rolling update of 6 api pods (maxSurge 25%, maxUnavailable 0), 3 clients x 100 requests/s, new connection per request:",
    `  ${"pods".padEnd(28)} ${pad("removal", 8)} ${pad("ok", 6)} ${pad("refused", 8)} ${pad("reset", 6)} ${pad("timeout", 8)}`,
    ...runs.map((r) => {
      const o = r.outcomes;
      return `  ${r.setup.label.padEnd(28)} ${pad(`${r.removalMs} ms`, 8)} ${pad(o.completed, 6)} ${pad(o.refused, 8)} ${pad(o.reset, 6)} ${pad(o.timedOut, 8)}`;
    }),
    "removal: the longest time from an old pod's deletion to the last node's kube-proxy dropping it from the rules.",
  ];
  const [none, one, five, drain] = runs;
  const quotes = [
    String(none.outcomes.refused),
    String(none.outcomes.timedOut),
    String(none.outcomes.reset),
    String(failed(none.outcomes)),
    `${none.removalMs} ms`,
    String(failed(one.outcomes)),
    String(five.outcomes.reset),
    String(failed(drain.outcomes)),
    `${one.removalMs} ms`,
    `${five.removalMs} ms`,
  ];
  return { lines, quotes };
}

if (isMain(import.meta.url)) for (const line of report(run()).lines) console.log(line);
