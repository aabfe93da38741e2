/**
 * Strict field validation: the fields that exist in the Kubernetes API for the kinds
 * kube-netsim reads from manifests, and {@link validateKnownFields}, which reports every
 * other field the way the API server's strict decoding does (server-side field
 * validation, KEP-2885; `kubectl apply --validate=strict`, the default since 1.27).
 *
 * Field names are the JSON names of the upstream Go types:
 * kubernetes/api `core/v1/types.go` (Pod, PodSpec, Container, Probe, Service, Node,
 * Namespace, ...), `apps/v1/types.go` (Deployment, ReplicaSet), `discovery/v1/types.go`
 * (EndpointSlice), `networking/v1/types.go` (Ingress) and apimachinery
 * `pkg/apis/meta/v1/types.go` (TypeMeta, ObjectMeta, ListMeta, LabelSelector, Condition).
 * The error text follows apimachinery `pkg/runtime/error.go` (`strictDecodingError`:
 * `strict decoding error: unknown field "spec.ports[0].targetport"`) and the field paths
 * sigs.k8s.io/json's `UnmarshalCaseSensitivePreserveInts` with `DisallowUnknownFields`.
 *
 * @packageDocumentation
 */

import { fieldUnknown, isObject } from "./field-error.js";
import type { FieldError } from "./field-error.js";

/**
 * How one field's value is checked: {@link V} (not walked: a scalar, a list of scalars,
 * a map with arbitrary keys, or an object accepted as an opaque map), a nested object's
 * fields, or a one-element array `[fields]` for a list of such objects.
 */
type FieldShape = typeof V | Fields | readonly [Fields];

/** The fields of one API type, by JSON name. */
interface Fields {
  readonly [json: string]: FieldShape;
}

/** A value that is not walked (scalars, lists of scalars, opaque objects). */
const V = 0;
/** A map whose keys are data, not field names (labels, annotations, selectors, resource lists): any key. */
const MAP = V;

// --- apimachinery pkg/apis/meta/v1/types.go --------------------------------------------

const ownerReference: Fields = { apiVersion: V, kind: V, name: V, uid: V, controller: V, blockOwnerDeletion: V };

const managedFieldsEntry: Fields = { manager: V, operation: V, apiVersion: V, time: V, fieldsType: V, fieldsV1: MAP, subresource: V };

const objectMeta: Fields = {
  name: V,
  generateName: V,
  namespace: V,
  selfLink: V,
  uid: V,
  resourceVersion: V,
  generation: V,
  creationTimestamp: V,
  deletionTimestamp: V,
  deletionGracePeriodSeconds: V,
  labels: MAP,
  annotations: MAP,
  ownerReferences: [ownerReference],
  finalizers: V,
  managedFields: [managedFieldsEntry],
};

const listMeta: Fields = { selfLink: V, resourceVersion: V, continue: V, remainingItemCount: V };

const labelSelector: Fields = {
  matchLabels: MAP,
  matchExpressions: [{ key: V, operator: V, values: V }],
};

/** metav1.Condition (Service status). */
const metaCondition: Fields = { type: V, status: V, observedGeneration: V, lastTransitionTime: V, reason: V, message: V };

// --- core/v1/types.go: containers ------------------------------------------------------

const objectReference: Fields = { kind: V, namespace: V, name: V, uid: V, apiVersion: V, resourceVersion: V, fieldPath: V };
const localObjectReference: Fields = { name: V };

const keySelector: Fields = { name: V, key: V, optional: V };

const envVar: Fields = {
  name: V,
  value: V,
  valueFrom: {
    fieldRef: { apiVersion: V, fieldPath: V },
    resourceFieldRef: { containerName: V, resource: V, divisor: V },
    configMapKeyRef: keySelector,
    secretKeyRef: keySelector,
    fileKeyRef: { volumeName: V, path: V, key: V, optional: V },
  },
};

