import { LABEL_SERVICE_NAME, needsHealthCheck } from "@kube-netsim/model";
import { externalAddressKinds } from "@kube-netsim/proxy";
import type { EndpointSlice } from "@kube-netsim/model";
import type { IngressResults, Simulation, TimelineBucket } from "@kube-netsim/scenario";
import { formatComparison } from "@kube-netsim/scenario";
import { formatDuration } from "./duration.js";
import type { ExpectationResult, ScenarioRun } from "./runner.js";

/**
 * A plain-text table: the first column and those in `left` aligned left, the others
 * right; two spaces between columns, each line indented by `indent`.
 *
 * @example
 * ```ts
 * table(["mode", "ok"], [["iptables", "100"], ["ipvs", "99"]]);
 * // "  mode       ok\n  iptables  100\n  ipvs       99\n"
 * ```
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[], left: readonly number[] = [0], indent: string = "  "): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    indent +
    cells
      .map((x, c) => (left.includes(c) ? x.padEnd(widths[c]) : x.padStart(widths[c])))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

const ms2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : "-");
const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

/** `timedOut <= 0`, `latency.p99 in [1 ms, 50 ms]`. */
function bounds(e: ExpectationResult): string {
  const v = (x: number): string => (e.metric.startsWith("latency.") ? formatDuration(x) : String(x));
  if (e.min !== undefined && e.max !== undefined) return `${e.metric} in [${v(e.min)}, ${v(e.max)}]`;
  return e.min !== undefined ? `${e.metric} >= ${v(e.min)}` : `${e.metric} <= ${v(e.max ?? NaN)}`;
}

/**
 * The expectations of a run, one line each: `ok`/`FAIL`, the bound, the value.
 *
 * @example
 * ```ts
 * process.stdout.write(formatExpectations(run.expectations)); // run: runScenario of examples/scenarios/flagship.yaml
 * //   ok    failedRatio <= 0.01: 0.03%
 * //   ok    latency.p99 <= 100 ms: 53.264 ms
 * ```
 */
export function formatExpectations(list: readonly ExpectationResult[], indent: string = "  "): string {
  return list
    .map((e) => {
      const value = e.metric.startsWith("latency.") ? (Number.isFinite(e.value) ? formatDuration(e.value) : "no completed request") : e.metric === "failedRatio" ? pct(e.value) : String(e.value);
      return `${indent}${e.ok ? "ok  " : "FAIL"}  ${bounds(e)}: ${value}\n`;
    })
    .join("");
}

/**
 * One line per bucket: outcomes, latency, endpoints programmed per node, pods by phase; `t` from the traffic start.
 *
 * @example
 * ```ts
 * process.stdout.write(formatBuckets(run.buckets.slice(29, 32), run.sim.nodeNames)); // flagship: a pod deleted at 30 s
 * //   t (s)   ok  refused  reset  timedOut  dropped  p50 ms  p99 ms  endpoints (node-1/node-2/node-3)  pods
 * //    29.0  282        0      0         0        0    6.64   37.76  3/3/3                             Running 2, Terminating 1
 * //    30.0  311        0      1         0        0   16.35   63.10  2/2/2                             Pending 1, Running 2
 * //    31.0  277        0      0         3        0    7.86  100.10  3/3/3                             Running 3
 * ```
 */
export function formatBuckets(buckets: readonly TimelineBucket[], nodes: readonly string[]): string {
  const rows = buckets.map((b) => {
    const o = b.outcomes;
    const pods = Object.entries(b.pods)
      .sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0))
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
    return [
      (b.start / 1000).toFixed(1),
      String(o.completed),
      String(o.refused),
      String(o.reset),
      String(o.timedOut),
      String(o.dropped),
      ms2(b.latency.p50),
      ms2(b.latency.p99),
      nodes.map((n) => String(b.endpointsByNode[n] ?? "-")).join("/"),
      pods,
    ];
  });
  return table(["t (s)", "ok", "refused", "reset", "timedOut", "dropped", "p50 ms", "p99 ms", `endpoints (${nodes.join("/")})`, "pods"], rows, [8, 9]);
}

/**
 * The readable summary of `run`.
 *
 * @example
 * ```ts
 * const run = runScenario(loadScenarioFile("examples/scenarios/flagship.yaml"), { seed: 1 });
 * console.log(formatRunSummary("flagship.yaml", run));
 * // kube-netsim run flagship.yaml
 * //   seed 1, kube-proxy iptables, nodes node-1 (zone-a), node-2 (zone-b), node-3 (zone-c)
 * //   ...
 * ```
 */
