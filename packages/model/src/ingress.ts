/**
 * `networking.k8s.io/v1` Ingress: its shape, the API server's validation of it, and the
 * matching rules of the Ingress specification (which rule and path a request takes).
 *
 * Upstream: staging/src/k8s.io/api/networking/v1/types.go (the API types and the
 * documented path semantics), pkg/apis/networking/validation/validation.go (validation),
 * and the Ingress concept page (kubernetes.io/docs/concepts/services-networking/ingress,
 * "Path types", "Examples", "Hostname wildcards").
 *
 * @packageDocumentation
 */
import {
  dns1123SubdomainErrors,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  fieldTypeError,
  isObject,
  portNameErrors,
  portNumErrors,
  dns1035LabelErrors,
} from "./field-error.js";
import type { FieldError } from "./field-error.js";
import type { ObjectMeta } from "./types.js";

/**
 * How a path is matched (`networking.k8s.io/v1` PathType).
 *
 * @example
 * ```ts
 * const path: HTTPIngressPath = { path: "/api", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } };
 * // "Prefix" matches /api and /api/v1, not /apiv1; "Exact" matches /api only
 * ```
 */
export type PathType = "Exact" | "Prefix" | "ImplementationSpecific";

/**
 * The port of a Service backend: a number or a name, never both.
 *
 * @example
 * ```ts
 * const byNumber: ServiceBackendPort = { number: 80 };
 * const byName: ServiceBackendPort = { name: "http" }; // the Service's spec.ports[].name
 * ```
 */
export interface ServiceBackendPort {
  /** Port name of the Service (`spec.ports[].name`). */
  readonly name?: string;
  /** Port number of the Service (`spec.ports[].port`). */
  readonly number?: number;
}

/**
 * A backend: a Service and one of its ports.
 *
 * @example
 * ```ts
 * const backend: IngressBackend = { service: { name: "api", port: { number: 80 } } };
 * ```
 */
export interface IngressBackend {
  /** The Service (in the Ingress's namespace). */
  readonly service?: { readonly name: string; readonly port: ServiceBackendPort };
}

/**
 * One path of an HTTP rule.
 *
 * @example
 * ```ts
 * const path: HTTPIngressPath = { path: "/api", pathType: "Prefix", backend: { service: { name: "api", port: { name: "http" } } } };
 * ```
 */
export interface HTTPIngressPath {
  /** Absolute path (`/api`); may be empty only with `ImplementationSpecific`. */
  readonly path?: string;
  /** Required: `Exact`, `Prefix` or `ImplementationSpecific`. */
  readonly pathType: PathType;
  /** Where matching requests go. */
  readonly backend: IngressBackend;
}

/**
 * One rule: a host (exact, `*.wildcard` or empty for every host) and its paths.
 *
 * @example
 * ```ts
 * const rule: IngressRule = {
 *   host: "*.example.com", // matches shop.example.com, not example.com nor a.b.example.com
 *   http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] },
 * };
 * ```
 */
export interface IngressRule {
  /** A DNS name (no IP, no port); `*.example.com` matches exactly one label in place of `*`. */
  readonly host?: string;
  /** The HTTP paths. */
  readonly http?: { readonly paths: readonly HTTPIngressPath[] };
}

/**
 * `spec` of an Ingress.
 *
 * @example
 * ```ts
 * const spec: IngressSpec = {
 *   ingressClassName: "nginx",
 *   defaultBackend: { service: { name: "web", port: { number: 80 } } },
 *   rules: [{ host: "shop.example.com", http: { paths: [{ path: "/api", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } }] } }],
 * };
 * ```
 */
export interface IngressSpec {
  /** The IngressClass that should implement this Ingress. */
  readonly ingressClassName?: string;
  /** Where requests that match no rule go (otherwise the controller's own 404). */
  readonly defaultBackend?: IngressBackend;
  /** Host and path rules. */
  readonly rules?: readonly IngressRule[];
}

