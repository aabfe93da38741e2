import { LABEL_ZONE, fieldInvalid, fieldNotSupported, fieldRequired, formatFieldError, nonNegativeQuantityError, validateIngress, validateKnownFields, validateObject } from "@kube-netsim/model";
import type { Ingress, KubeObject, Node } from "@kube-netsim/model";
import type { NodeSpec } from "@kube-netsim/scenario";
import { locate, parseYamlDocuments, splitFieldPath } from "./source.js";
import type { Problem, SourceDocument } from "./source.js";

/**
 * Kinds a manifest may hold, in the order they are listed in errors.
 *
 * @example
 * ```ts
 * SUPPORTED_KINDS; // ["Deployment", "EndpointSlice", "Ingress", "Namespace", "Node", "Pod", "ReplicaSet", "Service"]
 * ```
 */
export const SUPPORTED_KINDS: readonly string[] = ["Deployment", "EndpointSlice", "Ingress", "Namespace", "Node", "Pod", "ReplicaSet", "Service"];

/** Kinds that exist in Kubernetes but that kube-netsim does not model yet, with their apiVersion. */
const NOT_MODELLED: Readonly<Record<string, string>> = {
  IngressClass: "networking.k8s.io/v1",
  NetworkPolicy: "networking.k8s.io/v1",
  Gateway: "gateway.networking.k8s.io/v1",
  HTTPRoute: "gateway.networking.k8s.io/v1",
  GRPCRoute: "gateway.networking.k8s.io/v1",
  StatefulSet: "apps/v1",
  DaemonSet: "apps/v1",
  Job: "batch/v1",
  CronJob: "batch/v1",
  HorizontalPodAutoscaler: "autoscaling/v2",
  PodDisruptionBudget: "policy/v1",
  Endpoints: "v1",
  ConfigMap: "v1",
  Secret: "v1",
  ServiceAccount: "v1",
};

/**
 * The objects of a set of manifests: API objects to apply, and the cluster's nodes.
 *
 * @example
 * ```ts
 * const m: Manifests = parseManifests(readFileSync("api.yaml", "utf8"), "api.yaml").manifests;
 * m.objects.map((o) => `${o.kind}/${o.metadata.name}`); // ["Deployment/api", "Service/api"]
 * m.nodes; // NodeSpecs from `kind: Node` objects, for `new Simulation({ nodes })`
 * ```
 */
export interface Manifests {
  /** Deployments, ReplicaSets, Pods, Services, EndpointSlices and Ingresses, in file order. */
  readonly objects: (KubeObject | Ingress)[];
  /** Nodes (from `kind: Node` objects), in file order. */
  readonly nodes: NodeSpec[];
}

/**
 * Checks one manifest object (a YAML document, or an item of a `List` or of the scenario's
 * inline `manifests`) and adds it to `into`. Problems point at the offending field.
 *
 * @param value - the object.
 * @param src - the document it comes from.
 * @param at - the path of the object inside that document (`[]` for a whole document).
 * @param into - where valid objects go.
 * @param problems - where problems go.
 *
 * @example
 * ```ts
 * const yaml = "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  ports:\n    - port: 80\n      targetPort: 70000\n";
 * const [doc] = parseYamlDocuments(yaml, "api.yaml");
 * const into: Manifests = { objects: [], nodes: [] };
 * const problems: Problem[] = [];
 * addManifest(doc.value, doc, [], into, problems);
 * problems.map(formatProblem); // ['api.yaml:8:7: Service "api": spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive']
 * ```
 */
