/**
 * Lab 1: why iptables is not round robin.
 *
 * Four `api` pods behind a ClusterIP Service, one client on node-1 opening a new
 * connection per request at 400 requests/s for 60 s, once with kube-proxy in iptables mode
 * and once in IPVS mode with the `rr` scheduler. The lab prints the KUBE-SVC chain's
 * `--probability` rules, each pod's share of the minute, and how unevenly each second is
 * split.
 *
 * Run: `pnpm build && node examples/dist/labs/01-iptables-not-round-robin.js`.
 * Page: `examples/labs/01-iptables-not-round-robin.md`.
 */
import { exponential } from "@kube-netsim/core";
import type { Deployment } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";
import type { KubeProxySettings } from "@kube-netsim/scenario";
import { apiService } from "../flagship.js";
import { isMain, pct } from "./lab-kit.js";
import type { LabOutput } from "./lab-kit.js";

/** Pods behind the Service. */
export const PODS = 4;
/** Requests per second. */
export const RATE = 400;
/** Seconds of traffic. */
export const SECONDS = 60;

const deployment: Deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "api" },
  spec: {
    replicas: PODS,
    selector: { matchLabels: { app: "api" } },
    template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", ports: [{ containerPort: 8080 }] }] } },
  },
};

/** One data plane's minute. */
export interface ModeRun {
  readonly label: string;
  /** `--probability` values of the Service's KUBE-SVC chain (iptables only), in rule order. */
  readonly probabilities: readonly string[];
  /** Each endpoint's share of the minute, by address. */
  readonly shares: readonly number[];
  /** Requests each endpoint completed in each second: `perSecond[s][e]`. */
  readonly perSecond: readonly (readonly number[])[];
  /** Mean over seconds of (busiest endpoint - idlest endpoint) in that second. */
  readonly meanSpread: number;
  /** Largest such spread in any second. */
  readonly maxSpread: number;
  /** Standard deviation of the per-second, per-endpoint counts. */
  readonly sd: number;
}

function runMode(label: string, kubeProxy: KubeProxySettings): ModeRun {
  const sim = new Simulation({ seed: 1, kubeProxy });
  sim.apply([deployment, apiService]);
  sim.setApplication({ app: "api" }, { concurrency: 16, serviceTime: exponential(5) });
  sim.settle();
  const rules = sim.kubeProxy("node-1").ruleset();
  const probabilities = [...rules.matchAll(/^-A KUBE-SVC-\S+ .*--probability (\S+)/gm)].map((m) => m[1]);
  sim.addClient({ name: "frontend", target: "http://api:80", rate: RATE });
  const perSecond: number[][] = [];
  let last = new Map<string, number>();
  for (let s = 0; s < SECONDS; s++) {
    sim.runFor(1000);
    const now = new Map(sim.results().endpoints.map((e) => [e.address, e.completed]));
    perSecond.push([...now.keys()].sort().map((a) => now.get(a)! - (last.get(a) ?? 0)));
    last = now;
  }
  sim.drain();
  const r = sim.results();
  const spreads = perSecond.map((row) => Math.max(...row) - Math.min(...row));
  const all = perSecond.flat();
  const mean = all.reduce((a, b) => a + b, 0) / all.length;
  const sd = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / (all.length - 1));
  return {
    label,
    probabilities,
    shares: r.endpoints.map((e) => e.share),
    perSecond,
    meanSpread: spreads.reduce((a, b) => a + b, 0) / spreads.length,
    maxSpread: Math.max(...spreads),
    sd,
  };
}

/** The lab's two runs. */
export interface Lab1 {
  readonly iptables: ModeRun;
  readonly ipvs: ModeRun;
  /** Standard deviation of one endpoint's count in one second if each request picks it with probability 1/4 independently: sqrt(RATE / PODS). */
  readonly independentSd: number;
  /** The same for a perfect round robin, where only the arrivals vary: sqrt(RATE) / PODS. */
  readonly roundRobinSd: number;
}

/** Runs both data planes. */
export function run(): Lab1 {
  return {
    iptables: runMode("iptables", { mode: "iptables" }),
    ipvs: runMode("ipvs rr", { mode: "ipvs", ipvs: { scheduler: "rr" } }),
    independentSd: Math.sqrt(RATE / PODS),
    roundRobinSd: Math.sqrt(RATE) / PODS,
  };
}

/** What the lab prints, and the figures its page quotes. */
export function report(r: Lab1): LabOutput {
  const lines: string[] = [];
  lines.push(`KUBE-SVC chain on node-1 (iptables mode), ${PODS} endpoints:`);
  r.iptables.probabilities.forEach((p, i) => lines.push(`  rule ${i + 1}: -m statistic --mode random --probability ${p}`));
  lines.push(`  rule ${PODS}: (no match) -> last endpoint`);
  lines.push(`${RATE} requests/s for ${SECONDS} s, a new connection per request:`);
  lines.push(`  mode       shares of the minute              per second: mean spread  max spread  sd of counts`);
  for (const m of [r.iptables, r.ipvs]) {
    lines.push(`  ${m.label.padEnd(9)}  ${m.shares.map((s) => pct(s).padStart(6)).join(" ")}   ${m.meanSpread.toFixed(1).padStart(22)}  ${String(m.maxSpread).padStart(10)}  ${m.sd.toFixed(1).padStart(12)}`);
  }
  lines.push(`  theory: independent choices sd ${r.independentSd.toFixed(1)}, perfect round robin sd ${r.roundRobinSd.toFixed(1)}`);
  lines.push(`first 5 seconds, requests per endpoint:`);
  for (let s = 0; s < 5; s++) lines.push(`  +${s + 1}s  iptables ${r.iptables.perSecond[s].map((n) => String(n).padStart(4)).join("")}   ipvs rr ${r.ipvs.perSecond[s].map((n) => String(n).padStart(4)).join("")}`);
  const shares = (m: ModeRun): string[] => [pct(Math.min(...m.shares)), pct(Math.max(...m.shares))];
  const quotes = [
    ...r.iptables.probabilities,
    ...shares(r.iptables),
    ...shares(r.ipvs),
    r.iptables.meanSpread.toFixed(1),
    String(r.iptables.maxSpread),
    r.ipvs.meanSpread.toFixed(1),
    String(r.ipvs.maxSpread),
    r.iptables.sd.toFixed(1),
    r.ipvs.sd.toFixed(1),
    r.independentSd.toFixed(1),
    r.roundRobinSd.toFixed(1),
  ];
  return { lines, quotes };
}

if (isMain(import.meta.url)) for (const line of report(run()).lines) console.log(line);
