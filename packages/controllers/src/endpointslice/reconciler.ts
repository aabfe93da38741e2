/**
 * The EndpointSlice controller's reconcile step for one Service, as a pure function:
 * given the selected pods and the Service's current EndpointSlices, which slices to
 * create, update and delete.
 *
 * Mirrors `staging/src/k8s.io/endpointslice/reconciler.go` (Reconcile,
 * reconcileByAddressType, reconcileByPortMapping, finalize) and
 * `staging/src/k8s.io/endpointslice/utils.go` (newEndpointSlice, getSliceToFill,
 * setEndpointSliceLabels, ownedBy). Behaviour reference: spec §6.2–6.3.
 *
 * **Not modelled (yet).**
 * - Dual-stack: only address type `IPv4` is reconciled; pods' IPv6 addresses are ignored
 *   and existing slices of any other address type are deleted (as upstream deletes slices
 *   of address types the Service no longer has in `spec.ipFamilies`).
 * - Topology hints (spec §6.4) are a separate step ({@link EndpointSliceReconcileInput.hints},
 *   topology-cache.ts), run before finalize as upstream does.
 * - Services without a selector: the controller never calls this function for them
 *   (upstream `syncService` returns early for a nil selector, and an empty selector is
 *   dropped to nil by the API server), so they keep whatever slices they have.
 *
 * @packageDocumentation
 */

import type { Endpoint, EndpointPort, EndpointSlice, Node, ObjectMeta, OwnerReference, Pod, Service } from "@kube-netsim/model";
import { ENDPOINTSLICE_CONTROLLER_NAME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, LABEL_ZONE } from "@kube-netsim/model";
import { endpointKey, endpointsEqualBeyondHash, portMapKey } from "./endpoint-hash.js";
import { endpointPortsForPod, podToEndpoint, shouldPodBeInEndpoints } from "./pod-to-endpoint.js";
import type { HintsSliceInfo } from "./topology-cache.js";

/**
 * Default `--max-endpoints-per-slice` of kube-controller-manager
 * (`pkg/controller/endpointslice/config/v1alpha1/defaults.go`); valid values are 1..1000.
 *
 * @example
 * ```ts
 * // 250 ready pods behind one Service port:
 * reconcileEndpointSlices({ ...input, maxEndpointsPerSlice: DEFAULT_MAX_ENDPOINTS_PER_SLICE }).create.map((s) => s.endpoints.length);
 * // [100, 100, 50]
 * ```
 */
export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;

/**
 * Largest valid `--max-endpoints-per-slice` (`pkg/controller/endpointslice/config/validation`).
 *
 * @example
 * ```ts
 * MAX_MAX_ENDPOINTS_PER_SLICE; // 1000
 * new EndpointSliceController(store, later, { maxEndpointsPerSlice: 1001, random });
 * // throws RangeError "maxEndpointsPerSlice: Invalid value: 1001: must be an integer between 1 and 1000"
 * ```
 */
export const MAX_MAX_ENDPOINTS_PER_SLICE = 1000;

/**
 * Annotation the EndpointSlice controller writes on every slice it creates or updates:
 * the time of the last pod/Service change that triggered the write
 * (`v1.EndpointsLastChangeTriggerTime`, written by `utils.go` addTriggerTimeAnnotation).
 * kube-proxy reads it for its network-programming-latency metric.
 *
 * @example
 * ```ts
 * const slice = reconcileEndpointSlices({ ...input, now: 1000 }).create[0];
 * slice.metadata.annotations?.[ANNOTATION_LAST_CHANGE_TRIGGER_TIME]; // "1970-01-01T00:00:01Z" (RFC3339Nano, virtual 0 = the Unix epoch)
 * ```
 */
export const ANNOTATION_LAST_CHANGE_TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";

/**
 * Label put on the EndpointSlices of a headless Service (`clusterIP: None`), with value
 * `""` (`v1.IsHeadlessService`, set by `utils.go` setEndpointSliceLabels).
 *
 * @example
 * ```ts
 * // A Service with clusterIP: "None":
 * reconcileEndpointSlices({ ...input, service: headless }).create[0].metadata.labels?.[LABEL_HEADLESS_SERVICE]; // ""
 * ```
 */
