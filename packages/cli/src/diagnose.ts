import { LABEL_SERVICE_NAME, compileServiceSelector } from "@kube-netsim/model";
import type { EndpointSlice, Pod, Service, ServicePort } from "@kube-netsim/model";
import type { Simulation } from "@kube-netsim/scenario";
import type { ScenarioClient } from "./scenario.js";
import { candidateNames, podResolvConf } from "@kube-netsim/dns";

/**
 * The outcome of one layer of a diagnosis.
 *
 * @example
 * ```ts
 * const status: DiagnoseStatus = diagnoseClient(run.sim, scenario.clients[0])[0].status; // the dns layer: "ok" or "FAIL"
 * ```
 */
export type DiagnoseStatus = "ok" | "FAIL" | "skip" | "n/a";

/**
 * One layer checked by {@link diagnoseClient}: what, whether it holds, and the evidence.
 *
 * @example
 * ```ts
 * const run = runScenario(scenario, { stopAt: 30_010 }); // scenario: loadScenarioFile("examples/scenarios/flagship.yaml")
 * const check: DiagnoseCheck | undefined = diagnoseClient(run.sim, scenario.clients[0]).find((c) => c.status === "FAIL");
 * check?.layer;    // "endpointslice"
 * check?.evidence; // ["EndpointSlices of default/api: api-bcxtz", "10.244.0.2:8080 on node-1: ready", ...]
 * ```
 */
export interface DiagnoseCheck {
  /** The layer: `dns`, `service`, `selector`, `ready`, `endpointslice`, `kube-proxy`, `policy`, `application`. */
  readonly layer: string;
  /** `ok`, `FAIL`, `n/a` (does not apply), or `skip` (not checked: an earlier layer failed). */
  readonly status: DiagnoseStatus;
  /** One line: what was found. */
  readonly summary: string;
  /** What the finding rests on (names, addresses, counts), one item per line. */
  readonly evidence: readonly string[];
}

/** The cluster DNS domain (kubelet `--cluster-domain`, kubeadm's default). */
const CLUSTER_DOMAIN = "cluster.local";

/**
 * The names a ClusterFirst pod in `namespace` queries for `host`, in order, without the
 * trailing dot: its resolv.conf (search `<ns>.svc.cluster.local svc.cluster.local
 * cluster.local`, `ndots:5`) applied as glibc applies it; both from `@kube-netsim/dns`.
 *
 * @example
 * ```ts
 * dnsQueries("api", "shop"); // api.shop.svc.cluster.local, api.svc.cluster.local, api.cluster.local, api
 * ```
 */
export function dnsQueries(host: string, namespace: string): string[] {
  return candidateNames(host, podResolvConf({ namespace, clusterDomain: CLUSTER_DOMAIN })).map((n) => n.replace(/\.$/, ""));
}

/** What CoreDNS's kubernetes plugin answers for a Service name (plugin/kubernetes/parse.go: `<service>.<namespace>.svc.<zone>`). */
function lookup(sim: Simulation, fqdn: string): { service?: Service; answer: string } {
  const suffix = `.svc.${CLUSTER_DOMAIN}`;
  if (!fqdn.endsWith(suffix)) return { answer: fqdn.endsWith(CLUSTER_DOMAIN) ? "NXDOMAIN" : "NXDOMAIN (not in the cluster domain; the upstream resolver knows no such name)" };
  const parts = fqdn.slice(0, -suffix.length).split(".");
  if (parts.length !== 2) return { answer: "NXDOMAIN" };
  const [name, ns] = parts;
  const svc = sim.store.get("Service", ns, name);
  if (!svc) return { answer: "NXDOMAIN" };
  if (svc.spec.type === "ExternalName") return { service: svc, answer: `CNAME ${svc.spec.externalName ?? ""}` };
  if (svc.spec.clusterIP === "None") return { service: svc, answer: "headless: the ready pods' IPs" };
  return { service: svc, answer: `A ${svc.spec.clusterIP ?? "-"}` };
}

