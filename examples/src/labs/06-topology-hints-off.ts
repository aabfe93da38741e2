/**
 * Lab 6: topology hints switching off.
 *
 * Three nodes in three zones, an `api` Deployment behind a Service annotated
 * `service.kubernetes.io/topology-mode: Auto`, and a client on every node (100 requests/s
 * each, a new connection per request). The Deployment is scaled 6 -> 4 -> 3 -> 2; after
 * each scale the lab waits for the cluster to settle and measures 30 s: whether the
 * EndpointSlice controller gave hints (or why it removed them) and the share of requests
 * that crossed a zone.
 *
 * Run: `pnpm build && node examples/dist/labs/06-topology-hints-off.js`.
 * Page: `examples/labs/06-topology-hints-off.md`.
 */
import { exponential } from "@kube-netsim/core";
import type { Deployment, Service } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";
import { isMain, pct } from "./lab-kit.js";
import type { LabOutput } from "./lab-kit.js";

const deployment: Deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "api" },
  spec: {
    replicas: 6,
    selector: { matchLabels: { app: "api" } },
    template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", ports: [{ containerPort: 8080 }] }] } },
  },
};

const service: Service = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "api", annotations: { "service.kubernetes.io/topology-mode": "Auto" } },
  spec: { selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080 }] },
};

/** The replica counts, in order. */
export const REPLICAS = [6, 4, 3, 2] as const;

/** One phase. */
export interface Phase {
  readonly replicas: number;
  /** Ready pods per zone, `zone-a/zone-b/zone-c`. */
  readonly podsPerZone: string;
  /** Hints per zone when on, e.g. `zone-a:2 zone-b:2 zone-c:2`; undefined when removed. */
  readonly hints?: string;
  /** Why the hints were removed. */
  readonly disabled?: string;
  /** Share of the phase's requests that crossed a zone. */
  readonly crossZone: number;
  readonly requests: number;
}

/** Runs the four phases. */
export function run(): Phase[] {
  const sim = new Simulation({ seed: 6 });
  sim.apply([deployment, service]);
  sim.setApplication({ app: "api" }, { concurrency: 8, serviceTime: exponential(5) });
  sim.settle();
  for (const node of sim.nodeNames) sim.addClient({ name: `client-${node}`, node, target: "http://api:80", rate: 100 });
  const zoneOf = new Map(sim.store.list("Node").map((n) => [n.metadata.name, n.metadata.labels?.["topology.kubernetes.io/zone"] ?? ""]));
  const phases: Phase[] = [];
  for (const replicas of REPLICAS) {
    sim.scale("api", replicas);
    sim.settle();
    const before = sim.crossZoneTraffic();
    sim.runFor(30_000);
    const after = sim.crossZoneTraffic();
    const perZone = new Map<string, number>();
    for (const p of sim.pods({ app: "api" })) {
      if (p.metadata.deletionTimestamp !== undefined) continue;
      const z = zoneOf.get(p.spec.nodeName ?? "") ?? "";
      perZone.set(z, (perZone.get(z) ?? 0) + 1);
    }
    const h = sim.topologyHints("api");
    const requests = after.requests - before.requests;
    phases.push({
      replicas,
      podsPerZone: ["zone-a", "zone-b", "zone-c"].map((z) => perZone.get(z) ?? 0).join("/"),
      ...(h?.hintsByZone ? { hints: [...h.hintsByZone].sort().map(([z, n]) => `${z}:${n}`).join(" ") } : {}),
      ...(h?.disabled !== undefined ? { disabled: h.disabled } : {}),
      crossZone: (after.crossZone - before.crossZone) / requests,
      requests,
    });
  }
  sim.drain();
  return phases;
}

/** What the lab prints, and the figures its page quotes. */
export function report(phases: readonly Phase[]): LabOutput {
  const lines = [
    "topology-mode: Auto, 3 zones (one node each, 4 CPUs), a client per node at 100 requests/s; 30 s per phase:",
    "  replicas  pods a/b/c  cross-zone  hints",
    ...phases.map((p) => `  ${String(p.replicas).padStart(8)}  ${p.podsPerZone.padStart(10)}  ${pct(p.crossZone).padStart(10)}  ${p.hints ?? `removed: ${p.disabled}`}`),
  ];
  const quotes = phases.map((p) => pct(p.crossZone));
  return { lines, quotes };
}

if (isMain(import.meta.url)) for (const line of report(run()).lines) console.log(line);