const envFromSource: Fields = {
  prefix: V,
  configMapRef: { name: V, optional: V },
  secretRef: { name: V, optional: V },
};

const resourceRequirements: Fields = { limits: MAP, requests: MAP, claims: [{ name: V, request: V }] };

const httpGetAction: Fields = { path: V, port: V, host: V, scheme: V, httpHeaders: [{ name: V, value: V }] };
const tcpSocketAction: Fields = { port: V, host: V };
const execAction: Fields = { command: V };

const probe: Fields = {
  // ProbeHandler (inlined)
  exec: execAction,
  httpGet: httpGetAction,
  tcpSocket: tcpSocketAction,
  grpc: { port: V, service: V },
  initialDelaySeconds: V,
  timeoutSeconds: V,
  periodSeconds: V,
  successThreshold: V,
  failureThreshold: V,
  terminationGracePeriodSeconds: V,
};

const lifecycleHandler: Fields = { exec: execAction, httpGet: httpGetAction, tcpSocket: tcpSocketAction, sleep: { seconds: V } };

const seLinuxOptions: Fields = { user: V, role: V, type: V, level: V };
const windowsOptions: Fields = { gmsaCredentialSpecName: V, gmsaCredentialSpec: V, runAsUserName: V, hostProcess: V };
const profile: Fields = { type: V, localhostProfile: V };

const securityContext: Fields = {
  capabilities: { add: V, drop: V },
  privileged: V,
  seLinuxOptions,
  windowsOptions,
  runAsUser: V,
  runAsGroup: V,
  runAsNonRoot: V,
  readOnlyRootFilesystem: V,
  allowPrivilegeEscalation: V,
  procMount: V,
  seccompProfile: profile,
  appArmorProfile: profile,
};

const container: Fields = {
  name: V,
  image: V,
  command: V,
  args: V,
  workingDir: V,
  ports: [{ name: V, hostPort: V, containerPort: V, protocol: V, hostIP: V }],
  envFrom: [envFromSource],
  env: [envVar],
  resources: resourceRequirements,
  resizePolicy: [{ resourceName: V, restartPolicy: V }],
  restartPolicy: V,
  restartPolicyRules: [{ action: V, exitCodes: { operator: V, values: V } }],
  volumeMounts: [{ name: V, readOnly: V, recursiveReadOnly: V, mountPath: V, subPath: V, mountPropagation: V, subPathExpr: V }],
  volumeDevices: [{ name: V, devicePath: V }],
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  lifecycle: { postStart: lifecycleHandler, preStop: lifecycleHandler, stopSignal: V },
  terminationMessagePath: V,
  terminationMessagePolicy: V,
  imagePullPolicy: V,
  securityContext,
  stdin: V,
  stdinOnce: V,
  tty: V,
};

/** EphemeralContainer: EphemeralContainerCommon (the Container fields) and targetContainerName. */
const ephemeralContainer: Fields = { ...container, targetContainerName: V };

// --- core/v1/types.go: PodSpec -----------------------------------------------------------

/**
 * Volume: its name and one volume source. A source's own fields (hostPath.path,
 * configMap.items, csi.driver, ...) are accepted as an opaque map: kube-netsim does not
 * model storage, and listing the ~30 sources' fields would dwarf the rest of this file.
 */
const volume: Fields = {
  name: V,
  hostPath: V,
  emptyDir: V,
  gcePersistentDisk: V,
  awsElasticBlockStore: V,
  gitRepo: V,
  secret: V,
  nfs: V,
  iscsi: V,
  glusterfs: V,
  persistentVolumeClaim: V,
  rbd: V,
  flexVolume: V,
  cinder: V,
  cephfs: V,
  flocker: V,
  downwardAPI: V,
  fc: V,
  azureFile: V,
  configMap: V,
  vsphereVolume: V,
  quobyte: V,
  azureDisk: V,
  photonPersistentDisk: V,
  projected: V,
  portworxVolume: V,
  scaleIO: V,
  storageos: V,
  csi: V,
  ephemeral: V,
  image: V,
};