export const LABEL_HEADLESS_SERVICE = "service.kubernetes.io/headless";

/**
 * Input of {@link reconcileEndpointSlices}: everything one Service's reconcile looks at.
 *
 * @example
 * ```ts
 * let n = 0;
 * const input: EndpointSliceReconcileInput = {
 *   service,                                    // Service "web", selector app=web, port 80 -> targetPort 8080
 *   pods: selectedPods,                         // sorted by name
 *   nodes: new Map([["node-a", nodeA]]),        // nodeA labelled topology.kubernetes.io/zone=zone-a
 *   existingSlices: [],
 *   maxEndpointsPerSlice: DEFAULT_MAX_ENDPOINTS_PER_SLICE,
 *   now: scheduler.now,
 *   newSliceName: () => `web-${String(++n).padStart(5, "0")}`,
 * };
 * const { create, update, delete: stale } = reconcileEndpointSlices(input);
 * ```
 */
export interface EndpointSliceReconcileInput {
  /** The Service (`metadata.uid`, `namespace`, `labels`, `spec.ports`, `spec.publishNotReadyAddresses`, `spec.clusterIP`). */
  readonly service: Service;
  /**
   * Pods selected by the Service selector in the Service's namespace, sorted by name by
   * the caller. New endpoints are placed into slices in this order.
   */
  readonly pods: readonly Pod[];
  /** Nodes by name; a pod's zone comes from its node's `topology.kubernetes.io/zone` label. */
  readonly nodes: ReadonlyMap<string, Node>;
  /**
   * EndpointSlices labelled `kubernetes.io/service-name=<service>` in the namespace. Slices
   * not labelled `endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io`
   * and slices being deleted (`metadata.deletionTimestamp` set) are ignored, as upstream
   * lists by both labels and drops slices pending deletion.
   */
  readonly existingSlices: readonly EndpointSlice[];
  /** `--max-endpoints-per-slice`: default {@link DEFAULT_MAX_ENDPOINTS_PER_SLICE}, an integer in 1..1000. */
  readonly maxEndpointsPerSlice: number;
  /** Virtual time (ms), written as {@link ANNOTATION_LAST_CHANGE_TRIGGER_TIME} on written slices. */
  readonly now: number;
  /**
   * Returns the name of the next slice to create, `"<service>-xxxxx"` (the API server's
   * `generateName` suffix). Called once per created slice, in the order of
   * {@link EndpointSliceReconcileResult.create}, and never for a slice that reuses the
   * name of a slice that would otherwise be deleted.
   */
  readonly newSliceName: () => string;
  /**
   * The hints step (reconciler.go, before finalize): re-hints the endpoints of the slices
   * to write and may promote unchanged slices to updates. Absent: hints are left as the
   * packing step produced them.
   */
  readonly hints?: (si: HintsSliceInfo) => void;
}

/**
 * The API writes one reconcile decides on. The controller issues them in the order
 * creates, then updates, then deletes (`reconciler.go` finalize).
 *
 * @example
 * ```ts
 * const r: EndpointSliceReconcileResult = reconcileEndpointSlices(input);
 * for (const s of r.create) store.create(s);
 * for (const s of r.update) store.update(s);
 * for (const s of r.delete) store.delete("EndpointSlice", s.metadata.namespace, s.metadata.name);
 * ```
 */
export interface EndpointSliceReconcileResult {
  /** New slices, named by `newSliceName()`, with `generateName: "<service>-"`. */
  readonly create: readonly EndpointSlice[];
  /** Replacements for existing slices (same `metadata.name`). */
  readonly update: readonly EndpointSlice[];
  /** Existing slices to delete, as they were given. */
  readonly delete: readonly EndpointSlice[];
}

/** The working copy of one slice during a reconcile. */
interface WorkingSlice {
  /** The existing slice this copy was made from; `undefined` for a slice to create. */
  readonly existing: EndpointSlice | undefined;
  metadata: ObjectMeta;
  readonly ports: readonly EndpointPort[] | undefined;
  readonly endpoints: Endpoint[];
}