export function formatRunSummary(file: string, run: ScenarioRun, measure?: { readonly service: string; readonly namespace: string; readonly bucket: number }): string {
  const r = run.results;
  const sim = run.sim;
  const nodes = sim.store.list("Node").map((n) => {
    const zone = n.metadata.labels?.["topology.kubernetes.io/zone"];
    return zone ? `${n.metadata.name} (${zone})` : n.metadata.name;
  });
  let out = `kube-netsim run ${file}\n`;
  out += `  seed ${run.seed}, kube-proxy ${run.mode}, nodes ${nodes.join(", ")}\n`;
  out += `  traffic from t=${formatDuration(run.trafficStart)} (cluster at rest) for ${formatDuration(r.time - run.trafficStart)} including the drain; ${r.events} events\n\n`;
  out += "outcomes\n";
  const o = r.outcomes;
  out += table(["started", "completed", "refused", "reset", "timedOut", "dropped", "in flight"], [[r.started, o.completed, o.refused, o.reset, o.timedOut, o.dropped, r.inFlight].map(String)], []);
  out += "\nlatency of completed requests (ms)\n";
  const l = r.latency;
  out += table(["mean", "p50", "p90", "p99", "p99.9", "max"], [[l.mean, l.p50, l.p90, l.p99, l.p999, l.max].map(ms2)], []);
  out += "\nendpoints (completed requests)\n";
  out += table(
    ["endpoint", "pod", "node", "requests", "share"],
    r.endpoints.map((e) => [e.address, e.pod, e.node, String(e.completed), pct(e.share)]),
    [0, 1, 2],
  );
  if (r.ingress !== undefined) out += formatIngress(r.ingress);
  if (measure) {
    out += `\ntimeline: Service ${measure.namespace}/${measure.service}, ${formatDuration(measure.bucket)} buckets, t from the traffic start\n`;
    out += formatBuckets(run.buckets, sim.nodeNames);
  }
  if (run.warnings.length > 0) out += "\nwarnings\n" + run.warnings.map((w) => `  ${w}\n`).join("");
  if (run.expectations.length > 0) out += "\nexpectations\n" + formatExpectations(run.expectations);
  out += `\ndigest ${r.digest}\n`;
  return out;
}

/**
 * The Ingress controller's part of a run summary: responses per matching rule and HTTP
 * status, and the rule each Ingress client's host and path match.
 *
 * @example
 * ```ts
 * const run = runScenario(loadScenarioFile("examples/scenarios/ingress.yaml"));
 * if (run.results.ingress) console.log(formatIngress(run.results.ingress));
 * // ingress: responses per rule and HTTP status
 * //   rule                                  200  404
 * //   (no rule)                               0  105
 * //   shop: shop.example.com/ (Prefix)      992    0
 * //   shop: shop.example.com/api (Prefix)  2387    0
 * // ingress clients: ... (client, host, path, rule)
 * ```
 */
export function formatIngress(ingress: IngressResults): string {
  const statusOf = (m: Readonly<Record<string, number>>): string[] => Object.keys(m);
  const statuses = [...new Set(Object.values(ingress.byRule).flatMap(statusOf))].sort();
  const rules = Object.keys(ingress.byRule).sort();
  let out = "\ningress: responses per rule and HTTP status\n";
  out +=
    rules.length === 0
      ? "  (no request reached the Ingress controller)\n"
      : table(["rule", ...statuses], rules.map((rule) => [rule, ...statuses.map((st) => String(ingress.byRule[rule][st] ?? 0))]), [0]);
  const clients = Object.keys(ingress.routes).sort();
  if (clients.length > 0) {
    out += "\ningress clients: the rule each one's host and path match (at the end of the run)\n";
    out += table(
      ["client", "host", "path", "rule"],
      clients.map((c) => {
        const route = ingress.routes[c];
        return [c, route.host, route.path, route.rule];
      }),
      [0, 1, 2, 3],
    );
  }
  return out;
}