const nodeSelectorRequirement: Fields = { key: V, operator: V, values: V };
const nodeSelectorTerm: Fields = { matchExpressions: [nodeSelectorRequirement], matchFields: [nodeSelectorRequirement] };

const podAffinityTerm: Fields = {
  labelSelector,
  namespaces: V,
  topologyKey: V,
  namespaceSelector: labelSelector,
  matchLabelKeys: V,
  mismatchLabelKeys: V,
};

const podAffinity: Fields = {
  requiredDuringSchedulingIgnoredDuringExecution: [podAffinityTerm],
  preferredDuringSchedulingIgnoredDuringExecution: [{ weight: V, podAffinityTerm }],
};

const affinity: Fields = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [nodeSelectorTerm] },
    preferredDuringSchedulingIgnoredDuringExecution: [{ weight: V, preference: nodeSelectorTerm }],
  },
  podAffinity,
  podAntiAffinity: podAffinity,
};

const podSecurityContext: Fields = {
  seLinuxOptions,
  windowsOptions,
  runAsUser: V,
  runAsGroup: V,
  runAsNonRoot: V,
  supplementalGroups: V,
  supplementalGroupsPolicy: V,
  fsGroup: V,
  sysctls: [{ name: V, value: V }],
  fsGroupChangePolicy: V,
  seccompProfile: profile,
  appArmorProfile: profile,
  seLinuxChangePolicy: V,
};

const podSpec: Fields = {
  volumes: [volume],
  initContainers: [container],
  containers: [container],
  ephemeralContainers: [ephemeralContainer],
  restartPolicy: V,
  terminationGracePeriodSeconds: V,
  activeDeadlineSeconds: V,
  dnsPolicy: V,
  nodeSelector: MAP,
  serviceAccountName: V,
  serviceAccount: V,
  automountServiceAccountToken: V,
  nodeName: V,
  hostNetwork: V,
  hostPID: V,
  hostIPC: V,
  shareProcessNamespace: V,
  securityContext: podSecurityContext,
  imagePullSecrets: [localObjectReference],
  hostname: V,
  subdomain: V,
  affinity,
  schedulerName: V,
  tolerations: [{ key: V, operator: V, value: V, effect: V, tolerationSeconds: V }],
  hostAliases: [{ ip: V, hostnames: V }],
  priorityClassName: V,
  priority: V,
  dnsConfig: { nameservers: V, searches: V, options: [{ name: V, value: V }] },
  readinessGates: [{ conditionType: V }],
  runtimeClassName: V,
  enableServiceLinks: V,
  preemptionPolicy: V,
  overhead: MAP,
  topologySpreadConstraints: [
    {
      maxSkew: V,
      topologyKey: V,
      whenUnsatisfiable: V,
      labelSelector,
      minDomains: V,
      nodeAffinityPolicy: V,
      nodeTaintsPolicy: V,
      matchLabelKeys: V,
    },
  ],
  setHostnameAsFQDN: V,
  os: { name: V },
  hostUsers: V,
  schedulingGates: [{ name: V }],
  resourceClaims: [{ name: V, resourceClaimName: V, resourceClaimTemplateName: V }],
  resources: resourceRequirements,
  hostnameOverride: V,
};

const podTemplateSpec: Fields = { metadata: objectMeta, spec: podSpec };

// --- core/v1/types.go: PodStatus ---------------------------------------------------------

const containerState: Fields = {
  waiting: { reason: V, message: V },
  running: { startedAt: V },
  terminated: { exitCode: V, signal: V, reason: V, message: V, startedAt: V, finishedAt: V, containerID: V },
};

