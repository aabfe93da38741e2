import type { Callbacks, SimTime } from "@kube-netsim/core";
import { LABEL_POD_TEMPLATE_HASH, StoreError } from "@kube-netsim/model";
import type { Deployment, ObjectStore, Pod, PodPhase, PodTemplateSpec, ReplicaSet, StringMap } from "@kube-netsim/model";
import { computePodTemplateHash } from "./pod-template-hash.js";
import type { DeploymentStatus } from "./deployment/progress.js";
import {
  REASON_FOUND_NEW_RS,
  REASON_NEW_REPLICASET_CREATED,
  checkPausedConditions,
  deploymentComplete,
  deploymentStatusEqual,
  getDeploymentCondition,
  hasProgressDeadline,
  newDeploymentCondition,
  readDeploymentStatus,
  requeueStuckDeploymentAfter,
  setDeploymentCondition,
  syncRolloutConditions,
} from "./deployment/progress.js";
import { scaleDownOldReplicaSetsForRecreate, oldPodsRunning } from "./deployment/recreate.js";
import { newRSNewReplicas, reconcileNewReplicaSet, reconcileOldReplicaSets } from "./deployment/rolling.js";
import { calculateStatus, cleanupDeployment, isScalingEvent, scaleDeployment } from "./deployment/sync.js";
import type { DefaultedDeploymentSpec, ReplicaSetState } from "./deployment/util.js";
import {
  ANNOTATION_DESIRED_REPLICAS,
  ANNOTATION_MAX_REPLICAS,
  ANNOTATION_REVISION,
  compareByCreationTimestamp,
  deploymentDefaults,
  filterActiveReplicaSets,
  maxRevision,
  maxSurge,
  parseIntAnnotation,
  replicaSetPodCounts,
  revisionOf,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from "./deployment/util.js";

/**
 * The ReplicaSet a Deployment wants for its current template: named
 * `<deployment>-<pod-template-hash>`, with the hash added to its selector, labels and
 * template labels (pkg/controller/deployment/sync.go getNewReplicaSet). `spec.replicas`
 * is the Deployment's; the controller sets the rollout's size and annotations.
 *
 * @param collisionCount - the Deployment's `status.collisionCount`, folded into the hash.
 *
 * @example
 * ```ts
 * // d: Deployment "api" (4 replicas, selector app=api, one container "api" with image "api:1")
 * const rs = desiredReplicaSet(d);
 * rs.metadata.name;        // "api-664cb46674"
 * rs.spec.selector;        // { matchLabels: { app: "api", "pod-template-hash": "664cb46674" } }
 * desiredReplicaSet(d, 1).metadata.name; // "api-8cc585b9d": a collision changes the hash
 * ```
 */
export function desiredReplicaSet(d: Deployment, collisionCount: number = 0): ReplicaSet {
  const hash = computePodTemplateHash(d.spec.template, collisionCount);
  const templateLabels = { ...(d.spec.template.metadata?.labels ?? {}), [LABEL_POD_TEMPLATE_HASH]: hash };
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: templateLabels,
      ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: d.metadata.name, uid: d.metadata.uid ?? "", controller: true }],
    },
    spec: {
      replicas: d.spec.replicas ?? 1,
      minReadySeconds: d.spec.minReadySeconds,
      selector: {
        ...d.spec.selector,
        matchLabels: { ...(d.spec.selector.matchLabels ?? {}), [LABEL_POD_TEMPLATE_HASH]: hash },
      },
      template: { ...d.spec.template, metadata: { ...d.spec.template.metadata, labels: templateLabels } },
    },
  };
}

