/**
 * Lab 7: session affinity and xt_recent's 100-address limit.
 *
 * Two `api` pods behind a Service with `sessionAffinity: ClientIP`. Many clients on
 * node-1, each with its own pod IP, send one request per second (a new connection each)
 * for two minutes. With few clients every client sticks to one pod; with many, iptables
 * mode's `recent` lists (at most 100 addresses each) forget clients and some move. The
 * same runs in nftables mode, whose affinity sets have no size limit.
 *
 * Run: `pnpm build && node examples/dist/labs/07-session-affinity-recent.js`.
 * Page: `examples/labs/07-session-affinity-recent.md`.
 */
import { exponential } from "@kube-netsim/core";
import type { Deployment, Service } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";
import type { ProxyMode } from "@kube-netsim/proxy";
import { isMain, pct } from "./lab-kit.js";
import type { LabOutput } from "./lab-kit.js";

/** Seconds of traffic. */
export const SECONDS = 120;

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

const service: Service = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "api" },
  spec: { selector: { app: "api" }, sessionAffinity: "ClientIP", ports: [{ port: 80, targetPort: 8080 }] },
};

/** One run: a mode and a number of clients. */
export interface AffinityRun {
  readonly mode: ProxyMode;
  readonly clients: number;
  /** Clients whose requests all went to one pod. */
  readonly sticky: number;
  /** Requests that went to a different pod than the same client's previous request. */
  readonly moves: number;
  readonly requests: number;
}

function runOne(mode: ProxyMode, clients: number): AffinityRun {
  // A /22 per node: room for 400 client pods on node-1.
  const sim = new Simulation({ seed: 11, kubeProxy: { mode }, nodeCIDRMaskSize: 22, traceRequests: true });
  sim.apply([deployment, service]);
  sim.setApplication({ app: "api" }, { concurrency: 64, serviceTime: exponential(5) });
  sim.settle();
  const last = new Map<string, string>();
  const seen = new Map<string, Set<string>>();
  let moves = 0;
  let requests = 0;
  sim.trace.subscribe((r) => {
    if (r.kind !== "request" || r.fields.outcome !== "completed") return;
    const client = String(r.fields.client);
    const endpoint = String(r.fields.endpoint);
    requests++;
    const prev = last.get(client);
    if (prev !== undefined && prev !== endpoint) moves++;
    last.set(client, endpoint);
    let s = seen.get(client);
    if (!s) seen.set(client, (s = new Set()));
    s.add(endpoint);
  });
  for (let i = 0; i < clients; i++) sim.addClient({ name: `c${i}`, target: "http://api:80", rate: 1 });
  sim.runFor(SECONDS * 1000);
  sim.drain();
  let sticky = 0;
  for (const s of seen.values()) if (s.size === 1) sticky++;
  return { mode, clients, sticky, moves, requests };
}

/** The client counts compared. */
export const CLIENT_COUNTS = [50, 150, 400] as const;

/** Runs each mode with each client count. */
export function run(): AffinityRun[] {
  return (["iptables", "nftables"] as const).flatMap((mode) => CLIENT_COUNTS.map((n) => runOne(mode, n)));
}

/** Finds one run. */
export function find(runs: readonly AffinityRun[], mode: ProxyMode, clients: number): AffinityRun {
  const r = runs.find((x) => x.mode === mode && x.clients === clients);
  if (!r) throw new RangeError(`no run ${mode} ${clients}`);
  return r;
}

/** What the lab prints, and the figures its page quotes. */
export function report(runs: readonly AffinityRun[]): LabOutput {
  const lines = [
    `sessionAffinity: ClientIP, 2 pods, each client 1 request/s (new connection each) for ${SECONDS} s:`,
    `  mode       clients  sticky clients  requests that moved`,
    ...runs.map((r) => `  ${r.mode.padEnd(9)}  ${String(r.clients).padStart(7)}  ${`${r.sticky} (${pct(r.sticky / r.clients, 0)})`.padStart(14)}  ${`${r.moves} of ${r.requests}`.padStart(19)}`),
  ];
  const i150 = find(runs, "iptables", 150);
  const i400 = find(runs, "iptables", 400);
  const quotes = [
    String(find(runs, "iptables", 50).sticky),
    String(i150.sticky),
    String(i150.moves),
    String(i400.sticky),
    pct(i400.sticky / i400.clients, 0),
    String(i400.moves),
    String(i400.requests),
    String(find(runs, "nftables", 400).moves),
  ];
  return { lines, quotes };
}

if (isMain(import.meta.url)) for (const line of report(run()).lines) console.log(line);
