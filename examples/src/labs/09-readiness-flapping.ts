/**
 * Lab 9: readiness flapping.
 *
 * Three `api` pods; one of them stalls for 2 s every 10 s (a GC pause, a slow
 * dependency). A client on node-1 sends 200 requests/s with a 1 s timeout, for two
 * minutes. Three readiness probes are compared: none, a patient one (every 5 s, 3
 * failures) and an eager one (every 1 s, 1 failure). The lab counts what the clients
 * lose and what the flapping costs the control plane: EndpointSlice writes and kube-proxy
 * syncs.
 *
 * Run: `pnpm build && node examples/dist/labs/09-readiness-flapping.js`.
 * Page: `examples/labs/09-readiness-flapping.md`.
 */
import { exponential } from "@kube-netsim/core";
import type { Deployment, Probe } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";
import type { OutcomeCounts } from "@kube-netsim/traffic";
import { apiService } from "../flagship.js";
import { isMain } from "./lab-kit.js";
import type { LabOutput } from "./lab-kit.js";

/** Seconds of traffic. */
export const SECONDS = 120;
/** The stall: `STALL_MS` every `EVERY_MS`. */
export const STALL_MS = 2_000;
export const EVERY_MS = 10_000;

/** One readiness probe set-up. */
export interface ProbeSetup {
  readonly label: string;
  readonly readinessProbe?: Probe;
}

/** The three set-ups, in the order printed. */
export const SETUPS: readonly ProbeSetup[] = [
  { label: "no readiness probe" },
  { label: "patient: every 5 s, 3 failures", readinessProbe: { periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 1 } },
  { label: "eager: every 1 s, 1 failure", readinessProbe: { periodSeconds: 1, failureThreshold: 1, timeoutSeconds: 1 } },
];

function deployment(s: ProbeSetup): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api" },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "api" } },
      template: {
        metadata: { labels: { app: "api" } },
        spec: { containers: [{ name: "api", ports: [{ containerPort: 8080 }], ...(s.readinessProbe ? { readinessProbe: s.readinessProbe } : {}) }] },
      },
    },
  };
}

/** What one set-up gave. */
export interface FlapRun {
  readonly setup: ProbeSetup;
  readonly outcomes: OutcomeCounts;
  /** Requests started. */
  readonly started: number;
  /** Times the stalling pod's Ready condition changed. */
  readonly readyFlips: number;
  /** EndpointSlice updates the API server stored. */
  readonly sliceWrites: number;
  /** kube-proxy syncs on all nodes. */
  readonly syncs: number;
}

function runSetup(s: ProbeSetup): FlapRun {
  const sim = new Simulation({ seed: 9 });
  sim.apply([deployment(s), apiService]);
  sim.setApplication({ app: "api" }, { concurrency: 8, serviceTime: exponential(5) });
  sim.settle();
  const victim = sim.pods({ app: "api" })[0].metadata.name;
  let sliceWrites = 0;
  let readyFlips = 0;
  let lastReady: boolean | undefined;
  sim.trace.subscribe((r) => {
    if (r.kind === "EndpointSlice.MODIFIED") sliceWrites++;
  });
  sim.store.watch(
    "Pod",
    (e) => {
      if (e.object.metadata.name !== victim) return;
      const ready = e.object.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
      if (lastReady !== undefined && ready !== lastReady) readyFlips++;
      lastReady = ready;
    },
    { name: "lab" },
  );
  const syncs0 = Object.values(sim.results().syncsByNode).reduce((a, b) => a + b, 0);
  const t0 = sim.now;
  for (let t = EVERY_MS; t < SECONDS * 1000; t += EVERY_MS) sim.at(t0 + t, (x) => x.hangPod(victim, "default", { duration: STALL_MS }));
  sim.addClient({ name: "frontend", target: "http://api:80", rate: 200, connectTimeout: 1_000 });
  sim.runFor(SECONDS * 1000);
  sim.drain();
  const r = sim.results();
  const syncs = Object.values(r.syncsByNode).reduce((a, b) => a + b, 0) - syncs0;
  return { setup: s, outcomes: r.outcomes, started: r.started, readyFlips, sliceWrites, syncs };
}

/** Runs the three set-ups. */
export function run(): FlapRun[] {
  return SETUPS.map(runSetup);
}

/** What the lab prints, and the figures its page quotes. */
export function report(runs: readonly FlapRun[]): LabOutput {
  const pad = (x: string | number, n: number): string => String(x).padStart(n);
  const lines = [
    `3 api pods, one stalls ${STALL_MS / 1000} s every ${EVERY_MS / 1000} s; 200 requests/s, 1 s timeout, ${SECONDS} s:`,
    `  ${"readiness probe".padEnd(32)} ${pad("ok", 6)} ${pad("timeout", 8)} ${pad("Ready flips", 12)} ${pad("slice writes", 13)} ${pad("syncs", 6)}`,
    ...runs.map((r) => `  ${r.setup.label.padEnd(32)} ${pad(r.outcomes.completed, 6)} ${pad(r.outcomes.timedOut, 8)} ${pad(r.readyFlips, 12)} ${pad(r.sliceWrites, 13)} ${pad(r.syncs, 6)}`),
  ];
  const quotes = runs.flatMap((r) => [String(r.outcomes.timedOut), String(r.readyFlips), String(r.sliceWrites), String(r.syncs)]);
  return { lines, quotes };
}

if (isMain(import.meta.url)) for (const line of report(run()).lines) console.log(line);