/**
 * The side-by-side summary of `compare`.
 *
 * @example
 * ```ts
 * const scenario = loadScenarioFile("examples/scenarios/flagship.yaml");
 * const runs = ["iptables", "ipvs:lc"].map((mode) => runScenario(scenario, { mode }));
 * process.stdout.write(formatCompareSummary("flagship.yaml", runs, scenario.measure));
 * //   mode      started  completed  refused  reset  timedOut  dropped  mean ms  p50 ms  p99 ms  ...
 * //   iptables    11901      11897        0      1         3        0    10.69    7.21   53.26  ...
 * //   ipvs:lc     11901      11898        0      2         1        0    12.10    5.83   72.22  ...
 * ```
 */
export function formatCompareSummary(file: string, runs: readonly ScenarioRun[], measure?: { readonly service: string; readonly namespace: string; readonly bucket: number }): string {
  let out = `kube-netsim compare ${file}\n  seed ${runs[0]?.seed}: every mode gets the same clients, arrivals and service times\n\n`;
  out += formatComparison(runs.map((x) => ({ mode: x.mode, results: x.results })))
    .split("\n")
    .map((x) => (x === "" ? x : `  ${x}`))
    .join("\n");
  if (measure && runs.length > 0) {
    out += `\nrequests not completed per ${formatDuration(measure.bucket)} bucket (refused+reset+timedOut+dropped), t from the traffic start\n`;
    const n = Math.max(...runs.map((x) => x.buckets.length));
    const rows: string[][] = [];
    for (let i = 0; i < n; i++) {
      const cells = runs.map((x) => {
        const b = x.buckets[i];
        return b ? b.outcomes.refused + b.outcomes.reset + b.outcomes.timedOut + b.outcomes.dropped : 0;
      });
      if (cells.every((c) => c === 0)) continue;
      rows.push([((i * measure.bucket) / 1000).toFixed(1), ...cells.map(String)]);
    }
    out += rows.length === 0 ? "  (none in any mode)\n" : table(["t (s)", ...runs.map((x) => x.mode)], rows, []);
  }
  if (runs.some((x) => x.expectations.length > 0)) {
    out += "\nexpectations\n";
    for (const x of runs) out += `  ${x.mode}\n` + formatExpectations(x.expectations, "    ");
  }
  out += "\ndigests\n" + table(["mode", "digest"], runs.map((x) => [x.mode, x.results.digest]), [0, 1]);
  return out;
}

/**
 * The pods the API server holds now: name, IP, node, phase (Terminating when being deleted), Ready.
 *
 * @example
 * ```ts
 * console.log(formatPods(run.sim));
 * //   pod                           IP          node    phase    ready
 * //   default/api-566cffdb74-7w9pm  10.244.2.2  node-3  Running  true
 * //   ...
 * ```
 */
export function formatPods(sim: Simulation): string {
  const pods = sim.store.list("Pod").sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  if (pods.length === 0) return "  (none)\n";
  const rows = pods.map((p) => {
    const phase = p.metadata.deletionTimestamp !== undefined ? "Terminating" : (p.status?.phase ?? "Pending");
    const ready = p.status?.conditions?.find((c) => c.type === "Ready")?.status === "True" ? "true" : "false";
    return [`${p.metadata.namespace ?? "default"}/${p.metadata.name}`, p.status?.podIP ?? "-", p.spec.nodeName ?? "-", phase, ready];
  });
  return table(["pod", "IP", "node", "phase", "ready"], rows, [0, 1, 2, 3, 4]);
}

/**
 * The EndpointSlices of every Service (or one), as kube-netsim's API server holds them now.
 *
 * @example
 * ```ts
 * console.log(formatEndpointSlices(run.sim, "api"));
 * //   default/api-hdqq5  Service api  IPv4  ports http 8080/TCP
 * //     address     conditions     node    zone    pod
 * //     10.244.2.2  ready,serving  node-3  zone-c  api-566cffdb74-7w9pm
 * ```
 */
