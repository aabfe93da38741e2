import type { Deployment, Service } from "@kube-netsim/model";
import type { KubeProxySettings, NodeSpec } from "@kube-netsim/scenario";
import type { ConnectionPolicy } from "@kube-netsim/traffic";
import type { RolloutSettings } from "./arbitrary/rollout-settings.js";
import { serviceManifest } from "./arbitrary/service.js";
import type { ServicePolicy } from "./arbitrary/service.js";

/**
 * The application behind a workload's pods, as plain data (see `ApplicationModel` of `@kube-netsim/traffic`).
 *
 * @example
 * ```ts
 * const app: ApplicationSpec = { concurrency: 4, meanServiceTimeMs: 5, queueLimit: 100, onSigterm: "drain" };
 * ```
 */
export interface ApplicationSpec {
  /** Requests served at once per pod. */
  readonly concurrency: number;
  /** Mean of the exponential service time, ms. */
  readonly meanServiceTimeMs: number;
  /** Requests that may wait per pod; more are dropped. Default: no limit. */
  readonly queueLimit?: number;
  /** What the application does on SIGTERM: `exit` at once or `drain` (finish what it holds, then exit). */
  readonly onSigterm: "exit" | "drain";
}

/**
 * One workload: a Deployment, the Service in front of it and the application its pods run.
 *
 * @example
 * ```ts
 * const w: Workload = workloadManifests(settings); // settings: a WorkloadSettings
 * sim.apply([w.deployment, w.service]);
 * w.application.concurrency;
 * ```
 */
export interface Workload {
  /** The Deployment (its template's labels select the application). */
  readonly deployment: Deployment;
  /** The Service clients call. */
  readonly service: Service;
  /** The application model of the Deployment's pods. */
  readonly application: ApplicationSpec;
}

/**
 * A client of a {@link Scenario}: an open-loop (Poisson) request source on a node.
 *
 * @example
 * ```ts
 * const client: ScenarioClient = { name: "fe", service: "api", node: "node-1", rate: 100, connections: { mode: "keep-alive", poolSize: 4 } };
 * ```
 */
export interface ScenarioClient {
  /** Unique name. */
  readonly name: string;
  /** Name of the Service it calls (its first port), in the `default` namespace unless `namespace` says otherwise. */
  readonly service: string;
  /** Namespace of the Service. Default `default`. */
  readonly namespace?: string;
  /** Node it runs on (its kube-proxy picks the endpoints). */
  readonly node: string;
  /** Requests per second. */
  readonly rate: number;
  /** How it uses connections. */
  readonly connections: ConnectionPolicy;
}

/**
 * One timed action of a churn schedule; `at` is ms after the clients start.
 *
 * - `scale`: `kubectl scale deployment/<deployment> --replicas=<replicas>`.
 * - `deletePod`: `kubectl delete pod` of the deployment's live pod number `pod` (modulo
 *   their count, in name order); nothing if it has none.
 * - `rollout`: `kubectl rollout restart deployment/<deployment>` (a new pod template: the
 *   `kubectl.kubernetes.io/restartedAt` annotation).
 *
 * @example
 * ```ts
 * const schedule: ChurnAction[] = [
 *   { at: 1000, action: "deletePod", deployment: "api", pod: 0 },
 *   { at: 2000, action: "rollout", deployment: "api" },
 *   { at: 3000, action: "scale", deployment: "api", replicas: 5 },
 * ];
 * ```
 */
export type ChurnAction =
  | { readonly at: number; readonly action: "scale"; readonly deployment: string; readonly replicas: number }
  | { readonly at: number; readonly action: "deletePod"; readonly deployment: string; readonly pod: number }
  | { readonly at: number; readonly action: "rollout"; readonly deployment: string };

