/**
 * API-server validation of the objects kube-netsim models, with the API server's field
 * paths and error texts (`spec.ports[0].targetPort: Invalid value: 70000: must be between
 * 1 and 65535, inclusive`).
 *
 * Input is treated as it arrives from YAML/JSON: nothing is trusted, wrong JSON types
 * give field errors instead of exceptions, and EVERY problem is listed in the order the
 * fields are visited (the order of upstream's validation functions; map keys sorted).
 * The API server applies defaults before validating; absent fields are therefore
 * validated as their defaults (e.g. a missing `protocol` is `TCP`, a missing
 * `targetPort` equals `port`, a missing `strategy` is a 25%/25% RollingUpdate).
 *
 * Upstream: pkg/apis/core/validation/validation.go (ValidatePod, ValidateService,
 * ValidateNode), pkg/apis/apps/validation/validation.go (ValidateDeployment,
 * ValidateReplicaSet), pkg/apis/discovery/validation/validation.go
 * (ValidateEndpointSlice), staging/src/k8s.io/apimachinery/pkg/api/validation/
 * objectmeta.go (ValidateObjectMeta), staging/src/k8s.io/apimachinery/pkg/util/
 * validation (format rules), staging/src/k8s.io/apimachinery/pkg/api/errors NewInvalid.
 *
 * @packageDocumentation
 */
import {
  aggregateMessage,
  dns1035LabelErrors,
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  fieldTooLong,
  fieldTooMany,
  fieldTypeError,
  formatGoValue,
  goQuote,
  goStringMap,
  isObject,
  labelValueErrors,
  percentErrors,
  portNameErrors,
  portNumErrors,
  qualifiedNameErrors,
  utf8Length,
  validateLabelMap,
} from "./field-error.js";
import { compareQuantities, parseQuantity } from "./quantity.js";
import type { Quantity } from "./quantity.js";
import type { FieldError } from "./field-error.js";
import { ipv4MappedOctets, parseIPv4Octets, parseIPv6Groups } from "./ip.js";
import { compileLabelSelector, validateLabelSelector } from "./selector.js";
import type { CompiledSelector } from "./selector.js";
import type { LabelSelector, StringMap } from "./types.js";

// ---------------------------------------------------------------------------
// ValidationError (apierrors.NewInvalid)
// ---------------------------------------------------------------------------

/** API group of each kind, for the `Kind.group` of error messages (`Deployment.apps`). */
const GROUP_OF: Readonly<Record<string, string>> = {
  Deployment: "apps",
  ReplicaSet: "apps",
  EndpointSlice: "discovery.k8s.io",
  Ingress: "networking.k8s.io",
};

/**
 * The error the API server returns for an invalid object (HTTP 422, reason `Invalid`,
 * `apierrors.NewInvalid`). Its message is the API server's:
 * `Service "api" is invalid: spec.ports[0].port: Invalid value: 0: ...` for one error,
 * `Deployment.apps "web" is invalid: [a, b]` for several (identical texts once).
 *
 * @example
 * ```ts
 * const errors = validateObject(manifest);
 * if (errors.length > 0) throw new ValidationError("Service", "api", errors);
 * ```
 */
export class ValidationError extends Error {
  /** Kind of the refused object (`Service`, `Deployment`, ...). */
  readonly kind: string;
  /** `metadata.name` of the refused object ("" when it has none). */
  readonly objectName: string;
  /** Every field error, in validation order. */
  readonly errors: readonly FieldError[];
  constructor(kind: string, objectName: string, errors: readonly FieldError[]) {
    // staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go NewInvalid:
    // "%s %q is invalid: %v" with the GroupKind (Kind.group) and the aggregated errors.
    const group = GROUP_OF[kind];
    const qualifiedKind = group === undefined ? kind : `${kind}.${group}`;
    const agg = aggregateMessage(errors);
    super(agg === "" ? `${qualifiedKind} ${goQuote(objectName)} is invalid` : `${qualifiedKind} ${goQuote(objectName)} is invalid: ${agg}`);
    this.name = "ValidationError";
    this.kind = kind;
    this.objectName = objectName;
    this.errors = errors;
  }
}

// ---------------------------------------------------------------------------
// Exported predicates
// ---------------------------------------------------------------------------

/**
 * A DNS-1035 label (RFC 1035), the rule for Service names: at most 63 characters of
 * `[a-z]([-a-z0-9]*[a-z0-9])?` (IsDNS1035Label).
 *
 * @example
 * ```ts
 * isDNS1035Label("api");  // true
 * isDNS1035Label("1api"); // false: a Service name must start with a letter
 * ```
 */
export function isDNS1035Label(value: string): boolean {
  return typeof value === "string" && dns1035LabelErrors(value).length === 0;
}

/**
 * A DNS-1123 label (RFC 1123), the rule for namespaces, container names and port names
 * of Services: at most 63 characters of `[a-z0-9]([-a-z0-9]*[a-z0-9])?` (IsDNS1123Label).
 *
 * @example
 * ```ts
 * isDNS1123Label("1api"); // true
 * isDNS1123Label("api.v1"); // false: no dots in a label
 * ```
 */
export function isDNS1123Label(value: string): boolean {
  return typeof value === "string" && dns1123LabelErrors(value).length === 0;
}

/**
 * A DNS-1123 subdomain, the rule for Pod, Node, Deployment, ReplicaSet and EndpointSlice
 * names: at most 253 characters, dot-separated DNS-1123 labels (IsDNS1123Subdomain).
 *
 * @example
 * ```ts
 * isDNS1123Subdomain("api.v1"); // true
 * isDNS1123Subdomain("API");    // false: lower case only
 * ```
 */
export function isDNS1123Subdomain(value: string): boolean {
  return typeof value === "string" && dns1123SubdomainErrors(value).length === 0;
}

/**
 * A valid port number: an integer in 1..65535 (IsValidPortNum).
 *
 * @example
 * ```ts
 * isValidPortNum(8080);  // true
 * isValidPortNum(70000); // false
 * ```
 */
export function isValidPortNum(port: number): boolean {
  return typeof port === "number" && portNumErrors(port).length === 0;
}

/**
 * A valid port name (IANA_SVC_NAME, RFC 6335), the rule for container port names and
 * named `targetPort`s: at most 15 characters of `[-a-z0-9]`, at least one letter, no
 * leading, trailing or consecutive `-` (IsValidPortName).
 *
 * @example
 * ```ts
 * isValidPortName("http");    // true
 * isValidPortName("http--x"); // false: no consecutive hyphens
 * ```
 */
export function isValidPortName(name: string): boolean {
  return typeof name === "string" && portNameErrors(name).length === 0;
}

/**
 * A qualified name, the rule for label and annotation keys: an optional DNS-1123
 * subdomain prefix and `/`, then at most 63 characters of
 * `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]` (IsQualifiedName).
 *
 * @example
 * ```ts
 * isQualifiedName("app.kubernetes.io/name"); // true
 * isQualifiedName("-app");                  // false
 * ```
 */
export function isQualifiedName(value: string): boolean {
  return typeof value === "string" && qualifiedNameErrors(value).length === 0;
}

/**
 * A valid label value: empty, or at most 63 characters of `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
 *
 * @example
 * ```ts
 * isValidLabelValue("");    // true: empty is allowed
 * isValidLabelValue("v1.2"); // true
 * ```
 */
export function isValidLabelValue(value: string): boolean {
  return typeof value === "string" && labelValueErrors(value).length === 0;
}

/**
 * A dotted-quad IPv4 address (`10.0.0.1`; no leading zeros, each octet 0..255).
 *
 * @example
 * ```ts
 * isValidIPv4("10.96.0.10"); // true
 * isValidIPv4("10.96.0.01"); // false: no leading zeros
 * ```
 */
export function isValidIPv4(value: string): boolean {
  return typeof value === "string" && parseIPv4Octets(value) !== undefined;
}

// ---------------------------------------------------------------------------
// IP parsing
// ---------------------------------------------------------------------------

interface ParsedIP {
  /** The 4 bytes of an IPv4 address (dotted, or IPv4-mapped IPv6), else undefined. */
  readonly v4?: readonly number[];
  /** The 8 groups of an IPv6 address that is not IPv4-mapped, else undefined. */
  readonly v6?: readonly number[];
}

/** Go's `net.ParseIP` (strict: no leading zeros), split by family the way `To4()` does. */
function parseIP(s: string): ParsedIP | undefined {
  const v4 = parseIPv4Octets(s);
  if (v4 !== undefined) return { v4 };
  const g = parseIPv6Groups(s);
  if (g === undefined) return undefined;
  const mapped = ipv4MappedOctets(g);
  return mapped !== undefined ? { v4: mapped } : { v6: g };
}

function isValidCIDR(s: string): boolean {
  const slash = s.indexOf("/");
  if (slash < 0) return false;
  const addr = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (parseIP(addr) === undefined || !/^(0|[1-9][0-9]{0,2})$/.test(bits)) return false;
  // Go net.ParseCIDR: a dotted-quad address has 32 bits, any other form 128.
  return Number(bits) <= (parseIPv4Octets(addr) !== undefined ? 32 : 128);
}

