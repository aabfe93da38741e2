import type { TraceRecord } from "@kube-netsim/core";
import { LABEL_POD_TEMPLATE_HASH, LABEL_SERVICE_NAME } from "@kube-netsim/model";
import type { Deployment, ObjectStore, Service } from "@kube-netsim/model";
import { computePodTemplateHash, deploymentDefaults, isPodActive, isPodAvailable, maxSurge, minAvailable } from "@kube-netsim/controllers";
import { effectiveConditions } from "./arbitrary/endpoint-conditions.js";

/**
 * A new connection to an endpoint that was not usable although the client's node had synced since it stopped being usable.
 *
 * @example
 * ```ts
 * for (const v of runScenario(s, 42).observations.connectionViolations) {
 *   console.log(`${v.time} ms: ${v.client} on ${v.node} -> ${v.endpoint} of ${v.service}, unusable since ${v.unusableSince}, synced at ${v.syncedAt}`);
 * }
 * ```
 */
export interface ConnectionViolation {
  /** When the connection was opened (ms). */
  readonly time: number;
  /** The client. */
  readonly client: string;
  /** The client's node. */
  readonly node: string;
  /** The Service called (`namespace/name`). */
  readonly service: string;
  /** The endpoint connected to (`IP:port`). */
  readonly endpoint: string;
  /** Since when the EndpointSlices no longer offered it as usable to that node (ms). */
  readonly unusableSince: number;
  /** A kube-proxy sync of that node after the change reached it, before the connection (ms). */
  readonly syncedAt: number;
}

/**
 * A moment when a rolling Deployment was outside the bounds its strategy promises.
 *
 * @example
 * ```ts
 * const { rolloutViolations } = runScenario(s, 42).observations;
 * rolloutViolations.map((v) => `${v.time} ms ${v.deployment}: ${v.message}`); // [] when the rollout kept its bounds
 * ```
 */
export interface RolloutViolation {
  /** When (ms). */
  readonly time: number;
  /** The Deployment. */
  readonly deployment: string;
  /** What was out of bounds, e.g. `ReplicaSets want 5 pods > replicas 3 + maxSurge 1`. */
  readonly message: string;
}

/**
 * What {@link runScenario} observed during a run, for the invariant checkers.
 *
 * @example
 * ```ts
 * const o: ScenarioObservations = runScenario(s, 42).observations; // s: the example of Scenario
 * o.connectionsChecked;       // 465 (one per per-request request that reached an endpoint)
 * o.connectionViolationCount; // 0
 * o.actions;                  // ["t=1.000 s: deleted pod api-5c98f69544-7vvk5", "t=2.000 s: rollout restart of api"]
 * ```
 */
export interface ScenarioObservations {
  /** API server to kube-proxy delay the run used (ms). */
  readonly watchDelay: number;
  /** New connections checked (those of `per-request` clients that reached an endpoint). */
  readonly connectionsChecked: number;
  /** Of those, connections to an endpoint that was not usable on an already synced node. */
  readonly connectionViolationCount: number;
  /** The first 20 such connections. */
  readonly connectionViolations: readonly ConnectionViolation[];
  /** Deployment states sampled (one per Pod, ReplicaSet or Deployment write, per Deployment). */
  readonly rolloutSamples: number;
  /** Samples outside the rollout bounds. */
  readonly rolloutViolationCount: number;
  /** The first 20 of them. */
  readonly rolloutViolations: readonly RolloutViolation[];
  /** The churn actions as they ran, e.g. `t=12.345 s: deleted pod api-5d4b9c8f7-x2x7q`. */
  readonly actions: readonly string[];
}

const KEEP = 20;

interface ServiceInfo {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly local: boolean;
  readonly portName: string;
  /** Every address ever seen in its slices. */
  readonly seen: Set<string>;
}

interface ClientInfo {
  readonly name: string;
  readonly node: string;
  readonly service: string;
  readonly checked: boolean;
  readonly unusable: Map<string, number[]>;
  readonly syncs: number[];
}

interface DeploymentWatch {
  readonly namespace: string;
  readonly name: string;
  /** No disruption (scale, pod deletion) since the Deployment last was complete. */
  clean: boolean;
}

/**
 * Watches a running simulation through its trace (EndpointSlice, Pod, ReplicaSet and
 * Deployment writes, kube-proxy syncs, request ends) and keeps the facts the invariant
 * checkers need. Internal to {@link runScenario}.
 */