const containerStatus: Fields = {
  name: V,
  state: containerState,
  lastState: containerState,
  ready: V,
  restartCount: V,
  image: V,
  imageID: V,
  containerID: V,
  started: V,
  allocatedResources: MAP,
  resources: resourceRequirements,
  volumeMounts: [{ name: V, mountPath: V, readOnly: V, recursiveReadOnly: V }],
  user: V,
  allocatedResourcesStatus: V,
  stopSignal: V,
};

const podStatus: Fields = {
  observedGeneration: V,
  phase: V,
  conditions: [{ type: V, observedGeneration: V, status: V, lastProbeTime: V, lastTransitionTime: V, reason: V, message: V }],
  message: V,
  reason: V,
  nominatedNodeName: V,
  hostIP: V,
  hostIPs: [{ ip: V }],
  podIP: V,
  podIPs: [{ ip: V }],
  startTime: V,
  initContainerStatuses: [containerStatus],
  containerStatuses: [containerStatus],
  qosClass: V,
  ephemeralContainerStatuses: [containerStatus],
  resize: V,
  resourceClaimStatuses: V,
  extendedResourceClaimStatus: V,
};

// --- the kinds ---------------------------------------------------------------------------

const typeMeta: Fields = { apiVersion: V, kind: V };

const pod: Fields = { ...typeMeta, metadata: objectMeta, spec: podSpec, status: podStatus };

/** apps/v1/types.go DeploymentSpec, DeploymentStrategy, DeploymentStatus. */
const deployment: Fields = {
  ...typeMeta,
  metadata: objectMeta,
  spec: {
    replicas: V,
    selector: labelSelector,
    template: podTemplateSpec,
    strategy: { type: V, rollingUpdate: { maxUnavailable: V, maxSurge: V } },
    minReadySeconds: V,
    revisionHistoryLimit: V,
    paused: V,
    progressDeadlineSeconds: V,
  },
  status: {
    observedGeneration: V,
    replicas: V,
    updatedReplicas: V,
    readyReplicas: V,
    availableReplicas: V,
    unavailableReplicas: V,
    terminatingReplicas: V,
    conditions: [{ type: V, status: V, lastUpdateTime: V, lastTransitionTime: V, reason: V, message: V }],
    collisionCount: V,
  },
};

/** apps/v1/types.go ReplicaSetSpec, ReplicaSetStatus. */
const replicaSet: Fields = {
  ...typeMeta,
  metadata: objectMeta,
  spec: { replicas: V, minReadySeconds: V, selector: labelSelector, template: podTemplateSpec },
  status: {
    replicas: V,
    fullyLabeledReplicas: V,
    readyReplicas: V,
    availableReplicas: V,
    terminatingReplicas: V,
    observedGeneration: V,
    conditions: [{ type: V, status: V, lastTransitionTime: V, reason: V, message: V }],
  },
};

/** core/v1 LoadBalancerStatus (Service) and networking/v1 IngressLoadBalancerStatus share this shape but for ipMode. */
const portStatus: Fields = { port: V, protocol: V, error: V };

/** core/v1/types.go ServiceSpec, ServicePort, SessionAffinityConfig, ServiceStatus. */
const service: Fields = {
  ...typeMeta,
  metadata: objectMeta,
  spec: {
    ports: [{ name: V, protocol: V, appProtocol: V, port: V, targetPort: V, nodePort: V }],
    selector: MAP,
    clusterIP: V,
    clusterIPs: V,
    type: V,
    externalIPs: V,
    sessionAffinity: V,
    loadBalancerIP: V,
    loadBalancerSourceRanges: V,
    externalName: V,
    externalTrafficPolicy: V,
    healthCheckNodePort: V,
    publishNotReadyAddresses: V,
    sessionAffinityConfig: { clientIP: { timeoutSeconds: V } },
    ipFamilies: V,
    ipFamilyPolicy: V,
    allocateLoadBalancerNodePorts: V,
    loadBalancerClass: V,
    internalTrafficPolicy: V,
    trafficDistribution: V,
  },
  status: {
    loadBalancer: { ingress: [{ ip: V, hostname: V, ipMode: V, ports: [portStatus] }] },
    conditions: [metaCondition],
  },
};

