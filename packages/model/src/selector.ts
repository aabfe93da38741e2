/**
 * Label selectors with exactly Kubernetes' semantics.
 *
 * - {@link compileLabelSelector}: a `metav1.LabelSelector` (Deployments, ReplicaSets),
 *   as `metav1.LabelSelectorAsSelector` builds it (staging/src/k8s.io/apimachinery/pkg/
 *   apis/meta/v1/helpers.go): a nil selector selects nothing (`labels.Nothing()`), an
 *   empty non-nil one (`{}`) selects everything (`labels.Everything()`).
 * - {@link compileServiceSelector}: a Service's `spec.selector` map (equality only). An
 *   absent or empty map selects nothing: the EndpointSlice controller manages no slices
 *   for such a Service (pkg/controller/endpointslice/endpointslice_controller.go
 *   syncService; staging/src/k8s.io/endpointslice).
 *
 * Compile once, match many times: {@link CompiledSelector.matches} does not allocate.
 *
 * @packageDocumentation
 */
import {
  aggregateMessage,
  fieldForbidden,
  fieldInvalid,
  fieldRequired,
  fieldTypeError,
  isObject,
  labelValueErrors,
  qualifiedNameErrors,
  validateLabelMap,
} from "./field-error.js";
import type { FieldError } from "./field-error.js";
import type { LabelSelector, LabelSelectorRequirement, StringMap } from "./types.js";

/**
 * A label selector ready to be matched against label sets (`labels.Selector`).
 *
 * @example
 * ```ts
 * const sel = compileLabelSelector({ matchLabels: { app: "api" }, matchExpressions: [{ key: "tier", operator: "In", values: ["a", "b"] }] });
 * sel.matches({ app: "api", tier: "b" }); // true
 * sel.toString(); // "app=api,tier in (a,b)"
 * ```
 */
export interface CompiledSelector {
  /** Whether a set of labels satisfies every requirement. `undefined` means no labels. Never allocates. */
  matches(labels: StringMap | undefined): boolean;
  /**
   * `labels.Selector.Empty()`: true when the selector has no requirements. For a
   * `metav1.LabelSelector` that is `{}` (selects everything) — a nil selector selects
   * nothing and is not empty. For a Service selector, true when `spec.selector` is absent
   * or empty, in which case it selects nothing.
   */
  readonly empty: boolean;
  /** The selector as `labels.Selector.String()` renders it: `app=api,tier in (a,b),!gone,env notin (x)`. */
  toString(): string;
}

/**
 * Thrown by {@link compileLabelSelector} for a selector `metav1.LabelSelectorAsSelector`
 * rejects. Lists every problem as a {@link FieldError}.
 *
 * @example
 * ```ts
 * try {
 *   compileLabelSelector({ matchExpressions: [{ key: "tier", operator: "In", values: [] }] });
 * } catch (e) {
 *   if (e instanceof LabelSelectorError) e.errors.map(formatFieldError);
 *   // ["matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]
 * }
 * ```
 */
export class LabelSelectorError extends Error {
  /** Every problem found, with field paths such as `matchExpressions[0].values`. */
  readonly errors: readonly FieldError[];
  constructor(errors: readonly FieldError[]) {
    super("invalid label selector: " + aggregateMessage(errors));
    this.name = "LabelSelectorError";
    this.errors = errors;
  }
}

const OP_EQUALS = 0;
const OP_IN = 1;
const OP_NOT_IN = 2;
const OP_EXISTS = 3;
const OP_DOES_NOT_EXIST = 4;

interface Requirement {
  readonly key: string;
  readonly op: number;
  /** The value of an equality requirement. */
  readonly value: string;
  /** The values of an In / NotIn requirement. */
  readonly set: ReadonlySet<string>;
}

const NO_VALUES: ReadonlySet<string> = new Set<string>();

class Compiled implements CompiledSelector {
  readonly empty: boolean;
  private readonly reqs: readonly Requirement[];
  private readonly nothing: boolean;
  private readonly text: string;
  constructor(reqs: readonly Requirement[], empty: boolean, nothing: boolean, text: string) {
    this.reqs = reqs;
    this.empty = empty;
    this.nothing = nothing;
    this.text = text;
  }

  matches(labels: StringMap | undefined): boolean {
    // pkg/labels/selector.go Requirement.Matches
    if (this.nothing) return false;
    const reqs = this.reqs;
    for (let i = 0; i < reqs.length; i++) {
      const r = reqs[i];
      const v: unknown = labels == null ? undefined : labels[r.key];
      const has = typeof v === "string";
      switch (r.op) {
        case OP_EQUALS:
          if (!has || v !== r.value) return false;
          break;
        case OP_IN:
          if (!has || !r.set.has(v)) return false;
          break;
        case OP_NOT_IN:
          // A missing key satisfies NotIn.
          if (has && r.set.has(v)) return false;
          break;
        case OP_EXISTS:
          if (!has) return false;
          break;
        default:
          // DoesNotExist
          if (has) return false;
      }
    }
    return true;
  }