/** Levenshtein distance (for "did you mean"). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length];
}

function isReady(p: Pod): boolean {
  return p.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
}

function podState(p: Pod): string {
  const phase = p.metadata.deletionTimestamp !== undefined ? "Terminating" : (p.status?.phase ?? "Pending");
  return `${p.metadata.name} on ${p.spec.nodeName ?? "(unscheduled)"}: ${phase}, ${isReady(p) ? "Ready" : "not Ready"}${p.status?.podIP ? `, IP ${p.status.podIP}` : ""}`;
}

/**
 * Walks a client's path to its Service layer by layer, as a person debugging refused or
 * timed-out requests would, on the state of `sim` now: the DNS name resolves (short names
 * through the pod's search list), the Service exists and has the port, its selector
 * matches pods, the pods are ready, the EndpointSlices publish ready endpoints, the
 * client's node's kube-proxy has programmed what the API server holds, the traffic
 * policy leaves the node an endpoint, and the endpoints' pods have an application
 * listening. Layers after the first failing one are `skip`.
 *
 * @param sim - the simulation, run up to the moment of interest.
 * @param client - the client, as the scenario gives it.
 * @example
 * ```ts
 * const run = runScenario(scenario, { stopAt: 30_010 });
 * for (const c of diagnoseClient(run.sim, scenario.clients[0])) console.log(c.status, c.layer, c.summary);
 * ```
 */