/** What the pods of one port map key want. */
interface DesiredGroup {
  readonly ports: readonly EndpointPort[];
  /**
   * Desired endpoints by {@link endpointKey}. Upstream's EndpointSet is a Go map that
   * `PopAny` empties in random order; this Map keeps pod order, so endpoints are placed
   * in the order the caller sorted the pods in.
   */
  readonly desired: Map<string, Endpoint>;
}

/** What {@link reconcileByPortMapping} decides for one port map key. */
interface PortMappingResult {
  readonly create: WorkingSlice[];
  readonly update: WorkingSlice[];
  readonly delete: EndpointSlice[];
}

function compareNames(a: EndpointSlice, b: EndpointSlice): number {
  const x = a.metadata.name;
  const y = b.metadata.name;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `utils.go` ownedBy: an ownerReference with the Service's uid, kind Service, apiVersion v1. */
function ownedBy(slice: EndpointSlice, service: Service): boolean {
  const uid = service.metadata.uid ?? "";
  return (slice.metadata.ownerReferences ?? []).some(
    (o) => o.uid === uid && o.kind === "Service" && o.apiVersion === "v1",
  );
}

/** `utils.go` isReservedLabelKey: labels the controller owns on slices. */
function isReservedLabel(key: string): boolean {
  return key === LABEL_SERVICE_NAME || key === LABEL_MANAGED_BY || key === LABEL_HEADLESS_SERVICE;
}

function withoutReservedLabels(labels: Readonly<Record<string, string>> | undefined): Map<string, string> {
  const result = new Map<string, string>();
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (!isReservedLabel(key)) result.set(key, value);
  }
  return result;
}

/**
 * `utils.go` setEndpointSliceLabels: the labels a slice of `service` must have (Service
 * labels minus reserved ones, plus `service.kubernetes.io/headless` for a headless
 * Service, `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by`), and
 * whether the slice's non-reserved labels differ from the Service's (changes of the
 * reserved labels alone never cause an update).
 */
function sliceLabels(
  slice: EndpointSlice | undefined,
  service: Service,
): { readonly labels: Record<string, string>; readonly changed: boolean } {
  const sliceOwn = withoutReservedLabels(slice?.metadata.labels);
  const serviceOwn = withoutReservedLabels(service.metadata.labels);
  let changed = sliceOwn.size !== serviceOwn.size;
  if (!changed) {
    for (const [key, value] of serviceOwn) {
      if (sliceOwn.get(key) !== value) {
        changed = true;
        break;
      }
    }
  }
  const labels: Record<string, string> = Object.fromEntries(serviceOwn);
  // isServiceIPSet is false for "None" and ""; in kube-netsim an absent clusterIP means
  // "allocated by the store", so only an explicit "None" makes the Service headless here.
  if (service.spec.clusterIP === "None") labels[LABEL_HEADLESS_SERVICE] = "";
  labels[LABEL_SERVICE_NAME] = service.metadata.name;
  labels[LABEL_MANAGED_BY] = ENDPOINTSLICE_CONTROLLER_NAME;
  return { labels, changed };
}

/**
 * `utils.go` newEndpointSlice: an empty slice for `service` with the given ports. The
 * name is given later (by `newSliceName()` or by finalize); `generateName` is
 * `"<service>-"` as upstream's getEndpointSlicePrefix.
 */
function newWorkingSlice(service: Service, ports: readonly EndpointPort[]): WorkingSlice {
  const owner: OwnerReference = {
    apiVersion: "v1",
    kind: "Service",
    name: service.metadata.name,
    uid: service.metadata.uid ?? "",
    controller: true,
  };
  return {
    existing: undefined,
    metadata: {
      name: "",
      generateName: `${service.metadata.name}-`,
      namespace: service.metadata.namespace ?? "default",
      labels: sliceLabels(undefined, service).labels,
      ownerReferences: [owner],
    },
    ports: [...ports],
    endpoints: [],
  };
}

function copyOf(slice: EndpointSlice): WorkingSlice {
  return { existing: slice, metadata: slice.metadata, ports: slice.ports, endpoints: [...slice.endpoints] };
}

function toEndpointSlice(w: WorkingSlice): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: w.metadata,
    addressType: "IPv4",
    endpoints: w.endpoints,
    ...(w.ports !== undefined ? { ports: w.ports } : {}),
  };
}