/** discovery/v1/types.go EndpointSlice, Endpoint, EndpointConditions, EndpointHints, EndpointPort. */
const endpointSlice: Fields = {
  ...typeMeta,
  metadata: objectMeta,
  addressType: V,
  endpoints: [
    {
      addresses: V,
      conditions: { ready: V, serving: V, terminating: V },
      hostname: V,
      targetRef: objectReference,
      deprecatedTopology: MAP,
      nodeName: V,
      zone: V,
      hints: { forZones: [{ name: V }], forNodes: [{ name: V }] },
    },
  ],
  ports: [{ name: V, protocol: V, port: V, appProtocol: V }],
};

/** core/v1/types.go NodeSpec, Taint, NodeStatus. */
const node: Fields = {
  ...typeMeta,
  metadata: objectMeta,
  spec: {
    podCIDR: V,
    podCIDRs: V,
    providerID: V,
    unschedulable: V,
    taints: [{ key: V, value: V, effect: V, timeAdded: V }],
    configSource: V,
    externalID: V,
  },
  status: {
    capacity: MAP,
    allocatable: MAP,
    phase: V,
    conditions: [{ type: V, status: V, lastHeartbeatTime: V, lastTransitionTime: V, reason: V, message: V }],
    addresses: [{ type: V, address: V }],
    daemonEndpoints: { kubeletEndpoint: { Port: V } },
    nodeInfo: {
      machineID: V,
      systemUUID: V,
      bootID: V,
      kernelVersion: V,
      osImage: V,
      containerRuntimeVersion: V,
      kubeletVersion: V,
      kubeProxyVersion: V,
      operatingSystem: V,
      architecture: V,
      swap: { capacity: V },
    },
    images: [{ names: V, sizeBytes: V }],
    volumesInUse: V,
    volumesAttached: [{ name: V, devicePath: V }],
    config: V,
    runtimeHandlers: V,
    features: V,
    declaredFeatures: V,
  },
};

/** core/v1/types.go NamespaceSpec, NamespaceStatus. */
const namespace: Fields = {
  ...typeMeta,
  metadata: objectMeta,
  spec: { finalizers: V },
  status: { phase: V, conditions: [{ type: V, status: V, lastTransitionTime: V, reason: V, message: V }] },
};

/** networking/v1/types.go IngressSpec, IngressRule, HTTPIngressPath, IngressBackend, IngressTLS, IngressStatus. */
const ingressBackend: Fields = {
  service: { name: V, port: { name: V, number: V } },
  resource: { apiGroup: V, kind: V, name: V },
};

const ingress: Fields = {
  ...typeMeta,
  metadata: objectMeta,
  spec: {
    ingressClassName: V,
    defaultBackend: ingressBackend,
    tls: [{ hosts: V, secretName: V }],
    rules: [{ host: V, http: { paths: [{ path: V, pathType: V, backend: ingressBackend }] } }],
  },
  status: { loadBalancer: { ingress: [{ ip: V, hostname: V, ports: [portStatus] }] } },
};

const KINDS: Readonly<Record<string, Fields>> = {
  Deployment: deployment,
  EndpointSlice: endpointSlice,
  Ingress: ingress,
  Namespace: namespace,
  Node: node,
  Pod: pod,
  ReplicaSet: replicaSet,
  Service: service,
};

// --- the walk ----------------------------------------------------------------------------

