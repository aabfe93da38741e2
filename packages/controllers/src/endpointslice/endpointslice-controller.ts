import type { Callbacks, Distribution, RandomStream, SimTime } from "@kube-netsim/core";
import { LABEL_SERVICE_NAME, compileServiceSelector } from "@kube-netsim/model";
import type { EndpointSlice, Node, ObjectStore, Pod, Service } from "@kube-netsim/model";
import { reconcileEndpointSlices } from "./reconciler.js";
import { TopologyCache, hintsEnabled, reconcileTrafficDistributionHints, removeHintsFromSlices } from "./topology-cache.js";
import type { AddHintsResult, HintsSliceInfo } from "./topology-cache.js";

/**
 * Settings of the EndpointSlice controller (pkg/controller/endpointslice/config/v1alpha1/defaults.go).
 *
 * @example
 * ```ts
 * const options: EndpointSliceControllerOptions = {
 *   maxEndpointsPerSlice: 100,  // --max-endpoints-per-slice
 *   batchPeriod: 1_000,         // --endpointslice-updates-batch-period=1s
 *   workers: 5,                 // --concurrent-service-endpoint-syncs
 *   random: random.stream("endpointslice-controller"),
 * };
 * new EndpointSliceController(store, new Callbacks(scheduler), options);
 * ```
 */
export interface EndpointSliceControllerOptions {
  /** `--max-endpoints-per-slice`, 1..1000. Default 100. */
  readonly maxEndpointsPerSlice?: number;
  /** `--endpointslice-updates-batch-period` in ms. Default 0 (no batching). */
  readonly batchPeriod?: number;
  /** Delay (ms) of the controller's watches: a number, or a draw per event. Default 0. */
  readonly watchDelay?: number | (() => number);
  /** Time a Service sync takes before its writes reach the API server (API latency). Default 0. */
  readonly syncLatency?: Distribution;
  /** `--concurrent-service-endpoint-syncs`: Services synced in parallel. Default 5. */
  readonly workers?: number;
  /** Stream for slice name suffixes and latency draws. */
  readonly random: RandomStream;
}

const NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/**
 * The EndpointSlice controller: for every Service with a selector, keeps its
 * EndpointSlices in line with the pods it selects.
 *
 * @remarks
 * Triggered by Service, Pod and Node changes (pkg/controller/endpointslice/endpointslice_controller.go):
 * a Pod change enqueues every Service in its namespace whose selector matches the old
 * or the new labels. Pod-triggered syncs wait `batchPeriod`; at most `workers` Services
 * are synced at once, each taking `syncLatency`; a Service changed while its sync is
 * running is synced again afterwards (workqueue semantics: never two syncs of one key
 * at a time). The slices themselves come from {@link reconcileEndpointSlices}.
 * A Service without a selector (or with an empty one) is left alone: its slices are
 * the user's to manage.
 *
 * @example
 * ```ts
 * new EndpointSliceController(store, later, { watchDelay: 5, maxEndpointsPerSlice: 100, random: random.stream("endpointslice-controller") });
 * store.create(service);
 * scheduler.runUntil(100);
 * store.list("EndpointSlice")[0].metadata.labels?.["kubernetes.io/service-name"]; // "api"
 * ```
 */
export class EndpointSliceController {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly redo = new Set<string>();
  private readonly delayed = new Set<string>();
  private busy = 0;
  private readonly maxPerSlice: number;
  private readonly workers: number;
  private readonly topology = new TopologyCache();
  private readonly hintResults = new Map<string, AddHintsResult>();
  /** Per Service key, its selected pods' names in name order as of its last sync. */
  private readonly podOrder = new Map<string, NameOrder>();
  /** The nodes by name as of Node revision {@link EndpointSliceController.nodeRevision}. */
  private nodes = new Map<string, Node>();
  private nodeRevision = -1;