export function formatEndpointSlices(sim: Simulation, service?: string): string {
  const slices = sim.store
    .list("EndpointSlice")
    .filter((s) => service === undefined || s.metadata.labels?.[LABEL_SERVICE_NAME] === service)
    .sort((a, b) => key(a).localeCompare(key(b)));
  if (slices.length === 0) return "  (none)\n";
  let out = "";
  for (const s of slices) {
    const ports = (s.ports ?? []).map((p) => `${p.name ? `${p.name} ` : ""}${p.port ?? "-"}/${p.protocol ?? "TCP"}`).join(", ");
    out += `  ${key(s)}  Service ${s.metadata.labels?.[LABEL_SERVICE_NAME] ?? "-"}  ${s.addressType}  ports ${ports || "-"}\n`;
    const rows = s.endpoints.map((e) => {
      const c = e.conditions ?? {};
      const cond = [c.ready !== false ? "ready" : "not-ready", c.serving === false ? "not-serving" : "serving", ...(c.terminating ? ["terminating"] : [])].join(",");
      return [e.addresses.join(","), cond, e.nodeName ?? "-", e.zone ?? "-", e.targetRef?.name ?? "-"];
    });
    out += rows.length === 0 ? "    (no endpoints)\n" : table(["address", "conditions", "node", "zone", "pod"], rows, [0, 1, 2, 3, 4], "    ");
  }
  return out;
}

/**
 * What cluster DNS answers now for each Service (or one): `sim.resolve` of
 * `<service>.<namespace>.svc.cluster.local` from a pod on the first node, as CoreDNS's
 * kubernetes plugin answers it (plugin/kubernetes: the ClusterIP, a headless Service's
 * ready pod IPs, an ExternalName's CNAME target). Needs a simulation with cluster DNS.
 *
 * @example
 * ```ts
 * console.log(formatDnsAnswers(run.sim, "api"));
 * //   api.default.svc.cluster.local  A 10.96.0.11  (ttl 30 s)
 * ```
 */
export function formatDnsAnswers(sim: Simulation, service?: string): string {
  const services = sim.store
    .list("Service")
    .filter((s) => service === undefined || s.metadata.name === service)
    .map((s) => `${s.metadata.name}.${s.metadata.namespace ?? "default"}.svc.cluster.local`)
    .sort();
  if (services.length === 0) return "  (none)\n";
  const rows = services.map((name) => {
    const r = sim.resolve(name);
    if (r.outcome !== "ok") return [name, r.outcome, ""];
    const answer = r.addresses.map((a) => `${a.includes(":") ? "AAAA" : "A"} ${a}`).join(", ");
    const via = r.answeredName !== undefined && r.answeredName.replace(/\.$/, "") !== name ? ` via ${r.answeredName}` : "";
    return [name, answer + via, `${r.ttl} s`];
  });
  return table(["name", "answer", "ttl"], rows, [0, 1, 2]);
}

function key(s: EndpointSlice): string {
  return `${s.metadata.namespace ?? "default"}/${s.metadata.name}`;
}

/**
 * JSON of a run for `--json`: NaN and infinities become null.
 *
 * @example
 * ```ts
 * process.stdout.write(toJSON(runJSON("flagship.yaml", run))); // what `kube-netsim run --json` prints
 * ```
 */
export function runJSON(file: string, run: ScenarioRun): Record<string, unknown> {
  return {
    scenario: file,
    seed: run.seed,
    mode: run.mode,
    trafficStart: run.trafficStart,
    results: run.results,
    trace: { records: run.sim.trace.count, digest: run.sim.trace.digest() },
    timeline: run.buckets,
    expectations: run.expectations,
    warnings: run.warnings,
  };
}

/**
 * `JSON.stringify` with NaN/Infinity as null, two-space indent, trailing newline.
 *
 * @example
 * ```ts
 * toJSON({ p99: NaN, completed: 3 }); // '{\n  "p99": null,\n  "completed": 3\n}\n'
 * ```
 */
export function toJSON(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2) + "\n";
}

/**
 * CSV of the measured buckets: one row per bucket, `t_s` from the traffic start.
 *
 * @example
 * ```ts
 * writeFileSync("flagship.csv", bucketsCSV(run.buckets, run.sim.nodeNames));
 * // t_s,completed,refused,reset,timedOut,dropped,latency_mean_ms,latency_p50_ms,latency_p99_ms,latency_max_ms,endpoints_node-1,...,pods_Running,pods_Terminating
 * // 30,311,0,1,0,0,21.983559,16.352,63.104,63.666862,2,2,2,1,2,0
 * ```
 */
