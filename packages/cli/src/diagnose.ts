import { LABEL_SERVICE_NAME, compileServiceSelector, matchIngress, needsHealthCheck } from "@kube-netsim/model";
import type { EndpointSlice, IngressBackend, Pod, Service, ServicePort } from "@kube-netsim/model";
import { DEFAULT_HEALTH_CHECK, INGRESS_CONTROLLER_NAME, INGRESS_NAMESPACE } from "@kube-netsim/scenario";
import type { LoadBalancerOptions, Simulation } from "@kube-netsim/scenario";
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
  /**
   * The layer: `dns`, `service`, `selector`, `ready`, `endpointslice`, `kube-proxy`,
   * `policy`, `application`; for an external client `load-balancer`, `health-check` in
   * place of `dns` (and `controller`, `ingress-rule` through the Ingress controller).
   */
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
  const why = unschedulable(p);
  return `${p.metadata.name} on ${p.spec.nodeName ?? "(unscheduled)"}: ${phase}, ${isReady(p) ? "Ready" : "not Ready"}${p.status?.podIP ? `, IP ${p.status.podIP}` : ""}${why !== undefined ? `, ${why}` : ""}`;
}

/** The scheduler's verdict on a pod it could not place (`PodScheduled=False`), as `kubectl describe` shows it. */
function unschedulable(p: Pod): string | undefined {
  if (p.spec.nodeName) return undefined;
  const c = p.status?.conditions?.find((x) => x.type === "PodScheduled" && x.status === "False");
  return c === undefined ? undefined : `${c.reason ?? "Unschedulable"}: ${c.message ?? ""}`;
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
 * An external client (`external: true`) is walked from outside: its load balancer (ingress
 * IP, health checks on `healthCheckNodePort`) or the node it calls, the Service port, its
 * pods and EndpointSlices, the rules of the node(s) of entry and `externalTrafficPolicy`,
 * the application; through the Ingress controller (`target: ingress`), the controller's
 * load balancer and pods, the Ingress rule for the client's host and path, and the
 * backend Service's pods and EndpointSlices.
 *
 * @param sim - the simulation, run up to the moment of interest.
 * @param client - the client, as the scenario gives it.
 * @param options - what the simulation does not hold: the cluster's load-balancer settings.
 * @example
 * ```ts
 * const run = runScenario(scenario, { stopAt: 30_010 });
 * for (const c of diagnoseClient(run.sim, scenario.clients[0])) console.log(c.status, c.layer, c.summary);
 * ```
 */
export function diagnoseClient(sim: Simulation, client: ScenarioClient, options: DiagnoseOptions = {}): DiagnoseCheck[] {
  if (client.external === true) return diagnoseExternal(sim, client, options);
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
      const stuck = live.filter((p) => unschedulable(p) !== undefined);
      const first = stuck[0]?.status?.conditions?.find((c) => c.type === "PodScheduled");
      const why = first === undefined ? "" : ` (${stuck.length} Pending, not scheduled: ${first.message ?? first.reason ?? ""})`;
      checks.push({ layer: "ready", status: "FAIL", summary: `none of the ${live.length} matching pod(s) is Ready${why}: the EndpointSlice controller publishes them as not ready${readySuffix}`, evidence: matching.map(podState) });
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
 * What `diagnoseClient` knows of the cluster beyond the simulation's state.
 *
 * @example
 * ```ts
 * const scenario = loadScenarioFile("packages/cli/test-fixtures/diagnose/lb-pending.yaml"); // provisioningDelay: 1m
 * const run = runScenario(scenario, { stopAt: 5_000, onClientError: () => undefined }); // the client cannot start: no ingress IP yet
 * const options: DiagnoseOptions = { loadBalancer: scenario.simulation.loadBalancer };
 * diagnoseClient(run.sim, scenario.clients[0], options)[0].evidence[0]; // "cluster.loadBalancer.provisioningDelay: 60 s from the Service's creation"
 * ```
 */
export interface DiagnoseOptions {
  /**
   * The cluster's load-balancer implementation (`cluster.loadBalancer`), to tell a
   * Service still waiting for its load balancer from one in a cluster that has none.
   * Undefined: not known (an Ingress controller brings one of its own).
   */
  readonly loadBalancer?: LoadBalancerOptions;
  /** The IngressClass the Ingress controller implements (`cluster.ingressController.className`). Default `nginx`. */
  readonly ingressClassName?: string;
}

/** The layers of an external client through a load balancer, a NodePort or an externalIP. */
const EXTERNAL_LAYERS = ["load-balancer", "health-check", "service", "selector", "ready", "endpointslice", "kube-proxy", "policy", "application"];
/** The layers of an external client through the Ingress controller (ingress-nginx proxies to the endpoints itself: no kube-proxy layer). */
const INGRESS_LAYERS = ["load-balancer", "health-check", "controller", "ingress-rule", "service", "selector", "ready", "endpointslice", "application"];

const svcName = (svc: Service): string => `${svc.metadata.namespace ?? "default"}/${svc.metadata.name}`;
const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(3))} s`;

/** Where an external client's connections enter: found from its target as `Simulation.addExternalClient` classifies it. */
interface Entry {
  readonly kind: "load-balancer" | "node-port" | "external-ip";
  /** The address the client connects to, `IP:port`. */
  readonly ip: string;
  readonly port: number;
  /** The Service behind it, with the Service port (undefined when none). */
  readonly svc?: Service;
  readonly sp?: ServicePort;
  /** For node-port and external-ip: the node the traffic enters by. */
  readonly node?: string;
}

/**
 * The load-balancer and health-check layers for a LoadBalancer Service `svc` (pushed to
 * `checks`). Returns the nodes the load balancer sends new connections to, or undefined
 * when a layer failed.
 */
function loadBalancerLayers(sim: Simulation, svc: Service | undefined, what: string, checks: DiagnoseCheck[], options: DiagnoseOptions): { nodes: string[]; ip: string } | undefined {
  if (!svc) {
    checks.push({ layer: "load-balancer", status: "FAIL", summary: `${what}: Not found: no such Service, so no load balancer`, evidence: ["to fix: create the Service (type LoadBalancer) or correct the client's service"] });
    return undefined;
  }
  const key = svcName(svc);
  if (svc.spec.type !== "LoadBalancer") {
    checks.push({
      layer: "load-balancer",
      status: "FAIL",
      summary: `Service ${key} is of type ${svc.spec.type ?? "ClusterIP"}, not LoadBalancer: no load balancer is provisioned for it`,
      evidence: [`to fix: set spec.type: LoadBalancer${svc.spec.type === "NodePort" ? ", or call a node's NodePort (<nodeIP>:<nodePort>)" : ""}`],
    });
    return undefined;
  }
  const ip = svc.status?.loadBalancer?.ingress?.[0]?.ip;
  if (!ip) {
    const delay = options.loadBalancer?.provisioningDelay;
    checks.push({
      layer: "load-balancer",
      status: "FAIL",
      summary: `Service ${key} is pending (EXTERNAL-IP <pending>): status.loadBalancer.ingress is empty, the load balancer is not provisioned yet; clients have no address to connect to`,
      evidence:
        delay !== undefined
          ? [`cluster.loadBalancer.provisioningDelay: ${seconds(delay)} from the Service's creation`, `to fix: wait for the provisioning (diagnose later with --at) or shorten cluster.loadBalancer.provisioningDelay`]
          : ["to fix: the cluster needs a load-balancer implementation (cluster.loadBalancer) that has provisioned this Service"],
    });
    return undefined;
  }
  checks.push({ layer: "load-balancer", status: "ok", summary: `Service ${key} has load-balancer ingress IP ${ip}`, evidence: [`status.loadBalancer.ingress[0].ip: ${ip}`] });

  // Health checks (pkg/proxy/healthcheck/service_health.go; KEP-3836 for Cluster).
  const ns = svc.metadata.namespace ?? "default";
  const healthy = sim.loadBalancerHealthyNodes(svc.metadata.name, ns) ?? [];
  const down = new Set(sim.failedNodeNames);
  const local = needsHealthCheck(svc.spec);
  const evidence = sim.nodeNames.map((n) => {
    const answer = down.has(n)
      ? "no answer (node down)"
      : local
        ? (() => {
            const h = sim.kubeProxy(n).healthCheck(ns, svc.metadata.name);
            return `${h.statusCode} (${h.localEndpoints} local endpoint(s))`;
          })()
        : "200 (kube-proxy running)";
    return `${n}: ${answer}; the load balancer counts it ${healthy.includes(n) ? "healthy" : "unhealthy"}`;
  });
  const probe = local ? `healthCheckNodePort ${svc.spec.healthCheckNodePort ?? "-"} (externalTrafficPolicy Local)` : "kube-proxy's /healthz on port 10256 (externalTrafficPolicy Cluster)";
  evidence.unshift(`the load balancer checks ${probe} on every node`);
  if (healthy.length === 0) {
    // Why: a node passes now but has not been counted yet, or no node has a local ready
    // endpoint (none is published ready, or kube-proxy has not synced, or their nodes are down).
    const hc = { ...DEFAULT_HEALTH_CHECK, ...options.loadBalancer?.healthCheck };
    const passing = sim.nodeNames.filter((n) => !down.has(n) && (!local || sim.kubeProxy(n).healthCheck(ns, svc.metadata.name).statusCode === 200));
    const ready = readyEndpointNodes(sim, svc);
    let why: string;
    let fix: string;
    if (passing.length > 0) {
      why = `${passing.join(", ")} ${passing.length === 1 ? "passes" : "pass"} now, but the load balancer has not counted healthyThreshold ${hc.healthyThreshold} passing check(s) yet (it checks every ${seconds(hc.interval)})`;
      fix = "to fix: wait for the next health checks, or shorten cluster.loadBalancer.healthCheck.interval";
    } else if (!local) {
      why = "no node answers: every node is down";
      fix = "to fix: bring the nodes back";
    } else if (ready.length === 0) {
      why = "every node answers 503: the Service has no ready endpoint at all, so no node has a local one";
      fix = "to fix: make the Service's pods Ready (its selector, the pods' readiness probes; `diagnose` of a pod client of the Service shows which)";
    } else {
      const nodes = [...new Set(ready)].sort();
      const downOnes = nodes.filter((n) => down.has(n));
      why = downOnes.length === nodes.length ? `the ready endpoints' nodes (${nodes.join(", ")}) are down` : `ready endpoints are on ${nodes.join(", ")}, but kube-proxy there has not synced them yet (its health check answers as of its last sync)`;
      fix = downOnes.length === nodes.length ? "to fix: bring the nodes back, or run the pods elsewhere" : "to fix: wait for kube-proxy's sync (diagnose later with --at)";
    }
    evidence.push(`ready endpoints published for ${key}: ${ready.length}${ready.length > 0 ? ` (on ${[...new Set(ready)].sort().join(", ")})` : ""}`, fix);
    checks.push({
      layer: "health-check",
      status: "FAIL",
      summary: `no node passes the load balancer's health check on ${local ? `healthCheckNodePort ${svc.spec.healthCheckNodePort ?? "-"}` : "/healthz"} (${why}): the load balancer fails open and spreads new connections over every node`,
      evidence,
    });
    return undefined;
  }
  checks.push({ layer: "health-check", status: "ok", summary: `the load balancer sends new connections to ${healthy.join(", ")} (${healthy.length} of ${sim.nodeNames.length} node(s) pass its health check)`, evidence });
  return { nodes: healthy, ip };
}

