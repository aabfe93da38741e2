import { dirname, isAbsolute, join, resolve } from "node:path";
import { readFileSync } from "node:fs";
import { fieldInvalid, fieldNotSupported, fieldRequired, formatFieldError, isDNS1123Subdomain, nonNegativeQuantityError } from "@kube-netsim/model";
import type { FieldError, Ingress, KubeObject, StringMap } from "@kube-netsim/model";
import { Simulation, parseMode } from "@kube-netsim/scenario";
import type { AddClientOptions, ClientDnsOptions, ControlPlaneTimings, DnsSettings, IngressControllerOptions, KubeProxySettings, LoadBalancerOptions, NodeSpec, SimulationOptions } from "@kube-netsim/scenario";
import type { ApplicationModel, ConnectionPolicy } from "@kube-netsim/traffic";
import { parseDistribution, parseDuration } from "./duration.js";
import { addManifest } from "./manifests.js";
import type { Manifests } from "./manifests.js";
import { InputError, locate, parseYamlDocuments } from "./source.js";
import type { Problem, SourceDocument } from "./source.js";

/**
 * What happens at one moment of a scenario's timeline.
 *
 * @example
 * ```ts
 * const actions: ScenarioAction[] = [
 *   { type: "deletePod", namespace: "default", selector: { app: "api" }, index: 0 },
 *   { type: "scale", deployment: "api", namespace: "default", replicas: 5 },
 *   { type: "failNode", node: "node-2" },
 * ];
 * ```
 */
export type ScenarioAction =
  | { readonly type: "scale"; readonly deployment: string; readonly namespace: string; readonly replicas: number }
  | { readonly type: "setImage"; readonly deployment: string; readonly namespace: string; readonly container?: string; readonly image: string }
  | { readonly type: "deletePod"; readonly namespace: string; readonly name?: string; readonly selector?: StringMap; readonly index: number }
  | { readonly type: "apply"; readonly objects: readonly (KubeObject | Ingress)[] }
  | { readonly type: "patch"; readonly kind: "Service" | "Deployment"; readonly name: string; readonly namespace: string; readonly merge: Readonly<Record<string, unknown>> }
  | { readonly type: "stopClient"; readonly client: string }
  | { readonly type: "crashPod"; readonly namespace: string; readonly name?: string; readonly selector?: StringMap; readonly index: number }
  | { readonly type: "hangPod"; readonly namespace: string; readonly name?: string; readonly selector?: StringMap; readonly index: number; readonly duration?: number }
  | { readonly type: "failNode" | "recoverNode" | "partitionNode" | "healPartition" | "drainNode" | "uncordonNode"; readonly node: string }
  | { readonly type: "loseZone" | "recoverZone"; readonly zone: string }
  | { readonly type: "stallKubeProxy"; readonly node: string; readonly duration: number };

/**
 * One entry of a scenario's `timeline`.
 *
 * @example
 * ```ts
 * const first: TimedAction = loadScenarioFile("examples/scenarios/flagship.yaml").timeline[0];
 * first.at;     // 30000
 * first.action; // { type: "deletePod", selector: { app: "api" }, index: 0, namespace: "default" }
 * first.path;   // "timeline[0]"
 * formatProblem({ ...first.source, message: "..." }); // "examples/scenarios/flagship.yaml:32:5: ..."
 * ```
 */
export interface TimedAction {
  /** When, in ms after traffic starts. */
  readonly at: number;
  /** What. */
  readonly action: ScenarioAction;
  /** Where it was written (for errors raised while it runs). */
  readonly source: Problem;
  /** Its path in the scenario, e.g. `timeline[2]`. */
  readonly path: string;
}

/**
 * A client of a scenario: the facade's options plus when it starts.
 *
 * @example
 * ```ts
 * const [frontend]: readonly ScenarioClient[] = loadScenarioFile("examples/scenarios/flagship.yaml").clients;
 * frontend.target; // "http://api:80"
 * frontend.rate;   // 300 requests/s
 * frontend.start;  // 0 ms after traffic starts
 * ```
 */
export interface ScenarioClient extends AddClientOptions {
  /** When it starts sending, in ms after traffic starts. Default 0. */
  readonly start: number;
  /**
   * A client outside the cluster (`Simulation.addExternalClient`): `target` is `lb` (with
   * `service`), `<nodeIP>:<nodePort>`, a load-balancer IP or an externalIP with its port.
   */
  readonly external?: boolean;
  /** External clients with `target: lb`: the LoadBalancer Service. */
  readonly service?: string;
  /** External clients with `target: lb`: the Service port (default its first). */
  readonly port?: number;
  /** External clients: the client's IP. */
  readonly sourceIP?: string;
  /** Where it was written. */
  readonly source: Problem;
}

/**
 * One bound of an `expect` entry.
 *
 * @example
 * ```ts
 * // `expect: { latency.p99: { min: 1ms, max: 50ms } }` in a scenario file reads as
 * const e: Expectation = { metric: "latency.p99", min: 1, max: 50, source: { file: "s.yaml", line: 20, col: 3, message: "" } };
 * ```
 */
export interface Expectation {
  /** The metric: `completed`, `timedOut`, `failed`, `failedRatio`, `latency.p99`, ... */
  readonly metric: string;
  /** Lowest allowed value. */
  readonly min?: number;
  /** Highest allowed value. */
  readonly max?: number;
  /** Where it was written. */
  readonly source: Problem;
}

/**
 * A scenario file, checked and resolved (durations in ms, distributions built, manifests loaded).
 *
 * @example
 * ```ts
 * const s: Scenario = loadScenarioFile("examples/scenarios/flagship.yaml");
 * s.duration;                      // 40000 (ms, from `duration: 40s`)
 * s.mode;                          // "iptables"
 * s.objects.map((o) => o.kind);    // ["Deployment", "Service"]
 * s.applications[0].text;          // "exponential(5ms)"
 * ```
 */
export interface Scenario {
  /** The file it was read from. */
  readonly file: string;
  /** Options of the `Simulation` (seed, nodes, kube-proxy, timings ...). */
  readonly simulation: SimulationOptions;
  /** Objects to apply before the run. */
  readonly objects: readonly (KubeObject | Ingress)[];
  /** Application models by label selector. */
  readonly applications: readonly { readonly selector: StringMap; readonly model: ApplicationModel; readonly text: string }[];
  /** Whether to run until the cluster is at rest before traffic starts. Default true. */
  readonly settle: boolean;
  /** Clients. */
  readonly clients: readonly ScenarioClient[];
  /** Actions at times. */
  readonly timeline: readonly TimedAction[];
  /** How long traffic runs (ms), after which clients stop and requests in flight drain. */
  readonly duration: number;
  /** What to sample per time bucket. */
  readonly measure?: { readonly service: string; readonly namespace: string; readonly bucket: number; readonly source: Problem };
  /** Bounds on the results; a failed one makes `run` exit with status 1. */
  readonly expect: readonly Expectation[];
  /** Modes for `compare` when `--modes` is not given. */
  readonly compareModes?: readonly string[];
  /** The kube-proxy mode as written (`ipvs:lc`, ...). */
  readonly mode: string;
}