/** Moves endpoints from the front of `desired` (pod order) into `slice` until it is full. */
function fill(slice: WorkingSlice, desired: Map<string, Endpoint>, max: number): void {
  for (const [key, endpoint] of desired) {
    if (slice.endpoints.length >= max) return;
    slice.endpoints.push(endpoint);
    desired.delete(key);
  }
}

/**
 * `utils.go` getSliceToFill: the slice that will be closest to full once `count` endpoints
 * are added, i.e. the smallest non-negative `max - (count + len)`; the first such slice in
 * the given order wins ties, and an exact fit stops the search. `undefined` if none fits.
 */
function getSliceToFill(slices: readonly WorkingSlice[], count: number, max: number): WorkingSlice | undefined {
  let closestDiff = max;
  let closest: WorkingSlice | undefined;
  for (const slice of slices) {
    const diff = max - (count + slice.endpoints.length);
    if (diff >= 0 && diff < closestDiff) {
      closestDiff = diff;
      closest = slice;
      if (diff === 0) break;
    }
  }
  return closest;
}

/**
 * `reconciler.go` reconcileByPortMapping for one port map key (spec §6.3 steps 1–3).
 * `existing` is in name order: upstream iterates name sets (Go maps, random order) in
 * steps 2 and 3; we iterate in name order instead, and fill in pod order.
 */
function reconcileByPortMapping(
  service: Service,
  existing: readonly EndpointSlice[],
  group: DesiredGroup,
  max: number,
): PortMappingResult {
  const desired = group.desired;
  const byName = new Map<string, WorkingSlice>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete: EndpointSlice[] = [];

  // 1. Keep the endpoints still desired (in their desired version); a slice that lost or
  //    changed an endpoint is updated (deleted if now empty); else a label change updates
  //    it; else it is unchanged. Matched endpoints leave the desired set.
  for (const slice of existing) {
    const kept: Endpoint[] = [];
    let endpointUpdated = false;
    for (const endpoint of slice.endpoints) {
      const key = endpointKey(endpoint);
      const want = desired.get(key);
      if (want === undefined) continue;
      kept.push(want);
      if (!endpointsEqualBeyondHash(want, endpoint)) endpointUpdated = true;
      desired.delete(key);
    }
    const { labels, changed: labelsChanged } = sliceLabels(slice, service);
    const name = slice.metadata.name;
    if (endpointUpdated || kept.length !== slice.endpoints.length) {
      if (kept.length === 0) {
        toDelete.push(slice);
      } else {
        byName.set(name, { existing: slice, metadata: { ...slice.metadata, labels }, ports: slice.ports, endpoints: kept });
        toUpdate.add(name);
      }
    } else if (labelsChanged) {
      byName.set(name, { ...copyOf(slice), metadata: { ...slice.metadata, labels } });
      toUpdate.add(name);
    } else {
      byName.set(name, copyOf(slice));
      unchanged.add(name);
    }
  }

  // 2. Fill the slices already being updated, fullest first (stable: name order on ties).
  if (desired.size > 0 && toUpdate.size > 0) {
    const slices = [...toUpdate].map((n) => byName.get(n) as WorkingSlice);
    slices.sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const slice of slices) fill(slice, desired, max);
  }

  // 3. Remaining endpoints go into the unchanged slice closest to full when ALL of them fit
  //    in one (and fewer than max remain), else into new slices.
  const toCreate: WorkingSlice[] = [];
  while (desired.size > 0) {
    let target: WorkingSlice | undefined;
    if (desired.size < max && unchanged.size > 0) {
      const candidates = [...unchanged].map((n) => byName.get(n) as WorkingSlice);
      target = getSliceToFill(candidates, desired.size, max);
    }
    if (target === undefined) {
      target = newWorkingSlice(service, group.ports);
      fill(target, desired, max);
      toCreate.push(target);
    } else {
      fill(target, desired, max);
      const name = target.metadata.name;
      toUpdate.add(name);
      unchanged.delete(name);
    }
  }

  const update = [...toUpdate].sort().map((n) => byName.get(n) as WorkingSlice);
  return { create: toCreate, update, delete: toDelete };
}

/**
 * `reconciler.go` placeholderSliceCompare: the fields that make an existing slice
 * "the same placeholder" (namespace, labels, ownerReferences, address type, no ports, no
 * endpoints).
 */