/** The nodes of the ready endpoints (any port) the EndpointSlices of `svc` publish, one item per endpoint. */
function readyEndpointNodes(sim: Simulation, svc: Service): string[] {
  const out: string[] = [];
  for (const s of sim.store.list("EndpointSlice", svc.metadata.namespace ?? "default")) {
    if (s.metadata.labels?.[LABEL_SERVICE_NAME] !== svc.metadata.name) continue;
    for (const e of s.endpoints ?? []) if (e.conditions?.ready !== false) out.push(e.nodeName ?? "");
  }
  return out;
}

/** The external client's entry, from its target (`lb`, or `<ip>:<port>`), or a failed check. */
function externalEntry(sim: Simulation, client: ScenarioClient): Entry | DiagnoseCheck {
  const ns = client.namespace ?? "default";
  if (client.target === "lb") {
    const svc = sim.store.get("Service", ns, client.service ?? "");
    const sp = client.port === undefined ? svc?.spec.ports?.[0] : svc?.spec.ports?.find((p) => p.port === client.port);
    return { kind: "load-balancer", ip: svc?.status?.loadBalancer?.ingress?.[0]?.ip ?? "", port: sp?.port ?? client.port ?? 0, svc, sp };
  }
  const m = /^([0-9.]+):([0-9]+)$/.exec(client.target);
  const ip = m?.[1] ?? client.target;
  const port = Number(m?.[2] ?? 0);
  const services = sim.store.list("Service");
  const node = sim.nodeNames.find((n) => sim.nodeIP(n) === ip);
  if (node !== undefined) {
    const svc = services.find((s) => (s.spec.type === "NodePort" || s.spec.type === "LoadBalancer") && (s.spec.ports ?? []).some((p) => p.nodePort === port));
    return { kind: "node-port", ip, port, node, svc, sp: svc?.spec.ports?.find((p) => p.nodePort === port) };
  }
  const lb = services.find((s) => s.spec.type === "LoadBalancer" && (s.status?.loadBalancer?.ingress ?? []).some((i) => i.ip === ip));
  if (lb) return { kind: "load-balancer", ip, port, svc: lb, sp: lb.spec.ports?.find((p) => p.port === port) };
  const eip = services.find((s) => (s.spec.externalIPs ?? []).includes(ip));
  if (eip) return { kind: "external-ip", ip, port, node: client.node ?? sim.nodeNames[0], svc: eip, sp: eip.spec.ports?.find((p) => p.port === port) };
  return {
    layer: "load-balancer",
    status: "FAIL",
    summary: `${ip} is not a node's InternalIP, a load-balancer ingress IP or an externalIP of any Service: nothing in the cluster answers it`,
    evidence: [`node IPs: ${sim.nodeNames.map((n) => `${n} ${sim.nodeIP(n)}`).join(", ")}`, "to fix: target lb (with service), <nodeIP>:<nodePort>, or a Service's externalIP and port"],
  };
}