/**
 * A whole scenario as plain data: the cluster, the workloads, the clients and a churn
 * schedule. {@link runScenario} runs it with a seed.
 *
 * @example
 * ```ts
 * // w: a Workload from workloadManifests (see WorkloadSettings)
 * const s: Scenario = {
 *   nodes: [{ name: "node-1", zone: "zone-a" }, { name: "node-2", zone: "zone-b" }],
 *   kubeProxy: { mode: "iptables" },
 *   workloads: [w],
 *   clients: [{ name: "fe", service: "api", node: "node-1", rate: 100, connections: { mode: "per-request" } }],
 *   schedule: [{ at: 1000, action: "deletePod", deployment: "api", pod: 0 }, { at: 2000, action: "rollout", deployment: "api" }],
 *   duration: 5000,
 * };
 * runScenario(s, 42).outcomes; // { completed: 465, refused: 0, reset: 0, timedOut: 0, dropped: 0 }
 * ```
 */
export interface Scenario {
  /** The nodes (`new Simulation({ nodes })`). */
  readonly nodes: readonly NodeSpec[];
  /** kube-proxy settings, the same on every node. */
  readonly kubeProxy: KubeProxySettings;
  /** API server to watcher delay (informer lag), ms, constant. Default 5. */
  readonly watchDelay?: number;
  /** The workloads, applied together before the clients start. */
  readonly workloads: readonly Workload[];
  /** The clients, started once the cluster is at rest. */
  readonly clients: readonly ScenarioClient[];
  /** Timed actions, relative to the clients' start. */
  readonly schedule: readonly ChurnAction[];
  /** How long the clients run, ms of virtual time; then the run drains. */
  readonly duration: number;
}

/**
 * Everything a generated workload is built from (see {@link workloadManifests}).
 *
 * @example
 * ```ts
 * const settings: WorkloadSettings = {
 *   name: "api",
 *   rollout: { replicas: 3, strategy: "RollingUpdate", maxSurge: 1, maxUnavailable: 0, minReadySeconds: 0 },
 *   policy: { type: "ClusterIP", internalTrafficPolicy: "Cluster", sessionAffinity: "None" },
 *   preStopSeconds: 5,
 *   terminationGracePeriodSeconds: 30,
 *   application: { concurrency: 4, meanServiceTimeMs: 5, onSigterm: "drain" },
 * };
 * const { deployment, service } = workloadManifests(settings);
 * ```
 */
export interface WorkloadSettings {
  /** Name of the Deployment, the Service and the `app` label. */
  readonly name: string;
  /** How the Deployment rolls out. */
  readonly rollout: RolloutSettings;
  /** The Service's policies. */
  readonly policy: ServicePolicy;
  /** preStop `sleep` seconds (0: no hook). */
  readonly preStopSeconds: number;
  /** `terminationGracePeriodSeconds`. */
  readonly terminationGracePeriodSeconds: number;
  /** The application. */
  readonly application: ApplicationSpec;
}

/**
 * The container port of generated workloads (named `http`).
 *
 * @example
 * ```ts
 * workloadManifests(settings).deployment.spec.template.spec.containers[0].ports?.[0].containerPort; // 8080 (named "http")
 * ```
 */
export const WORKLOAD_CONTAINER_PORT = 8080;

/**
 * Builds a workload's manifests from its settings: a Deployment `name` (label
 * `app: <name>`, one container `app` with port 8080 named `http`) and a Service `name`
 * on port 80 with `targetPort: http`.
 *
 * @example
 * ```ts
 * const w = workloadManifests({ name: "api", rollout: { replicas: 3, strategy: "RollingUpdate", maxSurge: 1, maxUnavailable: 0, minReadySeconds: 0 },
 *   policy: { type: "ClusterIP", internalTrafficPolicy: "Cluster", sessionAffinity: "None" },
 *   preStopSeconds: 5, terminationGracePeriodSeconds: 30, application: { concurrency: 4, meanServiceTimeMs: 5, onSigterm: "drain" } });
 * sim.apply([w.deployment, w.service]);
 * ```
 */