// apimachinery semantic equality treats nil and empty maps/slices alike: drop them
// (and undefined fields) before comparing.
function semantic(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) {
    const a = v.map(semantic);
    return a.length === 0 ? undefined : a;
  }
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) {
    const x = semantic(o[k]);
    if (x !== undefined) out[k] = x;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/**
 * Whether two pod templates are equal apart from the pod-template-hash label
 * (pkg/controller/deployment/util/deployment_util.go EqualIgnoreHash).
 *
 * @example
 * ```ts
 * equalIgnoreHash(d.spec.template, desiredReplicaSet(d).spec.template); // true: only the hash label differs
 * equalIgnoreHash(d.spec.template, { ...d.spec.template, spec: { containers: [{ name: "api", image: "api:2" }] } }); // false
 * ```
 */
export function equalIgnoreHash(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  return withoutHash(a) === withoutHash(b);
}

// The stored templates are frozen: each one's comparable form is computed once (every
// Deployment sync compares its template with each of its ReplicaSets').
const templatesWithoutHash = new WeakMap<PodTemplateSpec, string>();

function withoutHash(t: PodTemplateSpec): string {
  let text = templatesWithoutHash.get(t);
  if (text !== undefined) return text;
  const labels: Record<string, string> = { ...(t.metadata?.labels ?? {}) };
  delete labels[LABEL_POD_TEMPLATE_HASH];
  text = JSON.stringify(semantic({ ...t, metadata: { ...t.metadata, labels } })) ?? "";
  if (Object.isFrozen(t)) templatesWithoutHash.set(t, text);
  return text;
}

/**
 * Options of the {@link DeploymentController}.
 *
 * @example
 * ```ts
 * const options: DeploymentControllerOptions = { watchDelay: 5 }; // ms between a store change and the controller seeing it
 * new DeploymentController(store, new Callbacks(scheduler), options);
 * ```
 */
export interface DeploymentControllerOptions {
  /** Delay (ms) of the controller's watches: a number, or a draw per event. Default 0. */
  readonly watchDelay?: number | (() => number);
}

/** A ReplicaSet with the counts of its pods. */
interface RSView extends ReplicaSetState {
  readonly obj: ReplicaSet;
  readonly uid: string;
  readonly nextAvailableAt?: number;
}

/** State of one Deployment sync; views are replaced as the sync writes. */
interface SyncContext {
  d: Deployment;
  readonly key: string;
  readonly spec: DefaultedDeploymentSpec;
  readonly ns: string;
  rss: RSView[];
  readonly pods: ReadonlyMap<string, readonly Pod[]>;
  readonly now: SimTime;
}

interface AllReplicaSets {
  readonly newRS: RSView | undefined;
  readonly oldRSs: RSView[];
}

const controllerOf = (meta: { readonly ownerReferences?: readonly { readonly controller?: boolean; readonly kind: string; readonly name: string; readonly uid: string }[] }, kind: string) =>
  meta.ownerReferences?.find((o) => o.controller === true && o.kind === kind);

/**
 * The Deployment controller (pkg/controller/deployment): rolls a Deployment's pods
 * from one pod template to the next through ReplicaSets, with the RollingUpdate or
 * Recreate strategy, and reports the rollout in the Deployment's status.
 *
 * @remarks
 * **Per sync** (deployment_controller.go syncDeployment): the paused condition is
 * updated; a paused Deployment, or a change of `spec.replicas` (a ReplicaSet's
 * desired-replicas annotation differs), is only scaled ({@link scaleDeployment}: proportional
 * scaling across the ReplicaSets of an unfinished rollout); otherwise the strategy
 * runs.
 *
 * **RollingUpdate** (rolling.go): the new ReplicaSet (`<name>-<pod-template-hash>`,
 * revision annotation `deployment.kubernetes.io/revision` one above the old ones) is
 * created with as many replicas as maxSurge allows; each sync then either scales it
 * up (`spec.replicas` of all ReplicaSets at most `replicas + maxSurge`) or scales old
 * ones down (available pods at least `replicas - maxUnavailable`, unhealthy old pods
 * first). maxSurge rounds up, maxUnavailable down, both 0 means maxUnavailable 1.
 * **Recreate** (recreate.go): old ReplicaSets go to 0; once none of their pods exists
 * any more, the new ReplicaSet is created at full size.
 *
 * **Status** (sync.go calculateStatus, progress.go syncRolloutStatus): replicas,
 * updatedReplicas, readyReplicas, availableReplicas, unavailableReplicas,
 * observedGeneration, and the Available and Progressing conditions (see
 * {@link DeploymentStatus}); with no progress for `progressDeadlineSeconds` (default
 * 600) Progressing turns False with reason ProgressDeadlineExceeded. Once a rollout is
 * complete, old ReplicaSets with no replicas beyond `revisionHistoryLimit` (default
 * 10) are deleted, lowest revision first.
 *
 * **Ordering.** A sync runs one callback after the events that woke it, so the
 * ReplicaSet controller, woken by the same write, acts on a scale-down before the next
 * scale-up: with equal watch delays, active pods then stay within `replicas +
 * maxSurge`. With unequal delays (informer lag) a new pod may start before an old one
 * is deleted, as in a real cluster; the bound on the ReplicaSets' `spec.replicas`
 * always holds.
 *
 * **Where we differ.** Upstream reads the ReplicaSets' status written by the
 * ReplicaSet controller; we count each ReplicaSet's pods ourselves (same rules:
 * active pods, Ready, available = Ready for more than minReadySeconds), because our
 * ReplicaSet controller does not apply minReadySeconds. So the controller also watches
 * Pods, and looks again minReadySeconds + 1 s after a pod turns Ready (as the
 * ReplicaSet controller would). Not modelled: adoption and orphaning of ReplicaSets
 * by label selector (a ReplicaSet belongs to the Deployment its controller
 * ownerReference names), the `deprecated.deployment.rollback.to` rollback, Deployment
 * deletion (`syncStatusOnly`), the ReplicaFailure condition, events, and the alpha
 * features DeploymentReplicaSetTerminatingReplicas / DeploymentPodReplacementPolicy
 * (terminating pods do not count toward maxSurge, as with the gates off).
 *
 * @example
 * ```ts
 * const scheduler = new Scheduler();
 * const random = new RandomSource(1);
 * const store = new ObjectStore(scheduler, { random: random.stream("apiserver") });
 * const later = new Callbacks(scheduler);
 * new DeploymentController(store, later, { watchDelay: 5 });
 * new ReplicaSetController(store, later, { watchDelay: 5 });
 * store.create(deployment);
 * scheduler.runUntil(100);
 * store.list("ReplicaSet").map((rs) => rs.metadata.name); // ["api-<pod-template-hash>"]
 * ```
 */
export class DeploymentController {
  private readonly dirty = new Set<string>();
  private scheduled = false;
  private readonly timers = new Set<string>();
  /** Rate-limited requeues in a row per key (workqueue ItemExponentialFailureRateLimiter: 5 ms doubling, 1000 s cap). */
  private readonly requeues = new Map<string, number>();

  constructor(
    private readonly store: ObjectStore,
    private readonly later: Callbacks,
    options: DeploymentControllerOptions = {},
  ) {
    const delay = options.watchDelay ?? 0;
    store.watch("Deployment", (e) => this.enqueue(`${e.object.metadata.namespace}/${e.object.metadata.name}`), { delay, name: "deployment-controller" });
    store.watch(
      "ReplicaSet",
      (e) => {
        const owner = controllerOf(e.object.metadata, "Deployment");
        if (owner) this.enqueue(`${e.object.metadata.namespace}/${owner.name}`);
      },
      { delay, name: "deployment-controller" },
    );
    store.watch(
      "Pod",
      (e) => {
        const ref = controllerOf(e.object.metadata, "ReplicaSet");
        if (!ref) return;
        const rs = store.get("ReplicaSet", e.object.metadata.namespace, ref.name);
        if (!rs || rs.metadata.uid !== ref.uid) return;
        const owner = controllerOf(rs.metadata, "Deployment");
        if (owner) this.enqueue(`${rs.metadata.namespace}/${owner.name}`);
      },
      { delay, name: "deployment-controller" },
    );
  }

  private enqueue(key: string): void {
    this.dirty.add(key);
    if (this.scheduled) return;
    this.scheduled = true;
    // Yield once: work the same events gave other controllers at this instant (the
    // ReplicaSet controller acting on a scale-down) runs before the next sync.
    this.later.after(0, () =>
      this.later.after(0, () => {
        this.scheduled = false;
        const keys = [...this.dirty].sort();
        this.dirty.clear();
        for (const k of keys) this.sync(k);
      }),
    );
  }

  /** workqueue AddAfter: one wake-up per key and instant. */
  private enqueueAt(key: string, at: SimTime): void {
    const now = this.store.now;
    const t = at < now ? now : at;
    const tag = `${key}@${t}`;
    if (this.timers.has(tag)) return;
    this.timers.add(tag);
    this.later.at(t, () => {
      this.timers.delete(tag);
      this.enqueue(key);
    });
  }

  /** Reconciles one Deployment (`namespace/name`) at the store's current time. */
  sync(key: string): void {
    const slash = key.indexOf("/");
    const ns = key.slice(0, slash);
    const d = this.store.get("Deployment", ns, key.slice(slash + 1));
    if (!d) return;
    const ctx = this.load(d, key, this.store.now);
    // deployment_controller.go syncDeployment.
    this.syncPausedConditions(ctx);
    if (ctx.spec.paused || this.isScalingEvent(ctx)) this.syncScaling(ctx);
    else if (ctx.spec.strategy === "Recreate") this.rolloutRecreate(ctx);
    else this.rolloutRolling(ctx);
    // Pods that will become available (minReadySeconds): look again then.
    let next: number | undefined;
    for (const rs of ctx.rss) if (rs.nextAvailableAt !== undefined && (next === undefined || rs.nextAvailableAt < next)) next = rs.nextAvailableAt;
    if (next !== undefined) this.enqueueAt(key, next);
  }

  // ---------------------------------------------------------------------------
  // Reading

  private load(d: Deployment, key: string, now: SimTime): SyncContext {
    const ns = d.metadata.namespace ?? "default";
    // The store's owner index, as upstream's informers index by controller UID
    // (pkg/controller/deployment getReplicaSetsForDeployment / getPodMapForDeployment),
    // in creation order like a namespace listing.
    const owned = this.store.listOwnedBy("ReplicaSet", ns, d.metadata.uid ?? "").filter((rs) => controllerOf(rs.metadata, "Deployment")?.uid === d.metadata.uid);
    const pods = new Map<string, Pod[]>();
    for (const rs of owned) {
      const uid = rs.metadata.uid ?? "";
      if (pods.has(uid)) continue;
      const list = this.store.listOwnedBy("Pod", ns, uid).filter((p) => controllerOf(p.metadata, "ReplicaSet")?.uid === uid);
      if (list.length > 0) pods.set(uid, list);
    }
    const ctx: SyncContext = { d, key, spec: deploymentDefaults(d), ns, rss: [], pods, now };
    ctx.rss = owned.map((rs) => this.view(ctx, rs));
    return ctx;
  }

  private view(ctx: SyncContext, rs: ReplicaSet): RSView {
    const uid = rs.metadata.uid ?? "";
    const counts = replicaSetPodCounts(ctx.pods.get(uid) ?? [], rs.spec.minReadySeconds ?? 0, ctx.now);
    const ann = rs.metadata.annotations;
    const desired = parseIntAnnotation(ann, ANNOTATION_DESIRED_REPLICAS);
    const max = parseIntAnnotation(ann, ANNOTATION_MAX_REPLICAS);
    const revision = revisionOf(ann);
    return {
      obj: rs,
      uid,
      name: rs.metadata.name,
      creationTimestamp: rs.metadata.creationTimestamp ?? 0,
      replicas: rs.spec.replicas ?? 1,
      ...counts,
      ...(revision !== undefined ? { revision } : {}),
      ...(desired !== undefined ? { desiredReplicas: desired } : {}),
      ...(max !== undefined ? { maxReplicas: max } : {}),
      ...(rs.metadata.deletionTimestamp !== undefined ? { terminating: true } : {}),
    };
  }

  private replaceRS(ctx: SyncContext, rs: ReplicaSet): RSView {
    const v = this.view(ctx, rs);
    const i = ctx.rss.findIndex((x) => x.uid === v.uid);
    if (i >= 0) ctx.rss[i] = v;
    else ctx.rss.push(v);
    return v;
  }

  private current(ctx: SyncContext, rs: RSView): RSView {
    return ctx.rss.find((x) => x.uid === rs.uid) ?? rs;
  }

  // deployment_util.go FindNewReplicaSet: the oldest ReplicaSet with the Deployment's template.
  private findNewReplicaSet(ctx: SyncContext): RSView | undefined {
    return [...ctx.rss].sort(compareByCreationTimestamp).find((rs) => equalIgnoreHash(rs.obj.spec.template, ctx.d.spec.template));
  }

  // ---------------------------------------------------------------------------
  // Writing

  private writeDeployment(ctx: SyncContext, annotations: StringMap | undefined, status: DeploymentStatus | undefined): void {
    const cur = this.store.get("Deployment", ctx.ns, ctx.d.metadata.name);
    if (!cur) return;
    const next: Deployment = {
      ...cur,
      metadata: annotations !== undefined ? { ...cur.metadata, annotations } : cur.metadata,
      status: status !== undefined ? status : cur.status,
    };
    ctx.d = this.store.update(next);
  }

  // sync.go scaleReplicaSet: writes spec.replicas and the replicas annotations when either changes.
  private scaleReplicaSet(ctx: SyncContext, stale: RSView, newScale: number): { readonly scaled: boolean; readonly rs: RSView } {
    const rs = this.current(ctx, stale);
    const maxReplicas = ctx.spec.replicas + maxSurge(ctx.spec);
    const ann = setReplicasAnnotations(rs.obj.metadata.annotations, ctx.spec.replicas, maxReplicas);
    const sizeNeedsUpdate = rs.replicas !== newScale;
    if (!sizeNeedsUpdate && !ann.changed) return { scaled: false, rs };
    const cur = this.store.get("ReplicaSet", ctx.ns, rs.name);
    if (!cur) return { scaled: false, rs };
    const updated = this.store.update({ ...cur, metadata: { ...cur.metadata, annotations: ann.annotations }, spec: { ...cur.spec, replicas: newScale } });
    return { scaled: sizeNeedsUpdate, rs: this.replaceRS(ctx, updated) };
  }

  // sync.go scaleReplicaSetAndRecordEvent: nothing when the size is already right.
  private scaleReplicaSetAndRecordEvent(ctx: SyncContext, stale: RSView, newScale: number): { readonly scaled: boolean; readonly rs: RSView } {
    const rs = this.current(ctx, stale);
    if (rs.replicas === newScale) return { scaled: false, rs };
    return this.scaleReplicaSet(ctx, rs, newScale);
  }

  /**
   * sync.go getAllReplicaSetsAndSyncRevision / getNewReplicaSet: the new ReplicaSet
   * (created when asked and missing) with its revision synced, and the old ones.
   * Undefined when creation hit a hash collision (collisionCount was bumped; the
   * status write brings the Deployment back).
   */
  private getAllReplicaSetsAndSyncRevision(ctx: SyncContext, createIfNotExisted: boolean): AllReplicaSets | undefined {
    const d = ctx.d;
    const existing = this.findNewReplicaSet(ctx);
    const oldRSs = ctx.rss.filter((rs) => rs !== existing);
    const newRevision = maxRevision(oldRSs) + 1;
    const maxReplicas = ctx.spec.replicas + maxSurge(ctx.spec);
    const status = readDeploymentStatus(d.status);
    const pdsSet = hasProgressDeadline(ctx.spec.progressDeadlineSeconds);
    if (existing) {
      const ann = setNewReplicaSetAnnotations(d.metadata.annotations, existing.obj.metadata.annotations, newRevision, true, ctx.spec.replicas, maxReplicas);
      const minReadyNeedsUpdate = (existing.obj.spec.minReadySeconds ?? 0) !== ctx.spec.minReadySeconds;
      if (ann.changed || minReadyNeedsUpdate) {
        const { minReadySeconds: _drop, ...rest } = existing.obj.spec;
        const spec = d.spec.minReadySeconds !== undefined ? { ...rest, minReadySeconds: d.spec.minReadySeconds } : rest;
        const updated = this.store.update({ ...existing.obj, metadata: { ...existing.obj.metadata, annotations: ann.annotations }, spec });
        return { newRS: this.replaceRS(ctx, updated), oldRSs };
      }
      const rev = existing.obj.metadata.annotations?.[ANNOTATION_REVISION] ?? "";
      const annotations = d.metadata.annotations?.[ANNOTATION_REVISION] !== rev ? { ...(d.metadata.annotations ?? {}), [ANNOTATION_REVISION]: rev } : undefined;
      let newStatus: DeploymentStatus | undefined;
      if (pdsSet && !getDeploymentCondition(status.conditions, "Progressing")) {
        const c = newDeploymentCondition("Progressing", "True", REASON_FOUND_NEW_RS, `Found new replica set ${JSON.stringify(existing.name)}`, ctx.now);
        newStatus = { ...status, conditions: setDeploymentCondition(status.conditions, c) };
      }
      if (annotations !== undefined || newStatus !== undefined) this.writeDeployment(ctx, annotations, newStatus);
      return { newRS: existing, oldRSs };
    }
    if (!createIfNotExisted) return { newRS: undefined, oldRSs };
    const base = desiredReplicaSet(d, status.collisionCount ?? 0);
    const zero: ReplicaSetState = { name: base.metadata.name, replicas: 0 };
    const replicas = newRSNewReplicas(ctx.spec, [...oldRSs, zero], zero);
    const ann = setNewReplicaSetAnnotations(d.metadata.annotations, undefined, newRevision, false, ctx.spec.replicas, maxReplicas);
    let created: ReplicaSet;
    try {
      created = this.store.create({ ...base, metadata: { ...base.metadata, annotations: ann.annotations }, spec: { ...base.spec, replicas } });
    } catch (e) {
      if (!(e instanceof StoreError) || e.reason !== "AlreadyExists") throw e;
      // A ReplicaSet of that name exists with another template: a hash collision.
      this.writeDeployment(ctx, undefined, { ...status, collisionCount: (status.collisionCount ?? 0) + 1 });
      return undefined;
    }
    const newRS = this.replaceRS(ctx, created);
    const annotations = d.metadata.annotations?.[ANNOTATION_REVISION] !== String(newRevision) ? { ...(d.metadata.annotations ?? {}), [ANNOTATION_REVISION]: String(newRevision) } : undefined;
    let newStatus: DeploymentStatus | undefined;
    if (pdsSet) {
      const c = newDeploymentCondition("Progressing", "True", REASON_NEW_REPLICASET_CREATED, `Created new replica set ${JSON.stringify(created.metadata.name)}`, ctx.now);
      newStatus = { ...status, conditions: setDeploymentCondition(status.conditions, c) };
    }
    if (annotations !== undefined || newStatus !== undefined) this.writeDeployment(ctx, annotations, newStatus);
    return { newRS, oldRSs };
  }

  // sync.go checkPausedConditions.
  private syncPausedConditions(ctx: SyncContext): void {
    const status = readDeploymentStatus(ctx.d.status);
    const conditions = checkPausedConditions(ctx.spec.paused, ctx.spec.progressDeadlineSeconds, status.conditions, ctx.now);
    if (conditions !== undefined) this.writeDeployment(ctx, undefined, { ...status, conditions });
  }

  // sync.go isScalingEvent.
  private isScalingEvent(ctx: SyncContext): boolean {
    const all = this.getAllReplicaSetsAndSyncRevision(ctx, false);
    if (!all) return false;
    return isScalingEvent(ctx.spec.replicas, [...all.oldRSs, all.newRS]);
  }

  // sync.go sync: scaling events and paused Deployments.
  private syncScaling(ctx: SyncContext): void {
    const all = this.getAllReplicaSetsAndSyncRevision(ctx, false);
    if (!all) return;
    const ops = scaleDeployment(ctx.spec, all.newRS, all.oldRSs, readDeploymentStatus(ctx.d.status).replicas);
    for (const op of ops) {
      const rs = ctx.rss.find((x) => x.name === op.name);
      if (!rs) continue;
      if (op.refreshAnnotations) this.scaleReplicaSet(ctx, rs, op.replicas);
      else this.scaleReplicaSetAndRecordEvent(ctx, rs, op.replicas);
    }
    if (ctx.spec.paused) this.cleanup(ctx, all.oldRSs);
    this.syncDeploymentStatus(ctx, all.newRS);
  }

  // rolling.go rolloutRolling.
  private rolloutRolling(ctx: SyncContext): void {
    const all = this.getAllReplicaSetsAndSyncRevision(ctx, true);
    if (!all || !all.newRS) return;
    const newRS = all.newRS;
    const allRSs = [...all.oldRSs.map((rs) => this.current(ctx, rs)), this.current(ctx, newRS)];
    const target = reconcileNewReplicaSet(ctx.spec, allRSs, this.current(ctx, newRS));
    if (this.scaleReplicaSetAndRecordEvent(ctx, newRS, target).scaled) {
      this.syncRolloutStatus(ctx, newRS);
      return;
    }
    const oldRSs = all.oldRSs.map((rs) => this.current(ctx, rs));
    const plan = reconcileOldReplicaSets(ctx.spec, allRSs, filterActiveReplicaSets(oldRSs), this.current(ctx, newRS));
    for (const step of plan.steps) {
      const rs = ctx.rss.find((x) => x.name === step.name);
      if (rs) this.scaleReplicaSetAndRecordEvent(ctx, rs, step.replicas);
    }
    if (plan.cleanupCount + plan.scaledDownCount > 0) {
      this.syncRolloutStatus(ctx, newRS);
      return;
    }
    if (deploymentComplete(ctx.spec.replicas, ctx.d.metadata.generation ?? 0, readDeploymentStatus(ctx.d.status))) this.cleanup(ctx, oldRSs);
    this.syncRolloutStatus(ctx, newRS);
  }

  // recreate.go rolloutRecreate.
  private rolloutRecreate(ctx: SyncContext): void {
    const all = this.getAllReplicaSetsAndSyncRevision(ctx, false);
    if (!all) return;
    let newRS = all.newRS;
    let oldRSs = all.oldRSs;
    let scaled = false;
    for (const step of scaleDownOldReplicaSetsForRecreate(filterActiveReplicaSets(oldRSs))) {
      const rs = ctx.rss.find((x) => x.name === step.name);
      if (rs && this.scaleReplicaSetAndRecordEvent(ctx, rs, step.replicas).scaled) scaled = true;
    }
    if (scaled) {
      this.syncRolloutStatus(ctx, newRS);
      return;
    }
    const phases: (PodPhase | undefined)[] = [];
    for (const rs of ctx.rss) {
      if (newRS !== undefined && rs.uid === newRS.uid) continue;
      for (const p of ctx.pods.get(rs.uid) ?? []) phases.push(p.status?.phase);
    }
    if (oldPodsRunning(oldRSs.map((rs) => this.current(ctx, rs)), phases)) {
      this.syncRolloutStatus(ctx, newRS);
      return;
    }
    if (newRS === undefined) {
      const created = this.getAllReplicaSetsAndSyncRevision(ctx, true);
      if (!created || !created.newRS) return;
      newRS = created.newRS;
      oldRSs = created.oldRSs;
    }
    this.scaleReplicaSetAndRecordEvent(ctx, newRS, ctx.spec.replicas);
    if (deploymentComplete(ctx.spec.replicas, ctx.d.metadata.generation ?? 0, readDeploymentStatus(ctx.d.status))) this.cleanup(ctx, oldRSs);
    this.syncRolloutStatus(ctx, newRS);
  }

  // sync.go cleanupDeployment.
  private cleanup(ctx: SyncContext, oldRSs: readonly RSView[]): void {
    const names = cleanupDeployment(
      oldRSs.map((rs) => this.current(ctx, rs)),
      ctx.spec.revisionHistoryLimit,
    );
    for (const name of names) {
      this.store.delete("ReplicaSet", ctx.ns, name);
      ctx.rss = ctx.rss.filter((rs) => rs.name !== name);
    }
  }

  // sync.go syncDeploymentStatus.
  private syncDeploymentStatus(ctx: SyncContext, newRS: RSView | undefined): void {
    const old = readDeploymentStatus(ctx.d.status);
    const cur = newRS ? this.current(ctx, newRS) : undefined;
    const next = calculateStatus(ctx.rss, cur, ctx.spec, ctx.d.metadata.generation ?? 0, old, ctx.now);
    if (!deploymentStatusEqual(old, next)) this.writeDeployment(ctx, undefined, next);
  }

  // progress.go syncRolloutStatus, with requeueStuckDeployment.
  private syncRolloutStatus(ctx: SyncContext, newRS: RSView | undefined): void {
    const old = readDeploymentStatus(ctx.d.status);
    const cur = newRS ? this.current(ctx, newRS) : undefined;
    const generation = ctx.d.metadata.generation ?? 0;
    const calculated = calculateStatus(ctx.rss, cur, ctx.spec, generation, old, ctx.now);
    const next = syncRolloutConditions({
      deploymentName: ctx.d.metadata.name,
      ...(cur !== undefined ? { newRSName: cur.name } : {}),
      replicas: ctx.spec.replicas,
      generation,
      progressDeadlineSeconds: ctx.spec.progressDeadlineSeconds,
      oldStatus: old,
      newStatus: calculated,
      now: ctx.now,
    });
    if (!deploymentStatusEqual(old, next)) {
      this.writeDeployment(ctx, undefined, next);
      return;
    }
    const after = requeueStuckDeploymentAfter(ctx.spec.progressDeadlineSeconds, ctx.spec.replicas, generation, old, next, ctx.now);
    if (after !== 0) this.requeues.delete(ctx.key);
    if (after > 0) this.enqueueAt(ctx.key, ctx.now + after + 1000);
    else if (after === 0) {
      // Upstream requeues rate-limited (5 ms, doubling up to 1000 s per key) until the deadline
      // has passed; we look again at the first instant past it, or after the rate limiter's
      // delay when that is later. A Deployment whose Progressing reason is
      // NewReplicaSetAvailable never times out, so without the doubling a pod that stays
      // unavailable (a crash loop) would be looked at every 5 ms forever.
      const n = this.requeues.get(ctx.key) ?? 0;
      this.requeues.set(ctx.key, n + 1);
      const c = getDeploymentCondition(old.conditions, "Progressing");
      const deadline = (c?.lastUpdateTime ?? ctx.now) + ctx.spec.progressDeadlineSeconds * 1000;
      this.enqueueAt(ctx.key, Math.max(ctx.now + Math.min(5 * 2 ** n, 1_000_000), deadline + 1));
    }
  }
}