/** `ip:port` pairs of the endpoints `f` forwards to, and its verdict, on one node. */
function entryRules(sim: Simulation, node: string, address: string): { verdict: string; programmed: string[]; line: string; inSync: boolean } {
  const proxy = sim.kubeProxy(node);
  const f = proxy.frontend(address);
  const programmed = f.endpoints.filter((e) => e.ready).map((e) => e.key);
  return {
    verdict: f.verdict,
    programmed,
    inSync: proxy.inSync,
    line: `${node}: rules for ${address}: ${f.verdict}${f.programmedAt >= 0 ? ` (programmed at virtual time ${(f.programmedAt / 1000).toFixed(3)} s)` : ""}, endpoints ${programmed.join(", ") || "(none)"}${proxy.inSync ? "" : "; kube-proxy has changes pending or a sync under way"}`,
  };
}

/**
 * An external client's path: the load balancer (and its health checks) or the node it
 * calls, the Service, its pods and EndpointSlices, the rules of the node(s) the traffic
 * enters by, `externalTrafficPolicy`, the application. For `target: ingress`: the Ingress
 * controller's load balancer and pods, the Ingress rule for the client's host and path,
 * then the backend Service's pods and EndpointSlices (ingress-nginx proxies to them
 * itself: internal/ingress/controller/endpointslices.go).
 */