function isSamePlaceholder(slice: EndpointSlice, placeholder: WorkingSlice): boolean {
  const a = slice.metadata;
  const b = placeholder.metadata;
  if ((a.namespace ?? "default") !== b.namespace) return false;
  const la = a.labels ?? {};
  const lb = b.labels ?? {};
  const ka = Object.keys(la);
  if (ka.length !== Object.keys(lb).length || ka.some((k) => la[k] !== lb[k])) return false;
  const oa = a.ownerReferences ?? [];
  const ob = b.ownerReferences ?? [];
  if (oa.length !== ob.length) return false;
  for (let i = 0; i < oa.length; i++) {
    const x = oa[i];
    const y = ob[i];
    if (
      x.apiVersion !== y.apiVersion ||
      x.kind !== y.kind ||
      x.name !== y.name ||
      x.uid !== y.uid ||
      x.controller !== y.controller
    ) {
      return false;
    }
  }
  return slice.addressType === "IPv4" && slice.endpoints.length === 0 && (slice.ports ?? []).length === 0;
}

/** A pod's endpoint (and its key) for one Service and zone, kept while the pod object is the same. */
interface EndpointOfPod {
  readonly serviceNamespace: string | undefined;
  readonly serviceName: string;
  readonly publishNotReady: boolean;
  readonly zone: string | undefined;
  readonly endpoint: Endpoint;
  readonly key: string;
}

// The store's pods are frozen and replaced on every write, so a frozen pod object whose
// endpoint was built before gets the same endpoint again while the inputs
// beyond the pod (its node's zone, the Service's name and publishNotReadyAddresses) are
// the same. Endpoints are never mutated once built (hints replace them), so sharing is safe.
const endpointsOfPods = new WeakMap<Pod, EndpointOfPod>();

function endpointOf(pod: Pod, node: Node | undefined, service: Service): EndpointOfPod {
  const zone = node === undefined ? undefined : (node.metadata.labels?.[LABEL_ZONE] ?? "");
  const publishNotReady = service.spec.publishNotReadyAddresses === true;
  const known = endpointsOfPods.get(pod);
  if (
    known !== undefined &&
    known.zone === zone &&
    known.serviceName === service.metadata.name &&
    known.serviceNamespace === service.metadata.namespace &&
    known.publishNotReady === publishNotReady
  ) {
    return known;
  }
  const endpoint = podToEndpoint(pod, node, service);
  const made: EndpointOfPod = {
    serviceNamespace: service.metadata.namespace,
    serviceName: service.metadata.name,
    publishNotReady,
    zone,
    endpoint,
    key: endpointKey(endpoint),
  };
  if (Object.isFrozen(pod)) endpointsOfPods.set(pod, made);
  return made;
}

function withTriggerTime(metadata: ObjectMeta, now: number): ObjectMeta {
  return { ...metadata, annotations: { ...metadata.annotations, [ANNOTATION_LAST_CHANGE_TRIGGER_TIME]: formatTriggerTime(now) } };
}

/**
 * The annotation's value as upstream writes it, `time.RFC3339Nano` in UTC (trailing zeros of
 * the fraction dropped), with the virtual clock's 0 at the Unix epoch: 1000 ms is
 * `1970-01-01T00:00:01Z`, 1500.25 ms `1970-01-01T00:00:01.50025Z`.
 */
function formatTriggerTime(ms: number): string {
  const whole = Math.floor(ms);
  const iso = new Date(whole).toISOString(); // 1970-01-01T00:00:01.500Z (pure: no clock read)
  const nanos = Math.round((ms - whole) * 1e6) + (whole % 1000) * 1e6;
  const fraction = nanos === 0 ? "" : `.${String(nanos).padStart(9, "0").replace(/0+$/, "")}`;
  return `${iso.slice(0, 19)}${fraction}Z`;
}