export function addManifest(value: unknown, src: SourceDocument, at: readonly (string | number)[], into: Manifests, problems: Problem[]): void {
  const where = (field: string): { file: string; line: number; col: number } => ({ file: src.file, ...locate(src, [...at, ...splitFieldPath(field)]) });
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.push({ ...where(""), message: `manifest: Invalid value: must be a Kubernetes object (a map with apiVersion, kind and metadata)` });
    return;
  }
  const o = value as Record<string, unknown>;
  const kind = o.kind;
  if (kind === "List" && o.apiVersion === "v1") {
    const items = Array.isArray(o.items) ? o.items : [];
    // The List's own fields (apiVersion, kind, metadata, items); each item is checked below.
    for (const e of validateKnownFields({ ...o, items: [] })) problems.push({ ...where(e.field), message: `List: ${formatFieldError(e)}` });
    items.forEach((item, i) => addManifest(item, src, [...at, "items", i], into, problems));
    return;
  }
  if (typeof kind === "string" && Object.hasOwn(NOT_MODELLED, kind)) {
    problems.push({ ...where("kind"), message: `kind: Unsupported value: "${kind}": ${kind} (${NOT_MODELLED[kind]}) is not yet modelled by kube-netsim; supported kinds: ${SUPPORTED_KINDS.join(", ")}` });
    return;
  }
  if (kind === undefined || kind === null || kind === "") {
    problems.push({ ...where("kind"), message: formatFieldError(fieldRequired("kind", `every manifest needs apiVersion and kind; supported kinds: ${SUPPORTED_KINDS.join(", ")}`)) });
    return;
  }
  if (typeof kind !== "string" || !SUPPORTED_KINDS.includes(kind)) {
    problems.push({ ...where("kind"), message: formatFieldError(fieldNotSupported("kind", kind, SUPPORTED_KINDS)) });
    return;
  }
  const name = typeof (o.metadata as { name?: unknown } | undefined)?.name === "string" ? (o.metadata as { name: string }).name : "";
  // Strict field validation first, as the API server decodes before it validates: a field
  // that does not exist in the Kubernetes API (a typo such as `targetport`) is refused.
  const unknown = validateKnownFields(o);
  for (const e of unknown) problems.push({ ...where(e.field), message: `${kind} "${name}": ${formatFieldError(e)}` });
  if (kind === "Namespace") {
    // Namespaces exist implicitly in the simulated API server; the object is accepted and ignored.
    if (o.apiVersion !== "v1") problems.push({ ...where("apiVersion"), message: `Namespace "${name}": ${formatFieldError(fieldNotSupported("apiVersion", o.apiVersion, ["v1"]))}` });
    return;
  }
  // Ingress (networking.k8s.io/v1) has its own validation (ValidateIngress of pkg/apis/networking/validation).
  const errors = kind === "Ingress" ? validateIngress(o) : validateObject(o);
  if (errors.length > 0 || unknown.length > 0) {
    for (const e of errors) problems.push({ ...where(e.field), message: `${kind} "${name}": ${formatFieldError(e)}` });
    return;
  }
  if (kind === "Node") {
    const n = o as unknown as Node;
    const labels = { ...(n.metadata.labels ?? {}) };
    // The kubelet's maxPods, as the scheduler reads it: status.allocatable.pods (a Node from `kubectl get node -o yaml`).
    const pods: unknown = n.status?.allocatable?.pods;
    if (pods !== undefined && (typeof pods !== "string" || !/^[0-9]+$/.test(pods) || Number(pods) < 1)) {
      problems.push({ ...where("status.allocatable.pods"), message: `Node "${name}": ${formatFieldError(fieldInvalid("status.allocatable.pods", pods, 'must be a whole number of pods >= 1, quoted (e.g. "110": the kubelet\'s maxPods)'))}` });
      return;
    }
    // The node's cpu and memory, as the scheduler reads them against pods' requests: status.allocatable.cpu / .memory.
    const resources: { cpu?: string; memory?: string } = {};
    for (const key of ["cpu", "memory"] as const) {
      const q: unknown = n.status?.allocatable?.[key];
      if (q === undefined) continue;
      const path = `status.allocatable.${key}`;
      let detail: string | undefined;
      if (typeof q !== "string") detail = `must be a quantity string, quoted (e.g. "${key === "cpu" ? "4" : "16Gi"}")`;
      else detail = nonNegativeQuantityError(q);
      if (detail !== undefined) {
        problems.push({ ...where(path), message: `Node "${name}": ${formatFieldError(fieldInvalid(path, q, detail))}` });
        return;
      }
      resources[key] = q as string;
    }
    into.nodes.push({ name: n.metadata.name, zone: labels[LABEL_ZONE], labels, ...(pods !== undefined ? { maxPods: Number(pods) } : {}), ...resources });
    return;
  }
  into.objects.push(o as unknown as KubeObject | Ingress);
}

/**
 * Reads a manifest file's text: multi-document YAML of Deployments, Services, Nodes,
 * EndpointSlices, Pods, ReplicaSets, Ingresses (and `v1` Lists of them); Namespaces are accepted
 * and ignored.
 *
 * @param text - the file's text.
 * @param file - its name, for errors.
 * @returns the objects and the problems found (each with `file:line:col`).
 * @example
 * ```ts
 * const { manifests, problems } = parseManifests(readFileSync("api.yaml", "utf8"), "api.yaml");
 * ```
 */
export function parseManifests(text: string, file: string): { manifests: Manifests; problems: Problem[] } {
  const manifests: Manifests = { objects: [], nodes: [] };
  const problems: Problem[] = [];
  for (const src of parseYamlDocuments(text, file)) addManifest(src.value, src, [], manifests, problems);
  return { manifests, problems };
}
