/**
 * Keep-alive clients stay on the old pods during a rollout.
 *
 * kube-proxy chooses an endpoint when a connection opens, not per request. Four `api`
 * pods roll out (maxSurge 1, maxUnavailable 0, preStop sleep 5 s) under 200 requests/s
 * from one frontend. The frontend opens a connection per request, or keeps a pool of 8
 * keep-alive connections, or one multiplexed (HTTP/2, gRPC) connection; the pods drain
 * on SIGTERM or exit at once. Every 100 ms the example notes which pods served requests
 * and which addresses node-1's kube-proxy (the frontend's node) still lists.
 *
 * Run: `pnpm build && node examples/dist/rollout-keepalive.js`. Output checked in as
 * `examples/rollout-keepalive.out`; a test asserts the observations.
 */
import { fileURLToPath } from "node:url";
import { exponential } from "@kube-netsim/core";
import { Simulation } from "@kube-netsim/scenario";
import type { ConnectionPolicy, OutcomeCounts } from "@kube-netsim/traffic";
import { apiService } from "./flagship.js";
import { RolloutRecorder, apiDeployment, pad, secs } from "./rollout-kit.js";
import type { ApiSettings } from "./rollout-kit.js";

/** One client / application combination. */
export interface Setup {
  readonly label: string;
  readonly connections: ConnectionPolicy;
  readonly onSigterm: "exit" | "drain";
}

/** One second after the image change. */
export interface Second {
  /** Requests completed by pods of the old and of the new template. */
  readonly old: number;
  readonly new: number;
  /** Requests completed by a pod node-1's kube-proxy no longer listed (as of the start of the 100 ms step). */
  readonly unlisted: number;
  /** Requests that failed (refused, reset, timed out, dropped). */
  readonly failed: number;
}

/** What one run gave. */
export interface Outcome {
  readonly setup: Setup;
  readonly seconds: readonly Second[];
  /** From the image change to the end of the run. */
  readonly outcomes: OutcomeCounts;
  /** Requests completed by pods node-1 no longer listed, in total. */
  readonly unlisted: number;
  /** Time from the image change until the first 100 ms step in which a new pod served a request (ms, end of the step). */
  readonly firstNewRequestAfter: number;
  /** Time from the image change until the last request served by an old pod (ms, end of the 100 ms step). */
  readonly lastOldRequestAfter: number;
  /** When the Deployment reported the rollout complete, and when the last old pod was deleted (ms after the change). */
  readonly completeAfter: number;
  readonly lastOldPodGoneAfter: number;
  /** Shares of the new pods in the last 10 s of the run, lowest and highest. */
  readonly minShare: number;
  readonly maxShare: number;
}

const API: ApiSettings = { replicas: 4, maxSurge: 1, maxUnavailable: 0, preStopSeconds: 5 };
const SECONDS = 20;

/** Runs one rollout for one client. */
export function rollout(s: Setup): Outcome {
  const sim = new Simulation({ seed: 23 });
  sim.apply([apiDeployment("example/api:1", API), apiService]);
  sim.setApplication({ app: "api" }, { concurrency: 4, serviceTime: exponential(10), onSigterm: s.onSigterm });
  sim.settle();
  sim.addClient({ name: "frontend", target: "http://api:80", rate: 200, connections: s.connections });
  sim.runFor(5_000);
  const oldPods = new Set(sim.pods({ app: "api" }).map((p) => p.metadata.name));
  const address = `${sim.store.get("Service", "default", "api")?.spec.clusterIP}:80/TCP`;
  const recorder = new RolloutRecorder(sim, "example/api:2");
  const t0 = sim.now;
  const start = sim.results();
  sim.apply([apiDeployment("example/api:2", API)]);
  const seconds: { old: number; new: number; unlisted: number; failed: number }[] = [];
  let done = new Map(start.endpoints.map((e) => [e.address, e.completed]));
  let failedBefore = start.started - start.outcomes.completed - start.inFlight;
  let lastOld = 0;
  let firstNew = NaN;
  const lastTen = new Map<string, number>();
  for (let step = 0; step < SECONDS * 10; step++) {
    const listed = new Set(sim.kubeProxy("node-1").frontend(address).endpoints.map((e) => e.key));
    sim.runFor(100);
    const r = sim.results();
    if (step % 10 === 0) seconds.push({ old: 0, new: 0, unlisted: 0, failed: 0 });
    const sec = seconds[seconds.length - 1];
    for (const e of r.endpoints) {
      const n = e.completed - (done.get(e.address) ?? 0);
      if (n === 0) continue;
      if (oldPods.has(e.pod)) {
        sec.old += n;
        lastOld = sim.now - t0;
      } else {
        sec.new += n;
        if (Number.isNaN(firstNew)) firstNew = sim.now - t0;
      }
      if (!listed.has(e.address)) sec.unlisted += n;
      if (step >= (SECONDS - 10) * 10) lastTen.set(e.pod, (lastTen.get(e.pod) ?? 0) + n);
    }
    done = new Map(r.endpoints.map((e) => [e.address, e.completed]));
    const failed = r.started - r.outcomes.completed - r.inFlight;
    sec.failed += failed - failedBefore;
    failedBefore = failed;
  }
  sim.drain();
  const end = sim.results();
  const d = (k: keyof OutcomeCounts): number => end.outcomes[k] - start.outcomes[k];
  const total = [...lastTen.values()].reduce((a, b) => a + b, 0);
  const shares = sim.pods({ app: "api" }).map((p) => (lastTen.get(p.metadata.name) ?? 0) / total);
  const rec = recorder.record();
  return {
    setup: s,
    seconds,
    outcomes: { completed: d("completed"), refused: d("refused"), reset: d("reset"), timedOut: d("timedOut"), dropped: d("dropped") },
    unlisted: seconds.reduce((a, x) => a + x.unlisted, 0),
    firstNewRequestAfter: firstNew,
    lastOldRequestAfter: lastOld,
    completeAfter: rec.completeAfter,
    lastOldPodGoneAfter: rec.lastOldPodGoneAfter,
    minShare: Math.min(...shares),
    maxShare: Math.max(...shares),
  };
}