/** ValidateEndpointIP (pkg/apis/core/validation): no unspecified, loopback or link-local addresses. */
function endpointIPErrors(address: string, path: string, errs: FieldError[]): void {
  const ip = parseIP(address);
  if (ip === undefined) {
    errs.push(fieldInvalid(path, address, "must be a valid IP address"));
    return;
  }
  let unspecified: boolean, loopback: boolean, linkLocal: boolean, linkLocalMulticast: boolean;
  if (ip.v4 !== undefined) {
    const b = ip.v4;
    unspecified = b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === 0;
    loopback = b[0] === 127;
    linkLocal = b[0] === 169 && b[1] === 254;
    linkLocalMulticast = b[0] === 224 && b[1] === 0 && b[2] === 0;
  } else {
    const g = ip.v6 ?? [];
    const zeroUntil7 = g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0 && g[6] === 0;
    unspecified = zeroUntil7 && g[7] === 0;
    loopback = zeroUntil7 && g[7] === 1;
    linkLocal = (g[0] & 0xffc0) === 0xfe80;
    linkLocalMulticast = (g[0] & 0xff0f) === 0xff02;
  }
  if (unspecified) errs.push(fieldInvalid(path, address, `may not be unspecified (${address})`));
  if (loopback) errs.push(fieldInvalid(path, address, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
  if (linkLocal) errs.push(fieldInvalid(path, address, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
  if (linkLocalMulticast) {
    errs.push(fieldInvalid(path, address, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
  }
}

// ---------------------------------------------------------------------------
// Reading untrusted input
// ---------------------------------------------------------------------------

type Errs = FieldError[];

function own(o: Record<string, unknown>, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

/**
 * Reads an optional field of the given JSON type: `undefined` when absent or `null`
 * (Go's zero value), `null` when present with the wrong type (already reported).
 */
function optString(o: Record<string, unknown>, k: string, path: string, errs: Errs): string | undefined | null {
  const v = own(o, k);
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  errs.push(fieldTypeError(path, v, "string"));
  return null;
}

function optInt(o: Record<string, unknown>, k: string, path: string, errs: Errs): number | undefined | null {
  const v = own(o, k);
  if (v === undefined || v === null) return undefined;
  if (typeof v === "number" && Number.isInteger(v)) return v;
  errs.push(fieldTypeError(path, v, "integer"));
  return null;
}

function optBool(o: Record<string, unknown>, k: string, path: string, errs: Errs): void {
  const v = own(o, k);
  if (v !== undefined && v !== null && typeof v !== "boolean") errs.push(fieldTypeError(path, v, "boolean"));
}

function optObject(o: Record<string, unknown>, k: string, path: string, errs: Errs): Record<string, unknown> | undefined | null {
  const v = own(o, k);
  if (v === undefined || v === null) return undefined;
  if (isObject(v)) return v;
  errs.push(fieldTypeError(path, v, "object"));
  return null;
}

function optArray(o: Record<string, unknown>, k: string, path: string, errs: Errs): readonly unknown[] | undefined | null {
  const v = own(o, k);
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v;
  errs.push(fieldTypeError(path, v, "array"));
  return null;
}

/** A list of strings, each entry type-checked; `null` when the list or an entry is mistyped. */
function optStringArray(o: Record<string, unknown>, k: string, path: string, errs: Errs): readonly string[] | undefined | null {
  const arr = optArray(o, k, path, errs);
  if (arr === undefined || arr === null) return arr;
  let ok = true;
  for (let i = 0; i < arr.length; i++) {
    if (typeof arr[i] !== "string") {
      errs.push(fieldTypeError(`${path}[${i}]`, arr[i], "string"));
      ok = false;
    }
  }
  return ok ? (arr as readonly string[]) : null;
}

function goStringSlice(values: readonly string[]): string {
  return "[]string{" + values.map(goQuote).join(", ") + "}";
}

// ---------------------------------------------------------------------------
// ObjectMeta (staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go)
// ---------------------------------------------------------------------------

/** A `ValidateNameFunc`: `prefix` is true for `generateName`, whose trailing `-` is masked. */
type NameFn = (name: string, prefix: boolean) => string[];

/** maskTrailingDash (apimachinery/pkg/api/validation/generic.go), including its quirk of dropping two characters. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith("-") ? name.slice(0, name.length - 2) + "a" : name;
}

const nameIsDNSSubdomain: NameFn = (name, prefix) => dns1123SubdomainErrors(prefix ? maskTrailingDash(name) : name);
const nameIsDNS1035Label: NameFn = (name, prefix) => dns1035LabelErrors(prefix ? maskTrailingDash(name) : name);

const TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * 1024;

/** ValidateAnnotations: keys are qualified names (case-insensitive); total size ≤ 256 KiB. */
function validateAnnotations(v: unknown, path: string, errs: Errs): void {
  if (v === undefined || v === null) return;
  if (!isObject(v)) {
    errs.push(fieldTypeError(path, v, "object"));
    return;
  }
  let total = 0;
  for (const k of Object.keys(v).sort()) {
    for (const msg of qualifiedNameErrors(k.toLowerCase())) errs.push(fieldInvalid(path, k, msg));
    const val = v[k];
    if (typeof val !== "string") errs.push(fieldTypeError(`${path}[${k}]`, val, "string"));
    else total += utf8Length(k) + utf8Length(val);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT_B) errs.push(fieldTooLong(path, "", TOTAL_ANNOTATION_SIZE_LIMIT_B));
}

/** Version of an apiVersion as schema.ParseGroupVersion splits it ("" when unparsable). */
function versionOf(apiVersion: string): string {
  const parts = apiVersion.split("/");
  if (parts.length === 1) return parts[0];
  if (parts.length === 2) return parts[1];
  return "";
}

/** ValidateOwnerReferences: errors are reported without the index, as upstream does. */
function validateOwnerReferences(v: unknown, path: string, errs: Errs): void {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v)) {
    errs.push(fieldTypeError(path, v, "array"));
    return;
  }
  let firstController = "";
  for (let i = 0; i < v.length; i++) {
    const ref: unknown = v[i];
    const idx = `${path}[${i}]`;
    if (!isObject(ref)) {
      errs.push(fieldTypeError(idx, ref, "object"));
      continue;
    }
    const apiVersion = optString(ref, "apiVersion", idx + ".apiVersion", errs);
    const kind = optString(ref, "kind", idx + ".kind", errs);
    const name = optString(ref, "name", idx + ".name", errs);
    const uid = optString(ref, "uid", idx + ".uid", errs);
    optBool(ref, "controller", idx + ".controller", errs);
    if (apiVersion !== null && versionOf(apiVersion ?? "") === "") {
      errs.push(fieldInvalid(path + ".apiVersion", apiVersion ?? "", "version must not be empty"));
    }
    if (kind !== null && !kind) errs.push(fieldInvalid(path + ".kind", kind ?? "", "must not be empty"));
    if (name !== null && !name) errs.push(fieldInvalid(path + ".name", name ?? "", "must not be empty"));
    if (uid !== null && !uid) errs.push(fieldInvalid(path + ".uid", uid ?? "", "must not be empty"));
    if (own(ref, "controller") === true) {
      const current = `${kind ?? ""}/${name ?? ""}`;
      if (firstController !== "") {
        errs.push(
          fieldInvalid(
            path,
            v,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      } else {
        firstController = current;
      }
    }
  }
}

/**
 * ValidateObjectMeta for creation. `generateName` is checked as a name prefix; a missing
 * `name` is accepted when `generateName` is set (the store generates the name). A
 * namespaced object without namespace is defaulted to `default`.
 * @returns the metadata object, or undefined when absent or mistyped.
 */
function validateObjectMeta(v: unknown, namespaced: boolean, nameFn: NameFn, errs: Errs): Record<string, unknown> | undefined {
  const path = "metadata";
  if (v !== undefined && v !== null && !isObject(v)) {
    errs.push(fieldTypeError(path, v, "object"));
    return undefined;
  }
  const m: Record<string, unknown> = isObject(v) ? v : {};
  const generateName = optString(m, "generateName", "metadata.generateName", errs);
  if (generateName) {
    for (const msg of nameFn(generateName, true)) errs.push(fieldInvalid("metadata.generateName", generateName, msg));
  }
  const name = optString(m, "name", "metadata.name", errs);
  if (name === undefined || name === "") {
    if (generateName === undefined || generateName === "") {
      errs.push(fieldRequired("metadata.name", "name or generateName is required"));
    }
  } else if (name !== null) {
    for (const msg of nameFn(name, false)) errs.push(fieldInvalid("metadata.name", name, msg));
  }
  const namespace = optString(m, "namespace", "metadata.namespace", errs);
  if (namespace) {
    if (namespaced) {
      // ValidateNamespaceName = NameIsDNSLabel
      for (const msg of dns1123LabelErrors(namespace)) errs.push(fieldInvalid("metadata.namespace", namespace, msg));
    } else {
      errs.push(fieldForbidden("metadata.namespace", "not allowed on this type"));
    }
  }
  const generation = optInt(m, "generation", "metadata.generation", errs);
  if (typeof generation === "number" && generation < 0) {
    errs.push(fieldInvalid("metadata.generation", generation, "must be greater than or equal to 0"));
  }
  validateLabelMap(own(m, "labels"), "metadata.labels", errs);
  validateAnnotations(own(m, "annotations"), "metadata.annotations", errs);
  validateOwnerReferences(own(m, "ownerReferences"), "metadata.ownerReferences", errs);
  return isObject(v) ? v : undefined;
}

// ---------------------------------------------------------------------------
// Pod (pkg/apis/core/validation: ValidatePodSpec, validateContainers, validateContainerPorts)
// ---------------------------------------------------------------------------

const SUPPORTED_PROTOCOLS: readonly string[] = ["SCTP", "TCP", "UDP"];

/** A protocol after defaulting (absent or "" is TCP); NotSupported otherwise. */
function validateProtocol(o: Record<string, unknown>, path: string, errs: Errs): string | null {
  const p = optString(o, "protocol", path, errs);
  if (p === null) return null;
  if (p === undefined || p === "") return "TCP";
  if (!SUPPORTED_PROTOCOLS.includes(p)) errs.push(fieldNotSupported(path, p, SUPPORTED_PROTOCOLS));
  return p;
}

/** validateContainerPorts: names are IANA_SVC_NAMEs unique within the container. */
function validateContainerPorts(v: unknown, path: string, errs: Errs): void {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v)) {
    errs.push(fieldTypeError(path, v, "array"));
    return;
  }
  const names = new Set<string>();
  for (let i = 0; i < v.length; i++) {
    const idx = `${path}[${i}]`;
    const port: unknown = v[i];
    if (!isObject(port)) {
      errs.push(fieldTypeError(idx, port, "object"));
      continue;
    }
    const name = optString(port, "name", idx + ".name", errs);
    if (name) {
      const msgs = portNameErrors(name);
      if (msgs.length > 0) for (const msg of msgs) errs.push(fieldInvalid(idx + ".name", name, msg));
      else if (names.has(name)) errs.push(fieldDuplicate(idx + ".name", name));
      else names.add(name);
    }
    const containerPort = optInt(port, "containerPort", idx + ".containerPort", errs);
    if (containerPort === undefined || containerPort === 0) {
      errs.push(fieldRequired(idx + ".containerPort", ""));
    } else if (containerPort !== null) {
      for (const msg of portNumErrors(containerPort)) errs.push(fieldInvalid(idx + ".containerPort", containerPort, msg));
    }
    validateProtocol(port, idx + ".protocol", errs);
  }
}

/**
 * validateProbe (pkg/apis/core/validation/validation.go), after the v1 defaulting
 * (pkg/apis/core/v1/defaults.go SetDefaults_Probe: a zero timeoutSeconds, periodSeconds,
 * successThreshold or failureThreshold becomes 1, 10, 1, 3): every timing field is
 * non-negative, a probe's terminationGracePeriodSeconds is > 0 and not allowed on a
 * readiness probe, and liveness and startup probes need successThreshold 1
 * (validateLivenessProbe, validateStartupProbe). The handler is not modelled, so its
 * "must specify a handler type" check is left out.
 */
function validateProbe(v: unknown, path: string, kind: "liveness" | "readiness" | "startup", errs: Errs): void {
  if (v === undefined || v === null) return;
  if (!isObject(v)) {
    errs.push(fieldTypeError(path, v, "object"));
    return;
  }
  validateNonNegative(v, "initialDelaySeconds", path + ".initialDelaySeconds", errs);
  validateNonNegative(v, "timeoutSeconds", path + ".timeoutSeconds", errs);
  validateNonNegative(v, "periodSeconds", path + ".periodSeconds", errs);
  const success = validateNonNegative(v, "successThreshold", path + ".successThreshold", errs);
  validateNonNegative(v, "failureThreshold", path + ".failureThreshold", errs);
  const grace = optInt(v, "terminationGracePeriodSeconds", path + ".terminationGracePeriodSeconds", errs);
  if (typeof grace === "number" && grace <= 0) errs.push(fieldInvalid(path + ".terminationGracePeriodSeconds", grace, "must be greater than 0"));
  if (kind === "readiness" && typeof grace === "number") {
    errs.push(fieldInvalid(path + ".terminationGracePeriodSeconds", grace, "must not be set for readinessProbes"));
  }
  // successThreshold 0 (or absent) is defaulted to 1 before validation.
  if (kind !== "readiness" && typeof success === "number" && success !== 0 && success !== 1) {
    errs.push(fieldInvalid(path + ".successThreshold", success, "must be 1"));
  }
}

/** Resources whose request may be below its limit (pkg/apis/core/helper IsOvercommitAllowed: standard, not hugepages). */
const OVERCOMMIT_ALLOWED: readonly string[] = ["cpu", "memory", "ephemeral-storage"];

/** One resource list's quantities, parsed; a quantity that does not parse or is negative is reported. */
function validateResourceList(v: unknown, path: string, errs: Errs): Map<string, Quantity> {
  const parsed = new Map<string, Quantity>();
  if (v === undefined || v === null) return parsed;
  if (!isObject(v)) {
    errs.push(fieldTypeError(path, v, "object"));
    return parsed;
  }
  for (const name of Object.keys(v).sort()) {
    const at = `${path}[${name}]`;
    const q = v[name];
    if (typeof q !== "string" && typeof q !== "number") {
      errs.push(fieldTypeError(at, q, "string"));
      continue;
    }
    let quantity: Quantity;
    try {
      quantity = parseQuantity(q);
    } catch (e) {
      // Upstream refuses the quantity while decoding (Quantity.UnmarshalJSON); reported here with its field path.
      errs.push(fieldInvalid(at, typeof q === "number" ? String(q) : q, (e as Error).message));
      continue;
    }
    // ValidateResourceQuantityValue -> ValidateNonnegativeQuantity
    if (quantity.negative) errs.push(fieldInvalid(at, quantity.canonical, "must be greater than or equal to 0"));
    parsed.set(name, quantity);
  }
  return parsed;
}

/**
 * ValidateResourceRequirements (pkg/apis/core/validation/validation.go), for the quantities:
 * each parses and is not negative (field path `resources.requests[cpu]`), and a request is
 * at most its limit (`must be less than or equal to cpu limit of 1`, on `resources.requests`,
 * values in canonical form); a resource that cannot be overcommitted needs a limit equal
 * to its request. Resource names are not checked.
 */
function validateResourceRequirements(v: unknown, path: string, errs: Errs): void {
  if (v === undefined || v === null) return;
  if (!isObject(v)) {
    errs.push(fieldTypeError(path, v, "object"));
    return;
  }
  const limits = validateResourceList(own(v, "limits"), path + ".limits", errs);
  const requests = validateResourceList(own(v, "requests"), path + ".requests", errs);
  for (const [name, request] of requests) {
    const limit = limits.get(name);
    const overcommit = OVERCOMMIT_ALLOWED.includes(name);
    if (limit !== undefined) {
      const cmp = compareQuantities(request, limit);
      if (cmp !== 0 && !overcommit) errs.push(fieldInvalid(path + ".requests", request.canonical, `must be equal to ${name} limit of ${limit.canonical}`));
      else if (cmp > 0) errs.push(fieldInvalid(path + ".requests", request.canonical, `must be less than or equal to ${name} limit of ${limit.canonical}`));
    } else if (!overcommit) {
      errs.push(fieldRequired(path + ".limits", "Limit must be set for non overcommitable resources"));
    }
  }
}

const RESTART_POLICIES: readonly string[] = ["Always", "Never", "OnFailure"];

/** validateContainers: at least one; names required, DNS-1123 labels, unique. */
function validateContainers(v: unknown, path: string, errs: Errs): void {
  if (v !== undefined && v !== null && !Array.isArray(v)) {
    errs.push(fieldTypeError(path, v, "array"));
    return;
  }
  if (!Array.isArray(v) || v.length === 0) {
    errs.push(fieldRequired(path, ""));
    return;
  }
  const names = new Set<string>();
  for (let i = 0; i < v.length; i++) {
    const idx = `${path}[${i}]`;
    const c: unknown = v[i];
    if (!isObject(c)) {
      errs.push(fieldTypeError(idx, c, "object"));
      continue;
    }
    // validateContainerCommon
    const name = optString(c, "name", idx + ".name", errs);
    if (name === undefined || name === "") errs.push(fieldRequired(idx + ".name", ""));
    else if (name !== null) for (const msg of dns1123LabelErrors(name)) errs.push(fieldInvalid(idx + ".name", name, msg));
    optString(c, "image", idx + ".image", errs);
    validateContainerPorts(own(c, "ports"), idx + ".ports", errs);
    validateProbe(own(c, "livenessProbe"), idx + ".livenessProbe", "liveness", errs);
    validateProbe(own(c, "readinessProbe"), idx + ".readinessProbe", "readiness", errs);
    validateProbe(own(c, "startupProbe"), idx + ".startupProbe", "startup", errs);
    validateResourceRequirements(own(c, "resources"), idx + ".resources", errs);
    // Names must be unique among the regular containers (checked after the common part).
    if (name !== null) {
      const n = name ?? "";
      if (names.has(n)) errs.push(fieldDuplicate(idx + ".name", n));
      else names.add(n);
    }
  }
}

/** ValidatePodSpec, for the fields kube-netsim models. */
function validatePodSpec(v: unknown, path: string, errs: Errs): void {
  if (v !== undefined && v !== null && !isObject(v)) {
    errs.push(fieldTypeError(path, v, "object"));
    return;
  }
  // A frozen pod spec found valid once is valid again: pods created from one template
  // share its (frozen) spec, so ten thousand replicas validate it once.
  if (isObject(v) && validFrozenPodSpecs.has(v)) return;
  const before = errs.length;
  const spec: Record<string, unknown> = isObject(v) ? v : {};
  validateContainers(own(spec, "containers"), path + ".containers", errs);
  const nodeName = optString(spec, "nodeName", path + ".nodeName", errs);
  if (nodeName) for (const msg of nameIsDNSSubdomain(nodeName, false)) errs.push(fieldInvalid(path + ".nodeName", nodeName, msg));
  const hostname = optString(spec, "hostname", path + ".hostname", errs);
  if (hostname) for (const msg of dns1123LabelErrors(hostname)) errs.push(fieldInvalid(path + ".hostname", hostname, msg));
  const subdomain = optString(spec, "subdomain", path + ".subdomain", errs);
  if (subdomain) for (const msg of dns1123LabelErrors(subdomain)) errs.push(fieldInvalid(path + ".subdomain", subdomain, msg));
  // Negative values are accepted and treated as 1 by the API server, so only the type is checked.
  optInt(spec, "terminationGracePeriodSeconds", path + ".terminationGracePeriodSeconds", errs);
  // validateRestartPolicy; absent or "" is defaulted to Always.
  const restartPolicy = optString(spec, "restartPolicy", path + ".restartPolicy", errs);
  if (restartPolicy && !RESTART_POLICIES.includes(restartPolicy)) errs.push(fieldNotSupported(path + ".restartPolicy", restartPolicy, RESTART_POLICIES));
  validateTolerations(own(spec, "tolerations"), path + ".tolerations", errs);
  if (errs.length === before && isObject(v) && Object.isFrozen(v)) validFrozenPodSpecs.add(v);
}

const validFrozenPodSpecs = new WeakSet<object>();

const TAINT_EFFECTS: readonly string[] = ["NoExecute", "NoSchedule", "PreferNoSchedule"];
const TOLERATION_OPERATORS: readonly string[] = ["Equal", "Exists"];

/** validateTaintEffect (pkg/apis/core/validation/validation.go): empty only where allowed. */
function validateTaintEffect(effect: string | undefined, allowEmpty: boolean, path: string, errs: Errs): void {
  if (effect === undefined || effect === "") {
    if (!allowEmpty) errs.push(fieldRequired(path, ""));
    return;
  }
  if (!TAINT_EFFECTS.includes(effect)) errs.push(fieldNotSupported(path, effect, TAINT_EFFECTS));
}

/** ValidateTolerations (pkg/apis/core/validation/validation.go), for `spec.tolerations`. */
function validateTolerations(v: unknown, path: string, errs: Errs): void {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v)) {
    errs.push(fieldTypeError(path, v, "array"));
    return;
  }
  for (let i = 0; i < v.length; i++) {
    const idx = `${path}[${i}]`;
    const t: unknown = v[i];
    if (!isObject(t)) {
      errs.push(fieldTypeError(idx, t, "object"));
      continue;
    }
    const key = optString(t, "key", idx + ".key", errs) ?? "";
    const operator = optString(t, "operator", idx + ".operator", errs) ?? "";
    const value = optString(t, "value", idx + ".value", errs) ?? "";
    const effect = optString(t, "effect", idx + ".effect", errs) ?? "";
    const seconds = optInt(t, "tolerationSeconds", idx + ".tolerationSeconds", errs);
    if (key !== "") for (const msg of qualifiedNameErrors(key)) errs.push(fieldInvalid(idx + ".key", key, msg));
    if (key === "" && operator !== "Exists") {
      errs.push(fieldInvalid(idx + ".operator", operator, "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
    }
    if (seconds !== undefined && seconds !== null && effect !== "NoExecute") {
      errs.push(fieldInvalid(idx + ".effect", effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (operator === "" || operator === "Equal") {
      for (const msg of labelValueErrors(value)) errs.push(fieldInvalid(idx + ".operator", value, msg));
    } else if (operator === "Exists") {
      if (value !== "") errs.push(fieldInvalid(idx + ".operator", t.value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(fieldNotSupported(idx + ".operator", operator, TOLERATION_OPERATORS));
    }
    validateTaintEffect(effect, true, idx + ".effect", errs);
  }
}

/** validateNodeTaints (pkg/apis/core/validation/validation.go), for a Node's `spec.taints`. */
function validateNodeTaints(v: unknown, path: string, errs: Errs): void {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v)) {
    errs.push(fieldTypeError(path, v, "array"));
    return;
  }
  const seen = new Set<string>();
  for (let i = 0; i < v.length; i++) {
    const idx = `${path}[${i}]`;
    const t: unknown = v[i];
    if (!isObject(t)) {
      errs.push(fieldTypeError(idx, t, "object"));
      continue;
    }
    const key = optString(t, "key", idx + ".key", errs) ?? "";
    const value = optString(t, "value", idx + ".value", errs) ?? "";
    const effect = optString(t, "effect", idx + ".effect", errs) ?? "";
    for (const msg of qualifiedNameErrors(key)) errs.push(fieldInvalid(idx + ".key", key, msg));
    for (const msg of labelValueErrors(value)) errs.push(fieldInvalid(idx + ".value", value, msg));
    validateTaintEffect(effect, false, idx + ".effect", errs);
    const id = `${key}:${effect}`;
    if (seen.has(id)) errs.push(fieldDuplicate(idx, `${key}:${effect}`, `"${key}:${effect}"`));
    seen.add(id);
  }
}

function validatePod(obj: Record<string, unknown>, errs: Errs): void {
  // ValidatePodCreate -> validatePodMetadataAndSpec; status is reset on create.
  validateObjectMeta(own(obj, "metadata"), true, nameIsDNSSubdomain, errs);
  validatePodSpec(own(obj, "spec"), "spec", errs);
}

// ---------------------------------------------------------------------------
// Service (pkg/apis/core/validation: ValidateService, validateServicePort, ...)
// ---------------------------------------------------------------------------

const SERVICE_TYPES: readonly string[] = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const SESSION_AFFINITIES: readonly string[] = ["ClientIP", "None"];
const TRAFFIC_POLICIES: readonly string[] = ["Cluster", "Local"];
const TRAFFIC_DISTRIBUTIONS: readonly string[] = ["PreferClose", "PreferSameZone", "PreferSameNode"];
/** core.MaxClientIPServiceAffinitySeconds */
const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;
const ANNOTATION_TOPOLOGY_MODE = "service.kubernetes.io/topology-mode";
const ANNOTATION_TOPOLOGY_AWARE_HINTS = "service.kubernetes.io/topology-aware-hints";

interface CheckedServicePort {
  readonly protocol: string | null;
  readonly port: number | null;
  readonly nodePort: number | null;
}

/** validateServicePort, preceded by the v1 defaulting of `protocol` and `targetPort`. */
function validateServicePort(
  v: unknown,
  requireName: boolean,
  names: Set<string>,
  path: string,
  errs: Errs,
): CheckedServicePort | undefined {
  if (!isObject(v)) {
    errs.push(fieldTypeError(path, v, "object"));
    return undefined;
  }
  const name = optString(v, "name", path + ".name", errs);
  if (requireName && (name === undefined || name === "")) {
    errs.push(fieldRequired(path + ".name", ""));
  } else if (name) {
    for (const msg of dns1123LabelErrors(name)) errs.push(fieldInvalid(path + ".name", name, msg));
    if (names.has(name)) errs.push(fieldDuplicate(path + ".name", name));
    else names.add(name);
  }
  const rawPort = optInt(v, "port", path + ".port", errs);
  const port = rawPort === undefined ? 0 : rawPort;
  if (port !== null) for (const msg of portNumErrors(port)) errs.push(fieldInvalid(path + ".port", port, msg));
  const protocol = validateProtocol(v, path + ".protocol", errs);
  // SetDefaults_Service: a missing, 0 or "" targetPort becomes `port`. ValidatePortNumOrName.
  let targetPort = own(v, "targetPort");
  if (targetPort === undefined || targetPort === null || targetPort === 0 || targetPort === "") targetPort = port;
  if (typeof targetPort === "number" && Number.isInteger(targetPort)) {
    for (const msg of portNumErrors(targetPort)) errs.push(fieldInvalid(path + ".targetPort", targetPort, msg));
  } else if (typeof targetPort === "string") {
    for (const msg of portNameErrors(targetPort)) errs.push(fieldInvalid(path + ".targetPort", targetPort, msg));
  } else if (targetPort !== null) {
    errs.push(fieldTypeError(path + ".targetPort", targetPort, "integer or string"));
  }
  // kube-netsim: a requested nodePort must at least be a port number; the check against
  // --service-node-port-range happens at allocation.
  const rawNodePort = optInt(v, "nodePort", path + ".nodePort", errs);
  const nodePort = rawNodePort === undefined ? 0 : rawNodePort;
  if (nodePort !== null && nodePort !== 0) {
    for (const msg of portNumErrors(nodePort)) errs.push(fieldInvalid(path + ".nodePort", nodePort, msg));
  }
  return { protocol, port, nodePort };
}

/** Go %#v of the `core.ServicePort{Protocol, Port}` key upstream reports for duplicate ports. */
function goServicePortKey(protocol: string, port: number): string {
  return (
    `core.ServicePort{Name:"", Protocol:${goQuote(protocol)}, AppProtocol:(*string)(nil), Port:${port}, ` +
    `TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`
  );
}

function validateServiceSpec(spec: Record<string, unknown>, errs: Errs): void {
  const svcTypeRaw = optString(spec, "type", "spec.type", errs);
  const svcType = svcTypeRaw ? svcTypeRaw : "ClusterIP";

  // pkg/registry/core/service/strategy.go normalizeClusterIPs: clusterIP and clusterIPs are synced before validation.
  const clusterIP = optString(spec, "clusterIP", "spec.clusterIP", errs);
  const clusterIPsRaw = optStringArray(spec, "clusterIPs", "spec.clusterIPs", errs);
  let clusterIPs: readonly string[] = clusterIPsRaw ?? [];
  if (clusterIP && clusterIPs.length === 0 && clusterIPsRaw !== null) clusterIPs = [clusterIP];
  const headless = clusterIPs.length === 1 && clusterIPs[0] === "None";

  const portsRaw = optArray(spec, "ports", "spec.ports", errs);
  const ports = portsRaw ?? [];
  if (portsRaw !== null && ports.length === 0 && !headless && svcType !== "ExternalName") {
    errs.push(fieldRequired("spec.ports", ""));
  }
  switch (svcType) {
    case "LoadBalancer":
    case "NodePort":
      if (headless) {
        errs.push(fieldInvalid("spec.clusterIPs[0]", clusterIPs[0], `may not be set to 'None' for ${svcType} services`));
      }
      break;
    case "ExternalName": {
      if (clusterIPs.length > 0) errs.push(fieldForbidden("spec.clusterIPs", "may not be set for ExternalName services"));
      const externalName = optString(spec, "externalName", "spec.externalName", errs);
      if (externalName !== null) {
        // The value (a CNAME) may have a trailing dot to denote it as fully qualified.
        const cname = (externalName ?? "").endsWith(".") ? (externalName ?? "").slice(0, -1) : externalName ?? "";
        if (cname.length > 0) for (const msg of dns1123SubdomainErrors(cname)) errs.push(fieldInvalid("spec.externalName", cname, msg));
        else errs.push(fieldRequired("spec.externalName", ""));
      }
      break;
    }
  }

  const names = new Set<string>();
  const checked: (CheckedServicePort | undefined)[] = [];
  for (let i = 0; i < ports.length; i++) {
    checked.push(validateServicePort(ports[i], ports.length > 1, names, `spec.ports[${i}]`, errs));
  }

  const selector = own(spec, "selector");
  validateLabelMap(selector, "spec.selector", errs);

  const affinityRaw = optString(spec, "sessionAffinity", "spec.sessionAffinity", errs);
  const affinity = affinityRaw ? affinityRaw : affinityRaw === null ? null : "None";
  if (affinity !== null && !SESSION_AFFINITIES.includes(affinity)) {
    errs.push(fieldNotSupported("spec.sessionAffinity", affinity, SESSION_AFFINITIES));
  }
  const affinityConfig = optObject(spec, "sessionAffinityConfig", "spec.sessionAffinityConfig", errs);
  if (affinity === "ClientIP") {
    // A missing config is defaulted (timeoutSeconds 10800) before validation.
    if (affinityConfig) {
      const clientIP = optObject(affinityConfig, "clientIP", "spec.sessionAffinityConfig.clientIP", errs);
      if (clientIP) {
        const tPath = "spec.sessionAffinityConfig.clientIP.timeoutSeconds";
        const timeout = optInt(clientIP, "timeoutSeconds", tPath, errs);
        if (typeof timeout === "number" && (timeout <= 0 || timeout > MAX_CLIENT_IP_AFFINITY_SECONDS)) {
          errs.push(fieldInvalid(tPath, timeout, `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`));
        }
      }
    }
  } else if (affinity === "None" && affinityConfig !== undefined) {
    errs.push(fieldForbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
  }

  if (svcType !== "ExternalName" && clusterIPsRaw !== null) validateClusterIPs(clusterIP, clusterIPsRaw, clusterIPs, errs);

  if (svcTypeRaw !== null && !SERVICE_TYPES.includes(svcType)) errs.push(fieldNotSupported("spec.type", svcType, SERVICE_TYPES));

  if (svcType === "ClusterIP") {
    for (let i = 0; i < checked.length; i++) {
      const p = checked[i];
      if (p !== undefined && p.nodePort !== null && p.nodePort !== 0) {
        errs.push(fieldForbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
      }
    }
  }
  // Duplicate NodePorts, considering (protocol, nodePort) pairs.
  const nodePorts = new Set<string>();
  for (let i = 0; i < checked.length; i++) {
    const p = checked[i];
    if (p === undefined || p.nodePort === null || p.nodePort === 0 || p.protocol === null) continue;
    const key = `${p.protocol}/${p.nodePort}`;
    if (nodePorts.has(key)) errs.push(fieldDuplicate(`spec.ports[${i}].nodePort`, p.nodePort));
    nodePorts.add(key);
  }
  // Duplicate ports, considering (protocol, port) pairs.
  const seenPorts = new Set<string>();
  for (let i = 0; i < checked.length; i++) {
    const p = checked[i];
    if (p === undefined || p.port === null || p.protocol === null) continue;
    const key = `${p.protocol}/${p.port}`;
    if (seenPorts.has(key)) {
      errs.push(fieldDuplicate(`spec.ports[${i}]`, { protocol: p.protocol, port: p.port }, goServicePortKey(p.protocol, p.port)));
    }
    seenPorts.add(key);
  }

  // spec.externalIPs, allocateLoadBalancerNodePorts, healthCheckNodePort (pkg/apis/core/validation ValidateService).
  const externalIPs = optStringArray(spec, "externalIPs", "spec.externalIPs", errs);
  (externalIPs ?? []).forEach((ip, i) => {
    if (parseIP(ip) === undefined) errs.push(fieldInvalid(`spec.externalIPs[${i}]`, ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
  });
  optBool(spec, "allocateLoadBalancerNodePorts", "spec.allocateLoadBalancerNodePorts", errs);
  if (svcType !== "LoadBalancer" && spec.allocateLoadBalancerNodePorts !== undefined) {
    errs.push(fieldForbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"));
  }
  const hcnp = optInt(spec, "healthCheckNodePort", "spec.healthCheckNodePort", errs);
  const etpRaw = typeof spec.externalTrafficPolicy === "string" ? spec.externalTrafficPolicy : "";
  if (typeof hcnp === "number" && hcnp !== 0) {
    if (svcType !== "LoadBalancer" || etpRaw !== "Local") {
      errs.push(fieldForbidden("spec.healthCheckNodePort", "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
    } else for (const msg of portNumErrors(hcnp)) errs.push(fieldInvalid("spec.healthCheckNodePort", hcnp, msg));
  }
  // validateServiceExternalTrafficPolicy (apiservice.ExternallyAccessible: NodePort, LoadBalancer, or ClusterIP with externalIPs).
  const etp = optString(spec, "externalTrafficPolicy", "spec.externalTrafficPolicy", errs);
  if (etp) {
    if (svcType !== "NodePort" && svcType !== "LoadBalancer" && !(svcType === "ClusterIP" && (externalIPs?.length ?? 0) > 0)) {
      errs.push(fieldInvalid("spec.externalTrafficPolicy", etp, "may only be set for externally-accessible services"));
    } else if (!TRAFFIC_POLICIES.includes(etp)) {
      errs.push(fieldNotSupported("spec.externalTrafficPolicy", etp, TRAFFIC_POLICIES));
    }
  }
  // validateServiceInternalTrafficFieldsValue (a pointer upstream: "" is a value, not "unset").
  const itp = optString(spec, "internalTrafficPolicy", "spec.internalTrafficPolicy", errs);
  if (typeof itp === "string" && !TRAFFIC_POLICIES.includes(itp)) {
    errs.push(fieldNotSupported("spec.internalTrafficPolicy", itp, TRAFFIC_POLICIES));
  }
  const td = optString(spec, "trafficDistribution", "spec.trafficDistribution", errs);
  if (typeof td === "string" && !TRAFFIC_DISTRIBUTIONS.includes(td)) {
    errs.push(fieldNotSupported("spec.trafficDistribution", td, TRAFFIC_DISTRIBUTIONS));
  }
  optBool(spec, "publishNotReadyAddresses", "spec.publishNotReadyAddresses", errs);
}

/** ValidateServiceClusterIPsRelatedFields, plus the single-stack IPv4 allocation check. */
function validateClusterIPs(clusterIP: string | undefined | null, given: readonly string[] | undefined, ips: readonly string[], errs: Errs): void {
  if (clusterIP && given !== undefined && given.length > 0 && given[0] !== clusterIP) {
    errs.push(fieldInvalid("spec.clusterIPs", given, "first value must match `clusterIP`", goStringSlice(given)));
  }
  let hasInvalid = false;
  for (let i = 0; i < ips.length; i++) {
    const ip = ips[i];
    if (i === 0 && ip === "None") {
      if (ips.length > 1) {
        hasInvalid = true;
        errs.push(fieldInvalid("spec.clusterIPs", ips, "'None' must be the first and only value", goStringSlice(ips)));
      }
      continue;
    }
    if (parseIP(ip) === undefined) {
      hasInvalid = true;
      errs.push(fieldInvalid(`spec.clusterIPs[${i}]`, ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
    }
  }
  if (ips.length > 2) errs.push(fieldInvalid("spec.clusterIPs", ips, "may only hold up to 2 values", goStringSlice(ips)));
  if (hasInvalid) return;
  if (ips.length > 1) {
    const v4 = ips.filter((ip) => parseIP(ip)?.v4 !== undefined).length;
    if (v4 === 0 || v4 === ips.length) {
      errs.push(fieldInvalid("spec.clusterIPs", ips, "may specify no more than one IP for each IP family", goStringSlice(ips)));
      return;
    }
  }
  // pkg/registry/core/service/alloc.go initIPFamilyFields: kube-netsim's cluster is single-stack IPv4.
  for (let i = 0; i < ips.length; i++) {
    if (ips[i] !== "None" && parseIP(ips[i])?.v6 !== undefined) {
      errs.push(fieldInvalid(`spec.clusterIPs[${i}]`, ips, "may not use IPv6 on a cluster which is not configured for it", goStringSlice(ips)));
    }
  }
}

function validateService(obj: Record<string, unknown>, errs: Errs): void {
  const metadata = validateObjectMeta(own(obj, "metadata"), true, nameIsDNS1035Label, errs);
  if (metadata !== undefined) {
    const annotations = own(metadata, "annotations");
    if (isObject(annotations)) {
      const mode = own(annotations, ANNOTATION_TOPOLOGY_MODE);
      const hints = own(annotations, ANNOTATION_TOPOLOGY_AWARE_HINTS);
      if (typeof mode === "string" && typeof hints === "string" && mode !== hints) {
        errs.push(
          fieldInvalid(
            `metadata.annotations[${ANNOTATION_TOPOLOGY_MODE}]`,
            mode,
            `must match annotations[${ANNOTATION_TOPOLOGY_AWARE_HINTS}] when both are specified`,
          ),
        );
      }
    }
  }
  const spec = own(obj, "spec");
  if (spec !== undefined && spec !== null && !isObject(spec)) {
    errs.push(fieldTypeError("spec", spec, "object"));
    return;
  }
  validateServiceSpec(isObject(spec) ? spec : {}, errs);
}

// ---------------------------------------------------------------------------
// Deployment / ReplicaSet (pkg/apis/apps/validation)
// ---------------------------------------------------------------------------

function validateNonNegative(o: Record<string, unknown>, k: string, path: string, errs: Errs): number | undefined | null {
  const n = optInt(o, k, path, errs);
  if (typeof n === "number" && n < 0) errs.push(fieldInvalid(path, n, "must be greater than or equal to 0"));
  return n;
}

/** Go %#v of a `metav1.LabelSelector` (as printed for spec.selector errors). */
function goLabelSelector(sel: Record<string, unknown>): string {
  const ml = own(sel, "matchLabels");
  const mlText =
    ml === undefined || ml === null ? "map[string]string(nil)" : isObject(ml) ? goStringMap(ml) : formatGoValue(ml);
  const me = own(sel, "matchExpressions");
  let meText: string;
  if (me === undefined || me === null) meText = "[]v1.LabelSelectorRequirement(nil)";
  else if (!Array.isArray(me)) meText = formatGoValue(me);
  else {
    const items = me.map((e: unknown) => {
      if (!isObject(e)) return formatGoValue(e);
      const values = own(e, "values");
      const valuesText =
        values === undefined || values === null
          ? "[]string(nil)"
          : Array.isArray(values)
            ? "[]string{" + values.map((x: unknown) => (typeof x === "string" ? goQuote(x) : formatGoValue(x))).join(", ") + "}"
            : formatGoValue(values);
      const key = own(e, "key") ?? "";
      const op = own(e, "operator") ?? "";
      const keyText = typeof key === "string" ? goQuote(key) : formatGoValue(key);
      const opText = typeof op === "string" ? goQuote(op) : formatGoValue(op);
      return `v1.LabelSelectorRequirement{Key:${keyText}, Operator:${opText}, Values:${valuesText}}`;
    });
    meText = "[]v1.LabelSelectorRequirement{" + items.join(", ") + "}";
  }
  return `v1.LabelSelector{MatchLabels:${mlText}, MatchExpressions:${meText}}`;
}

/**
 * spec.selector of a Deployment/ReplicaSet: required, valid (strict label values), not
 * empty. Returns the compiled selector for the template check, or undefined when it is
 * unusable (upstream then skips the template: "invalid label selector").
 */
function validateWorkloadSelector(spec: Record<string, unknown>, errs: Errs): { readonly usable: boolean; readonly selector?: CompiledSelector } {
  const raw = own(spec, "selector");
  if (raw === undefined || raw === null) {
    errs.push(fieldRequired("spec.selector", ""));
    // LabelSelectorAsSelector(nil) = labels.Nothing(): the template labels never match.
    return { usable: true, selector: compileLabelSelector(undefined) };
  }
  if (!isObject(raw)) {
    errs.push(fieldTypeError("spec.selector", raw, "object"));
    return { usable: false };
  }
  const selErrs = validateLabelSelector(raw, "spec.selector");
  errs.push(...selErrs);
  const ml = own(raw, "matchLabels");
  const me = own(raw, "matchExpressions");
  const count = (isObject(ml) ? Object.keys(ml).length : ml == null ? 0 : 1) + (Array.isArray(me) ? me.length : me == null ? 0 : 1);
  if (count === 0) errs.push(fieldInvalid("spec.selector", raw, "empty selector is invalid for deployment", goLabelSelector(raw)));
  if (selErrs.length > 0) {
    errs.push(fieldInvalid("spec.selector", raw, "invalid label selector", goLabelSelector(raw)));
    return { usable: false };
  }
  return { usable: true, selector: compileLabelSelector(raw as LabelSelector) };
}

function isStringMap(v: unknown): v is StringMap {
  if (!isObject(v)) return false;
  for (const k of Object.keys(v)) if (typeof v[k] !== "string") return false;
  return true;
}

/** ValidatePodTemplateSpecForReplicaSet + ValidatePodTemplateSpec. */
function validatePodTemplate(spec: Record<string, unknown>, selector: CompiledSelector | undefined, errs: Errs): void {
  const path = "spec.template";
  const t = optObject(spec, "template", path, errs);
  if (t === null) return;
  const template: Record<string, unknown> = t ?? {};
  const md = optObject(template, "metadata", path + ".metadata", errs);
  const labels = md ? own(md, "labels") : undefined;
  const annotations = md ? own(md, "annotations") : undefined;
  if (selector !== undefined && !selector.empty && md !== null) {
    const labelMap = labels === null ? undefined : labels;
    if ((labelMap === undefined || isStringMap(labelMap)) && !selector.matches(labelMap)) {
      errs.push(
        fieldInvalid(path + ".metadata.labels", labelMap, "`selector` does not match template `labels`", goStringMap(labelMap)),
      );
    }
  }
  // Upstream quirk: template labels/annotations are reported at spec.template.labels / .annotations.
  validateLabelMap(labels, path + ".labels", errs);
  validateAnnotations(annotations, path + ".annotations", errs);
  validatePodSpec(own(template, "spec"), path + ".spec", errs);
  // ValidatePodTemplateSpecForReplicaSet: only restartPolicy Always (pods of a ReplicaSet are restarted, never left finished).
  const tspec = own(template, "spec");
  const rp = isObject(tspec) ? own(tspec, "restartPolicy") : undefined;
  if (typeof rp === "string" && rp !== "" && rp !== "Always" && RESTART_POLICIES.includes(rp)) {
    errs.push(fieldNotSupported(path + ".spec.restartPolicy", rp, ["Always"]));
  }
}

type IntOrString = { readonly kind: "int"; readonly value: number } | { readonly kind: "string"; readonly value: string };

function goIntOrString(v: IntOrString): string {
  return v.kind === "int"
    ? `intstr.IntOrString{Type:0, IntVal:${v.value}, StrVal:""}`
    : `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v.value)}}`;
}

/** ValidatePositiveIntOrPercent; returns the value, or null when mistyped/invalid-typed. */
function validateIntOrPercent(raw: unknown, path: string, errs: Errs): IntOrString | null {
  if (typeof raw === "number" && Number.isInteger(raw)) {
    if (raw < 0) errs.push(fieldInvalid(path, raw, "must be greater than or equal to 0"));
    return { kind: "int", value: raw };
  }
  if (typeof raw === "string") {
    const v: IntOrString = { kind: "string", value: raw };
    for (const msg of percentErrors(raw)) errs.push(fieldInvalid(path, raw, msg, goIntOrString(v)));
    return v;
  }
  errs.push(fieldTypeError(path, raw, "integer or string"));
  return null;
}

/** getIntOrPercentValue: the number of a valid percent, else IntOrString.IntValue(). */
function intOrPercentValue(v: IntOrString): number {
  if (v.kind === "int") return v.value;
  if (percentErrors(v.value).length === 0) return Number(v.value.slice(0, -1));
  return /^[+-]?[0-9]+$/.test(v.value) ? Number(v.value) : 0;
}

function validateDeploymentStrategy(spec: Record<string, unknown>, errs: Errs): void {
  const path = "spec.strategy";
  const strategy = optObject(spec, "strategy", path, errs);
  if (strategy === null) return;
  const s: Record<string, unknown> = strategy ?? {};
  const typeRaw = optString(s, "type", path + ".type", errs);
  if (typeRaw === null) return;
  const type = typeRaw || "RollingUpdate"; // SetDefaults_Deployment
  const ru = own(s, "rollingUpdate");
  if (type === "Recreate") {
    if (ru !== undefined && ru !== null) {
      errs.push(fieldForbidden(path + ".rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
    }
  } else if (type === "RollingUpdate") {
    validateRollingUpdate(ru, path + ".rollingUpdate", errs);
  } else {
    const ruText =
      ru === undefined || ru === null
        ? "(*apps.RollingUpdateDeployment)(nil)"
        : isObject(ru)
          ? `&apps.RollingUpdateDeployment{MaxUnavailable:${formatGoValue(own(ru, "maxUnavailable"))}, MaxSurge:${formatGoValue(own(ru, "maxSurge"))}}`
          : formatGoValue(ru);
    errs.push(
      fieldNotSupported(path, s, ["Recreate", "RollingUpdate"], `apps.DeploymentStrategy{Type:${goQuote(type)}, RollingUpdate:${ruText}}`),
    );
  }
}

/** ValidateRollingUpdateDeployment, after defaulting missing values to 25%. */
function validateRollingUpdate(ru: unknown, path: string, errs: Errs): void {
  if (ru !== undefined && ru !== null && !isObject(ru)) {
    errs.push(fieldTypeError(path, ru, "object"));
    return;
  }
  const r: Record<string, unknown> = isObject(ru) ? ru : {};
  const muRaw = own(r, "maxUnavailable");
  const msRaw = own(r, "maxSurge");
  const mu = validateIntOrPercent(muRaw === undefined || muRaw === null ? "25%" : muRaw, path + ".maxUnavailable", errs);
  const ms = validateIntOrPercent(msRaw === undefined || msRaw === null ? "25%" : msRaw, path + ".maxSurge", errs);
  if (mu !== null && ms !== null && intOrPercentValue(mu) === 0 && intOrPercentValue(ms) === 0) {
    errs.push(fieldInvalid(path + ".maxUnavailable", mu.value, "may not be 0 when `maxSurge` is 0", goIntOrString(mu)));
  }
  // IsNotMoreThan100Percent
  if (mu !== null && mu.kind === "string" && percentErrors(mu.value).length === 0 && intOrPercentValue(mu) > 100) {
    errs.push(fieldInvalid(path + ".maxUnavailable", mu.value, "must not be greater than 100%", goIntOrString(mu)));
  }
}

function validateDeployment(obj: Record<string, unknown>, errs: Errs): void {
  validateObjectMeta(own(obj, "metadata"), true, nameIsDNSSubdomain, errs);
  const raw = own(obj, "spec");
  if (raw !== undefined && raw !== null && !isObject(raw)) {
    errs.push(fieldTypeError("spec", raw, "object"));
    return;
  }
  const spec: Record<string, unknown> = isObject(raw) ? raw : {};
  // ValidateDeploymentSpec
  validateNonNegative(spec, "replicas", "spec.replicas", errs);
  const sel = validateWorkloadSelector(spec, errs);
  validatePodTemplate(spec, sel.usable ? sel.selector : undefined, errs);
  validateDeploymentStrategy(spec, errs);
  const minReady = validateNonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errs);
  validateNonNegative(spec, "revisionHistoryLimit", "spec.revisionHistoryLimit", errs);
  const pdsRaw = validateNonNegative(spec, "progressDeadlineSeconds", "spec.progressDeadlineSeconds", errs);
  const pds = pdsRaw === undefined ? 600 : pdsRaw; // apps/v1 default
  if (typeof pds === "number" && minReady !== null && pds <= (minReady ?? 0)) {
    errs.push(fieldInvalid("spec.progressDeadlineSeconds", pds, "must be greater than minReadySeconds"));
  }
  optBool(spec, "paused", "spec.paused", errs);
}

function validateReplicaSet(obj: Record<string, unknown>, errs: Errs): void {
  validateObjectMeta(own(obj, "metadata"), true, nameIsDNSSubdomain, errs);
  const raw = own(obj, "spec");
  if (raw !== undefined && raw !== null && !isObject(raw)) {
    errs.push(fieldTypeError("spec", raw, "object"));
    return;
  }
  const spec: Record<string, unknown> = isObject(raw) ? raw : {};
  // ValidateReplicaSetSpec
  validateNonNegative(spec, "replicas", "spec.replicas", errs);
  validateNonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errs);
  const sel = validateWorkloadSelector(spec, errs);
  validatePodTemplate(spec, sel.usable ? sel.selector : undefined, errs);
}

// ---------------------------------------------------------------------------
// Node (pkg/apis/core/validation ValidateNode)
// ---------------------------------------------------------------------------

function validateNode(obj: Record<string, unknown>, errs: Errs): void {
  validateObjectMeta(own(obj, "metadata"), false, nameIsDNSSubdomain, errs);
  const spec = optObject(obj, "spec", "spec", errs);
  if (spec) {
    // v1 spec.podCIDR is converted to spec.podCIDRs[0].
    const podCIDR = optString(spec, "podCIDR", "spec.podCIDR", errs);
    if (podCIDR && !isValidCIDR(podCIDR)) {
      errs.push(fieldInvalid("spec.podCIDRs[0]", podCIDR, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
    }
    optBool(spec, "unschedulable", "spec.unschedulable", errs);
    validateNodeTaints(own(spec, "taints"), "spec.taints", errs);
  }
}

// ---------------------------------------------------------------------------
// EndpointSlice (pkg/apis/discovery/validation)
// ---------------------------------------------------------------------------

const ADDRESS_TYPES: readonly string[] = ["FQDN", "IPv4", "IPv6"];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 100;
const MAX_ZONE_HINTS = 8;
const MAX_NODE_HINTS = 8;

/** IsFullyQualifiedDomainName (apimachinery/pkg/util/validation). */
function fqdnErrors(name: string, path: string, errs: Errs): void {
  if (name.length === 0) {
    errs.push(fieldRequired(path, ""));
    return;
  }
  const n = name.endsWith(".") ? name.slice(0, -1) : name;
  const sub = dns1123SubdomainErrors(n);
  if (sub.length > 0) {
    errs.push(fieldInvalid(path, n, sub.join(",")));
    return;
  }
  const labels = n.split(".");
  if (labels.length < 2) {
    errs.push(fieldInvalid(path, n, "should be a domain with at least two segments separated by dots"));
    return;
  }
  for (const label of labels) {
    const le = dns1123LabelErrors(label);
    if (le.length > 0) {
      errs.push(fieldInvalid(path, label, le.join(",")));
      return;
    }
  }
}

function validateEndpointAddress(address: string, addressType: string, path: string, errs: Errs): void {
  switch (addressType) {
    case "IPv4":
      if (parseIPv4Octets(address) === undefined) errs.push(fieldInvalid(path, address, "must be a valid IPv4 address"));
      endpointIPErrors(address, path, errs);
      break;
    case "IPv6":
      if (parseIP(address)?.v6 === undefined) errs.push(fieldInvalid(path, address, "must be a valid IPv6 address"));
      endpointIPErrors(address, path, errs);
      break;
    case "FQDN":
      fqdnErrors(address, path, errs);
      break;
  }
}

function validateHints(hints: Record<string, unknown>, path: string, errs: Errs): void {
  const zones = optArray(hints, "forZones", path + ".forZones", errs);
  if (zones) {
    if (zones.length > MAX_ZONE_HINTS) {
      errs.push(fieldTooMany(path + ".forZones", zones.length, MAX_ZONE_HINTS));
      return;
    }
    const seen = new Set<string>();
    for (let i = 0; i < zones.length; i++) {
      const zPath = `${path}.forZones[${i}]`;
      const z: unknown = zones[i];
      if (!isObject(z)) {
        errs.push(fieldTypeError(zPath, z, "object"));
        continue;
      }
      const name = optString(z, "name", zPath + ".name", errs);
      if (name === null) continue;
      const n = name ?? "";
      if (seen.has(n)) errs.push(fieldDuplicate(zPath + ".name", n));
      else seen.add(n);
      for (const msg of labelValueErrors(n)) errs.push(fieldInvalid(zPath + ".name", n, msg));
    }
  }
  const nodes = optArray(hints, "forNodes", path + ".forNodes", errs);
  if (nodes) {
    if (nodes.length > MAX_NODE_HINTS) {
      errs.push(fieldTooMany(path + ".forNodes", nodes.length, MAX_NODE_HINTS));
      return;
    }
    const seen = new Set<string>();
    for (let i = 0; i < nodes.length; i++) {
      const nPath = `${path}.forNodes[${i}]`;
      const nd: unknown = nodes[i];
      if (!isObject(nd)) {
        errs.push(fieldTypeError(nPath, nd, "object"));
        continue;
      }
      const name = optString(nd, "name", nPath + ".name", errs);
      if (name === null) continue;
      const n = name ?? "";
      if (seen.has(n)) errs.push(fieldDuplicate(nPath + ".name", n));
      else seen.add(n);
      for (const msg of nameIsDNSSubdomain(n, false)) errs.push(fieldInvalid(nPath + ".name", n, msg));
    }
  }
}

function validateEndpoints(v: unknown, addressType: string, errs: Errs): void {
  const path = "endpoints";
  if (v === undefined || v === null) return;
  if (!Array.isArray(v)) {
    errs.push(fieldTypeError(path, v, "array"));
    return;
  }
  if (v.length > MAX_ENDPOINTS) {
    errs.push(fieldTooMany(path, v.length, MAX_ENDPOINTS));
    return;
  }
  for (let i = 0; i < v.length; i++) {
    const ep: unknown = v[i];
    // A frozen endpoint found valid once (for this address type) is valid again: the
    // EndpointSlice controller carries unchanged endpoints from slice version to version.
    if (isObject(ep) && validFrozenEndpoints.get(ep) === addressType) continue;
    const idx = `${path}[${i}]`;
    if (!isObject(ep)) {
      errs.push(fieldTypeError(idx, ep, "object"));
      continue;
    }
    const before = errs.length;
    const aPath = idx + ".addresses";
    const addresses = optStringArray(ep, "addresses", aPath, errs);
    if (addresses !== null) {
      const list = addresses ?? [];
      if (list.length === 0) errs.push(fieldRequired(aPath, "must contain at least 1 address"));
      else if (list.length > MAX_ADDRESSES) errs.push(fieldTooMany(aPath, list.length, MAX_ADDRESSES));
      for (let j = 0; j < list.length; j++) validateEndpointAddress(list[j], addressType, `${aPath}[${j}]`, errs);
    }
    const conditions = optObject(ep, "conditions", idx + ".conditions", errs);
    if (conditions) {
      for (const c of ["ready", "serving", "terminating"]) optBool(conditions, c, `${idx}.conditions.${c}`, errs);
    }
    const nodeName = optString(ep, "nodeName", idx + ".nodeName", errs);
    if (typeof nodeName === "string") {
      for (const msg of nameIsDNSSubdomain(nodeName, false)) errs.push(fieldInvalid(idx + ".nodeName", nodeName, msg));
    }
    optString(ep, "zone", idx + ".zone", errs);
    const hostname = optString(ep, "hostname", idx + ".hostname", errs);
    if (typeof hostname === "string") {
      for (const msg of dns1123LabelErrors(hostname)) errs.push(fieldInvalid(idx + ".hostname", hostname, msg));
    }
    const hints = optObject(ep, "hints", idx + ".hints", errs);
    if (hints) validateHints(hints, idx + ".hints", errs);
    if (errs.length === before && Object.isFrozen(ep)) validFrozenEndpoints.set(ep, addressType);
  }
}

const validFrozenEndpoints = new WeakMap<object, string>();

function validateEndpointPorts(v: unknown, errs: Errs): void {
  const path = "ports";
  if (v === undefined || v === null) return;
  if (!Array.isArray(v)) {
    errs.push(fieldTypeError(path, v, "array"));
    return;
  }
  if (v.length > MAX_PORTS) {
    errs.push(fieldTooMany(path, v.length, MAX_PORTS));
    return;
  }
  const names = new Set<string>();
  for (let i = 0; i < v.length; i++) {
    const idx = `${path}[${i}]`;
    const p: unknown = v[i];
    if (!isObject(p)) {
      errs.push(fieldTypeError(idx, p, "object"));
      continue;
    }
    const name = optString(p, "name", idx + ".name", errs);
    if (name !== null) {
      const n = name ?? ""; // SetDefaults_EndpointPort: name defaults to ""
      if (n.length > 0) for (const msg of dns1123LabelErrors(n)) errs.push(fieldInvalid(idx + ".name", n, msg));
      if (names.has(n)) errs.push(fieldDuplicate(idx + ".name", n));
      else names.add(n);
    }
    validateProtocol(p, idx + ".protocol", errs);
    // Upstream does not range-check an EndpointSlice port; only its type is checked here.
    optInt(p, "port", idx + ".port", errs);
  }
}

function validateEndpointSlice(obj: Record<string, unknown>, errs: Errs): void {
  validateObjectMeta(own(obj, "metadata"), true, nameIsDNSSubdomain, errs);
  const addressType = optString(obj, "addressType", "addressType", errs);
  if (addressType === undefined || addressType === "") errs.push(fieldRequired("addressType", ""));
  else if (addressType !== null && !ADDRESS_TYPES.includes(addressType)) {
    errs.push(fieldNotSupported("addressType", addressType, ADDRESS_TYPES));
  }
  validateEndpoints(own(obj, "endpoints"), typeof addressType === "string" ? addressType : "", errs);
  validateEndpointPorts(own(obj, "ports"), errs);
}

// ---------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------

const API_VERSION_OF: Readonly<Record<string, string>> = {
  Deployment: "apps/v1",
  EndpointSlice: "discovery.k8s.io/v1",
  Node: "v1",
  Pod: "v1",
  ReplicaSet: "apps/v1",
  Service: "v1",
};
const KINDS: readonly string[] = Object.keys(API_VERSION_OF).sort();

/**
 * Validates an object as the API server does on create, after defaulting: dispatches on
 * `kind` (Pod, Node, Service, Deployment, ReplicaSet, EndpointSlice), checks that
 * `apiVersion` matches it (`v1`, `apps/v1`, `discovery.k8s.io/v1`), then validates
 * metadata and spec. Never throws, whatever the input; lists every error, in the order
 * the fields are visited.
 *
 * @returns the field errors; empty when the object is valid.
 * @example
 * ```ts
 * validateObject({ apiVersion: "v1", kind: "Service", metadata: { name: "api" },
 *   spec: { ports: [{ port: 80, targetPort: 70000 }] } }).map(String);
 * // ["spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive"]
 * ```
 */
export function validateObject(obj: unknown): readonly FieldError[] {
  const errs: FieldError[] = [];
  if (!isObject(obj)) {
    errs.push(fieldTypeError("<root>", obj, "object"));
    return errs;
  }
  const kind = own(obj, "kind");
  if (kind === undefined || kind === null || kind === "") {
    errs.push(fieldRequired("kind", ""));
    return errs;
  }
  if (typeof kind !== "string" || !Object.hasOwn(API_VERSION_OF, kind)) {
    errs.push(fieldNotSupported("kind", kind, KINDS));
    return errs;
  }
  const expected = API_VERSION_OF[kind];
  const apiVersion = own(obj, "apiVersion");
  if (apiVersion === undefined || apiVersion === null || apiVersion === "") errs.push(fieldRequired("apiVersion", ""));
  else if (apiVersion !== expected) errs.push(fieldNotSupported("apiVersion", apiVersion, [expected]));
  switch (kind) {
    case "Pod":
      validatePod(obj, errs);
      break;
    case "Node":
      validateNode(obj, errs);
      break;
    case "Service":
      validateService(obj, errs);
      break;
    case "Deployment":
      validateDeployment(obj, errs);
      break;
    case "ReplicaSet":
      validateReplicaSet(obj, errs);
      break;
    case "EndpointSlice":
      validateEndpointSlice(obj, errs);
      break;
  }
  return errs;
}
