/**
 * Lab 8: a crash-looping pod behind a Service.
 *
 * Three stable `api` pods and one canary pod (same Service selector, `track: canary`)
 * whose process crashes 3 s after every start. A client on node-1 sends 200 requests/s
 * (a new connection per request) for 10 minutes. The lab records when the canary's
 * container starts and exits, its restart count, and what the crashes cost the clients.
 *
 * Run: `pnpm build && node examples/dist/labs/08-crash-loop.js`.
 * Page: `examples/labs/08-crash-loop.md`.
 */
import { constant, exponential } from "@kube-netsim/core";
import type { Deployment } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";
import type { OutcomeCounts } from "@kube-netsim/traffic";
import { apiService } from "../flagship.js";
import { isMain, pct } from "./lab-kit.js";
import type { LabOutput } from "./lab-kit.js";

/** Minutes of traffic. */
export const MINUTES = 11;

function deployment(track: string, replicas: number): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `api-${track}` },
    spec: {
      replicas,
      selector: { matchLabels: { app: "api", track } },
      template: {
        metadata: { labels: { app: "api", track } },
        spec: { containers: [{ name: "api", ports: [{ containerPort: 8080 }], readinessProbe: { periodSeconds: 1, failureThreshold: 1 } }] },
      },
    },
  };
}

/** What the lab measured. */
export interface Lab8 {
  /** Times (s after the objects were applied) at which the canary's container started again (restarts; the first start is not counted). */
  readonly starts: readonly number[];
  /** Gaps (s) between an exit and the next start. */
  readonly waits: readonly number[];
  /** Exit times (s). */
  readonly exits: readonly number[];
  /** The canary's restart count at the end. */
  readonly restarts: number;
  /** Requests by outcome. */
  readonly outcomes: OutcomeCounts;
  /** Share of completed requests the canary served. */
  readonly canaryShare: number;
}

/** Runs the ten minutes. */
export function run(): Lab8 {
  const sim = new Simulation({ seed: 8 });
  // Times are seconds since the objects were applied (t = 0).
  const starts: number[] = [];
  const exits: number[] = [];
  sim.trace.subscribe((r) => {
    if (!String(r.fields.name).startsWith("api-canary-")) return;
    if (r.kind === "kubelet.Started") starts.push(r.time / 1000);
    if (r.kind === "app.crash") exits.push(r.time / 1000);
  });
  sim.apply([deployment("stable", 3), deployment("canary", 1), apiService]);
  // The first matching model applies: the canary's comes first.
  sim.setApplication({ app: "api", track: "canary" }, { concurrency: 8, serviceTime: exponential(5), crashAfter: constant(3_000) });
  sim.setApplication({ app: "api" }, { concurrency: 8, serviceTime: exponential(5) });
  // The stable pods are ready after about a second; the canary is never ready for long.
  sim.runFor(2_000);
  const canary = sim.pods({ track: "canary" })[0].metadata.name;
  sim.addClient({ name: "frontend", target: "http://api:80", rate: 200 });
  sim.runFor(MINUTES * 60_000);
  sim.drain();
  const r = sim.results();
  const canaryIP = sim.pods({ track: "canary" })[0].status?.podIP;
  const served = r.endpoints.filter((e) => e.address === `${canaryIP}:8080`).reduce((a, e) => a + e.completed, 0);
  const waits: number[] = [];
  for (const s of starts) {
    const exit = [...exits].reverse().find((x) => x < s);
    if (exit !== undefined) waits.push(Math.round((s - exit) * 10) / 10);
  }
  return { starts, waits, exits, restarts: sim.restartCount(canary), outcomes: r.outcomes, canaryShare: served / r.outcomes.completed };
}

/** What the lab prints, and the figures its page quotes. */
export function report(r: Lab8): LabOutput {
  const o = r.outcomes;
  const lines = [
    `3 stable api pods + 1 canary that crashes 3 s after each start; 200 requests/s for ${MINUTES} min from t = 2 s:`,
    `  canary container restarts (s): ${r.starts.map((s) => s.toFixed(1)).join(", ")}`,
    `  canary crashes (s): ${r.exits.map((s) => s.toFixed(1)).join(", ")}`,
    `  wait from exit to next start (s): ${r.waits.map((w) => w.toFixed(1)).join(", ")}`,
    `  restartCount at the end: ${r.restarts}`,
    `  requests: ${o.completed} completed, ${o.refused} refused, ${o.reset} reset, ${o.timedOut} timed out; canary served ${pct(r.canaryShare, 2)}`,
  ];
  const quotes = [String(r.restarts), String(o.refused), String(o.reset), String(o.timedOut), pct(r.canaryShare, 2), ...r.waits.map((w) => w.toFixed(1))];
  return { lines, quotes };
}

if (isMain(import.meta.url)) for (const line of report(run()).lines) console.log(line);