export function workloadManifests(settings: WorkloadSettings): Workload {
  const { name, rollout } = settings;
  const labels = { app: name };
  const deployment: Deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default", labels },
    spec: {
      replicas: rollout.replicas,
      selector: { matchLabels: labels },
      minReadySeconds: rollout.minReadySeconds,
      strategy:
        rollout.strategy === "Recreate"
          ? { type: "Recreate" }
          : { type: "RollingUpdate", rollingUpdate: { maxSurge: rollout.maxSurge ?? "25%", maxUnavailable: rollout.maxUnavailable ?? "25%" } },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: settings.terminationGracePeriodSeconds,
          containers: [
            {
              name: "app",
              image: `example/${name}:1.0`,
              ports: [{ name: "http", containerPort: WORKLOAD_CONTAINER_PORT }],
              ...(settings.preStopSeconds > 0 ? { lifecycle: { preStop: { sleep: { seconds: settings.preStopSeconds } } } } : {}),
            },
          ],
        },
      },
    },
  };
  return { deployment, service: serviceManifest(settings.policy, { name }), application: settings.application };
}

function describeWorkload(w: Workload): string {
  const d = w.deployment.spec;
  const s = w.service.spec;
  const c = d.template.spec.containers[0];
  const strategy =
    d.strategy?.type === "Recreate"
      ? "Recreate"
      : `RollingUpdate maxSurge ${JSON.stringify(d.strategy?.rollingUpdate?.maxSurge ?? "25%")} maxUnavailable ${JSON.stringify(d.strategy?.rollingUpdate?.maxUnavailable ?? "25%")}`;
  const preStop = c?.lifecycle?.preStop?.sleep?.seconds;
  const affinity = s.sessionAffinity === "ClientIP" ? `ClientIP ${s.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800} s` : "None";
  const a = w.application;
  return (
    `workload ${w.deployment.metadata.name}: replicas ${d.replicas ?? 1}, ${strategy}, minReadySeconds ${d.minReadySeconds ?? 0}, ` +
    `preStop ${preStop !== undefined ? `${preStop} s` : "none"}, grace ${d.template.spec.terminationGracePeriodSeconds ?? 30} s; ` +
    `Service ${w.service.metadata.name} ${s.type ?? "ClusterIP"} internalTrafficPolicy ${s.internalTrafficPolicy ?? "Cluster"}` +
    `${s.externalTrafficPolicy !== undefined ? ` externalTrafficPolicy ${s.externalTrafficPolicy}` : ""}, sessionAffinity ${affinity}` +
    `${s.trafficDistribution !== undefined ? `, trafficDistribution ${s.trafficDistribution}` : ""}; ` +
    `app concurrency ${a.concurrency}, ${a.meanServiceTimeMs} ms${a.queueLimit !== undefined ? `, queue ${a.queueLimit}` : ""}, on SIGTERM ${a.onSigterm}`
  );
}

function describeAction(a: ChurnAction): string {
  switch (a.action) {
    case "scale":
      return `at ${a.at} ms: scale ${a.deployment} to ${a.replicas}`;
    case "deletePod":
      return `at ${a.at} ms: delete pod #${a.pod} of ${a.deployment}`;
    case "rollout":
      return `at ${a.at} ms: rollout restart ${a.deployment}`;
  }
}

/**
 * A scenario as a few lines of text (nodes, kube-proxy, each workload's settings,
 * clients, schedule, duration): what a counter-example of {@link scenario} prints.
 *
 * @example
 * ```ts
 * console.log(describeScenario(s));
 * // nodes: node-1 (zone-a)
 * // kube-proxy: ipvs (lc), minSyncPeriod 1000 ms
 * // workload api: replicas 3, RollingUpdate maxSurge 1 maxUnavailable 0, ...
 * ```
 */
export function describeScenario(s: Scenario): string {
  const kp = s.kubeProxy;
  const lines = [
    `nodes: ${s.nodes.map((n) => (n.zone !== undefined ? `${n.name} (${n.zone})` : n.name)).join(", ")}`,
    `kube-proxy: ${kp.mode ?? "iptables"}${kp.mode === "ipvs" ? ` (${kp.ipvs?.scheduler ?? "rr"})` : ""}, minSyncPeriod ${kp.minSyncPeriod ?? 1000} ms${s.watchDelay !== undefined ? `, watch delay ${s.watchDelay} ms` : ""}`,
    ...s.workloads.map(describeWorkload),
    ...s.clients.map((c) => `client ${c.name} on ${c.node} -> ${c.service}: ${c.rate}/s ${c.connections.mode}`),
    ...s.schedule.map(describeAction),
    `duration ${s.duration} ms`,
  ];
  return lines.join("\n");
}