/**
 * A `networking.k8s.io/v1` Ingress: HTTP routing by host and path to Services.
 *
 * @example
 * ```ts
 * const ing: Ingress = {
 *   apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "web" },
 *   spec: { rules: [{ host: "shop.example.com", http: { paths: [
 *     { path: "/api", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } },
 *   ] } }] },
 * };
 * ```
 */
export interface Ingress {
  /** `networking.k8s.io/v1`. */
  readonly apiVersion: "networking.k8s.io/v1";
  /** `Ingress`. */
  readonly kind: "Ingress";
  /** Name (a DNS subdomain) and namespace. */
  readonly metadata: ObjectMeta;
  /** The routing rules. */
  readonly spec: IngressSpec;
}

const PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"];
// pkg/apis/networking/validation/validation.go: invalidPathSequences, invalidPathSuffixes.
const INVALID_PATH_SEQUENCES = ["//", "/./", "/../", "%2f", "%2F"];
const INVALID_PATH_SUFFIXES = ["/..", "/."];
const WILDCARD_MSG =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const WILDCARD_RE = /^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IPV4_RE = /^\d{1,3}(\.\d{1,3}){3}$/;

function own(o: Record<string, unknown>, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

/**
 * Validates an Ingress as the API server does (`ValidateIngressCreate`): metadata.name, at
 * least a rule or a defaultBackend, hosts (DNS subdomain or `*.` wildcard, never an IP),
 * paths (pathType required; absolute, no `//`, `/./`, `/../`, `%2f` for Exact and Prefix),
 * backends (a Service name and exactly one of port number and name), and ingressClassName.
 * Never throws.
 *
 * @returns the field errors, in the order the API server reports them; empty when valid.
 * @example
 * ```ts
 * validateIngress({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "web" },
 *   spec: { rules: [{ http: { paths: [{ path: "/", backend: { service: { name: "api", port: { number: 80 } } } }] } }] } }).map(String);
 * // ["spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"]
 * ```
 */
export function validateIngress(obj: unknown): readonly FieldError[] {
  const errs: FieldError[] = [];
  if (!isObject(obj)) return [fieldTypeError("<root>", obj, "object")];
  const apiVersion = own(obj, "apiVersion");
  if (apiVersion === undefined || apiVersion === null || apiVersion === "") errs.push(fieldRequired("apiVersion", ""));
  else if (apiVersion !== "networking.k8s.io/v1") errs.push(fieldNotSupported("apiVersion", apiVersion, ["networking.k8s.io/v1"]));
  const meta = own(obj, "metadata");
  const name = isObject(meta) ? own(meta, "name") : undefined;
  if (typeof name !== "string" || name === "") errs.push(fieldRequired("metadata.name", "name or generateName is required"));
  else for (const msg of dns1123SubdomainErrors(name)) errs.push(fieldInvalid("metadata.name", name, msg));
  const spec = own(obj, "spec");
  if (!isObject(spec)) {
    errs.push(fieldRequired("spec", ""));
    return errs;
  }
  // ValidateIngressSpec
  const rules = own(spec, "rules");
  const defaultBackend = own(spec, "defaultBackend");
  if ((rules === undefined || (Array.isArray(rules) && rules.length === 0)) && defaultBackend === undefined) {
    errs.push(fieldInvalid("spec", "", "either `defaultBackend` or `rules` must be specified"));
  }
  if (defaultBackend !== undefined) validateBackend(defaultBackend, "spec.defaultBackend", errs);
  if (rules !== undefined) {
    if (!Array.isArray(rules)) errs.push(fieldTypeError("spec.rules", rules, "array"));
    else rules.forEach((rule, i) => validateRule(rule, `spec.rules[${i}]`, errs));
  }
  const cls = own(spec, "ingressClassName");
  if (cls !== undefined) {
    if (typeof cls !== "string") errs.push(fieldTypeError("spec.ingressClassName", cls, "string"));
    else for (const msg of dns1123SubdomainErrors(cls)) errs.push(fieldInvalid("spec.ingressClassName", cls, msg));
  }
  return errs;
}

function validateRule(rule: unknown, path: string, errs: FieldError[]): void {
  if (!isObject(rule)) {
    errs.push(fieldTypeError(path, rule, "object"));
    return;
  }
  const host = own(rule, "host");
  if (host !== undefined && host !== "") {
    if (typeof host !== "string") errs.push(fieldTypeError(`${path}.host`, host, "string"));
    else {
      // validateIngressRules: an IP is refused; a host with '*' must be a wildcard subdomain.
      if (IPV4_RE.test(host) || host.includes(":")) errs.push(fieldInvalid(`${path}.host`, host, "must be a DNS name, not an IP address"));
      if (host.includes("*")) {
        if (host.length > 253) errs.push(fieldInvalid(`${path}.host`, host, "must be no more than 253 characters"));
        if (!WILDCARD_RE.test(host)) errs.push(fieldInvalid(`${path}.host`, host, WILDCARD_MSG));
      } else for (const msg of dns1123SubdomainErrors(host)) errs.push(fieldInvalid(`${path}.host`, host, msg));
    }
  }
  const http = own(rule, "http");
  if (http === undefined) return;
  if (!isObject(http)) {
    errs.push(fieldTypeError(`${path}.http`, http, "object"));
    return;
  }
  const paths = own(http, "paths");
  if (paths === undefined || (Array.isArray(paths) && paths.length === 0)) {
    errs.push(fieldRequired(`${path}.http.paths`, ""));
    return;
  }
  if (!Array.isArray(paths)) {
    errs.push(fieldTypeError(`${path}.http.paths`, paths, "array"));
    return;
  }
  paths.forEach((p, i) => validatePath(p, `${path}.http.paths[${i}]`, errs));
}

function validatePath(p: unknown, path: string, errs: FieldError[]): void {
  if (!isObject(p)) {
    errs.push(fieldTypeError(path, p, "object"));
    return;
  }
  const pathType = own(p, "pathType");
  const value = own(p, "path") ?? "";
  // validateHTTPIngressPath returns at once when pathType is missing.
  if (pathType === undefined || pathType === null) {
    errs.push(fieldRequired(`${path}.pathType`, "pathType must be specified"));
    return;
  }
  if (typeof value !== "string") errs.push(fieldTypeError(`${path}.path`, value, "string"));
  else if (pathType === "Exact" || pathType === "Prefix") {
    if (!value.startsWith("/")) errs.push(fieldInvalid(`${path}.path`, value, "must be an absolute path"));
    if (value.length > 0) {
      for (const seq of INVALID_PATH_SEQUENCES) if (value.includes(seq)) errs.push(fieldInvalid(`${path}.path`, value, `must not contain '${seq}'`));
      for (const suf of INVALID_PATH_SUFFIXES) if (value.endsWith(suf)) errs.push(fieldInvalid(`${path}.path`, value, `cannot end with '${suf}'`));
    }
  } else if (pathType === "ImplementationSpecific") {
    if (value.length > 0 && !value.startsWith("/")) errs.push(fieldInvalid(`${path}.path`, value, "must be an absolute path"));
  } else errs.push(fieldNotSupported(`${path}.pathType`, pathType, PATH_TYPES));
  validateBackend(own(p, "backend"), `${path}.backend`, errs);
}

// validateIngressBackend (Service backends; resource backends are not modelled).
function validateBackend(b: unknown, path: string, errs: FieldError[]): void {
  if (!isObject(b) || own(b, "service") === undefined) {
    errs.push(fieldInvalid(path, "", "resource or service backend is required"));
    return;
  }
  const svc = own(b, "service");
  if (!isObject(svc)) {
    errs.push(fieldTypeError(`${path}.service`, svc, "object"));
    return;
  }
  const name = own(svc, "name");
  if (name === undefined || name === "") errs.push(fieldRequired(`${path}.service.name`, ""));
  else if (typeof name !== "string") errs.push(fieldTypeError(`${path}.service.name`, name, "string"));
  else for (const msg of dns1035LabelErrors(name)) errs.push(fieldInvalid(`${path}.service.name`, name, msg));
  const port = own(svc, "port");
  const portName = isObject(port) ? own(port, "name") : undefined;
  const portNumber = isObject(port) ? own(port, "number") : undefined;
  const hasName = typeof portName === "string" && portName.length > 0;
  const hasNumber = portNumber !== undefined && portNumber !== 0;
  if (hasName && hasNumber) errs.push(fieldInvalid(path, "", "cannot set both port name & port number"));
  else if (hasName) for (const msg of portNameErrors(portName)) errs.push(fieldInvalid(`${path}.service.port.name`, portName, msg));
  else if (hasNumber) {
    if (typeof portNumber !== "number" || !Number.isInteger(portNumber)) errs.push(fieldTypeError(`${path}.service.port.number`, portNumber, "int32"));
    else for (const msg of portNumErrors(portNumber)) errs.push(fieldInvalid(`${path}.service.port.number`, portNumber, msg));
  } else errs.push(fieldRequired(path, "port name or number is required"));
}

// ---------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------

/**
 * Where a request goes by the Ingress rules (see {@link matchIngress}).
 *
 * @example
 * ```ts
 * const m = matchIngress([ing], "shop.example.com", "/api/v1/items"); // ing: an Ingress named "web" with the IngressSpec example as its spec
 * m?.rule;    // 0 (index in spec.rules; -1 for the defaultBackend)
 * m?.backend; // { service: { name: "api", port: { number: 80 } } }
 * m?.key;     // "web: shop.example.com/api (Prefix)"
 * ```
 */
export interface IngressMatch {
  /** The Ingress whose rule (or defaultBackend) matched. */
  readonly ingress: Ingress;
  /** Index of the rule in `spec.rules`, or -1 for `spec.defaultBackend`. */
  readonly rule: number;
  /** Index of the path in the rule's `http.paths` (-1 for the defaultBackend). */
  readonly path: number;
  /** The backend. */
  readonly backend: IngressBackend;
  /** A readable key: `web: shop.example.com/api (Prefix)` or `web: defaultBackend`. */
  readonly key: string;
}

/**
 * Whether `host` (lower case, no port) matches a rule's host: an empty rule host matches
 * every host; `*.example.com` matches exactly one DNS label in place of `*`
 * (`foo.example.com`, not `example.com` nor `a.b.example.com`); otherwise equality.
 *
 * @example
 * ```ts
 * hostMatches("*.example.com", "shop.example.com"); // true
 * hostMatches("*.example.com", "example.com");      // false
 * hostMatches("*.example.com", "a.b.example.com");  // false
 * hostMatches(undefined, "anything.io");            // true: a rule without host matches every host
 * ```
 */
export function hostMatches(ruleHost: string | undefined, host: string): boolean {
  if (ruleHost === undefined || ruleHost === "") return true;
  if (ruleHost.startsWith("*.")) {
    const dot = host.indexOf(".");
    return dot > 0 && host.slice(dot) === ruleHost.slice(1);
  }
  return ruleHost === host;
}

/**
 * Whether a request path matches an Ingress path, and how long the match is (-1: no
 * match). `Exact`: equality (case-sensitive). `Prefix`: element-wise on `/`-separated
 * elements, a trailing `/` of either side ignored: `/foo/bar` matches `/foo/bar` and
 * `/foo/bar/baz`, not `/foo/barbaz` (types.go PathTypePrefix). `ImplementationSpecific` is
 * matched as `Prefix`, as ingress-nginx does for paths that are not regular expressions.
 * The length returned is that of the Ingress path without its trailing `/`, the measure
 * of "longest matching path".
 *
 * @example
 * ```ts
 * pathMatchLength("Prefix", "/api", "/api/v1"); // 4
 * pathMatchLength("Prefix", "/api", "/apiv1");  // -1: elements are compared whole
 * pathMatchLength("Exact", "/api", "/api/");    // -1
 * pathMatchLength("Prefix", "/", "/cart");      // 1
 * ```
 */
export function pathMatchLength(pathType: PathType, ingressPath: string | undefined, requestPath: string): number {
  const p = ingressPath === undefined || ingressPath === "" ? "/" : ingressPath;
  if (pathType === "Exact") return p === requestPath ? p.length : -1;
  const prefix = p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p;
  if (prefix === "/") return 1;
  const req = requestPath.length > 1 && requestPath.endsWith("/") ? requestPath.slice(0, -1) : requestPath;
  if (!req.startsWith(prefix)) return -1;
  return req.length === prefix.length || req.charCodeAt(prefix.length) === 47 /* "/" */ ? prefix.length : -1;
}

/**
 * Chooses where a request for `host` and `path` goes among `ingresses` (all served by one
 * controller), as the Ingress spec orders matches: rules whose host equals the request's
 * host win over wildcard hosts, which win over rules without a host; among the paths of
 * those rules the longest match wins, and at equal length `Exact` wins over `Prefix`
 * (kubernetes.io/docs/concepts/services-networking/ingress: "Multiple matches"). Ties
 * beyond that go to the first Ingress (by namespace/name) and the first rule and path.
 * A request that matches no path goes to the `defaultBackend` of the first Ingress that
 * has one; undefined means no match at all (the controller answers 404).
 *
 * @example
 * ```ts
 * matchIngress([ing], "shop.example.com", "/api/v1/items")?.key; // "web: shop.example.com/api (Prefix)"
 * ```
 */
export function matchIngress(ingresses: readonly Ingress[], host: string, path: string): IngressMatch | undefined {
  const h = host.toLowerCase().replace(/:\d+$/, "");
  const sorted = [...ingresses].sort((a, b) => {
    const ka = `${a.metadata.namespace ?? "default"}/${a.metadata.name}`;
    const kb = `${b.metadata.namespace ?? "default"}/${b.metadata.name}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  // Host class: 2 exact, 1 wildcard, 0 catch-all. Only the best class that has a rule for the host is searched.
  let bestClass = -1;
  for (const ing of sorted) {
    for (const rule of ing.spec.rules ?? []) {
      if (!hostMatches(rule.host, h)) continue;
      const cls = rule.host === undefined || rule.host === "" ? 0 : rule.host.startsWith("*.") ? 1 : 2;
      if (cls > bestClass) bestClass = cls;
    }
  }
  let best: IngressMatch | undefined;
  let bestLen = -1;
  let bestExact = false;
  for (const ing of sorted) {
    const rules = ing.spec.rules ?? [];
    for (let ri = 0; ri < rules.length; ri++) {
      const rule = rules[ri];
      if (!hostMatches(rule.host, h)) continue;
      const cls = rule.host === undefined || rule.host === "" ? 0 : rule.host.startsWith("*.") ? 1 : 2;
      if (cls !== bestClass) continue;
      const paths = rule.http?.paths ?? [];
      for (let pi = 0; pi < paths.length; pi++) {
        const p = paths[pi];
        const len = pathMatchLength(p.pathType, p.path, path);
        if (len < 0) continue;
        const exact = p.pathType === "Exact";
        if (len > bestLen || (len === bestLen && exact && !bestExact)) {
          bestLen = len;
          bestExact = exact;
          best = { ingress: ing, rule: ri, path: pi, backend: p.backend, key: `${ing.metadata.name}: ${rule.host ?? ""}${p.path ?? ""} (${p.pathType})` };
        }
      }
    }
  }
  if (best !== undefined) return best;
  for (const ing of sorted) {
    if (ing.spec.defaultBackend !== undefined) return { ingress: ing, rule: -1, path: -1, backend: ing.spec.defaultBackend, key: `${ing.metadata.name}: defaultBackend` };
  }
  return undefined;
}
