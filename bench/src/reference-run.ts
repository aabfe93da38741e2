/**
 * One run of the reference workload of shared/peers/README.md through kube-netsim's
 * public API: a Deployment of P replicas (FIFO single servers, exponential 5 ms) behind
 * a ClusterIP Service, kube-proxy in iptables mode, one open-loop Poisson client at
 * 0.8 x P / 5 ms, until R requests have completed.
 *
 * Usage: node bench/dist/reference-run.js P R [seed] [nodes] [mode, e.g. iptables, nftables, ipvs:lc, cilium, cilium:maglev]
 * Prints: completed=... mean_ms=... p99_ms=... (the peers' format) plus our own fields
 * (max_rss_mib: the process's peak resident set, `process.resourceUsage().maxRSS`).
 */
import { fileURLToPath } from "node:url";
import { exponential } from "@kube-netsim/core";
import { Simulation, parseMode } from "@kube-netsim/scenario";

/** Result of one reference run. */
export interface ReferenceResult {
  readonly completed: number;
  readonly meanMs: number;
  readonly p99Ms: number;
  readonly events: number;
  readonly setupWallMs: number;
  readonly runWallMs: number;
}

/** Builds the cluster, waits until every endpoint is programmed, then runs R requests. */
export function runReference(P: number, R: number, seed: number = 1, nodes: number = 3, mode: string = "iptables"): ReferenceResult {
  const modeSettings = parseMode(mode);
  const t0 = performance.now();
  // The default cluster shape (3 nodes), holding far more pods per node than a kubelet's
  // default --max-pods of 110 (P = 10,000 puts 3,334 on each): a kubelet's --max-pods can
  // be raised (KubeletConfiguration maxPods), so the nodes get room for their share of P
  // plus 10, and a pod CIDR that holds it (a /18 holds 16,381 pod IPs).
  const sim = new Simulation({
    seed,
    nodes,
    maxPodsPerNode: Math.max(110, Math.ceil(P / nodes) + 10),
    clusterCIDR: "10.128.0.0/9",
    nodeCIDRMaskSize: 18,
    stopAfterCompleted: R,
    kubeProxy: modeSettings,
  });
  sim.apply([
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "api" },
      spec: {
        replicas: P,
        selector: { matchLabels: { app: "api" } },
        template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", ports: [{ containerPort: 8080 }] }] } },
      },
    },
    { apiVersion: "v1", kind: "Service", metadata: { name: "api" }, spec: { selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080 }] } },
  ]);
  sim.setApplication({ app: "api" }, { concurrency: 1, serviceTime: exponential(5) });
  sim.settle();
  const rate = (0.8 * P) / 5; // requests per ms
  sim.addClient({ name: "client", target: "api:80", interarrival: exponential(1 / rate) });
  const t1 = performance.now();
  const eventsBefore = sim.scheduler.eventsRun;
  sim.run();
  const t2 = performance.now();
  const r = sim.results();
  return {
    completed: r.outcomes.completed,
    meanMs: r.latency.mean,
    p99Ms: r.latency.p99,
    events: sim.scheduler.eventsRun - eventsBefore,
    setupWallMs: t1 - t0,
    runWallMs: t2 - t1,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const P = Number(process.argv[2] ?? 100);
  const R = Number(process.argv[3] ?? 1_000_000);
  const seed = Number(process.argv[4] ?? 1);
  const nodes = Number(process.argv[5] ?? 3);
  const mode = process.argv[6] ?? "iptables";
  if (!Number.isInteger(P) || P < 1 || !Number.isInteger(R) || R < 1) {
    console.error(`usage: node reference-run.js P R [seed]  (P, R positive integers; got P=${process.argv[2]} R=${process.argv[3]})`);
    process.exit(2);
  }
  const r = runReference(P, R, seed, nodes, mode);
  console.log(
    `completed=${r.completed} events=${r.events} mean_ms=${r.meanMs.toFixed(4)} p99_ms=${r.p99Ms.toFixed(4)} setup_ms=${r.setupWallMs.toFixed(0)} run_ms=${r.runWallMs.toFixed(0)}` +
      ` max_rss_mib=${(process.resourceUsage().maxRSS / 1024).toFixed(1)}`,
  );
}
