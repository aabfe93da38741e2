/**
 * Will my clients see errors while this Deployment rolls out, and which setting fixes it?
 *
 * Six `api` pods serve 300 requests/s from a keep-alive client pool; the image changes
 * and the Deployment rolls out (RollingUpdate, maxSurge 25% / maxUnavailable 25% unless
 * said otherwise). Three pod configurations:
 * 1. no preStop hook, the application exits at once on SIGTERM;
 * 2. the same application behind a 5 s preStop sleep;
 * 3. a 5 s preStop sleep and an application that drains on SIGTERM.
 *
 * Run: `pnpm build && node examples/dist/rolling-update.js`. Output checked in as
 * `examples/rolling-update.out`; a test asserts the observations.
 */
import { fileURLToPath } from "node:url";
import { exponential } from "@kube-netsim/core";
import type { Deployment } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";
import type { OutcomeCounts } from "@kube-netsim/traffic";
import { apiService } from "./flagship.js";

interface Setup {
  readonly label: string;
  readonly preStopSeconds: number;
  readonly onSigterm: "exit" | "drain";
  readonly maxUnavailable: string | number;
}

function deployment(image: string, s: Setup): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api" },
    spec: {
      replicas: 6,
      selector: { matchLabels: { app: "api" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: s.maxUnavailable } },
      template: {
        metadata: { labels: { app: "api" } },
        spec: {
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: "api",
              image,
              ports: [{ name: "http", containerPort: 8080 }],
              ...(s.preStopSeconds > 0 ? { lifecycle: { preStop: { sleep: { seconds: s.preStopSeconds } } } } : {}),
            },
          ],
        },
      },
    },
  };
}

function rollout(s: Setup): { outcomes: OutcomeCounts; seconds: number } {
  const sim = new Simulation({ seed: 5 });
  sim.apply([deployment("example/api:1", s), apiService]);
  sim.setApplication({ app: "api" }, { concurrency: 4, serviceTime: exponential(10), onSigterm: s.onSigterm });
  sim.settle();
  sim.addClient({ name: "frontend", target: "http://api:80", rate: 300, connections: { mode: "keep-alive", poolSize: 8 } });
  sim.runFor(10_000);
  const before = sim.results().outcomes;
  const t0 = sim.now;
  sim.apply([deployment("example/api:2", s)]);
  sim.settle();
  const seconds = (sim.now - t0) / 1000;
  sim.runFor(10_000);
  sim.drain();
  const after = sim.results().outcomes;
  const d = (k: keyof OutcomeCounts): number => after[k] - before[k];
  return { outcomes: { completed: d("completed"), refused: d("refused"), reset: d("reset"), timedOut: d("timedOut"), dropped: d("dropped") }, seconds };
}

/** Runs the three set-ups and prints what the clients saw. */
export function main(print: (line: string) => void): void {
  const setups: Setup[] = [
    { label: "exit on SIGTERM, no preStop", preStopSeconds: 0, onSigterm: "exit", maxUnavailable: "25%" },
    { label: "exit on SIGTERM, preStop sleep 5 s", preStopSeconds: 5, onSigterm: "exit", maxUnavailable: "25%" },
    { label: "drain on SIGTERM, preStop sleep 5 s", preStopSeconds: 5, onSigterm: "drain", maxUnavailable: "25%" },
    { label: "drain, preStop 5 s, maxUnavailable 0", preStopSeconds: 5, onSigterm: "drain", maxUnavailable: 0 },
  ];
  print("Rolling update of 6 api pods (maxSurge 25%) under 300 requests/s from a keep-alive pool of 8:");
  print(`  ${"pods".padEnd(40)} ${"rollout".padStart(8)} ${"ok".padStart(6)} ${"refused".padStart(8)} ${"reset".padStart(6)} ${"timeout".padStart(8)}`);
  for (const s of setups) {
    const r = rollout(s);
    const o = r.outcomes;
    print(`  ${s.label.padEnd(40)} ${(r.seconds.toFixed(1) + " s").padStart(8)} ${String(o.completed).padStart(6)} ${String(o.refused).padStart(8)} ${String(o.reset).padStart(6)} ${String(o.timedOut).padStart(8)}`);
  }
  print("Without a preStop hook a pod stops while nodes still send it connections, and whatever it holds is");
  print("reset. The preStop sleep keeps it serving until every node has dropped it; draining then finishes the");
  print("requests still in flight and closes the pooled connections cleanly, so the clients see no error.");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main((line) => console.log(line));