function diagnoseExternal(sim: Simulation, client: ScenarioClient, options: DiagnoseOptions): DiagnoseCheck[] {
  const checks: DiagnoseCheck[] = [];
  const ingress = client.target === "ingress";
  const all = ingress ? INGRESS_LAYERS : EXTERNAL_LAYERS;
  const finish = (): DiagnoseCheck[] => {
    for (const layer of all.slice(checks.length)) checks.push({ layer, status: "skip", summary: "not checked: an earlier layer failed", evidence: [] });
    return checks;
  };
  if (ingress) return diagnoseIngress(sim, client, options, checks) ? checks : finish();

  const entry = externalEntry(sim, client);
  if ("layer" in entry) {
    checks.push(entry);
    return finish();
  }
  // 1-2. the load balancer and its health checks, or the node (NodePort, externalIP) called directly
  let nodes: string[];
  if (entry.kind === "load-balancer") {
    const what = `Service ${client.namespace ?? "default"}/${client.service ?? "-"}`;
    const lb = loadBalancerLayers(sim, entry.svc, what, checks, options);
    if (!lb) return finish();
    nodes = lb.nodes;
  } else {
    const node = entry.node as string;
    const how = entry.kind === "node-port" ? `calls ${node}'s NodePort ${entry.ip}:${entry.port} directly` : `calls externalIP ${entry.ip}:${entry.port}, which the network routes to ${node}`;
    checks.push({ layer: "load-balancer", status: "n/a", summary: `the client ${how}: no load balancer`, evidence: [] });
    checks.push({ layer: "health-check", status: "n/a", summary: `no load balancer checks ${node}: its connections enter by ${node} whatever its health`, evidence: [] });
    nodes = [node];
  }

  // 3. the Service and port
  const { svc, sp } = entry;
  if (!svc || !sp) {
    const summary =
      entry.kind === "node-port"
        ? `no Service of type NodePort or LoadBalancer has nodePort ${entry.port}: nothing is programmed for ${entry.ip}:${entry.port} (the connections are lost)`
        : !svc
          ? `${client.target}: no Service`
          : `Service ${svcName(svc)} has no port ${client.port ?? entry.port}: nothing is programmed for ${entry.ip}:${client.port ?? entry.port}`;
    const ports = sim.store
      .list("Service")
      .flatMap((s) => (s.spec.ports ?? []).filter((p) => p.nodePort).map((p) => `${svcName(s)} ${p.port}/${p.protocol ?? "TCP"} nodePort ${p.nodePort}`));
    checks.push({ layer: "service", status: "FAIL", summary, evidence: entry.kind === "node-port" ? [`nodePorts: ${ports.join(", ") || "(none)"}`] : [`ports of ${svc ? svcName(svc) : "-"}: ${(svc?.spec.ports ?? []).map((p) => `${p.port}/${p.protocol ?? "TCP"}`).join(", ") || "(none)"}`] });
    return finish();
  }
  const etp = svc.spec.externalTrafficPolicy ?? "Cluster";
  const protocol = sp.protocol ?? "TCP";
  checks.push({
    layer: "service",
    status: "ok",
    summary: `Service ${svcName(svc)} (${svc.spec.type ?? "ClusterIP"}) has port ${sp.port}/${protocol} -> targetPort ${String(sp.targetPort ?? sp.port)}${sp.nodePort ? `, nodePort ${sp.nodePort}` : ""}; externalTrafficPolicy ${etp}`,
    evidence: svc.spec.healthCheckNodePort ? [`healthCheckNodePort ${svc.spec.healthCheckNodePort}`] : [],
  });

  // 4-6. selector, readiness, EndpointSlices
  const facts = podLayers(sim, { svc, sp, port: sp.port, protocol }, checks, "kube-proxy rejects the connections", "");
  if (!facts) return finish();
  const { apiReady } = facts;

  // 7. kube-proxy on the node(s) of entry: the external address's rules (KUBE-NODEPORTS / KUBE-EXT; pkg/proxy/iptables/proxier.go).
  const address = `${entry.ip}:${entry.port}/${protocol}`;
  const local = etp === "Local";
  const perNode = nodes.map((n) => {
    const a = entry.kind === "node-port" ? address : `${entry.ip}:${sp.port}/${protocol}`;
    const r = entryRules(sim, n, a);
    const expected = apiReady.filter((e) => !local || e.node === n).map((e) => e.key);
    const same = expected.length === r.programmed.length && expected.every((k, i) => k === r.programmed[i]);
    return { node: n, address: a, ...r, expected, same };
  });
  const proxyEvidence = [
    ...perNode.map((p) => p.line),
    ...perNode.map((p) => `API server's ready endpoints${local ? ` on ${p.node} (externalTrafficPolicy Local)` : ""}: ${p.expected.join(", ") || "(none)"}`),
  ];
  // A failed node forwards nothing: what enters by it is lost (ExternalRoute in @kube-netsim/scenario).
  const down = new Set(sim.failedNodeNames);
  const deadEntries = nodes.filter((n) => down.has(n));
  if (deadEntries.length > 0) {
    const viaLb = entry.kind === "load-balancer";
    checks.push({
      layer: "kube-proxy",
      status: "FAIL",
      summary: `${deadEntries.join(", ")} ${deadEntries.length === 1 ? "is" : "are"} down: the connections that enter by ${deadEntries.length === 1 ? "it" : "them"} are lost (the client times out)${viaLb ? "; the load balancer still counts it healthy (unhealthyThreshold not reached)" : ""}`,
      evidence: [
        ...deadEntries.map((n) => `${n}: failed (failNode): its kubelet and kube-proxy are gone and nothing answers on ${sim.nodeIP(n)}`),
        viaLb ? "to fix: wait for the health check to take the node out, or bring the node back" : `to fix: call another node (${sim.nodeNames.filter((n) => !down.has(n)).join(", ") || "none is up"}) or go through a load balancer, or bring the node back`,
      ],
    });
    return finish();
  }
  const lagging = perNode.filter((p) => !p.same || p.verdict === "no-rule");
  if (lagging.length > 0) {
    const p = lagging[0];
    checks.push({
      layer: "kube-proxy",
      status: "FAIL",
      summary: `kube-proxy on ${lagging.map((x) => x.node).join(", ")} has not synced ${p.verdict === "no-rule" ? `the rules for ${p.address} yet (no rule: the packets are lost)` : "the EndpointSlices yet"} (verdict ${p.verdict})`,
      evidence: [...proxyEvidence, "to fix: wait for kube-proxy's sync (minSyncPeriod, the watch delay) or diagnose later with --at"],
    });
    return finish();
  }
  checks.push({ layer: "kube-proxy", status: "ok", summary: `kube-proxy on ${nodes.join(", ")} programs what the API server holds for ${perNode[0].address}`, evidence: proxyEvidence });

  // 8. externalTrafficPolicy (spec 1.4; pkg/proxy/iptables/proxier.go KUBE-EXT, KUBE-SVL):
  // Local keeps the client's IP and uses only the node's endpoints (none: DROP);
  // Cluster masquerades to the node's IP and may forward to another node.
  if (local) {
    const dropping = perNode.filter((p) => p.verdict !== "forward");
    const hc = { ...DEFAULT_HEALTH_CHECK, ...options.loadBalancer?.healthCheck };
    if (dropping.length > 0) {
      const where = [...new Set(apiReady.map((e) => e.node))].sort();
      const viaLb = entry.kind === "load-balancer";
      checks.push({
        layer: "policy",
        status: "FAIL",
        summary: `externalTrafficPolicy Local and no ready endpoint on ${dropping.map((p) => p.node).join(", ")}: the rules DROP the packets (the client times out)${viaLb ? "; the load balancer still counts the node healthy (unhealthyThreshold not reached)" : ""}`,
        evidence: [
          `ready endpoints are on ${where.join(", ") || "(none)"}`,
          ...dropping.map((p) => `verdict for ${p.address} on ${p.node}: ${p.verdict}`),
          viaLb
            ? `to fix: wait for the health check to take the node out (${hc.unhealthyThreshold} failed checks ${seconds(hc.interval)} apart), shorten cluster.loadBalancer.healthCheck, or set externalTrafficPolicy: Cluster`
            : `to fix: call a node that runs a ready pod (${where.join(", ")}), go through the load balancer (its health check on healthCheckNodePort skips nodes without one), or set externalTrafficPolicy: Cluster (the pods then see the node's IP)`,
        ],
      });
      return finish();
    }
    checks.push({ layer: "policy", status: "ok", summary: `externalTrafficPolicy Local: the client's IP is preserved; ${perNode.map((p) => `${p.node} forwards to its ${p.programmed.length} local endpoint(s)`).join(", ")}`, evidence: [] });
  } else {
    const hops = perNode.map((p) => {
      const other = apiReady.filter((e) => e.node !== p.node).length;
      return `${p.node}: ${other} of ${apiReady.length} endpoint(s) on another node (a second hop)`;
    });
    checks.push({ layer: "policy", status: "ok", summary: "externalTrafficPolicy Cluster: the node of entry SNATs (the pods see its IP, not the client's) and may forward to an endpoint on another node", evidence: hops });
  }

  // 9. application
  const ips = [...new Set(perNode.flatMap((p) => sim.kubeProxy(p.node).frontend(p.address).endpoints.map((e) => e.ip)))];
  if (!applicationLayer(sim, svc.metadata.namespace ?? "default", ips, "programmed", checks)) return finish();
  return checks;
}