/**
 * Reads files for the scenario loader (injectable for tests).
 *
 * @example
 * ```ts
 * // manifests from memory instead of the disk; paths arrive resolved against the scenario's directory
 * const read: ReadFile = (path) => {
 *   if (path.endsWith("/manifests/api.yaml")) return apiYaml;
 *   throw new Error(`ENOENT: ${path}`);
 * };
 * const s = parseScenario(scenarioText, "scenario.yaml", read);
 * ```
 */
export type ReadFile = (path: string) => string;

const defaultRead: ReadFile = (p) => readFileSync(p, "utf8");

/**
 * Metrics `expect` knows. Latency metrics take durations.
 *
 * @example
 * ```ts
 * EXPECT_METRICS.includes("latency.p99"); // true; also started, completed, refused, reset, timedOut, dropped, failed, failedRatio, ...
 * ```
 */
export const EXPECT_METRICS: readonly string[] = [
  "started",
  "completed",
  "refused",
  "reset",
  "timedOut",
  "dropped",
  "failed",
  "failedRatio",
  "latency.mean",
  "latency.p50",
  "latency.p90",
  "latency.p99",
  "latency.p999",
  "latency.max",
];

type Path = readonly (string | number)[];

function pathText(path: Path): string {
  let s = "";
  for (const p of path) s += typeof p === "number" ? `[${p}]` : s === "" ? p : `.${p}`;
  return s;
}

/** Collects problems with positions while reading one scenario document. */
class Reader {
  readonly problems: Problem[] = [];
  constructor(
    readonly src: SourceDocument,
    readonly read: ReadFile,
  ) {}

  at(path: Path): Problem {
    return { file: this.src.file, ...locate(this.src, path), message: "" };
  }

  error(path: Path, e: FieldError | string): undefined {
    this.problems.push({ ...this.at(path), message: typeof e === "string" ? `${pathText(path) || "scenario"}: ${e}` : formatFieldError(e) });
    return undefined;
  }

  object(v: unknown, path: Path, known: readonly string[], required = false): Record<string, unknown> | undefined {
    if (v === undefined || v === null) return required ? this.error(path, fieldRequired(pathText(path), "")) : undefined;
    if (typeof v !== "object" || Array.isArray(v)) {
      return this.error(path, path.length === 0 ? `Invalid value: a scenario is a map with the keys ${known.join(", ")}` : fieldInvalid(pathText(path), v, "must be a map"));
    }
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!known.includes(k)) this.error([...path, k], `Unsupported field: "${k}": supported fields: ${known.map((x) => `"${x}"`).join(", ")}`);
    }
    return o;
  }

  list(v: unknown, path: Path): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.error(path, fieldInvalid(pathText(path), v, "must be a list"));
      return [];
    }
    return v;
  }

  string(v: unknown, path: Path, required = false): string | undefined {
    if (v === undefined || v === null || v === "") return required ? this.error(path, fieldRequired(pathText(path), "")) : undefined;
    if (typeof v !== "string") return this.error(path, fieldInvalid(pathText(path), v, "must be a string"));
    return v;
  }

  oneOf<T extends string>(v: unknown, path: Path, values: readonly T[]): T | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string" || !(values as readonly string[]).includes(v)) return this.error(path, fieldNotSupported(pathText(path), v, values));
    return v as T;
  }

  integer(v: unknown, path: Path, min: number, max: number = Number.MAX_SAFE_INTEGER): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      return this.error(path, fieldInvalid(pathText(path), v, max === Number.MAX_SAFE_INTEGER ? `must be an integer >= ${min}` : `must be an integer between ${min} and ${max}, inclusive`));
    }
    return v;
  }

  /** A Kubernetes quantity (`"4"`, `3500m`, `16Gi`; a YAML number is read as its text), >= 0, returned as text. */
  quantity(v: unknown, path: Path): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string" && typeof v !== "number") return this.error(path, fieldInvalid(pathText(path), v, 'must be a quantity such as "4", "3500m" or "16Gi"'));
    const text = String(v);
    const problem = nonNegativeQuantityError(text);
    if (problem !== undefined) return this.error(path, fieldInvalid(pathText(path), text, problem));
    return text;
  }

  positive(v: unknown, path: Path): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) return this.error(path, fieldInvalid(pathText(path), v, "must be a number > 0"));
    return v;
  }

  duration(v: unknown, path: Path, required = false): number | undefined {
    if ((v === undefined || v === null) && !required) return undefined;
    const d = parseDuration(v, pathText(path));
    return typeof d === "number" ? d : this.error(path, d);
  }

  distribution(v: unknown, path: Path): { distribution: import("@kube-netsim/core").Distribution; text: string } | undefined {
    if (v === undefined || v === null) return undefined;
    const d = parseDistribution(v, pathText(path));
    return "distribution" in d ? d : this.error(path, d);
  }

  labels(v: unknown, path: Path, required = false): StringMap | undefined {
    const o = this.object(v, path, Object.keys((v as object | null) ?? {}), required);
    if (!o) return undefined;
    if (Object.keys(o).length === 0) return this.error(path, fieldRequired(pathText(path), "at least one label"));
    for (const [k, x] of Object.entries(o)) if (typeof x !== "string") this.error([...path, k], fieldInvalid(`${pathText(path)}[${k}]`, x, "must be a string (quote numbers and booleans)"));
    return o as StringMap;
  }

  /** Manifests: file paths (relative to the scenario) or inline objects. */
  manifests(v: unknown, path: Path, into: Manifests): void {
    this.list(v, path).forEach((m, i) => {
      if (typeof m === "string") {
        const full = resolve(dirname(this.src.file), m);
        // Errors name manifest files as the scenario's directory joined with the path written.
        const shown = isAbsolute(m) ? m : join(dirname(this.src.file), m);
        let text: string;
        try {
          text = this.read(full);
        } catch (e) {
          this.error([...path, i], fieldInvalid(pathText([...path, i]), m, `cannot read ${shown}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`));
          return;
        }
        try {
          for (const doc of parseYamlDocuments(text, shown)) addManifest(doc.value, doc, [], into, this.problems);
        } catch (e) {
          if (e instanceof InputError) this.problems.push(...e.problems);
          else throw e;
        }
      } else addManifest(m, this.src, [...path, i], into, this.problems);
    });
  }
}