/**
 * Reconciles the EndpointSlices of one Service with its selected pods: the EndpointSlice
 * controller's `Reconcile` for address type IPv4, without the API calls.
 *
 * @remarks
 * Steps (spec §6.2–6.3; `staging/src/k8s.io/endpointslice/reconciler.go`):
 * 1. **Desired endpoints.** Pods that {@link shouldPodBeInEndpoints} (terminal and IP-less
 *    pods out, terminating pods in) are grouped by their resolved port list
 *    ({@link endpointPortsForPod}, port map key). A pod whose node is not in `nodes` is
 *    skipped unless `publishNotReadyAddresses` (upstream also requeues the Service with an
 *    error; we just skip). Each pod becomes {@link podToEndpoint}.
 * 2. **Packing per port map key** (reconcileByPortMapping): existing slices keep their
 *    still-desired endpoints; a slice that lost or changed an endpoint is updated, or
 *    deleted when empty; remaining endpoints first fill the slices being updated (fullest
 *    first), then go into the unchanged slice closest to full only when all of them fit
 *    in it, else into new slices of up to `maxEndpointsPerSlice`. Existing slices are never
 *    rebalanced or compacted.
 * 3. Slices whose port map key is no longer desired, and slices not owned by the Service
 *    (ownerReference uid), are deleted; slices of another address type too.
 * 4. **Placeholder.** If every existing slice would be deleted and nothing created, one
 *    placeholder slice (no ports, no endpoints) is created, or an existing identical
 *    placeholder is kept untouched.
 * 5. **finalize.** Each pending delete of an owned IPv4 slice is paired with the LAST
 *    pending create: the create becomes an update that reuses the deleted slice's name (and
 *    `uid`/`creationTimestamp`, which the API server keeps on update); its content is the
 *    new slice's. Creates are dropped if the Service has a `deletionTimestamp`. Created and
 *    updated slices get annotation {@link ANNOTATION_LAST_CHANGE_TRIGGER_TIME} =
 *    `String(now)` (upstream writes an RFC3339Nano timestamp; kube-netsim's clock is
 *    virtual milliseconds).
 *
 * **Determinism.** Upstream pops endpoints from a Go map and iterates slice-name sets in
 * random order. Here endpoints are placed in the order of `pods`, existing slices are
 * considered in name order, port map groups in order of their first pod, and updates and
 * deletes are listed in name order within each group. `resourceVersion` is never set (the
 * store does); updates of an existing slice carry the `resourceVersion` they were read with.
 *
 * @throws RangeError if `maxEndpointsPerSlice` is not an integer in 1..1000.
 * @example
 * ```ts
 * let n = 0;
 * const result = reconcileEndpointSlices({
 *   service, pods, nodes, existingSlices: [], maxEndpointsPerSlice: 100, now: 0,
 *   newSliceName: () => `web-${String(++n).padStart(5, "0")}`,
 * });
 * // 250 ready pods => result.create holds slices of 100, 100 and 50 endpoints
 * ```
 */