  toString(): string {
    return this.text;
  }
}

/** `labels.Nothing()`: matches no label set; not empty; renders as "". */
const NOTHING: CompiledSelector = new Compiled([], false, true, "");
/** `labels.Everything()`: matches every label set; empty. */
const EVERYTHING: CompiledSelector = new Compiled([], true, false, "");
/** A Service with no selector: empty, and selects nothing. */
const SERVICE_NONE: CompiledSelector = new Compiled([], true, true, "");

function requirementString(r: Requirement): string {
  // pkg/labels/selector.go Requirement.String (values sorted on output)
  switch (r.op) {
    case OP_EQUALS:
      return `${r.key}=${r.value}`;
    case OP_IN:
      return `${r.key} in (${[...r.set].sort().join(",")})`;
    case OP_NOT_IN:
      return `${r.key} notin (${[...r.set].sort().join(",")})`;
    case OP_EXISTS:
      return r.key;
    default:
      return "!" + r.key;
  }
}

function build(reqs: Requirement[]): CompiledSelector {
  // pkg/labels/selector.go internalSelector.Add sorts requirements by key (stable here).
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return new Compiled(reqs, false, false, reqs.map(requirementString).join(","));
}

function join(path: string, child: string): string {
  return path === "" ? child : `${path}.${child}`;
}

/**
 * Validates a `metav1.LabelSelector` as `ValidateLabelSelector` does with
 * `AllowInvalidLabelValueInSelector: false` (staging/src/k8s.io/apimachinery/pkg/apis/
 * meta/v1/validation/validation.go): `matchLabels` keys and values, then each
 * `matchExpressions` entry (operator, values count, key, each value). Accepts any input
 * (wrong JSON types give field errors); `null`/absent is valid.
 *
 * @param fldPath path of the selector itself, e.g. `spec.selector` ("" for relative paths).
 * @example
 * ```ts
 * validateLabelSelector({ matchExpressions: [{ key: "app", operator: "In" }] }, "spec.selector").map(String);
 * // ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]
 * ```
 */
export function validateLabelSelector(sel: unknown, fldPath: string): FieldError[] {
  const errs: FieldError[] = [];
  if (sel === undefined || sel === null) return errs;
  if (!isObject(sel)) {
    errs.push(fieldTypeError(fldPath === "" ? "<root>" : fldPath, sel, "object"));
    return errs;
  }
  validateLabelMap(own(sel, "matchLabels"), join(fldPath, "matchLabels"), errs);
  const exprs = own(sel, "matchExpressions");
  if (exprs === undefined || exprs === null) return errs;
  const exprsPath = join(fldPath, "matchExpressions");
  if (!Array.isArray(exprs)) {
    errs.push(fieldTypeError(exprsPath, exprs, "array"));
    return errs;
  }
  for (let i = 0; i < exprs.length; i++) validateRequirement(exprs[i], `${exprsPath}[${i}]`, errs);
  return errs;
}