export function bucketsCSV(buckets: readonly TimelineBucket[], nodes: readonly string[]): string {
  const phases = [...new Set(buckets.flatMap((b) => Object.keys(b.pods)))].sort();
  const head = ["t_s", "completed", "refused", "reset", "timedOut", "dropped", "latency_mean_ms", "latency_p50_ms", "latency_p99_ms", "latency_max_ms", ...nodes.map((n) => `endpoints_${n}`), ...phases.map((p) => `pods_${p}`)];
  const num = (x: number): string => (Number.isFinite(x) ? String(+x.toFixed(6)) : "");
  const rows = buckets.map((b) =>
    [
      num(b.start / 1000),
      ...(["completed", "refused", "reset", "timedOut", "dropped"] as const).map((k) => String(b.outcomes[k])),
      num(b.latency.mean),
      num(b.latency.p50),
      num(b.latency.p99),
      num(b.latency.max),
      ...nodes.map((n) => (b.endpointsByNode[n] === undefined ? "" : String(b.endpointsByNode[n]))),
      ...phases.map((p) => String(b.pods[p] ?? 0)),
    ].join(","),
  );
  return [head.join(","), ...rows].join("\n") + "\n";
}

/**
 * The external addresses of every Service (or one) that has any (a NodePort, a
 * load-balancer ingress IP, an externalIP), and what each node's kube-proxy does with
 * new connections from outside to each now: the verdict (`forward`, `drop` under
 * `externalTrafficPolicy: Local` without a local endpoint, `reject` without any endpoint),
 * the endpoints, and for `Local` load balancers the `healthCheckNodePort` answer
 * (pkg/proxy/healthcheck/service_health.go) and whether the load balancer counts the node
 * healthy. Undefined when no Service is externally accessible.
 *
 * @example
 * ```ts
 * console.log(formatExternalAddresses(run.sim)); // run: examples/scenarios/external-lb.yaml at 10 s
 * //   default/api  LoadBalancer  ingress 192.0.2.1  externalTrafficPolicy Local  healthCheckNodePort 32307
 * //     node    address              kind           verdict  endpoints        health check  load balancer
 * //     node-1  10.0.0.10:30080/TCP  node-port      forward  10.244.0.2:8080  200 (1 local)  healthy
 * //     node-3  10.0.0.12:30080/TCP  node-port      drop     -                503 (0 local)  unhealthy
 * ```
 */
export function formatExternalAddresses(sim: Simulation, service?: string): string | undefined {
  const services = sim.store
    .list("Service")
    .filter((s) => service === undefined || s.metadata.name === service)
    .sort((a, b) => (`${a.metadata.namespace ?? "default"}/${a.metadata.name}` < `${b.metadata.namespace ?? "default"}/${b.metadata.name}` ? -1 : 1));
  let out = "";
  for (const svc of services) {
    const ns = svc.metadata.namespace ?? "default";
    const local = needsHealthCheck(svc.spec);
    const lbIP = svc.spec.type === "LoadBalancer" ? svc.status?.loadBalancer?.ingress?.[0]?.ip : undefined;
    const healthy = lbIP !== undefined ? sim.loadBalancerHealthyNodes(svc.metadata.name, ns) : undefined;
    const rows: string[][] = [];
    for (const node of sim.nodeNames) {
      const kp = sim.kubeProxy(node);
      const h = local ? kp.healthCheck(ns, svc.metadata.name) : undefined;
      for (const port of svc.spec.ports ?? []) {
        for (const [address, kind] of externalAddressKinds(svc, port, sim.nodeIP(node))) {
          const f = kp.frontend(address);
          rows.push([
            node,
            address,
            kind,
            f.verdict,
            f.endpoints.map((e) => e.key).join(",") || "-",
            h ? `${h.statusCode} (${h.localEndpoints} local)` : "-",
            healthy === undefined ? "-" : healthy.includes(node) ? "healthy" : "unhealthy",
          ]);
        }
      }
    }
    const type = svc.spec.type ?? "ClusterIP";
    const pending = svc.spec.type === "LoadBalancer" && lbIP === undefined;
    if (rows.length === 0 && !pending) continue;
    out += `  ${ns}/${svc.metadata.name}  ${type}${lbIP !== undefined ? `  ingress ${lbIP}` : pending ? "  EXTERNAL-IP <pending>" : ""}  externalTrafficPolicy ${svc.spec.externalTrafficPolicy ?? "Cluster"}${svc.spec.healthCheckNodePort ? `  healthCheckNodePort ${svc.spec.healthCheckNodePort}` : ""}\n`;
    out += table(["node", "address", "kind", "verdict", "endpoints", "health check", "load balancer"], rows, [0, 1, 2, 3, 4, 5, 6], "    ");
  }
  return out === "" ? undefined : out;
}