export function diagnoseClient(sim: Simulation, client: ScenarioClient): DiagnoseCheck[] {
  const checks: DiagnoseCheck[] = [];
  const node = client.node ?? sim.nodeNames[0];
  const namespace = client.namespace ?? "default";
  const protocol = client.protocol ?? "TCP";
  const m = /^(?:([a-z]+):\/\/)?([^:/]+)(?::([0-9]+))?/.exec(client.target);
  const host = m?.[2] ?? client.target;
  const port = m?.[3] !== undefined ? Number(m[3]) : m?.[1] === "https" ? 443 : 80;
  const all = ["dns", "service", "selector", "ready", "endpointslice", "kube-proxy", "policy", "application"];
  const finish = (): DiagnoseCheck[] => {
    for (const layer of all.slice(checks.length)) checks.push({ layer, status: "skip", summary: "not checked: an earlier layer failed", evidence: [] });
    return checks;
  };

  // 1. DNS
  let svc: Service | undefined;
  if (/^[0-9]+(\.[0-9]+){3}$/.test(host)) {
    svc = sim.store.list("Service").find((s) => s.spec.clusterIP === host);
    checks.push(
      svc
        ? { layer: "dns", status: "ok", summary: `${host} is an IP address (no lookup); it is the ClusterIP of Service ${svc.metadata.namespace ?? "default"}/${svc.metadata.name}`, evidence: [] }
        : { layer: "dns", status: "FAIL", summary: `${host} is an IP address that is no Service's ClusterIP: nothing is programmed for it`, evidence: [] },
    );
  } else {
    const conf = podResolvConf({ namespace, clusterDomain: CLUSTER_DOMAIN });
    const evidence: string[] = [`search ${conf.searches.join(" ")}, options ndots:${conf.ndots} (pod in namespace ${namespace})`];
    for (const q of dnsQueries(host, namespace)) {
      const r = lookup(sim, q);
      evidence.push(`${q}: ${r.answer}`);
      if (r.service) {
        svc = r.service;
        break;
      }
    }
    if (svc) checks.push({ layer: "dns", status: "ok", summary: `${host} resolves to Service ${svc.metadata.namespace ?? "default"}/${svc.metadata.name}`, evidence });
    else {
      const name = host.split(".")[0];
      const ns = host.split(".")[1] ?? namespace;
      const names = sim.store.list("Service", ns).map((s) => s.metadata.name);
      const near = names.filter((n) => distance(n, name) <= 2).sort((a, b) => distance(a, name) - distance(b, name));
      evidence.push(`Services in namespace ${ns}: ${names.length > 0 ? names.join(", ") : "(none)"}`);
      checks.push({ layer: "dns", status: "FAIL", summary: `${host} does not resolve (NXDOMAIN for every name tried)${near.length > 0 ? `: did you mean "${near[0]}"?` : ""}`, evidence });
      return finish();
    }
  }
  if (!svc) return finish();
  const svcNs = svc.metadata.namespace ?? "default";
  const svcKey = `${svcNs}/${svc.metadata.name}`;

  // 2. Service and port
  const ports = svc.spec.ports ?? [];
  const sp = ports.find((p) => p.port === port && (p.protocol ?? "TCP") === protocol);
  const portList = ports.map((p) => `${p.name ? `${p.name}:` : ""}${p.port}/${p.protocol ?? "TCP"} -> targetPort ${String(p.targetPort ?? p.port)}`).join(", ") || "(none)";
  if (svc.spec.clusterIP === "None" || svc.spec.type === "ExternalName") {
    checks.push({ layer: "service", status: "FAIL", summary: `Service ${svcKey} is ${svc.spec.type === "ExternalName" ? "ExternalName" : "headless"}: kube-proxy programs no ClusterIP rules for it`, evidence: [`ports ${portList}`] });
    return finish();
  }
  if (!sp) {
    checks.push({ layer: "service", status: "FAIL", summary: `Service ${svcKey} has no port ${port}/${protocol}: packets to ${svc.spec.clusterIP}:${port} match no rule and are lost (the client times out)`, evidence: [`ClusterIP ${svc.spec.clusterIP}, ports ${portList}`] });
    return finish();
  }
  checks.push({ layer: "service", status: "ok", summary: `Service ${svcKey} has ClusterIP ${svc.spec.clusterIP} and port ${port}/${protocol}`, evidence: [`ports ${portList}`] });

  // 3-5. selector, readiness, EndpointSlices
  const facts = podLayers(sim, { svc, sp, port, protocol }, checks, "kube-proxy rejects the connections", "");
  if (!facts) return finish();
  const { apiReady } = facts;

  // 6. kube-proxy on the client's node: programmed endpoints versus the API server's.
  const proxy = sim.kubeProxy(node);
  const address = `${svc.spec.clusterIP}:${port}/${protocol}`;
  const f = proxy.frontend(address);
  const local = svc.spec.internalTrafficPolicy === "Local";
  const expected = apiReady.filter((e) => !local || e.node === node).map((e) => e.key);
  const programmed = f.endpoints.filter((e) => e.ready).map((e) => e.key);
  const same = expected.length === programmed.length && expected.every((k, i) => k === programmed[i]);
  const proxyEvidence = [
    `rules for ${address}: ${f.verdict}${f.programmedAt >= 0 ? `, last programmed at virtual time ${(f.programmedAt / 1000).toFixed(3)} s` : ""}; kube-proxy ${proxy.inSync ? "in sync" : "has changes pending or a sync under way"}`,
    `programmed ready endpoints: ${programmed.join(", ") || "(none)"}`,
    `API server's ready endpoints${local ? ` on ${node} (internalTrafficPolicy Local)` : ""}: ${expected.join(", ") || "(none)"}`,
  ];
  if (!same || (f.verdict === "no-rule" && expected.length > 0)) {
    const missing = expected.filter((k) => !programmed.includes(k));
    const stale = programmed.filter((k) => !expected.includes(k));
    checks.push({
      layer: "kube-proxy",
      status: "FAIL",
      summary: `kube-proxy on ${node} has not synced the EndpointSlices yet${missing.length > 0 ? `: ${missing.length} endpoint(s) missing` : ""}${stale.length > 0 ? `${missing.length > 0 ? "," : ":"} ${stale.length} stale endpoint(s) still programmed` : ""} (verdict ${f.verdict})`,
      evidence: proxyEvidence,
    });
    return finish();
  }
  checks.push({ layer: "kube-proxy", status: "ok", summary: `kube-proxy on ${node} programs what the API server holds (${programmed.length} endpoint(s))`, evidence: proxyEvidence });

  // 7. internalTrafficPolicy Local: only endpoints on the client's node (spec 1.4).
  if (local && f.verdict !== "forward") {
    const others = [...new Set(apiReady.map((e) => e.node))].sort();
    checks.push({
      layer: "policy",
      status: "FAIL",
      summary: `internalTrafficPolicy Local and no ready endpoint on ${node}: the rules ${f.verdict === "drop" ? "DROP the packets (the client times out)" : "REJECT the connections (refused)"}`,
      evidence: [`ready endpoints are on ${others.join(", ")}`, `verdict for ${address} on ${node}: ${f.verdict}`],
    });
    return finish();
  }
  checks.push({ layer: "policy", status: "ok", summary: local ? `internalTrafficPolicy Local with ${programmed.length} endpoint(s) on ${node}` : "internalTrafficPolicy Cluster: endpoints on every node are used", evidence: [] });

  // 8. application: something listens on the programmed endpoints' pods.
  if (!applicationLayer(sim, svcNs, f.endpoints.map((e) => e.ip), "programmed", checks)) return finish();
  return checks;
}

