/**
 * maxUnavailable 0 versus 25% (the default) for the same rollout.
 *
 * Eight `api` pods (each one request at a time, 10 ms mean service time, a queue of at
 * most 20) serve 560 requests/s, 70% of their capacity. The image changes; new pods take
 * 1 s to start and 3 s to warm up before they are Ready. The rollout runs with maxSurge
 * 25% and maxUnavailable 25% (the defaults: 2 old pods go at once, before their
 * replacements are Ready) or 0 (an old pod goes only once a new one is Ready), each with
 * and without a preStop sleep and a draining application.
 *
 * Run: `pnpm build && node examples/dist/rollout-max-unavailable.js`. Output checked in as
 * `examples/rollout-max-unavailable.out`; a test asserts the observations.
 */
import { fileURLToPath } from "node:url";
import { constant, exponential } from "@kube-netsim/core";
import { Simulation } from "@kube-netsim/scenario";
import type { TimelineBucket } from "@kube-netsim/scenario";
import type { OutcomeCounts } from "@kube-netsim/traffic";
import { apiService } from "./flagship.js";
import { RolloutRecorder, apiDeployment, pad, secs } from "./rollout-kit.js";
import type { ApiSettings, RolloutRecord } from "./rollout-kit.js";

/** One configuration of the comparison. */
export interface Setup {
  readonly label: string;
  readonly maxUnavailable: number | string;
  readonly preStopSeconds: number;
  readonly onSigterm: "exit" | "drain";
}

/** What one rollout gave. */
export interface Outcome {
  readonly setup: Setup;
  readonly rollout: RolloutRecord;
  /** Requests that ended in the 30 s after the image change, by outcome. */
  readonly outcomes: OutcomeCounts;
  /** Fewest ready endpoints any node's kube-proxy had programmed at any moment. */
  readonly minReadyEndpoints: number;
  /** Mean latency (ms) of the requests completed while old pods were still there, and in the 10 s before the change. */
  readonly rolloutMean: number;
  readonly steadyMean: number;
  /** Worst one-second p99 latency (ms) while old pods were still there, and in the 10 s before the change. */
  readonly worstP99: number;
  readonly steadyP99: number;
  /** Per second from the image change: fewest ready endpoints on node-1. */
  readonly readyEndpointsPerSecond: readonly number[];
}

/** The 8 api pods' settings for one set-up. */
export const settings = (s: Setup): ApiSettings => ({ replicas: 8, maxSurge: "25%", maxUnavailable: s.maxUnavailable, preStopSeconds: s.preStopSeconds });

/** Runs one rollout. */
export function rollout(s: Setup): Outcome {
  const sim = new Simulation({ seed: 11, timings: { readinessDelay: constant(3000) } });
  sim.apply([apiDeployment("example/api:1", settings(s)), apiService]);
  sim.setApplication({ app: "api" }, { concurrency: 1, serviceTime: exponential(10), queueLimit: 20, onSigterm: s.onSigterm });
  sim.settle();
  sim.addClient({ name: "frontend", target: "http://api:80", rate: 560 });
  const tl = sim.timeline({ service: "api", bucket: 1000 });
  sim.runFor(10_000);
  const t0 = sim.now;
  const before = sim.results().outcomes;
  const recorder = new RolloutRecorder(sim, "example/api:2");
  sim.apply([apiDeployment("example/api:2", settings(s))]);
  sim.runFor(30_000);
  tl.stop();
  sim.drain();
  const after = sim.results().outcomes;
  const d = (k: keyof OutcomeCounts): number => after[k] - before[k];
  const buckets = tl.buckets();
  const during = buckets.filter((b) => b.start >= t0 && b.start < t0 + recorder.record().lastOldPodGoneAfter);
  const steady = buckets.filter((b) => b.start < t0);
  const minOf = (b: TimelineBucket): number => Math.min(...Object.values(b.minReadyEndpointsByNode));
  const mean = (bs: readonly TimelineBucket[]): number => {
    const n = bs.reduce((a, b) => a + b.outcomes.completed, 0);
    return bs.reduce((a, b) => a + (b.outcomes.completed > 0 ? b.latency.mean * b.outcomes.completed : 0), 0) / n;
  };
  return {
    setup: s,
    rollout: recorder.record(),
    outcomes: { completed: d("completed"), refused: d("refused"), reset: d("reset"), timedOut: d("timedOut"), dropped: d("dropped") },
    minReadyEndpoints: Math.min(...buckets.filter((b) => b.start >= t0).map(minOf)),
    rolloutMean: mean(during),
    steadyMean: mean(steady),
    worstP99: Math.max(...during.map((b) => b.latency.p99).filter(Number.isFinite)),
    steadyP99: Math.max(...steady.map((b) => b.latency.p99).filter(Number.isFinite)),
    readyEndpointsPerSecond: during.map((b) => b.minReadyEndpointsByNode["node-1"]),
  };
}