function validateRequirement(r: unknown, path: string, errs: FieldError[]): void {
  // ValidateLabelSelectorRequirement
  if (!isObject(r)) {
    errs.push(fieldTypeError(path, r, "object"));
    return;
  }
  const valuesPath = path + ".values";
  const rawValues = own(r, "values");
  let values: readonly unknown[] = [];
  let valuesOk = true;
  if (rawValues !== undefined && rawValues !== null) {
    if (Array.isArray(rawValues)) values = rawValues;
    else {
      valuesOk = false;
      errs.push(fieldTypeError(valuesPath, rawValues, "array"));
    }
  }
  const op = own(r, "operator") ?? "";
  switch (op) {
    case "In":
    case "NotIn":
      if (valuesOk && values.length === 0) {
        errs.push(fieldRequired(valuesPath, "must be specified when `operator` is 'In' or 'NotIn'"));
      }
      break;
    case "Exists":
    case "DoesNotExist":
      if (values.length > 0) {
        errs.push(fieldForbidden(valuesPath, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
      break;
    default:
      errs.push(fieldInvalid(path + ".operator", op, "not a valid selector operator"));
  }
  const key = own(r, "key") ?? "";
  if (typeof key !== "string") errs.push(fieldTypeError(path + ".key", key, "string"));
  else for (const msg of qualifiedNameErrors(key)) errs.push(fieldInvalid(path + ".key", key, msg));
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "string") errs.push(fieldTypeError(`${valuesPath}[${i}]`, v, "string"));
    else for (const msg of labelValueErrors(v)) errs.push(fieldInvalid(`${valuesPath}[${i}]`, v, msg));
  }
}

function own(o: object, k: string): unknown {
  return Object.hasOwn(o, k) ? (o as Record<string, unknown>)[k] : undefined;
}

const labelSelectorCache = new WeakMap<object, CompiledSelector>();
const serviceSelectorCache = new WeakMap<object, CompiledSelector>();

/** True when a selector cannot change any more (the store deep-freezes its objects). */
function isFrozenSelector(sel: LabelSelector): boolean {
  if (!Object.isFrozen(sel)) return false;
  if (sel.matchLabels !== undefined && !Object.isFrozen(sel.matchLabels)) return false;
  const exprs = sel.matchExpressions;
  if (exprs === undefined) return true;
  if (!Object.isFrozen(exprs)) return false;
  for (const e of exprs) if (!Object.isFrozen(e) || (e.values !== undefined && !Object.isFrozen(e.values))) return false;
  return true;
}

/**
 * Compiles a `metav1.LabelSelector` (Deployment / ReplicaSet `spec.selector`) as
 * `metav1.LabelSelectorAsSelector` does.
 *
 * - `undefined`/`null` selects nothing (`labels.Nothing()`, `empty === false`);
 * - `{}` (no matchLabels, no matchExpressions) selects everything (`labels.Everything()`,
 *   `empty === true`);
 * - `matchLabels` `k: v` requires label `k` equal to `v`; `matchExpressions`: `In` (key
 *   present and value in the set), `NotIn` (key absent, or value not in the set),
 *   `Exists`, `DoesNotExist`. All requirements must hold.
 *
 * Frozen selectors (as held by the store) are compiled once and cached.
 *
 * @param fieldPath prefix for the field paths of errors, e.g. `spec.selector`.
 * @throws LabelSelectorError for an invalid selector (In/NotIn without values,
 *   Exists/DoesNotExist with values, unknown operator, invalid key or value).
 * @example
 * ```ts
 * compileLabelSelector(undefined).matches({ app: "x" }); // false
 * compileLabelSelector({}).matches({ app: "x" }); // true
 * compileLabelSelector({ matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] }).matches({}); // true
 * ```
 */
export function compileLabelSelector(sel: LabelSelector | undefined, fieldPath?: string): CompiledSelector {
  if (sel === undefined || sel === null) return NOTHING;
  const cached = labelSelectorCache.get(sel);
  if (cached !== undefined) return cached;
  const errors = validateLabelSelector(sel, fieldPath ?? "");
  if (errors.length > 0) throw new LabelSelectorError(errors);
  // Read own properties only, exactly what validateLabelSelector checked.
  const matchLabels = (own(sel, "matchLabels") ?? {}) as StringMap;
  const exprs = (own(sel, "matchExpressions") ?? []) as readonly LabelSelectorRequirement[];
  const keys = Object.keys(matchLabels);
  let compiled: CompiledSelector;
  if (keys.length + exprs.length === 0) {
    compiled = EVERYTHING;
  } else {
    const reqs: Requirement[] = [];
    for (const k of keys) reqs.push({ key: k, op: OP_EQUALS, value: matchLabels[k], set: NO_VALUES });
    for (const e of exprs) {
      const operator = own(e, "operator");
      const op =
        operator === "In" ? OP_IN : operator === "NotIn" ? OP_NOT_IN : operator === "Exists" ? OP_EXISTS : OP_DOES_NOT_EXIST;
      const values = (own(e, "values") ?? []) as readonly string[];
      reqs.push({ key: (own(e, "key") ?? "") as string, op, value: "", set: op === OP_IN || op === OP_NOT_IN ? new Set(values) : NO_VALUES });
    }
    compiled = build(reqs);
  }
  if (isFrozenSelector(sel)) labelSelectorCache.set(sel, compiled);
  return compiled;
}

/**
 * Compiles a Service's `spec.selector` (a plain map, equality only, as
 * `labels.SelectorFromValidatedSet`). An absent or empty selector selects NOTHING and has
 * `empty === true`: the EndpointSlice controller manages no slices for such a Service
 * (its endpoints are managed by hand). Never throws; values are not re-validated.
 *
 * @example
 * ```ts
 * compileServiceSelector({ app: "api", tier: "web" }).toString(); // "app=api,tier=web"
 * compileServiceSelector({}).matches({ app: "api" }); // false
 * ```
 */
export function compileServiceSelector(sel: StringMap | undefined): CompiledSelector {
  if (sel === undefined || sel === null) return SERVICE_NONE;
  const cached = serviceSelectorCache.get(sel);
  if (cached !== undefined) return cached;
  const keys = Object.keys(sel);
  const compiled =
    keys.length === 0 ? SERVICE_NONE : build(keys.map((k) => ({ key: k, op: OP_EQUALS, value: sel[k], set: NO_VALUES })));
  if (Object.isFrozen(sel)) serviceSelectorCache.set(sel, compiled);
  return compiled;
}