  constructor(
    private readonly store: ObjectStore,
    private readonly later: Callbacks,
    private readonly options: EndpointSliceControllerOptions,
  ) {
    this.maxPerSlice = options.maxEndpointsPerSlice ?? 100;
    if (!Number.isInteger(this.maxPerSlice) || this.maxPerSlice < 1 || this.maxPerSlice > 1000) {
      throw new RangeError(`maxEndpointsPerSlice: Invalid value: ${this.maxPerSlice}: must be an integer between 1 and 1000`);
    }
    this.workers = options.workers ?? 5;
    if (!Number.isInteger(this.workers) || this.workers < 1) throw new RangeError(`workers: Invalid value: ${this.workers}: must be an integer >= 1`);
    const delay = options.watchDelay ?? 0;
    store.watch("Service", (e) => this.add(keyOf(e.object), 0), { delay, name: "endpointslice-controller" });
    store.watch(
      "Pod",
      (e) => {
        // Upstream's GetPodServiceMemberships lists every Service of the namespace and
        // matches selectors; a matching Service has one of the pod's labels in its
        // selector, so the store's selector index gives the same Services, in the same order.
        for (const svc of this.store.listServiceCandidates(e.object.metadata.namespace ?? "default", [e.object.metadata.labels, e.oldObject?.metadata.labels])) {
          const sel = compileServiceSelector(svc.spec.selector);
          if (sel.matches(e.object.metadata.labels) || (e.oldObject && sel.matches(e.oldObject.metadata.labels))) {
            this.add(keyOf(svc), this.options.batchPeriod ?? 0);
          }
        }
      },
      { delay, name: "endpointslice-controller" },
    );
    store.watch(
      "Node",
      () => {
        for (const svc of this.store.list("Service")) this.add(keyOf(svc), 0);
      },
      { delay, name: "endpointslice-controller", initialList: false },
    );
  }