/** The four set-ups, in print order. */
export const SETUPS: readonly Setup[] = [
  { label: "maxUnavailable 25%, no preStop", maxUnavailable: "25%", preStopSeconds: 0, onSigterm: "exit" },
  { label: "maxUnavailable 0, no preStop", maxUnavailable: 0, preStopSeconds: 0, onSigterm: "exit" },
  { label: "maxUnavailable 25%, preStop 5 s, drain", maxUnavailable: "25%", preStopSeconds: 5, onSigterm: "drain" },
  { label: "maxUnavailable 0, preStop 5 s, drain", maxUnavailable: 0, preStopSeconds: 5, onSigterm: "drain" },
];

/** Runs the four rollouts and prints what the clients saw. */
export function main(print: (line: string) => void): void {
  print("Rollout of 8 api pods (maxSurge 25% = 2) under 560 requests/s (70% of their capacity),");
  print("new pods Ready 4 s after creation (1 s start, 3 s warm-up); queue limit 20 per pod:");
  print(
    `  ${"settings".padEnd(40)} ${pad("complete", 9)} ${pad("old gone", 9)} ${pad("pods max", 9)} ${pad("ready min", 10)} ${pad("eps min", 8)} ${pad("mean ms", 8)} ${pad("p99 ms", 7)} ${pad("ok", 6)} ${pad("refused", 8)} ${pad("reset", 6)} ${pad("timeout", 8)} ${pad("dropped", 8)}`,
  );
  const results = SETUPS.map(rollout);
  for (const r of results) {
    const o = r.outcomes;
    print(
      `  ${r.setup.label.padEnd(40)} ${pad(secs(r.rollout.completeAfter), 9)} ${pad(secs(r.rollout.lastOldPodGoneAfter), 9)} ${pad(r.rollout.maxActivePods, 9)} ${pad(r.rollout.minReadyPods, 10)} ${pad(r.minReadyEndpoints, 8)} ${pad(r.rolloutMean.toFixed(1), 8)} ${pad(r.worstP99.toFixed(0), 7)} ${pad(o.completed, 6)} ${pad(o.refused, 8)} ${pad(o.reset, 6)} ${pad(o.timedOut, 8)} ${pad(o.dropped, 8)}`,
    );
  }
  print(`  complete: the Deployment reports every replica updated and available; old gone: the last old pod deleted.`);
  print(`  pods max: most pods not terminating at once; ready min: fewest Ready pods; eps min: fewest ready endpoints on any node.`);
  print(`  mean ms, p99 ms: latency while old pods remained (p99: worst one-second bucket); in the 10 s before the change:`);
  print(`  mean ${results[3].steadyMean.toFixed(1)} ms (M/M/1 theory at 70%: 33.3 ms), worst p99 ${results[3].steadyP99.toFixed(0)} ms. Outcomes: the 30 s after the change.`);
  print("Fewest ready endpoints on node-1, second by second from the image change (preStop rows):");
  for (const r of results.slice(2)) print(`  ${r.setup.label.padEnd(40)} ${r.readyEndpointsPerSecond.join(" ")}`);
  const [u25, u0, u25Safe, u0Safe] = results;
  print("Observations:");
  print(`- maxUnavailable 25% takes 2 of the 8 pods out of the Service before their replacements are Ready: the 6`);
  print(`  left run at 93% of their capacity; mean latency is ${u25Safe.rolloutMean.toFixed(1)} ms instead of ${u0Safe.rolloutMean.toFixed(1)} ms and full queues drop`);
  print(`  ${u25Safe.outcomes.dropped} requests instead of ${u0Safe.outcomes.dropped}.`);
  print(`- maxUnavailable 0 keeps 8 ready endpoints on every node throughout, at the price of a longer rollout`);
  print(`  (${secs(u0Safe.rollout.completeAfter)} instead of ${secs(u25Safe.rollout.completeAfter)}); both reach ${u0Safe.rollout.maxActivePods} pods at once (replicas + maxSurge).`);
  print(`- Neither fixes the errors of pods that stop while nodes still send them connections (${u25.outcomes.reset + u25.outcomes.timedOut} and`);
  print(`  ${u0.outcomes.reset + u0.outcomes.timedOut} resets and timeouts without preStop): that is the preStop sleep and a draining application's job.`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main((line) => console.log(line));
