/**
 * One of my pods hangs: what do clients see, and what do readiness and liveness probes buy?
 *
 * Three `api` pods serve 300 requests/s (new connection per request, client timeout 2 s).
 * Ten seconds in, one pod's process hangs: it keeps accepting connections but answers
 * nothing. Three pod configurations:
 * 1. no probes: the hung pod stays an endpoint, a third of the requests time out for good;
 * 2. a readiness probe (every 5 s, 2 failures): the pod leaves the Service, errors stop,
 *    but it stays hung and the Service runs on two pods;
 * 3. readiness and liveness probes: the kubelet also kills the hung container (preStop,
 *    SIGTERM, grace period) and restarts it; the Service is whole again.
 *
 * Run: `pnpm build && node examples/dist/liveness.js`. Output checked in as
 * `examples/liveness.out`; a test asserts the observations.
 */
import { fileURLToPath } from "node:url";
import { exponential } from "@kube-netsim/core";
import type { Container, Deployment } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";
import type { OutcomeCounts } from "@kube-netsim/traffic";
import { apiService } from "./flagship.js";

interface Setup {
  readonly label: string;
  readonly probes: Partial<Container>;
}

function deployment(s: Setup): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api" },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "api" } },
      template: {
        metadata: { labels: { app: "api" } },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [{ name: "api", image: "example/api:1", ports: [{ name: "http", containerPort: 8080 }], ...s.probes }],
        },
      },
    },
  };
}

/** What one set-up gives: outcomes in the minute after the hang, and the state at its end. */
export interface LivenessRun {
  readonly outcomes: OutcomeCounts;
  /** Outcomes of the last 10 s. */
  readonly tail: OutcomeCounts;
  /** Endpoints node-1's kube-proxy forwards to at the end. */
  readonly endpoints: number;
  /** Restarts of the pod that hung. */
  readonly restarts: number;
}

function run(s: Setup): LivenessRun {
  const sim = new Simulation({ seed: 21 });
  sim.apply([deployment(s), apiService]);
  sim.setApplication({ app: "api" }, { concurrency: 4, serviceTime: exponential(5) });
  sim.settle();
  sim.addClient({ name: "frontend", target: "http://api:80", rate: 300, connectTimeout: 2_000 });
  sim.runFor(10_000);
  const victim = sim.pods({ app: "api" })[0].metadata.name;
  const t0 = sim.results().outcomes;
  sim.hangPod(victim);
  sim.runFor(50_000);
  const t1 = sim.results().outcomes;
  sim.runFor(10_000);
  sim.drain();
  const t2 = sim.results().outcomes;
  const minus = (a: OutcomeCounts, b: OutcomeCounts): OutcomeCounts => ({
    completed: a.completed - b.completed,
    refused: a.refused - b.refused,
    reset: a.reset - b.reset,
    timedOut: a.timedOut - b.timedOut,
    dropped: a.dropped - b.dropped,
  });
  const svc = sim.store.get("Service", "default", "api");
  return {
    outcomes: minus(t2, t0),
    tail: minus(t2, t1),
    endpoints: sim.kubeProxy("node-1").frontend(`${svc?.spec.clusterIP}:80/TCP`).endpoints.length,
    restarts: sim.restartCount(victim),
  };
}

/** The three set-ups. */
export const SETUPS: readonly Setup[] = [
  { label: "no probes", probes: {} },
  { label: "readiness probe", probes: { readinessProbe: { periodSeconds: 5, failureThreshold: 2 } } },
  {
    label: "readiness + liveness probes",
    probes: { readinessProbe: { periodSeconds: 5, failureThreshold: 2 }, livenessProbe: { periodSeconds: 5, failureThreshold: 3 } },
  },
];

/** Runs the set-ups and prints what the clients saw; returns the runs. */
export function main(print: (line: string) => void): LivenessRun[] {
  print("One of 3 api pods hangs under 300 requests/s (client timeout 2 s); the minute after the hang:");
  print(`  ${"pods".padEnd(28)} ${"ok".padStart(6)} ${"reset".padStart(6)} ${"timeout".padStart(8)}  ${"last 10 s errors".padStart(16)}  endpoints  restarts`);
  const runs: LivenessRun[] = [];
  for (const s of SETUPS) {
    const r = run(s);
    runs.push(r);
    const o = r.outcomes;
    const tailErrors = r.tail.refused + r.tail.reset + r.tail.timedOut + r.tail.dropped;
    print(
      `  ${s.label.padEnd(28)} ${String(o.completed).padStart(6)} ${String(o.reset).padStart(6)} ${String(o.timedOut).padStart(8)}  ${String(tailErrors).padStart(16)}  ${String(r.endpoints).padStart(9)}  ${String(r.restarts).padStart(8)}`,
    );
  }
  print("Without probes the hung pod keeps its share of new connections and every one of them times out.");
  print("A readiness probe takes it out of the Service after two failed probes (the timeouts are the");
  print("connections it got until then); a liveness probe also has the kubelet kill and restart it after");
  print("its third failure, so the Service is back to three endpoints.");
  return runs;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main((line) => console.log(line));