  private add(key: string, after: SimTime): void {
    if (after > 0) {
      // client-go/util/workqueue/delaying_queue.go insert: a key already waiting keeps its
      // earlier readyAt, so every pod change within batchPeriod lands in one sync.
      // (Every delayed add waits the same batchPeriod, so the waiting one is the earlier.)
      if (this.delayed.has(key)) return;
      this.delayed.add(key);
      this.later.after(after, () => {
        this.delayed.delete(key);
        this.add(key, 0);
      });
      return;
    }
    if (this.processing.has(key)) {
      this.redo.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  private pump(): void {
    while (this.busy < this.workers && this.queue.length > 0) {
      const key = this.queue.shift() as string;
      this.queued.delete(key);
      this.processing.add(key);
      this.busy++;
      const latency = this.options.syncLatency?.sample(this.options.random) ?? 0;
      this.later.after(latency, (now) => {
        this.sync(key, now);
        this.processing.delete(key);
        this.busy--;
        if (this.redo.delete(key)) this.add(key, 0);
        this.pump();
      });
    }
  }

  /** Reconciles one Service (`namespace/name`) and writes the resulting slice changes. */
  sync(key: string, now: SimTime): void {
    const slash = key.indexOf("/");
    const ns = key.slice(0, slash);
    const svc = this.store.get("Service", ns, key.slice(slash + 1));
    if (!svc) {
      // Service deleted: the slices it owns go with it (pkg/controller/garbagecollector
      // deletes dependents whose owner is gone). Slices someone else made for it, without
      // an ownerReference to the Service, are left alone.
      const name = key.slice(slash + 1);
      this.podOrder.delete(key);
      for (const s of this.slicesOf(ns, name)) {
        if (s.metadata.ownerReferences?.some((o) => o.kind === "Service" && o.name === name)) this.store.delete("EndpointSlice", ns, s.metadata.name);
      }
      return;
    }
    const selector = compileServiceSelector(svc.spec.selector);
    if (selector.empty || svc.spec.type === "ExternalName") return;
    // The pods carrying one of the selector's labels (the store's label index; the
    // selector is equality-only and not empty), then the whole selector.
    const sel = svc.spec.selector as Readonly<Record<string, string>>;
    let pods: Pod[] | undefined;
    for (const k in sel) {
      const some = this.store.listByLabel("Pod", ns, k, sel[k]);
      if (pods === undefined || some.length < pods.length) pods = some;
    }
    let order = this.podOrder.get(key);
    if (order === undefined) this.podOrder.set(key, (order = new NameOrder()));
    pods = order.sort((pods ?? []).filter((p) => selector.matches(p.metadata.labels)));
    // The nodes (and the topology cache's CPU ratios) change only when a Node is written:
    // rebuilt then, not on every sync (a sync per Service would otherwise cost O(nodes)).
    const nodeRevision = this.store.kindRevision("Node");
    if (nodeRevision !== this.nodeRevision) {
      this.nodeRevision = nodeRevision;
      const nodeList = this.store.list("Node");
      this.nodes = new Map();
      for (const n of nodeList) this.nodes.set(n.metadata.name, n);
      this.topology.setNodes(nodeList);
    }
    const nodes = this.nodes;
    const result = reconcileEndpointSlices({
      service: svc,
      pods,
      nodes,
      existingSlices: this.slicesOf(ns, svc.metadata.name),
      maxEndpointsPerSlice: this.maxPerSlice,
      now,
      newSliceName: () => this.newSliceName(svc),
      hints: (si) => this.hints(key, svc, si),
    });
    // Order of API calls as upstream finalize(): creates, then updates, then deletes.
    for (const s of result.create) this.store.create(s);
    for (const s of result.update) this.store.update(withoutResourceVersion(s));
    for (const s of result.delete) this.store.delete("EndpointSlice", ns, s.metadata.name);
  }

  /**
   * What the last sync did with a Service's `topology-mode: Auto` hints: the hints per
   * zone, or why they were removed (upstream's TopologyAwareHintsDisabled event).
   * Undefined when the Service does not use the annotation.
   */
  topologyHints(namespace: string, name: string): AddHintsResult | undefined {
    return this.hintResults.get(`${namespace}/${name}`);
  }

  // reconciler.go reconcileByAddressType: the topology annotation wins over
  // trafficDistribution; without either, hints are removed.
  private hints(key: string, svc: Service, si: HintsSliceInfo): void {
    const auto = hintsEnabled(svc.metadata.annotations);
    const td = svc.spec.trafficDistribution;
    // PreferSameZone and PreferSameNode need the PreferSameTrafficDistribution gate (on by default since 1.34).
    const canUseTrafficDistribution = (td === "PreferClose" || td === "PreferSameZone" || td === "PreferSameNode") && !auto;
    if (auto) {
      this.hintResults.set(key, this.topology.addHints(key, si));
    } else {
      this.hintResults.delete(key);
      this.topology.removeHints(key);
      if (!canUseTrafficDistribution) removeHintsFromSlices(si);
    }
    if (canUseTrafficDistribution) reconcileTrafficDistributionHints(td, si);
  }

  private slicesOf(ns: string, service: string): EndpointSlice[] {
    return this.store
      .listByLabel("EndpointSlice", ns, LABEL_SERVICE_NAME, service)
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  }

  private newSliceName(svc: Service): string {
    for (;;) {
      let suffix = "";
      for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[this.options.random.nextInt(NAME_ALPHABET.length)];
      const name = `${svc.metadata.name}-${suffix}`;
      if (!this.store.get("EndpointSlice", svc.metadata.namespace, name)) return name;
    }
  }
}

/**
 * Puts a Service's selected pods in name order (the order the reconciler fills slices in)
 * without sorting all of them on every sync: the names of the last sync stay sorted, the
 * pods new since then are sorted among themselves and merged in. Same order as sorting
 * by name with `<` (UTF-16 code units), which `Array.prototype.sort` without a comparator uses.
 * Internal (not exported from the package); exported from this module for its test.
 */
export class NameOrder {
  private names: string[] = [];

  sort(pods: readonly Pod[]): Pod[] {
    const byName = new Map<string, Pod>();
    for (const p of pods) byName.set(p.metadata.name, p);
    const kept: string[] = [];
    for (const n of this.names) if (byName.has(n)) kept.push(n);
    let merged = kept;
    if (kept.length < byName.size) {
      const known = new Set(kept);
      const added: string[] = [];
      for (const n of byName.keys()) if (!known.has(n)) added.push(n);
      added.sort();
      merged = new Array<string>(kept.length + added.length);
      let i = 0;
      let j = 0;
      let k = 0;
      while (i < kept.length && j < added.length) merged[k++] = kept[i] < added[j] ? kept[i++] : added[j++];
      while (i < kept.length) merged[k++] = kept[i++];
      while (j < added.length) merged[k++] = added[j++];
    }
    this.names = merged;
    const out = new Array<Pod>(merged.length);
    for (let i = 0; i < merged.length; i++) out[i] = byName.get(merged[i]) as Pod;
    return out;
  }
}

function keyOf(o: Service): string {
  return `${o.metadata.namespace}/${o.metadata.name}`;
}

function withoutResourceVersion(s: EndpointSlice): EndpointSlice {
  if (s.metadata.resourceVersion === undefined) return s;
  const { resourceVersion: _rv, ...metadata } = s.metadata;
  return { ...s, metadata };
}