const TOP = ["seed", "duration", "settle", "cluster", "manifests", "applications", "clients", "timeline", "measure", "expect", "compare"];
const ACTIONS = ["scale", "setImage", "deletePod", "apply", "patch", "stopClient", "crashPod", "hangPod", "failNode", "recoverNode", "partitionNode", "healPartition", "drainNode", "uncordonNode", "loseZone", "recoverZone", "stallKubeProxy"];

/**
 * Reads and checks a scenario file (see `docs/cli.md` for the format), loading the
 * manifests it names relative to its directory.
 *
 * @param file - path of the scenario file.
 * @param read - reads a file (defaults to `fs.readFileSync(path, "utf8")`).
 * @throws InputError listing every problem, each as `file:line:col: field.path: ...`.
 * @example
 * ```ts
 * const scenario = loadScenarioFile("examples/scenarios/flagship.yaml");
 * scenario.duration; // 60000
 * ```
 */
export function loadScenarioFile(file: string, read: ReadFile = defaultRead, options: ParseScenarioOptions = {}): Scenario {
  let text: string;
  try {
    text = read(file);
  } catch (e) {
    throw new InputError([{ file, message: `cannot read scenario file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
  }
  return parseScenario(text, file, read, options);
}

/**
 * Options of {@link parseScenario}.
 *
 * @example
 * ```ts
 * // a client whose target names a Service the manifests lack: for `diagnose`, not an error
 * const s = parseScenario(text, "typo.yaml", undefined, { allowUnresolvedTargets: true });
 * ```
 */
export interface ParseScenarioOptions {
  /**
   * Accept clients whose target names a Service the manifests do not have (for
   * `diagnose`, which explains such a typo as a failed DNS lookup). Default false.
   */
  readonly allowUnresolvedTargets?: boolean;
}

/**
 * Checks a scenario given as YAML text. Like {@link loadScenarioFile}; manifest paths are
 * relative to `dirname(file)`.
 * @throws InputError listing every problem with its position.
 *
 * @example
 * ```ts
 * const text = `
 * duration: 10s
 * cluster: { nodes: 2 }
 * manifests:
 *   - { apiVersion: v1, kind: Service, metadata: { name: api }, spec: { selector: { app: api }, ports: [{ port: 80, targetPort: 8080 }] } }
 * clients:
 *   - { name: fe, target: "http://api:80", rate: -1 }
 * `;
 * parseScenario(text, "inline.yaml"); // throws InputError: "inline.yaml:7:42: clients[0].rate: Invalid value: -1: must be a number > 0"
 * ```
 */
export function parseScenario(text: string, file: string, read: ReadFile = defaultRead, options: ParseScenarioOptions = {}): Scenario {
  const docs = parseYamlDocuments(text, file);
  if (docs.length !== 1) throw new InputError([{ file, line: 1, col: 1, message: `a scenario file holds exactly one YAML document, found ${docs.length}` }]);
  const r = new Reader(docs[0], read);
  const top = r.object(docs[0].value, [], TOP, true);
  if (!top) throw new InputError(r.problems);

  // seed
  let seed: number | string = 1;
  if (top.seed !== undefined) {
    if ((typeof top.seed === "number" && Number.isFinite(top.seed)) || (typeof top.seed === "string" && top.seed !== "")) seed = top.seed;
    else r.error(["seed"], fieldInvalid("seed", top.seed, "must be a number or a string"));
  }
  const duration = r.duration(top.duration, ["duration"], true) ?? 0;
  let settle = true;
  if (top.settle !== undefined) {
    if (typeof top.settle === "boolean") settle = top.settle;
    else r.error(["settle"], fieldInvalid("settle", top.settle, "must be true or false"));
  }

  // cluster
  const cluster = r.object(top.cluster, ["cluster"], ["nodes", "serviceCIDR", "clusterCIDR", "nodeCIDRMaskSize", "maxEndpointsPerSlice", "maxPodsPerNode", "kubeProxy", "timings", "loadBalancer", "dns", "ingressController"]) ?? {};
  const loadBalancer = readLoadBalancer(r, cluster.loadBalancer, ["cluster", "loadBalancer"]);
  const ingressController = readIngressController(r, cluster.ingressController, ["cluster", "ingressController"]);
  const dns = readDnsSettings(r, cluster.dns, ["cluster", "dns"]);
  let nodes: number | NodeSpec[] | undefined;
  if (typeof cluster.nodes === "number") nodes = r.integer(cluster.nodes, ["cluster", "nodes"], 1, 250);
  else if (cluster.nodes !== undefined) {
    const seen = new Set<string>();
    nodes = r.list(cluster.nodes, ["cluster", "nodes"]).flatMap((n, i): NodeSpec[] => {
      const p = ["cluster", "nodes", i];
      const o = r.object(n, p, ["name", "zone", "labels", "maxPods", "cpu", "memory"], true);
      if (!o) return [];
      const name = r.string(o.name, [...p, "name"], true);
      if (name === undefined) return [];
      if (!isDNS1123Subdomain(name)) return r.error([...p, "name"], fieldInvalid(pathText([...p, "name"]), name, "must be a lowercase RFC 1123 subdomain")) ?? [];
      if (seen.has(name)) return r.error([...p, "name"], `Duplicate value: "${name}"`) ?? [];
      seen.add(name);
      const labels = o.labels === undefined ? undefined : r.labels(o.labels, [...p, "labels"]);
      const maxPods = r.integer(o.maxPods, [...p, "maxPods"], 1);
      const cpu = r.quantity(o.cpu, [...p, "cpu"]);
      const memory = r.quantity(o.memory, [...p, "memory"]);
      return [
        {
          name,
          zone: r.string(o.zone, [...p, "zone"]),
          labels,
          ...(maxPods !== undefined ? { maxPods } : {}),
          ...(cpu !== undefined ? { cpu } : {}),
          ...(memory !== undefined ? { memory } : {}),
        },
      ];
    });
  }
  const kpRaw = r.object(cluster.kubeProxy, ["cluster", "kubeProxy"], ["mode", "minSyncPeriod", "syncRunner", "kubernetesVersion"]) ?? {};
  let mode = "iptables";
  let modeSettings: Pick<KubeProxySettings, "mode" | "ipvs" | "cilium"> = { mode: "iptables" };
  if (kpRaw.mode !== undefined) {
    const m = r.string(kpRaw.mode, ["cluster", "kubeProxy", "mode"]);
    if (m !== undefined) {
      try {
        modeSettings = checkMode(m);
        mode = m;
      } catch (e) {
        r.error(["cluster", "kubeProxy", "mode"], (e as Error).message.replace(/^modes: /, "cluster.kubeProxy.mode: ").replace(/^cluster\.kubeProxy\.mode: /, ""));
      }
    }
  }
  let kubernetesVersion = r.string(kpRaw.kubernetesVersion, ["cluster", "kubeProxy", "kubernetesVersion"]);
  if (typeof kpRaw.kubernetesVersion === "number") kubernetesVersion = String(kpRaw.kubernetesVersion);
  if (kubernetesVersion !== undefined && !/^v?1\.[0-9]+(\.[0-9]+)?$/.test(kubernetesVersion)) {
    r.error(["cluster", "kubeProxy", "kubernetesVersion"], fieldInvalid("cluster.kubeProxy.kubernetesVersion", kubernetesVersion, 'expected a version like "1.31" (quote it in YAML)'));
    kubernetesVersion = undefined;
  }
  const kubeProxy: KubeProxySettings = {
    ...modeSettings,
    minSyncPeriod: r.duration(kpRaw.minSyncPeriod, ["cluster", "kubeProxy", "minSyncPeriod"]),
    syncRunner: r.oneOf(kpRaw.syncRunner, ["cluster", "kubeProxy", "syncRunner"], ["bounded-frequency", "burst"] as const),
    kubernetesVersion,
  };
  const tRaw = r.object(cluster.timings, ["cluster", "timings"], ["watchDelay", "podStartDelay", "readinessDelay", "endpointSliceSyncLatency", "endpointSliceBatchPeriod", "endpointSliceWorkers", "proxySyncDuration", "containerRestartDelay"]) ?? {};
  const dist = (k: string): import("@kube-netsim/core").Distribution | undefined => r.distribution(tRaw[k], ["cluster", "timings", k])?.distribution;
  const timings: ControlPlaneTimings = {
    watchDelay: dist("watchDelay"),
    podStartDelay: dist("podStartDelay"),
    readinessDelay: dist("readinessDelay"),
    endpointSliceSyncLatency: dist("endpointSliceSyncLatency"),
    endpointSliceBatchPeriod: r.duration(tRaw.endpointSliceBatchPeriod, ["cluster", "timings", "endpointSliceBatchPeriod"]),
    endpointSliceWorkers: r.integer(tRaw.endpointSliceWorkers, ["cluster", "timings", "endpointSliceWorkers"], 1),
    proxySyncDuration: dist("proxySyncDuration"),
    containerRestartDelay: dist("containerRestartDelay"),
  };
  for (const k of ["serviceCIDR", "clusterCIDR"]) if (cluster[k] !== undefined) r.string(cluster[k], ["cluster", k]);
  r.integer(cluster.nodeCIDRMaskSize, ["cluster", "nodeCIDRMaskSize"], 1, 30);
  r.integer(cluster.maxEndpointsPerSlice, ["cluster", "maxEndpointsPerSlice"], 1, 1000);
  r.integer(cluster.maxPodsPerNode, ["cluster", "maxPodsPerNode"], 1);

  // manifests
  const manifests: Manifests = { objects: [], nodes: [] };
  r.manifests(top.manifests, ["manifests"], manifests);
  if (manifests.nodes.length > 0 && nodes !== undefined) {
    r.error(["cluster", "nodes"], "Forbidden: nodes are given both here and as Node manifests; keep one");
  }
  const nodeList: NodeSpec[] | number | undefined = manifests.nodes.length > 0 ? manifests.nodes : nodes;
  const nodeNames = nodeList === undefined ? ["node-1", "node-2", "node-3"] : typeof nodeList === "number" ? Array.from({ length: nodeList }, (_, i) => `node-${i + 1}`) : nodeList.map((n) => n.name);

  // applications
  const applications = r.list(top.applications, ["applications"]).flatMap((a, i) => {
    const p = ["applications", i];
    const o = r.object(a, p, ["selector", "serviceTime", "concurrency", "queueLimit", "onSigterm", "warmUp", "hangAfter", "crashAfter"], true);
    if (!o) return [];
    const selector = r.labels(o.selector, [...p, "selector"], true);
    const st = o.serviceTime === undefined ? r.error([...p, "serviceTime"], fieldRequired(pathText([...p, "serviceTime"]), "e.g. exponential(5ms)")) : r.distribution(o.serviceTime, [...p, "serviceTime"]);
    const concurrency = r.integer(o.concurrency, [...p, "concurrency"], 1);
    const queueLimit = r.integer(o.queueLimit, [...p, "queueLimit"], 0);
    const onSigterm = r.oneOf(o.onSigterm, [...p, "onSigterm"], ["exit", "drain"] as const);
    // Pod lifecycle (docs/pod-lifecycle.md): drawn at every process start.
    const warmUp = r.distribution(o.warmUp, [...p, "warmUp"])?.distribution;
    const hangAfter = r.distribution(o.hangAfter, [...p, "hangAfter"])?.distribution;
    const crashAfter = r.distribution(o.crashAfter, [...p, "crashAfter"])?.distribution;
    if (!selector || !st) return [];
    const model: ApplicationModel = {
      serviceTime: st.distribution,
      concurrency,
      queueLimit,
      onSigterm,
      ...(warmUp ? { warmUp } : {}),
      ...(hangAfter ? { hangAfter } : {}),
      ...(crashAfter ? { crashAfter } : {}),
    };
    return [{ selector, model, text: st.text }];
  });

  // clients
  const clientNames = new Set<string>();
  const clients = r.list(top.clients, ["clients"]).flatMap((c, i): ScenarioClient[] => {
    const p = ["clients", i];
    const o = r.object(c, p, ["name", "target", "rate", "interarrival", "users", "thinkTime", "node", "namespace", "connectTimeout", "connections", "protocol", "start", "dns", "external", "service", "port", "sourceIP", "host", "path"], true);
    if (!o) return [];
    let external = false;
    if (o.external !== undefined) {
      if (typeof o.external === "boolean") external = o.external;
      else r.error([...p, "external"], fieldInvalid(pathText([...p, "external"]), o.external, "must be true or false"));
    }
    // Fields of one kind of client only.
    for (const k of ["service", "port", "sourceIP"]) if (o[k] !== undefined && !external) r.error([...p, k], "Forbidden: only for external clients (external: true)");
    // An external client through the Ingress controller's load balancer (or a pod calling the
    // controller's Service) sends an HTTP Host and path.
    for (const k of ["host", "path"]) if (o[k] !== undefined && external && o.target !== "ingress") r.error([...p, k], "Forbidden: only with target: ingress (or for a pod client of the Ingress controller's Service)");
    if (external && o.target === "ingress" && ingressController === undefined) r.error([...p, "target"], 'Forbidden: "ingress" needs an Ingress controller; set cluster.ingressController: true');
    const host = r.string(o.host, [...p, "host"]);
    const path = r.string(o.path, [...p, "path"]);
    if (path !== undefined && !path.startsWith("/")) r.error([...p, "path"], fieldInvalid(pathText([...p, "path"]), path, "must be an absolute path (start with /)"));
    for (const k of ["dns", "protocol"]) if (o[k] !== undefined && external) r.error([...p, k], "Forbidden: not for external clients (they are TCP and use no cluster DNS)");
    const service = r.string(o.service, [...p, "service"]);
    const port = r.integer(o.port, [...p, "port"], 1, 65535);
    const sourceIP = r.string(o.sourceIP, [...p, "sourceIP"]);
    const clientDns = readClientDns(r, o.dns, [...p, "dns"]);
    if (clientDns !== undefined && clientDns !== false && dns === undefined) r.error([...p, "dns"], "Forbidden: the cluster has no DNS; set cluster.dns: true");
    const name = r.string(o.name, [...p, "name"], true);
    if (name !== undefined && clientNames.has(name)) r.error([...p, "name"], `Duplicate value: "${name}"`);
    if (name !== undefined) clientNames.add(name);
    const target = r.string(o.target, [...p, "target"], true);
    const rate = r.positive(o.rate, [...p, "rate"]);
    const interarrival = r.distribution(o.interarrival, [...p, "interarrival"]);
    const users = r.integer(o.users, [...p, "users"], 1);
    const thinkTime = r.distribution(o.thinkTime, [...p, "thinkTime"]);
    const given = [o.rate, o.interarrival, o.users].filter((v) => v !== undefined).length;
    if (given === 0) r.error([...p, "rate"], fieldRequired(pathText([...p, "rate"]), "requests per second (or give interarrival, or users for a closed loop)"));
    if (o.rate !== undefined && o.interarrival !== undefined) r.error([...p, "interarrival"], "Forbidden: give rate or interarrival, not both");
    if (o.users !== undefined && given > 1) r.error([...p, "users"], "Forbidden: a closed-loop client (users) has no rate or interarrival");
    if (o.thinkTime !== undefined && o.users === undefined) r.error([...p, "thinkTime"], "Forbidden: only for a closed-loop client (users)");
    if (o.users !== undefined && external) r.error([...p, "users"], "Forbidden: not for external clients (give rate or interarrival)");
    const node = r.string(o.node, [...p, "node"]);
    if (node !== undefined && !nodeNames.includes(node)) r.error([...p, "node"], fieldNotSupported(pathText([...p, "node"]), node, nodeNames));
    // An interarrival of 0 would send requests without end at one instant.
    if (interarrival !== undefined && !(interarrival.distribution.mean > 0)) r.error([...p, "interarrival"], fieldInvalid(pathText([...p, "interarrival"]), o.interarrival, "must have a mean > 0"));
    const connections = clientConnections(r, o.connections, [...p, "connections"]);
    const protocol = r.oneOf(o.protocol, [...p, "protocol"], ["TCP", "UDP"] as const);
    if (protocol === "UDP" && connections !== undefined && connections.mode !== "per-request") r.error([...p, "connections"], "Forbidden: UDP has no connections; leave connections out");
    const connectTimeout = r.duration(o.connectTimeout, [...p, "connectTimeout"]);
    if (connectTimeout === 0) r.error([...p, "connectTimeout"], fieldInvalid(pathText([...p, "connectTimeout"]), o.connectTimeout, "must be > 0"));
    const start = r.duration(o.start, [...p, "start"]) ?? 0;
    if (name === undefined || target === undefined) return [];
    if (external && target === "lb" && service === undefined) r.error([...p, "service"], fieldRequired(pathText([...p, "service"]), 'the LoadBalancer Service, for target "lb"'));
    if (external && target === "lb" && loadBalancer === undefined && ingressController === undefined) r.error([...p, "target"], `Forbidden: "${target}" needs a load-balancer implementation; set cluster.loadBalancer: true`);
    const extra = {
      ...(external ? { external } : {}),
      ...(service !== undefined ? { service } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(sourceIP !== undefined ? { sourceIP } : {}),
      ...(host !== undefined ? { host } : {}),
      ...(path !== undefined ? { path } : {}),
      ...(clientDns !== undefined ? { dns: clientDns } : {}),
    };
    const loop = { ...(users !== undefined ? { users } : {}), ...(thinkTime !== undefined ? { thinkTime: thinkTime.distribution } : {}) };
    return [{ name, target, rate, interarrival: interarrival?.distribution, ...loop, node, namespace: r.string(o.namespace, [...p, "namespace"]), connectTimeout, connections, protocol, start, ...extra, source: r.at(p) }];
  });

  // timeline
  const timeline = r.list(top.timeline, ["timeline"]).flatMap((t, i): TimedAction[] => {
    const p = ["timeline", i];
    const o = r.object(t, p, Object.keys(t !== null && typeof t === "object" ? t : {}), true);
    if (!o) return [];
    const at = r.duration(o.at, [...p, "at"], true);
    const unknown = Object.keys(o).filter((k) => k !== "at" && !ACTIONS.includes(k));
    for (const k of unknown) r.error([...p, k], `Unsupported value: "${k}": unknown action; supported actions: ${ACTIONS.join(", ")}`);
    if (unknown.length > 0) return [];
    const given = ACTIONS.filter((a) => o[a] !== undefined);
    if (given.length !== 1) {
      r.error(p, given.length === 0 ? fieldRequired(pathText(p), `one action: ${ACTIONS.join(", ")}`) : `Forbidden: one action per entry, found ${given.join(", ")}`);
      return [];
    }
    const action = readAction(r, given[0], o[given[0]], [...p, given[0]], clientNames);
    if (at === undefined || action === undefined) return [];
    return [{ at, action, source: r.at(p), path: pathText(p) }];
  });
  timeline.sort((a, b) => a.at - b.at); // stable: equal times keep file order

  // measure
  const m = r.object(top.measure, ["measure"], ["service", "namespace", "bucket"]);
  let measure: Scenario["measure"];
  if (m) {
    const service = r.string(m.service, ["measure", "service"], true);
    const bucket = r.duration(m.bucket, ["measure", "bucket"]) ?? 1000;
    if (!(bucket > 0)) r.error(["measure", "bucket"], fieldInvalid("measure.bucket", m.bucket, "must be > 0"));
    if (service !== undefined && bucket > 0) measure = { service, namespace: r.string(m.namespace, ["measure", "namespace"]) ?? "default", bucket, source: r.at(["measure", "service"]) };
  }

  // Names the run will look up: Deployments and Services must be in the manifests (or in
  // an `apply` of the timeline). Pod names are only known at run time.
  const known = new Set<string>();
  const add = (o: KubeObject | Ingress): void => void known.add(`${o.kind}/${o.metadata.namespace ?? "default"}/${o.metadata.name}`);
  manifests.objects.forEach(add);
  for (const t of timeline) if (t.action.type === "apply") t.action.objects.forEach(add);
  const notFound = (path: Path, kind: string, name: string, ns: string, value: string = name): void => {
    if (!known.has(`${kind}/${ns}/${name}`)) r.error(path, `Not found: "${value}": no ${kind} "${name}" in namespace "${ns}" in the manifests`);
  };
  for (const t of timeline) {
    const p = ["timeline", Number(/\[([0-9]+)\]/.exec(t.path)?.[1]), t.action.type];
    const a = t.action;
    if (a.type === "scale" || a.type === "setImage") notFound([...p, "deployment"], "Deployment", a.deployment, a.namespace);
    if (a.type === "patch") notFound([...p, "name"], a.kind, a.name, a.namespace);
  }
  if (measure) notFound(["measure", "service"], "Service", measure.service, measure.namespace);
  // The Ingress controller's Service exists once the cluster does (SimulationOptions.ingressController).
  if (ingressController !== undefined) known.add("Service/ingress-nginx/ingress-nginx-controller");
  clients.forEach((c, i) => {
    if (c.external === true) {
      if (c.target === "lb" && c.service !== undefined) notFound(["clients", i, "service"], "Service", c.service, c.namespace ?? "default");
      return; // IPs and ports are checked by the run (they exist only once the cluster does)
    }
    const host = /^(?:[a-z]+:\/\/)?([^:/]+)/.exec(c.target)?.[1] ?? "";
    const parts = host.split(".");
    const rest = parts.slice(2).join(".");
    if (options.allowUnresolvedTargets === true || /^[0-9.]+$/.test(host) || (rest !== "" && rest !== "svc" && rest !== "svc.cluster.local")) return; // an IP, or a name the run refuses itself
    notFound(["clients", i, "target"], "Service", parts[0], parts[1] ?? c.namespace ?? "default", c.target);
  });

  // expect
  const e = r.object(top.expect, ["expect"], EXPECT_METRICS) ?? {};
  const expect: Expectation[] = [];
  for (const metric of EXPECT_METRICS) {
    if (e[metric] === undefined) continue;
    const p = ["expect", metric];
    const b = r.object(e[metric], p, ["min", "max"], true);
    if (!b) continue;
    const num = (v: unknown, k: string): number | undefined => {
      if (v === undefined) return undefined;
      if (metric.startsWith("latency.")) return r.duration(v, [...p, k]);
      if (typeof v !== "number" || !Number.isFinite(v)) return r.error([...p, k], fieldInvalid(pathText([...p, k]), v, "must be a number"));
      return v;
    };
    const min = num(b.min, "min");
    const max = num(b.max, "max");
    if (min === undefined && max === undefined) r.error(p, fieldRequired(pathText(p), "min or max"));
    else expect.push({ metric, min, max, source: r.at(p) });
  }

  // compare
  const cmp = r.object(top.compare, ["compare"], ["modes"]);
  let compareModes: string[] | undefined;
  if (cmp) {
    compareModes = r.list(cmp.modes, ["compare", "modes"]).flatMap((x, i) => {
      const s = r.string(x, ["compare", "modes", i], true);
      if (s === undefined) return [];
      try {
        checkMode(s);
        return [s];
      } catch (err) {
        return r.error(["compare", "modes", i], (err as Error).message.replace(/^modes: /, "")) ?? [];
      }
    });
  }

  if (r.problems.length > 0) throw new InputError(r.problems);
  const simulation: SimulationOptions = {
    seed,
    nodes: nodeList,
    serviceCIDR: cluster.serviceCIDR as string | undefined,
    clusterCIDR: cluster.clusterCIDR as string | undefined,
    nodeCIDRMaskSize: cluster.nodeCIDRMaskSize as number | undefined,
    maxEndpointsPerSlice: cluster.maxEndpointsPerSlice as number | undefined,
    ...(cluster.maxPodsPerNode !== undefined ? { maxPodsPerNode: cluster.maxPodsPerNode as number } : {}),
    kubeProxy,
    timings,
    ...(loadBalancer !== undefined ? { loadBalancer } : {}),
    ...(dns !== undefined ? { dns } : {}),
    ...(ingressController !== undefined ? { ingressController } : {}),
  };
  try {
    // The facade checks what only it knows (CIDRs that fit the nodes, schedulers, ...).
    new Simulation(simulation);
  } catch (err) {
    const msg = (err as Error).message;
    const field = /^([A-Za-z.]+):/.exec(msg)?.[1] ?? "";
    const path = field === "nodes" ? ["cluster", "nodes"] : field.startsWith("kubeProxy") ? ["cluster", ...field.split(".")] : field === "" ? ["cluster"] : ["cluster", field];
    throw new InputError([{ ...r.at(path), message: `cluster.${msg}` }]);
  }
  return { file, simulation, objects: manifests.objects, applications, settle, clients, timeline, duration, measure, expect, compareModes, mode };
}

/**
 * Checks a mode like `ipvs:lc` (including the scheduler name). @throws RangeError naming the value.
 *
 * @example
 * ```ts
 * checkMode("ipvs:lc"); // { mode: "ipvs", ipvs: { scheduler: "lc" } }
 * ```
 */
export function checkMode(mode: string): Pick<KubeProxySettings, "mode" | "ipvs" | "cilium"> {
  const s = parseMode(mode);
  const schedulers = ["rr", "wrr", "lc", "wlc", "sed", "nq", "sh", "dh", "mh"];
  if (s.ipvs?.scheduler !== undefined && !schedulers.includes(s.ipvs.scheduler)) {
    throw new RangeError(`modes: Unsupported value: "${mode}": supported IPVS schedulers: ${schedulers.join(", ")}`);
  }
  return s;
}

// cluster.loadBalancer: true, or the load-balancer implementation's settings (docs/services.md).
function readLoadBalancer(r: Reader, v: unknown, path: Path): LoadBalancerOptions | undefined {
  if (v === undefined || v === null || v === false) return undefined;
  if (v === true) return {};
  const o = r.object(v, path, ["ipPool", "provisioningDelay", "healthCheck"]);
  if (!o) return undefined;
  const ipPool = r.string(o.ipPool, [...path, "ipPool"]);
  const provisioningDelay = r.duration(o.provisioningDelay, [...path, "provisioningDelay"]);
  const hc = r.object(o.healthCheck, [...path, "healthCheck"], ["interval", "healthyThreshold", "unhealthyThreshold"]);
  let healthCheck: LoadBalancerOptions["healthCheck"];
  if (hc) {
    const interval = r.duration(hc.interval, [...path, "healthCheck", "interval"]);
    if (interval === 0) r.error([...path, "healthCheck", "interval"], fieldInvalid(pathText([...path, "healthCheck", "interval"]), hc.interval, "must be > 0"));
    healthCheck = {
      ...(interval !== undefined ? { interval } : {}),
      healthyThreshold: r.integer(hc.healthyThreshold, [...path, "healthCheck", "healthyThreshold"], 1),
      unhealthyThreshold: r.integer(hc.unhealthyThreshold, [...path, "healthCheck", "unhealthyThreshold"], 1),
    };
  }
  return { ...(ipPool !== undefined ? { ipPool } : {}), ...(provisioningDelay !== undefined ? { provisioningDelay } : {}), ...(healthCheck ? { healthCheck } : {}) };
}

// cluster.ingressController: true, or the ingress-nginx controller's settings (docs/services.md, "Ingress").
function readIngressController(r: Reader, v: unknown, path: Path): IngressControllerOptions | undefined {
  if (v === undefined || v === null || v === false) return undefined;
  if (v === true) return {};
  const o = r.object(v, path, ["replicas", "className", "upstreamTries", "externalTrafficPolicy", "syncRateLimit"]);
  if (!o) return undefined;
  const replicas = r.integer(o.replicas, [...path, "replicas"], 1);
  const className = r.string(o.className, [...path, "className"]);
  const upstreamTries = r.integer(o.upstreamTries, [...path, "upstreamTries"], 1);
  const externalTrafficPolicy = r.oneOf(o.externalTrafficPolicy, [...path, "externalTrafficPolicy"], ["Cluster", "Local"] as const);
  const syncRateLimit = r.positive(o.syncRateLimit, [...path, "syncRateLimit"]);
  return {
    ...(replicas !== undefined ? { replicas } : {}),
    ...(className !== undefined ? { className } : {}),
    ...(upstreamTries !== undefined ? { upstreamTries } : {}),
    ...(externalTrafficPolicy !== undefined ? { externalTrafficPolicy } : {}),
    ...(syncRateLimit !== undefined ? { syncRateLimit } : {}),
  };
}

// cluster.dns: true, or CoreDNS's replicas, the kube-dns ClusterIP and the names the upstream resolver knows (docs/dns.md).
function readDnsSettings(r: Reader, v: unknown, path: Path): DnsSettings | undefined {
  if (v === undefined || v === null || v === false) return undefined;
  if (v === true) return {};
  const o = r.object(v, path, ["replicas", "clusterIP", "upstream"]);
  if (!o) return undefined;
  const replicas = r.integer(o.replicas, [...path, "replicas"], 1);
  const clusterIP = r.string(o.clusterIP, [...path, "clusterIP"]);
  let upstream: Record<string, string[]> | undefined;
  if (o.upstream !== undefined) {
    const u = r.object(o.upstream, [...path, "upstream"], Object.keys((o.upstream as object | null) ?? {}));
    if (u) {
      upstream = {};
      for (const [name, ips] of Object.entries(u)) {
        const list = r.list(ips, [...path, "upstream", name]).flatMap((ip, i) => {
          const sIP = r.string(ip, [...path, "upstream", name, i], true);
          return sIP === undefined ? [] : [sIP];
        });
        upstream[name] = list;
      }
    }
  }
  return { ...(replicas !== undefined ? { replicas } : {}), ...(clusterIP !== undefined ? { clusterIP } : {}), ...(upstream !== undefined ? { upstream } : {}) };
}

// clients[].dns: true, or the resolver flavor, families and the process's cache (docs/dns.md).
function readClientDns(r: Reader, v: unknown, path: Path): boolean | ClientDnsOptions | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "boolean") return v;
  const o = r.object(v, path, ["resolver", "families", "cache"]);
  if (!o) return undefined;
  const resolver = r.oneOf(o.resolver, [...path, "resolver"], ["glibc", "musl"] as const);
  const families = r.oneOf(o.families, [...path, "families"], ["A+AAAA", "A"] as const);
  let cache: ClientDnsOptions["cache"];
  if (typeof o.cache === "string") {
    const k = r.oneOf(o.cache, [...path, "cache"], ["none", "ttl", "jvm", "forever"] as const);
    cache = k === undefined ? undefined : k === "jvm" ? { kind: "fixed", ttl: 30, negativeTtl: 10 } : ({ kind: k } as ClientDnsOptions["cache"]);
  } else if (o.cache !== undefined) {
    const c = r.object(o.cache, [...path, "cache"], ["ttl", "negativeTtl"]);
    const ttl = c ? r.duration(c.ttl, [...path, "cache", "ttl"], true) : undefined;
    const negativeTtl = c ? r.duration(c.negativeTtl, [...path, "cache", "negativeTtl"]) : undefined;
    // ClientCachePolicy times are seconds.
    if (ttl !== undefined) cache = { kind: "fixed", ttl: ttl / 1000, ...(negativeTtl !== undefined ? { negativeTtl: negativeTtl / 1000 } : {}) };
  }
  return { ...(resolver ? { resolver } : {}), ...(families ? { families } : {}), ...(cache ? { cache } : {}) };
}

function clientConnections(r: Reader, v: unknown, path: Path): ConnectionPolicy | undefined {
  if (v === undefined || v === null) return undefined;
  const modes = ["per-request", "keep-alive", "multiplexed"] as const;
  if (typeof v === "string") {
    const m = r.oneOf(v, path, modes);
    return m === undefined ? undefined : ({ mode: m } as ConnectionPolicy);
  }
  const o = r.object(v, path, ["mode", "poolSize", "idleTimeout", "maxRequestsPerConnection"]);
  if (!o) return undefined;
  const mode = o.mode === undefined ? r.error([...path, "mode"], fieldRequired(pathText([...path, "mode"]), modes.join(", "))) : r.oneOf(o.mode, [...path, "mode"], modes);
  if (mode !== "keep-alive") {
    for (const k of ["poolSize", "idleTimeout", "maxRequestsPerConnection"]) if (o[k] !== undefined) r.error([...path, k], `Forbidden: only for mode keep-alive`);
    return mode === undefined ? undefined : ({ mode } as ConnectionPolicy);
  }
  return {
    mode,
    poolSize: r.integer(o.poolSize, [...path, "poolSize"], 1),
    idleTimeout: r.duration(o.idleTimeout, [...path, "idleTimeout"]) || (o.idleTimeout === undefined ? undefined : r.error([...path, "idleTimeout"], fieldInvalid(pathText([...path, "idleTimeout"]), o.idleTimeout, "must be > 0"))),
    maxRequestsPerConnection: r.integer(o.maxRequestsPerConnection, [...path, "maxRequestsPerConnection"], 1),
  };
}

function readAction(r: Reader, kind: string, v: unknown, p: Path, clients: ReadonlySet<string>): ScenarioAction | undefined {
  switch (kind) {
    case "scale": {
      const o = r.object(v, p, ["deployment", "namespace", "replicas"], true);
      if (!o) return undefined;
      const deployment = r.string(o.deployment, [...p, "deployment"], true);
      const replicas = o.replicas === undefined ? r.error([...p, "replicas"], fieldRequired(pathText([...p, "replicas"]), "")) : r.integer(o.replicas, [...p, "replicas"], 0);
      if (deployment === undefined || replicas === undefined) return undefined;
      return { type: "scale", deployment, replicas, namespace: r.string(o.namespace, [...p, "namespace"]) ?? "default" };
    }
    case "setImage": {
      const o = r.object(v, p, ["deployment", "namespace", "container", "image"], true);
      if (!o) return undefined;
      const deployment = r.string(o.deployment, [...p, "deployment"], true);
      const image = r.string(o.image, [...p, "image"], true);
      if (deployment === undefined || image === undefined) return undefined;
      return { type: "setImage", deployment, image, container: r.string(o.container, [...p, "container"]), namespace: r.string(o.namespace, [...p, "namespace"]) ?? "default" };
    }
    case "deletePod": {
      const o = r.object(v, p, ["name", "selector", "index", "namespace"], true);
      if (!o) return undefined;
      const name = r.string(o.name, [...p, "name"]);
      const selector = o.selector === undefined ? undefined : r.labels(o.selector, [...p, "selector"]);
      const index = r.integer(o.index, [...p, "index"], 0) ?? 0;
      if ((name === undefined) === (o.selector === undefined)) return r.error(p, fieldRequired(pathText(p), "name, or selector (and index: which of the matching pods, sorted by name)"));
      if (name === undefined && selector === undefined) return undefined;
      return { type: "deletePod", name, selector, index, namespace: r.string(o.namespace, [...p, "namespace"]) ?? "default" };
    }
    case "crashPod":
    case "hangPod": {
      // The pod's process crashes once (the kubelet restarts it) or hangs (for `duration`, or until killed).
      const o = r.object(v, p, kind === "hangPod" ? ["name", "selector", "index", "namespace", "duration"] : ["name", "selector", "index", "namespace"], true);
      if (!o) return undefined;
      const name = r.string(o.name, [...p, "name"]);
      const selector = o.selector === undefined ? undefined : r.labels(o.selector, [...p, "selector"]);
      const index = r.integer(o.index, [...p, "index"], 0) ?? 0;
      if ((name === undefined) === (o.selector === undefined)) return r.error(p, fieldRequired(pathText(p), "name, or selector (and index: which of the matching pods, sorted by name)"));
      if (name === undefined && selector === undefined) return undefined;
      const namespace = r.string(o.namespace, [...p, "namespace"]) ?? "default";
      if (kind === "crashPod") return { type: "crashPod", name, selector, index, namespace };
      const duration = r.duration(o.duration, [...p, "duration"]);
      if (duration === 0) return r.error([...p, "duration"], fieldInvalid(pathText([...p, "duration"]), o.duration, "must be > 0 (leave it out for a hang that lasts until the container is killed)"));
      return { type: "hangPod", name, selector, index, namespace, ...(duration !== undefined ? { duration } : {}) };
    }
    case "apply": {
      const into: Manifests = { objects: [], nodes: [] };
      const before = r.problems.length;
      r.manifests(v, p, into);
      if (into.nodes.length > 0) r.error(p, "Forbidden: Nodes cannot be added during a run");
      if (r.problems.length > before) return undefined;
      if (into.objects.length === 0) return r.error(p, fieldRequired(pathText(p), "a list of manifest paths or inline objects"));
      return { type: "apply", objects: into.objects };
    }
    case "patch": {
      const o = r.object(v, p, ["kind", "name", "namespace", "merge"], true);
      if (!o) return undefined;
      const k = o.kind === undefined ? r.error([...p, "kind"], fieldRequired(pathText([...p, "kind"]), "")) : r.oneOf(o.kind, [...p, "kind"], ["Service", "Deployment"] as const);
      const name = r.string(o.name, [...p, "name"], true);
      const merge = r.object(o.merge, [...p, "merge"], Object.keys((o.merge as object | null) ?? {}), true);
      if (merge && (merge.kind !== undefined || merge.apiVersion !== undefined)) r.error([...p, "merge"], "Forbidden: a patch cannot change kind or apiVersion");
      if (k === undefined || name === undefined || merge === undefined) return undefined;
      return { type: "patch", kind: k, name, merge, namespace: r.string(o.namespace, [...p, "namespace"]) ?? "default" };
    }
    case "failNode":
    case "recoverNode":
    case "partitionNode":
    case "healPartition":
    case "drainNode":
    case "uncordonNode": {
      // A node fails (kubelet, kube-proxy, its pods and clients) or comes back (docs/faults.md);
      // a node loses the control plane (its pods keep running) or gets it back;
      // kubectl drain (cordon, evict its pods) / kubectl uncordon.
      const o = r.object(v, p, ["node"], true);
      const node = r.string(o?.node, [...p, "node"], true);
      return node === undefined ? undefined : { type: kind, node };
    }
    case "loseZone":
    case "recoverZone": {
      const o = r.object(v, p, ["zone"], true);
      const zone = r.string(o?.zone, [...p, "zone"], true);
      return zone === undefined ? undefined : { type: kind, zone };
    }
    case "stallKubeProxy": {
      const o = r.object(v, p, ["node", "duration"], true);
      const node = r.string(o?.node, [...p, "node"], true);
      const duration = r.duration(o?.duration, [...p, "duration"], true);
      return node === undefined || duration === undefined ? undefined : { type: "stallKubeProxy", node, duration };
    }
    case "stopClient": {
      const o = r.object(v, p, ["name"], true);
      const name = r.string(o?.name, [...p, "name"], true);
      if (name === undefined) return undefined;
      if (!clients.has(name)) return r.error([...p, "name"], fieldNotSupported(pathText([...p, "name"]), name, [...clients]));
      return { type: "stopClient", client: name };
    }
  }
  return undefined;
}