/** The set-ups, in print order. */
export const SETUPS: readonly Setup[] = [
  { label: "connection per request, pods drain", connections: { mode: "per-request" }, onSigterm: "drain" },
  { label: "keep-alive pool of 8, pods drain", connections: { mode: "keep-alive", poolSize: 8 }, onSigterm: "drain" },
  { label: "keep-alive pool of 8, pods exit", connections: { mode: "keep-alive", poolSize: 8 }, onSigterm: "exit" },
  { label: "one multiplexed connection, pods drain", connections: { mode: "multiplexed" }, onSigterm: "drain" },
];

/** Runs every set-up and prints the story. */
export function main(print: (line: string) => void): void {
  const results = SETUPS.map(rollout);
  print("Rollout of 4 api pods (maxSurge 1, maxUnavailable 0, preStop sleep 5 s) under 200 requests/s from node-1.");
  print(`The Deployment reports it complete ${secs(results[0].completeAfter)} after the change; the last old pod is gone after ${secs(results[0].lastOldPodGoneAfter)}.`);
  for (const [i, r] of results.entries()) print(`  (${i + 1}) ${r.setup.label}`);
  print("Requests completed per second by old / new pods, how many of them came from a pod node-1's kube-proxy");
  print("no longer listed (unl.), and requests failed:");
  print(`  ${"s".padStart(3)}  ${results.map((_, i) => `(${i + 1})`.padEnd(23)).join(" | ")}`);
  print(`  ${"".padStart(3)}  ${results.map(() => `${pad("old", 5)} ${pad("new", 5)} ${pad("unl.", 5)} ${pad("fail", 4)}`).join(" | ")}`);
  for (let k = 0; k < 12; k++) {
    print(`  ${pad(`+${k + 1}`, 3)}  ${results.map((r) => `${pad(r.seconds[k].old, 5)} ${pad(r.seconds[k].new, 5)} ${pad(r.seconds[k].unlisted, 5)} ${pad(r.seconds[k].failed, 4)}`).join(" | ")}`);
  }
  print("Over the 20 s after the change:");
  print(`  ${"client, pods".padEnd(44)} ${pad("last old request", 17)} ${pad("unlisted", 9)} ${pad("ok", 6)} ${pad("refused", 8)} ${pad("reset", 6)} ${pad("timeout", 8)}  new pods' shares, last 10 s`);
  for (const [i, r] of results.entries()) {
    const o = r.outcomes;
    print(
      `  ${`(${i + 1}) ${r.setup.label}`.padEnd(44)} ${pad(secs(r.lastOldRequestAfter), 17)} ${pad(r.unlisted, 9)} ${pad(o.completed, 6)} ${pad(o.refused, 8)} ${pad(o.reset, 6)} ${pad(o.timedOut, 8)}  ${(100 * r.minShare).toFixed(1)}% to ${(100 * r.maxShare).toFixed(1)}%`,
    );
  }
  const [perRequest, keepAlive, keepAliveExit, mux] = results;
  print("Observations:");
  print(`- With a connection per request, old pods stop getting requests as soon as node-1 drops them:`);
  print(`  ${perRequest.unlisted} requests were served by an unlisted pod (only those already queued), the last old one after ${secs(perRequest.lastOldRequestAfter)}.`);
  print(`- A keep-alive pool keeps using its connections to old pods after node-1 dropped them: ${keepAlive.unlisted} requests,`);
  print(`  until each pod's preStop sleep ends and its SIGTERM closes them (last after ${secs(keepAlive.lastOldRequestAfter)}). Meanwhile the new`);
  print(`  pods, Ready from +1 s, get nothing from it: its first request to a new pod comes after ${secs(keepAlive.firstNewRequestAfter)}`);
  print(`  (connection per request: after ${secs(perRequest.firstNewRequestAfter)}).`);
  print(`- What the client sees then depends on the application: draining closes idle connections and finishes the`);
  print(`  rest, so the pool reconnects without an error (${keepAlive.outcomes.reset + keepAlive.outcomes.refused + keepAlive.outcomes.timedOut} failed); exiting at once resets the requests in flight (${keepAliveExit.outcomes.reset} reset).`);
  print(`- One multiplexed connection puts all traffic on one old pod until it drains (${mux.unlisted} requests after node-1`);
  print(`  dropped it); the drain's GOAWAY moves new requests to a new connection, so again nothing fails, and`);
  print(`  afterwards one new pod takes everything (shares ${(100 * mux.minShare).toFixed(1)}% to ${(100 * mux.maxShare).toFixed(1)}%).`);
  print(`- After the rollout a keep-alive pool is as unbalanced as its reconnections made it: ${(100 * keepAlive.minShare).toFixed(1)}% to ${(100 * keepAlive.maxShare).toFixed(1)}%`);
  print(`  per new pod (a connection per request: ${(100 * perRequest.minShare).toFixed(1)}% to ${(100 * perRequest.maxShare).toFixed(1)}%).`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main((line) => console.log(line));