export function reconcileEndpointSlices(input: EndpointSliceReconcileInput): EndpointSliceReconcileResult {
  const { service, pods, nodes, now, newSliceName } = input;
  const max = input.maxEndpointsPerSlice;
  if (!Number.isInteger(max) || max < 1 || max > MAX_MAX_ENDPOINTS_PER_SLICE) {
    throw new RangeError(`maxEndpointsPerSlice must be an integer in 1..${MAX_MAX_ENDPOINTS_PER_SLICE}, got ${max}`);
  }

  // pkg/controller/endpointslice/endpointslice_controller.go syncService: list by
  // service-name AND managed-by labels, then dropEndpointSlicesPendingDeletion.
  const managed = input.existingSlices
    .filter(
      (s) =>
        s.metadata.labels?.[LABEL_MANAGED_BY] === ENDPOINTSLICE_CONTROLLER_NAME &&
        s.metadata.deletionTimestamp === undefined,
    )
    .sort(compareNames);

  // reconciler.go Reconcile: slices of an address type the Service does not have are
  // deleted (only IPv4 is modelled).
  const otherAddressType = managed.filter((s) => s.addressType !== "IPv4");
  const existing = managed.filter((s) => s.addressType === "IPv4");

  // reconciler.go reconcileByAddressType.
  let toDelete: EndpointSlice[] = [];
  const existingByPortMap = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    if (!ownedBy(slice, service)) {
      toDelete.push(slice);
      continue;
    }
    const key = portMapKey(slice.ports);
    const list = existingByPortMap.get(key);
    if (list === undefined) existingByPortMap.set(key, [slice]);
    else list.push(slice);
  }

  const groups = new Map<string, DesiredGroup>();
  // With numeric target ports every pod gets the same port list: resolve it once.
  const samePorts = (service.spec.ports ?? []).every((p) => typeof (p.targetPort ?? p.port) === "number");
  let sharedPorts: readonly EndpointPort[] | undefined;
  let sharedKey = "";
  const publishNotReady = service.spec.publishNotReadyAddresses === true;
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    let ports: readonly EndpointPort[];
    let key: string;
    if (samePorts && sharedPorts !== undefined) {
      ports = sharedPorts;
      key = sharedKey;
    } else {
      ports = endpointPortsForPod(service, pod);
      key = portMapKey(ports);
      if (samePorts) {
        sharedPorts = ports;
        sharedKey = key;
      }
    }
    let group = groups.get(key);
    // Upstream registers the port map before the node check, so a group may stay empty.
    if (group === undefined) {
      group = { ports, desired: new Map() };
      groups.set(key, group);
    }
    const node = nodes.get(pod.spec.nodeName ?? "");
    if (node === undefined && !publishNotReady) continue;
    const { endpoint, key: endpointKeyOfPod } = endpointOf(pod, node, service);
    if (endpoint.addresses.length > 0) group.desired.set(endpointKeyOfPod, endpoint);
  }

  let toCreate: WorkingSlice[] = [];
  const toUpdate: WorkingSlice[] = [];
  for (const [key, group] of groups) {
    const r = reconcileByPortMapping(service, existingByPortMap.get(key) ?? [], group, max);
    toCreate.push(...r.create);
    toUpdate.push(...r.update);
    toDelete.push(...r.delete);
  }
  for (const [key, slices] of existingByPortMap) {
    if (!groups.has(key)) toDelete.push(...slices);
  }

  // Placeholder: a Service with no endpoints still has one (empty) slice.
  if (existing.length === toDelete.length && toCreate.length === 0) {
    const placeholder = newWorkingSlice(service, []);
    if (toDelete.length === 1 && isSamePlaceholder(toDelete[0], placeholder)) {
      toDelete = [];
    } else {
      toCreate.push(placeholder);
    }
  }

  // reconciler.go reconcileByAddressType: topology hints, on the slices to write and the unchanged ones.
  if (input.hints !== undefined) {
    const written = new Set([...toUpdate, ...toDelete.map((d) => ({ metadata: d.metadata }))].map((w) => w.metadata.name));
    const unchanged = existing.filter((e) => !written.has(e.metadata.name));
    const promoted = new Map<string, WorkingSlice>();
    input.hints({
      toCreate,
      toUpdate,
      unchanged,
      promote: (slice) => {
        let w = promoted.get(slice.metadata.name);
        if (w === undefined) {
          w = copyOf(slice);
          promoted.set(slice.metadata.name, w);
          toUpdate.push(w);
        }
        return w;
      },
    });
  }

  // reconciler.go finalize: turn delete+create pairs into updates (names stay stable).
  for (let i = 0; i < toDelete.length && toCreate.length > 0; ) {
    const doomed = toDelete[i];
    if (doomed.addressType === "IPv4" && ownedBy(doomed, service)) {
      const replacement = toCreate.pop() as WorkingSlice;
      const m = doomed.metadata;
      replacement.metadata = {
        ...replacement.metadata,
        name: m.name,
        ...(m.uid !== undefined ? { uid: m.uid } : {}),
        ...(m.creationTimestamp !== undefined ? { creationTimestamp: m.creationTimestamp } : {}),
      };
      toUpdate.push(replacement);
      toDelete.splice(i, 1);
    } else {
      i++;
    }
  }

  // Don't create slices for a Service pending deletion (race with the garbage collector).
  if (service.metadata.deletionTimestamp !== undefined) toCreate = [];

  const create = toCreate.map((w) =>
    toEndpointSlice({ ...w, metadata: withTriggerTime({ ...w.metadata, name: newSliceName() }, now) }),
  );
  const update = toUpdate.map((w) => toEndpointSlice({ ...w, metadata: withTriggerTime(w.metadata, now) }));
  return { create, update, delete: [...toDelete, ...otherAddressType] };
}