/**
 * Reports every field of a manifest object that does not exist in the Kubernetes API for
 * its kind (Deployment, ReplicaSet, Pod, Service, EndpointSlice, Node, Namespace, Ingress,
 * and the items of a `v1` List), one error per unknown field with its full path, as the
 * API server's strict field validation refuses them. Fields that exist in the API but
 * that kube-netsim does not model (resources, env, volumes, affinity, ...) are accepted;
 * map-typed fields (labels, annotations, selectors, nodeSelector, resource lists) take
 * any key. Objects of other kinds, and values of the wrong JSON type, are left to
 * `validateObject`/`validateIngress`, which report them.
 *
 * The message is the API server's (`unknown field "spec.ports[0].targetport"`), with a
 * suggestion when a known field differs only in case or by a small typo.
 *
 * @param obj - a decoded manifest object (JSON/YAML).
 * @returns the unknown fields, in document order (empty when every field is known).
 * @example
 * ```ts
 * const errors = validateKnownFields({
 *   apiVersion: "v1",
 *   kind: "Service",
 *   metadata: { name: "api", labels: { anything: "goes" } },
 *   spec: { selector: { app: "api" }, ports: [{ port: 80, targetport: 8080 }] },
 * });
 * errors.map(formatFieldError);
 * // ['spec.ports[0].targetport: Unsupported field: unknown field "spec.ports[0].targetport" (did you mean "targetPort"?)']
 * ```
 */
export function validateKnownFields(obj: unknown): FieldError[] {
  const errs: FieldError[] = [];
  checkObject(obj, "", errs);
  return errs;
}

function checkObject(obj: unknown, path: string, errs: FieldError[]): void {
  if (!isObject(obj)) return;
  const kind = obj.kind;
  if (kind === "List" && obj.apiVersion === "v1") {
    walk(obj, { ...typeMeta, metadata: listMeta, items: V }, path, errs);
    const items = obj.items;
    if (Array.isArray(items)) items.forEach((item, i) => checkObject(item, `${path}items[${i}].`, errs));
    return;
  }
  if (typeof kind === "string" && Object.hasOwn(KINDS, kind)) walk(obj, KINDS[kind], path, errs);
}

/** Walks `obj` against `fields`; `prefix` is the path of `obj` followed by a dot (or empty at the root). */
function walk(obj: Record<string, unknown>, fields: Fields, prefix: string, errs: FieldError[]): void {
  for (const key of Object.keys(obj)) {
    const path = prefix + key;
    if (!Object.hasOwn(fields, key)) {
      errs.push(unknownField(path, key, fields));
      continue;
    }
    const shape = fields[key];
    if (shape === V) continue;
    const value = obj[key];
    if (Array.isArray(shape)) {
      if (!Array.isArray(value)) continue;
      const itemFields = (shape as readonly [Fields])[0];
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (isObject(item)) walk(item, itemFields, `${path}[${i}].`, errs);
      }
    } else if (isObject(value)) {
      walk(value, shape as Fields, path + ".", errs);
    }
  }
}

function unknownField(path: string, key: string, fields: Fields): FieldError {
  // apimachinery pkg/runtime/serializer/json: the strict decoder's "unknown field \"<path>\"".
  return fieldUnknown(path, suggest(key, Object.keys(fields)));
}

/** The known field `key` most likely stands for: same letters in another case, else one at edit distance <= 2 (unique best). */
function suggest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  for (const k of known) if (k.toLowerCase() === lower) return k;
  const limit = key.length <= 4 ? 2 : 3; // at most 1 edit for short names, 2 for longer ones
  let best: string | undefined;
  let bestDistance = limit;
  let tie = false;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase(), limit);
    if (d >= limit) continue;
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
      tie = false;
    } else if (d === bestDistance) {
      tie = true;
    }
  }
  return tie ? undefined : best;
}

/**
 * Edit distance with adjacent transpositions (optimal string alignment: `spce` is one edit
 * from `spec`), or `limit` when it is at least `limit`.
 */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  const w = b.length + 1;
  const d = new Array<number>((a.length + 1) * w);
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    d[i * w] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1, d[(i - 1) * w + j - 1] + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        v = Math.min(v, d[(i - 2) * w + j - 2] + 1);
      }
      d[i * w + j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin >= limit) return limit;
  }
  return Math.min(d[a.length * w + b.length], limit);
}