/** The Service port a client reaches, with the Service. */
interface ServiceTarget {
  readonly svc: Service;
  readonly sp: ServicePort;
  readonly port: number;
  readonly protocol: string;
}

/** What {@link podLayers} learnt: the selector's live pods and the API server's endpoints of the port, sorted by address. */
interface PodFacts {
  readonly hasSelector: boolean;
  readonly live: Pod[];
  readonly apiReady: readonly { key: string; node: string; ready: boolean }[];
}

/**
 * The selector, ready and endpointslice layers of a Service port (pushed to `checks`);
 * undefined when one fails. `consequence` says what clients get without a ready
 * endpoint, `readySuffix` is appended to the readiness finding.
 */
function podLayers(sim: Simulation, t: ServiceTarget, checks: DiagnoseCheck[], consequence: string, readySuffix: string): PodFacts | undefined {
  const { svc, sp, port, protocol } = t;
  const svcNs = svc.metadata.namespace ?? "default";
  const svcKey = `${svcNs}/${svc.metadata.name}`;
  const selector = svc.spec.selector;
  const hasSelector = selector !== undefined && Object.keys(selector).length > 0;
  const sel = compileServiceSelector(selector);
  const matching = hasSelector ? sim.pods(undefined, svcNs).filter((p) => sel.matches(p.metadata.labels)) : [];
  const live = matching.filter((p) => p.metadata.deletionTimestamp === undefined);
  const selText = hasSelector ? Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(",") : "";
  if (!hasSelector) checks.push({ layer: "selector", status: "n/a", summary: "the Service has no selector: its EndpointSlices are written by hand", evidence: [] });
  else if (live.length === 0) {
    const labels = [...new Set(sim.pods(undefined, svcNs).map((p) => Object.entries(p.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(",")))];
    checks.push({ layer: "selector", status: "FAIL", summary: `no pod in namespace ${svcNs} matches the selector ${selText}${matching.length > 0 ? ` (only ${matching.length} terminating)` : ""}`, evidence: [`pod labels in ${svcNs}: ${labels.length > 0 ? labels.join("; ") : "(no pods)"}`] });
    return undefined;
  } else checks.push({ layer: "selector", status: "ok", summary: `${live.length} pod(s) match the selector ${selText}`, evidence: live.map((p) => p.metadata.name) });

  if (hasSelector) {
    const ready = live.filter(isReady);
    if (ready.length === 0) {
      checks.push({ layer: "ready", status: "FAIL", summary: `none of the ${live.length} matching pod(s) is Ready: the EndpointSlice controller publishes them as not ready${readySuffix}`, evidence: matching.map(podState) });
      return undefined;
    }
    checks.push({ layer: "ready", status: "ok", summary: `${ready.length} of ${live.length} matching pod(s) Ready`, evidence: matching.map(podState) });
  } else checks.push({ layer: "ready", status: "n/a", summary: "no selector: readiness is whatever the hand-written EndpointSlices say", evidence: [] });

  // The endpoints of this Service port, as the API server holds them.
  const slices = sim.store.list("EndpointSlice", svcNs).filter((s: EndpointSlice) => s.metadata.labels?.[LABEL_SERVICE_NAME] === svc.metadata.name);
  const apiEndpoints: { key: string; node: string; ready: boolean }[] = [];
  for (const s of slices) {
    const slicePort = (s.ports ?? []).find((p) => (p.name ?? "") === (sp.name ?? "") && (p.protocol ?? "TCP") === protocol);
    if (!slicePort || slicePort.port === undefined) continue;
    for (const e of s.endpoints ?? []) {
      // pkg/proxy/endpoint.go: IsReady() is conditions.ready with nil meaning true.
      apiEndpoints.push({ key: `${e.addresses[0]}:${slicePort.port}`, node: e.nodeName ?? "", ready: e.conditions?.ready !== false });
    }
  }
  apiEndpoints.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const apiReady = apiEndpoints.filter((e) => e.ready);
  const sliceEvidence = [
    `EndpointSlices of ${svcKey}: ${slices.map((s) => s.metadata.name).join(", ") || "(none)"}`,
    ...apiEndpoints.map((e) => `${e.key} on ${e.node || "-"}: ${e.ready ? "ready" : "not ready"}`),
  ];
  if (apiReady.length === 0) {
    checks.push({ layer: "endpointslice", status: "FAIL", summary: `no ready endpoint for port ${sp.name ? `"${sp.name}" ` : ""}${port}/${protocol} in the EndpointSlices (${apiEndpoints.length} not ready): ${consequence}`, evidence: sliceEvidence });
    return undefined;
  }
  if (hasSelector) {
    // The EndpointSlice controller lags the pods by its sync: a published ready endpoint
    // whose pod is gone or terminating still gets connections (they time out or are reset).
    const readyIPs = new Set(live.filter(isReady).map((p) => p.status?.podIP ?? ""));
    const publishedIPs = new Set(apiReady.map((e) => e.key.slice(0, e.key.lastIndexOf(":"))));
    const stale = apiReady.filter((e) => !readyIPs.has(e.key.slice(0, e.key.lastIndexOf(":"))));
    const unpublished = live.filter((p) => isReady(p) && !publishedIPs.has(p.status?.podIP ?? ""));
    if (stale.length > 0 || unpublished.length > 0) {
      const what = [
        ...stale.map((e) => `${e.key} is published ready but no Ready pod has that IP (deleted or terminating)`),
        ...unpublished.map((p) => `${p.metadata.name} (${p.status?.podIP ?? "-"}) is Ready but not published yet`),
      ];
      checks.push({ layer: "endpointslice", status: "FAIL", summary: `the EndpointSlices lag the pods (the controller has not synced yet): ${what[0]}${what.length > 1 ? `, and ${what.length - 1} more` : ""}`, evidence: [...sliceEvidence, ...what] });
      return undefined;
    }
  }
  checks.push({ layer: "endpointslice", status: "ok", summary: `${apiReady.length} ready endpoint(s) published, one per Ready pod`, evidence: sliceEvidence });

  return { hasSelector, live, apiReady };
}

/**
 * The application layer: the pods behind `ips` (endpoint addresses, in namespace
 * `namespace`) have an application listening; false (after a FAIL) when some do not.
 */
function applicationLayer(sim: Simulation, namespace: string, ips: readonly string[], which: string, checks: DiagnoseCheck[]): boolean {
  const podsByIP = new Map(sim.pods(undefined, namespace).map((p) => [p.status?.podIP ?? "", p.metadata.name]));
  const endpointPods = new Set(ips.map((ip) => podsByIP.get(ip)).filter((x): x is string => x !== undefined));
  const silent = sim.warnings().filter((w) => [...endpointPods].some((name) => w.startsWith(`pod ${namespace}/${name}:`)));
  if (silent.length > 0) {
    checks.push({ layer: "application", status: "FAIL", summary: `${silent.length} endpoint pod(s) have no application listening: connections to them are refused`, evidence: silent });
    return false;
  }
  checks.push({ layer: "application", status: "ok", summary: `every ${which} endpoint's pod has an application listening`, evidence: [] });
  return true;
}

/**
 * The printed diagnosis: each layer with `ok`/`FAIL`, its evidence indented, and a closing line.
 *
 * @example
 * ```ts
 * process.stdout.write(formatDiagnosis(diagnoseClient(run.sim, scenario.clients[0])));
 * //   ok    dns            api resolves to Service default/api
 * //   ...
 * //   FAIL  endpointslice  the EndpointSlices lag the pods (the controller has not synced yet): ...
 * //   skip  kube-proxy     not checked: an earlier layer failed
 * //
 * // diagnosis: endpointslice: the EndpointSlices lag the pods (the controller has not synced yet): ...
 * ```
 */
export function formatDiagnosis(checks: readonly DiagnoseCheck[]): string {
  let out = "";
  for (const c of checks) {
    out += `  ${c.status.padEnd(4)}  ${c.layer.padEnd(13)}  ${c.summary}\n`;
    if (c.status !== "skip") for (const e of c.evidence) out += `${" ".repeat(23)}${e}\n`;
  }
  const failed = checks.find((c) => c.status === "FAIL");
  out += failed ? `\ndiagnosis: ${failed.layer}: ${failed.summary}\n` : "\ndiagnosis: every layer is ok\n";
  return out;
}
