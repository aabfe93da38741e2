/**
 * Lab 2: keep-alive and scale-up.
 *
 * Two `api` pods, each one M/M/1 queue (one request at a time, 4 ms mean service time),
 * carry 400 requests/s: each is 80% busy. The Deployment is scaled to 4 replicas. Three
 * clients are compared: a new connection per request, a keep-alive pool of 16
 * connections, and the same pool retiring each connection after 200 requests.
 *
 * Run: `pnpm build && node examples/dist/labs/02-keepalive-scale-up.js`.
 * Page: `examples/labs/02-keepalive-scale-up.md`.
 */
import { exponential } from "@kube-netsim/core";
import type { Deployment } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";
import type { ConnectionPolicy } from "@kube-netsim/traffic";
import { apiService } from "../flagship.js";
import { isMain, pct } from "./lab-kit.js";
import type { LabOutput } from "./lab-kit.js";

/** Requests per second. */
export const RATE = 400;
/** Mean service time (ms). */
export const SERVICE_MS = 4;

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

/** One client's minute after the scale-up. */
export interface PolicyRun {
  readonly label: string;
  /** Share of the minute's requests the two new pods served together. */
  readonly newPodsShare: number;
  /** Mean latency (ms) of the minute before the scale-up and of the minute after. */
  readonly meanBefore: number;
  readonly meanAfter: number;
  /** p99 latency (ms) of the minute after. */
  readonly p99After: number;
  /** Connections open at the end. */
  readonly openConnections: number;
}

function runPolicy(label: string, connections: ConnectionPolicy): PolicyRun {
  const sim = new Simulation({ seed: 7 });
  sim.apply([deployment, apiService]);
  sim.setApplication({ app: "api" }, { concurrency: 1, serviceTime: exponential(SERVICE_MS) });
  sim.settle();
  const before = sim.timeline({ service: "api", bucket: 60_000 });
  sim.addClient({ name: "frontend", target: "http://api:80", rate: RATE, connections });
  sim.runFor(60_000);
  before.stop();
  const oldPods = new Set(sim.pods({ app: "api" }).map((p) => p.metadata.name));
  const doneBefore = new Map(sim.results().endpoints.map((e) => [e.pod, e.completed]));
  sim.scale("api", 4);
  sim.settle();
  const after = sim.timeline({ service: "api", bucket: 60_000 });
  const doneAtStart = new Map(sim.results().endpoints.map((e) => [e.pod, e.completed]));
  sim.runFor(60_000);
  after.stop();
  let all = 0;
  let fresh = 0;
  for (const e of sim.results().endpoints) {
    const n = e.completed - (doneAtStart.get(e.pod) ?? doneBefore.get(e.pod) ?? 0);
    all += n;
    if (!oldPods.has(e.pod)) fresh += n;
  }
  const openConnections = sim.traffic.openConnections;
  sim.drain();
  return {
    label,
    newPodsShare: fresh / all,
    meanBefore: before.buckets()[0].latency.mean,
    meanAfter: after.buckets()[0].latency.mean,
    p99After: after.buckets()[0].latency.p99,
    openConnections,
  };
}

/** The lab's three clients, and M/M/1 theory for comparison. */
export interface Lab2 {
  readonly runs: readonly PolicyRun[];
  /** M/M/1 mean response time S / (1 - rho) with 2 pods and with 4 pods (ms). */
  readonly theoryTwoPods: number;
  readonly theoryFourPods: number;
}

/** Runs the three clients. */
export function run(): Lab2 {
  const mm1 = (pods: number): number => SERVICE_MS / (1 - (RATE / pods) * (SERVICE_MS / 1000));
  return {
    runs: [
      runPolicy("connection per request", { mode: "per-request" }),
      runPolicy("keep-alive pool of 16", { mode: "keep-alive", poolSize: 16 }),
      runPolicy("keep-alive, 200 requests/conn", { mode: "keep-alive", poolSize: 16, maxRequestsPerConnection: 200 }),
    ],
    theoryTwoPods: mm1(2),
    theoryFourPods: mm1(4),
  };
}

/** What the lab prints, and the figures its page quotes. */
export function report(r: Lab2): LabOutput {
  const ms = (x: number): string => `${x.toFixed(1)} ms`;
  const lines = [
    `${RATE} requests/s; Deployment api scaled from 2 to 4 replicas after 60 s; the minute before and the minute after:`,
    `  client                          new pods' share  mean before  mean after  p99 after  open connections`,
    ...r.runs.map(
      (p) => `  ${p.label.padEnd(30)}  ${pct(p.newPodsShare).padStart(15)}  ${ms(p.meanBefore).padStart(11)}  ${ms(p.meanAfter).padStart(10)}  ${ms(p.p99After).padStart(9)}  ${String(p.openConnections).padStart(16)}`,
    ),
    `  M/M/1 theory: mean ${ms(r.theoryTwoPods)} on 2 pods (80% busy), ${ms(r.theoryFourPods)} on 4 pods (40% busy)`,
  ];
  const [perRequest, keepAlive, retired] = r.runs;
  const quotes = [
    pct(perRequest.newPodsShare),
    pct(keepAlive.newPodsShare),
    pct(retired.newPodsShare),
    ms(perRequest.meanBefore),
    ms(perRequest.meanAfter),
    ms(keepAlive.meanAfter),
    ms(keepAlive.p99After),
    ms(perRequest.p99After),
    ms(retired.meanAfter),
    ms(r.theoryTwoPods),
    ms(r.theoryFourPods),
    String(keepAlive.openConnections),
  ];
  return { lines, quotes };
}

if (isMain(import.meta.url)) for (const line of report(run()).lines) console.log(line);