export class ScenarioObserver {
  private readonly services = new Map<string, ServiceInfo>();
  /**
   * `service|node` -> address -> unusable intervals, flat [from, to, from, to...]; an
   * open interval ends at Infinity. Clients hold their `service|node` map, so a request
   * is checked without building a key.
   */
  private readonly unusable = new Map<string, Map<string, number[]>>();
  /** Sync times per node, ascending. */
  private readonly syncs = new Map<string, number[]>();
  private readonly clients = new Map<string, ClientInfo>();
  private readonly deployments: DeploymentWatch[] = [];
  private checked = 0;
  private violationCount = 0;
  private readonly violations: ConnectionViolation[] = [];
  private samples = 0;
  private rolloutViolationCount = 0;
  private readonly rolloutViolations: RolloutViolation[] = [];
  private readonly actionLog: string[] = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly nodes: readonly string[],
    private readonly watchDelay: number,
  ) {
    for (const n of nodes) this.syncs.set(n, []);
  }

  /** Tracks a Service's usable endpoints per node from now on. */
  addService(svc: Service): void {
    const namespace = svc.metadata.namespace ?? "default";
    const key = `${namespace}/${svc.metadata.name}`;
    if (this.services.has(key)) return;
    const info: ServiceInfo = {
      key,
      namespace,
      name: svc.metadata.name,
      local: svc.spec.internalTrafficPolicy === "Local",
      portName: svc.spec.ports?.[0]?.name ?? "",
      seen: new Set(),
    };
    this.services.set(key, info);
    this.refresh(info, this.store.now);
  }

  /** Tracks a Deployment's rollout bounds from now on. */
  addDeployment(d: Deployment): void {
    this.deployments.push({ namespace: d.metadata.namespace ?? "default", name: d.metadata.name, clean: true });
  }

  /** Registers a client: `checked` when each of its requests opens a new connection. */
  addClient(name: string, node: string, serviceKey: string, checked: boolean): void {
    this.clients.set(name, { name, node, service: serviceKey, checked, unusable: this.intervals(serviceKey, node), syncs: this.syncTimes(node) });
  }

  /** A scale or pod deletion: the Deployment's bounds are off until it is complete again. */
  disrupted(namespace: string, name: string): void {
    for (const d of this.deployments) if (d.namespace === namespace && d.name === name) d.clean = false;
  }

  /** Logs a churn action as it ran. */
  logAction(text: string): void {
    this.actionLog.push(text);
  }

  /** Trace listener. */
  readonly onRecord = (r: TraceRecord): void => {
    const kind = r.kind;
    if (kind === "request") this.onRequest(r);
    else if (kind === "kube-proxy.sync") this.syncTimes(String(r.fields.node)).push(r.time);
    else if (kind.startsWith("EndpointSlice.")) for (const s of this.services.values()) this.refresh(s, r.time);
    else if (kind.startsWith("Pod.") || kind.startsWith("ReplicaSet.") || kind.startsWith("Deployment.")) this.sampleRollouts(r.time);
  };

  /** The observations so far. */
  observations(): ScenarioObservations {
    return {
      watchDelay: this.watchDelay,
      connectionsChecked: this.checked,
      connectionViolationCount: this.violationCount,
      connectionViolations: [...this.violations],
      rolloutSamples: this.samples,
      rolloutViolationCount: this.rolloutViolationCount,
      rolloutViolations: [...this.rolloutViolations],
      actions: [...this.actionLog],
    };
  }

  private intervals(serviceKey: string, node: string): Map<string, number[]> {
    const key = `${serviceKey}|${node}`;
    let m = this.unusable.get(key);
    if (m === undefined) this.unusable.set(key, (m = new Map()));
    return m;
  }

  private syncTimes(node: string): number[] {
    let t = this.syncs.get(node);
    if (t === undefined) this.syncs.set(node, (t = []));
    return t;
  }

  // The endpoints kube-proxy may send a new connection to, per node, from the Service's
  // EndpointSlices (pkg/proxy/topology.go CategorizeEndpoints): the Ready ones among the
  // candidates (all endpoints for Cluster, the node's own for Local), else the
  // serving-and-terminating ones. Nil conditions read as kube-proxy reads them.
  private refresh(s: ServiceInfo, now: number): void {
    const eps: { address: string; node: string | undefined; ready: boolean; fallback: boolean }[] = [];
    for (const slice of this.store.list("EndpointSlice", s.namespace)) {
      if (slice.metadata.labels?.[LABEL_SERVICE_NAME] !== s.name) continue;
      const port = (slice.ports ?? []).find((p) => (p.name ?? "") === s.portName)?.port;
      if (port === undefined) continue;
      for (const e of slice.endpoints) {
        const c = effectiveConditions(e.conditions);
        for (const ip of e.addresses) {
          const address = `${ip}:${port}`;
          s.seen.add(address);
          eps.push({ address, node: e.nodeName, ready: c.ready, fallback: c.serving && c.terminating });
        }
      }
    }
    for (const node of this.nodes) {
      const byAddress = this.intervals(s.key, node);
      const candidates = s.local ? eps.filter((e) => e.node === node) : eps;
      const ready = candidates.filter((e) => e.ready);
      const usable = new Set((ready.length > 0 ? ready : candidates.filter((e) => e.fallback)).map((e) => e.address));
      for (const address of s.seen) {
        let iv = byAddress.get(address);
        const open = iv !== undefined && iv[iv.length - 1] === Infinity;
        if (usable.has(address)) {
          if (open) (iv as number[])[(iv as number[]).length - 1] = now;
        } else if (!open) {
          if (iv === undefined) byAddress.set(address, (iv = []));
          iv.push(now, Infinity);
        }
      }
    }
  }

  private onRequest(r: TraceRecord): void {
    const client = this.clients.get(r.fields.client as string);
    const endpoint = r.fields.endpoint as string;
    if (client === undefined || !client.checked || endpoint === "") return;
    this.checked++;
    const start = r.fields.start as number;
    const iv = client.unusable.get(endpoint);
    if (iv === undefined) return;
    let from = -1;
    for (let i = 0; i < iv.length; i += 2) {
      if (iv[i] < start && start < iv[i + 1]) {
        from = iv[i];
        break;
      }
    }
    if (from < 0) return;
    // The change reached the node's kube-proxy at from + watchDelay; any sync after that
    // (and before the connection) programmed it.
    // The first sync strictly after from + watchDelay (binary search; syncs ascend).
    const syncs = client.syncs;
    const after = from + this.watchDelay;
    let lo = 0;
    let hi = syncs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (syncs[mid] > after) hi = mid;
      else lo = mid + 1;
    }
    if (lo === syncs.length || !(syncs[lo] < start)) return;
    const synced = syncs[lo];
    this.violationCount++;
    if (this.violations.length < KEEP) {
      this.violations.push({ time: start, client: client.name, node: client.node, service: client.service, endpoint, unusableSince: from, syncedAt: synced });
    }
  }

  // Upstream's rollout bounds (pkg/controller/deployment/util/deployment_util.go MaxSurge,
  // MinAvailable; sync.go / rolling.go keep the ReplicaSets' replicas within
  // replicas + maxSurge and the available pods at or above replicas - maxUnavailable),
  // checked while no scale or pod deletion has disturbed the Deployment since it was last
  // complete.
  private sampleRollouts(now: number): void {
    for (const w of this.deployments) {
      const d = this.store.get("Deployment", w.namespace, w.name);
      if (d === undefined) continue;
      this.samples++;
      const spec = deploymentDefaults(d);
      const uid = d.metadata.uid;
      const rss = this.store.list("ReplicaSet", w.namespace).filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === uid));
      const rsUids = new Set(rss.map((rs) => rs.metadata.uid));
      const want = rss.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
      const pods = this.store.list("Pod", w.namespace).filter((p) => isPodActive(p) && p.metadata.ownerReferences?.some((o) => rsUids.has(o.uid)));
      const available = pods.filter((p) => isPodAvailable(p, spec.minReadySeconds, now)).length;
      if (w.clean) {
        const surge = maxSurge(spec);
        const min = minAvailable(spec);
        if (want > spec.replicas + surge) this.rolloutViolation(now, w.name, `ReplicaSets want ${want} pods > replicas ${spec.replicas} + maxSurge ${surge}`);
        if (available < min) this.rolloutViolation(now, w.name, `${available} available pods < replicas ${spec.replicas} - maxUnavailable ${spec.replicas - min}`);
      }
      const hash = computePodTemplateHash(d.spec.template, d.status?.collisionCount ?? 0);
      const complete = want === spec.replicas && pods.length === spec.replicas && available === spec.replicas && pods.every((p) => p.metadata.labels?.[LABEL_POD_TEMPLATE_HASH] === hash);
      if (complete) w.clean = true;
    }
  }

  private rolloutViolation(time: number, deployment: string, message: string): void {
    this.rolloutViolationCount++;
    if (this.rolloutViolations.length < KEEP) this.rolloutViolations.push({ time, deployment, message });
  }
}