/** The layers of an external client of the Ingress controller; false when one failed. */
function diagnoseIngress(sim: Simulation, client: ScenarioClient, options: DiagnoseOptions, checks: DiagnoseCheck[]): boolean {
  const controller = sim.store.get("Service", INGRESS_NAMESPACE, INGRESS_CONTROLLER_NAME);
  // 1-2. the controller's load balancer and its health checks
  const lb = loadBalancerLayers(sim, controller, `Service ${INGRESS_NAMESPACE}/${INGRESS_CONTROLLER_NAME}`, checks, options);
  if (!lb || !controller) return false;

  // 3. the controller's pods, as the nodes of entry forward to them
  const sp = (controller.spec.ports ?? [])[0];
  const address = `${lb.ip}:${sp?.port ?? 80}/TCP`;
  const pods = sim.pods(undefined, INGRESS_NAMESPACE);
  const ready = pods.filter((p) => isReady(p) && p.metadata.deletionTimestamp === undefined);
  const rules = lb.nodes.map((n) => entryRules(sim, n, address));
  const evidence = [...pods.map(podState), ...rules.map((r) => r.line)];
  if (ready.length === 0) {
    checks.push({ layer: "controller", status: "FAIL", summary: `no Ingress controller pod is Ready (${pods.length} pod(s)): nothing serves the controller's Service`, evidence: [...evidence, "to fix: give cluster.ingressController replicas >= 1 and let its pods turn Ready"] });
    return false;
  }
  const downNodes = lb.nodes.filter((n) => sim.failedNodeNames.includes(n));
  if (downNodes.length > 0) {
    checks.push({ layer: "controller", status: "FAIL", summary: `${downNodes.join(", ")} ${downNodes.length === 1 ? "is" : "are"} down but the load balancer still counts ${downNodes.length === 1 ? "it" : "them"} healthy: the connections that enter there are lost (the client times out)`, evidence: [...evidence, "to fix: wait for the health check to take the node out, or bring the node back"] });
    return false;
  }
  const bad = lb.nodes.filter((_, i) => rules[i].verdict !== "forward");
  if (bad.length > 0) {
    checks.push({
      layer: "controller",
      status: "FAIL",
      summary: `the rules for ${address} on ${bad.join(", ")} do not forward to a controller pod (${bad.map((n) => rules[lb.nodes.indexOf(n)].verdict).join(", ")}): those connections are ${rules[lb.nodes.indexOf(bad[0])].verdict === "reject" ? "refused" : "lost (timeouts)"}`,
      evidence,
    });
    return false;
  }
  checks.push({ layer: "controller", status: "ok", summary: `${ready.length} Ingress controller pod(s) Ready; ${lb.nodes.join(", ")} ${lb.nodes.length === 1 ? "forwards" : "forward"} ${address} to them (externalTrafficPolicy ${controller.spec.externalTrafficPolicy ?? "Cluster"})`, evidence });

  // 4. the Ingress rule for the client's host and path (the controller's view, as of its last sync)
  const route = sim.results().ingress?.routes[client.name];
  const host = route?.host ?? client.host ?? lb.ip;
  const path = route?.path ?? client.path ?? "/";
  const ingresses = sim.ingresses();
  const ruleList = ingresses.flatMap((ing) => [
    ...(ing.spec.rules ?? []).flatMap((r) =>
      (r.http?.paths ?? []).map((p) => `${ing.metadata.namespace ?? "default"}/${ing.metadata.name}: host ${r.host ?? "*"} path ${p.path ?? "/"} (${p.pathType}) -> ${backendText(p.backend)}${ing.spec.ingressClassName ? `, class ${ing.spec.ingressClassName}` : ""}`),
    ),
    ...(ing.spec.defaultBackend ? [`${ing.metadata.namespace ?? "default"}/${ing.metadata.name}: defaultBackend -> ${backendText(ing.spec.defaultBackend)}`] : []),
  ]);
  const rule = route?.rule ?? "(no rule)";
  if (rule === "(no rule)") {
    // The controller serves the Ingresses of its class and those without one (as
    // IngressController in @kube-netsim/scenario models it).
    const className = options.ingressClassName ?? "nginx";
    const served = matchIngress(
      ingresses.filter((i) => i.spec.ingressClassName === undefined || i.spec.ingressClassName === className),
      host,
      path,
    );
    const other = served === undefined ? matchIngress(ingresses, host, path) : undefined;
    const listing = [`Ingress rules${ruleList.length > 0 ? ":" : ": (no Ingress)"}`, ...ruleList.map((r) => `  ${r}`)];
    if (served !== undefined) {
      checks.push({
        layer: "ingress-rule",
        status: "FAIL",
        summary: `the controller has not synced the Ingress rule that matches host ${host} and path ${path} (${served.ingress.metadata.namespace ?? "default"}/${served.key}) yet: it answers 404 Not Found until its next sync`,
        evidence: [...listing, "to fix: wait for the controller's next sync (--sync-rate-limit: cluster.ingressController.syncRateLimit) or diagnose later with --at"],
      });
    } else if (other !== undefined) {
      checks.push({
        layer: "ingress-rule",
        status: "FAIL",
        summary: `no Ingress of class ${className} matches host ${host} and path ${path}: Ingress ${other.ingress.metadata.namespace ?? "default"}/${other.ingress.metadata.name} does, but its ingressClassName ${other.ingress.spec.ingressClassName ?? "-"} is another controller's; this one answers 404 Not Found`,
        evidence: [...listing, `to fix: set spec.ingressClassName: ${className} on the Ingress`],
      });
    } else {
      checks.push({
        layer: "ingress-rule",
        status: "FAIL",
        summary: `no Ingress rule matches host ${host} and path ${path}: the controller answers 404 Not Found`,
        evidence: [...listing, "to fix: add a rule for this host (or one without a host) whose path is a prefix of the request's, or a defaultBackend; or correct the client's host and path"],
      });
    }
    return false;
  }
  const match = ingresses
    .filter((i) => rule.startsWith(`${i.metadata.name}: `))
    .map((i) => matchIngress([i], host, path))
    .find((m) => m?.key === rule);
  const backend = match?.backend.service;
  if (!match || !backend) {
    checks.push({ layer: "ingress-rule", status: "FAIL", summary: `host ${host} and path ${path} match ${rule}, which the API server's Ingresses no longer hold (or it has no Service backend)`, evidence: ruleList });
    return false;
  }
  const bns = match.ingress.metadata.namespace ?? "default";
  checks.push({ layer: "ingress-rule", status: "ok", summary: `host ${host} and path ${path} match ${bns}/${rule} -> Service ${backend.name} port ${backend.port.name ?? backend.port.number}`, evidence: ruleList });

  // 5. the backend Service and port (ingress-nginx endpointslices.go: the Service port by number or name)
  const svc = sim.store.get("Service", bns, backend.name);
  const bsp = svc?.spec.ports?.find((p) => (backend.port.name !== undefined && backend.port.name !== "" ? p.name === backend.port.name : p.port === backend.port.number));
  if (!svc || !bsp) {
    checks.push({
      layer: "service",
      status: "FAIL",
      summary: !svc
        ? `the rule's backend Service ${bns}/${backend.name} does not exist: the controller has no endpoints for it and answers 503 Service Temporarily Unavailable`
        : `Service ${bns}/${backend.name} has no port ${backend.port.name ?? backend.port.number}: the controller answers 503 Service Temporarily Unavailable`,
      evidence: [`Services in ${bns}: ${sim.store.list("Service", bns).map((s) => s.metadata.name).join(", ") || "(none)"}`, ...(svc ? [`ports: ${(svc.spec.ports ?? []).map((p) => `${p.name ? `${p.name}:` : ""}${p.port}`).join(", ")}`] : [])],
    });
    return false;
  }
  checks.push({ layer: "service", status: "ok", summary: `Service ${bns}/${backend.name} has port ${bsp.name ? `"${bsp.name}" ` : ""}${bsp.port}/${bsp.protocol ?? "TCP"} -> targetPort ${String(bsp.targetPort ?? bsp.port)}`, evidence: [] });

  // 6-8. the backend's pods and EndpointSlices: the controller answers 503 without a ready endpoint.
  const facts = podLayers(sim, { svc, sp: bsp, port: bsp.port, protocol: bsp.protocol ?? "TCP" }, checks, "the Ingress controller answers 503 Service Temporarily Unavailable", "; the Ingress controller has no upstream and answers 503 Service Temporarily Unavailable");
  if (!facts) return false;

  // 9. application
  const ips = facts.apiReady.map((e) => e.key.slice(0, e.key.lastIndexOf(":")));
  return applicationLayer(sim, bns, ips, "published ready", checks);
}

function backendText(b: IngressBackend): string {
  return b.service ? `${b.service.name}:${b.service.port.name ?? b.service.port.number}` : "(resource backend)";
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
