/**
 * Field errors exactly as the Kubernetes API server prints them, and the string
 * format rules (DNS labels, qualified names, label values, IANA service names) that
 * both label selectors ({@link compileLabelSelector}) and object validation
 * ({@link validateObject}) check.
 *
 * Upstream: staging/src/k8s.io/apimachinery/pkg/util/validation/field/errors.go (error
 * text), pkg/util/validation/validation.go and pkg/api/validate/content (format rules),
 * pkg/util/errors (aggregation), pkg/apis/meta/v1/validation (ValidateLabels).
 *
 * @packageDocumentation
 */

/**
 * The machine-readable kind of a field error (`field.ErrorType`, also the `reason` of a
 * `StatusCause` in the API server's 422 response).
 *
 * @example
 * ```ts
 * const type: FieldErrorType = fieldInvalid("spec.ports[0].port", 0, "must be between 1 and 65535, inclusive").type; // "FieldValueInvalid"
 * ```
 */
export type FieldErrorType =
  | "FieldValueRequired"
  | "FieldValueInvalid"
  | "FieldValueNotSupported"
  | "FieldValueDuplicate"
  | "FieldValueForbidden"
  | "FieldValueTooLong"
  | "FieldValueTooMany"
  // Not a field.ErrorType upstream: the API server refuses an unknown field while decoding
  // (a strict decoding error, 400 BadRequest); kube-netsim lists it with the other field errors.
  | "FieldValueUnknown";

/**
 * One field-level validation error (`field.Error`): which field, what is wrong with it and
 * the offending value.
 *
 * @example
 * ```ts
 * formatFieldError(fieldInvalid("spec.ports[0].targetPort", 70000, "must be between 1 and 65535, inclusive"));
 * // 'spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive'
 * ```
 */
export interface FieldError {
  /** What kind of problem it is. */
  readonly type: FieldErrorType;
  /** The field path as the API server spells it: `spec.ports[1].name`, `metadata.labels`. */
  readonly field: string;
  /** The offending value (absent for Required, Forbidden and TooLong errors). */
  readonly value?: unknown;
  /**
   * How the API server prints `value` when that depends on its Go type and cannot be
   * derived from the JavaScript value alone (Go `%#v`, e.g.
   * `map[string]string{"app":"web"}` or `v1.LabelSelector{...}`).
   */
  readonly goValue?: string;
  /** Human-readable explanation (may be empty). */
  readonly detail: string;
  /** The same text as {@link formatFieldError}. */
  toString?(): string;
}

const TYPE_TEXT: Readonly<Record<FieldErrorType, string>> = {
  FieldValueRequired: "Required value",
  FieldValueInvalid: "Invalid value",
  FieldValueNotSupported: "Unsupported value",
  FieldValueDuplicate: "Duplicate value",
  FieldValueForbidden: "Forbidden",
  FieldValueTooLong: "Too long",
  FieldValueTooMany: "Too many",
  FieldValueUnknown: "Unsupported field",
};

class FieldErr implements FieldError {
  readonly type: FieldErrorType;
  readonly field: string;
  readonly value?: unknown;
  readonly goValue?: string;
  readonly detail: string;
  constructor(type: FieldErrorType, field: string, detail: string, value?: unknown, goValue?: string) {
    this.type = type;
    this.field = field;
    this.detail = detail;
    if (value !== undefined) this.value = value;
    if (goValue !== undefined) this.goValue = goValue;
  }
  toString(): string {
    return formatFieldError(this);
  }
}

/**
 * Formats a field error as the API server does (`field.Error.Error()`):
 * `<field>: <type text>[: <value>][: <detail>]`. Required, Forbidden and TooLong errors
 * carry no value; strings are quoted like Go's `%q`, numbers and booleans are bare,
 * other values use their Go `%#v` rendering.
 *
 * @example
 * ```ts
 * formatFieldError(fieldDuplicate("spec.ports[1].name", "http")); // 'spec.ports[1].name: Duplicate value: "http"'
 * formatFieldError(fieldRequired("metadata.name", "name or generateName is required"));
 * // 'metadata.name: Required value: name or generateName is required'
 * ```
 */
export function formatFieldError(e: FieldError): string {
  // staging/src/k8s.io/apimachinery/pkg/util/validation/field/errors.go ErrorBody
  let s = TYPE_TEXT[e.type] ?? "Invalid value";
  if (e.type !== "FieldValueRequired" && e.type !== "FieldValueForbidden" && e.type !== "FieldValueTooLong" && e.type !== "FieldValueUnknown") {
    s += ": " + (e.goValue ?? formatGoValue(e.value));
  }
  if (e.detail.length !== 0) s += ": " + e.detail;
  return `${e.field}: ${s}`;
}

/**
 * The text of a list of errors as `utilerrors.Aggregate.Error()` renders it: duplicates
 * (same text) removed, a single error bare, several in `[a, b]`.
 */
export function aggregateMessage(errors: readonly FieldError[]): string {
  // staging/src/k8s.io/apimachinery/pkg/util/errors/errors.go aggregate.Error
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const e of errors) {
    const msg = formatFieldError(e);
    if (seen.has(msg)) continue;
    seen.add(msg);
    parts.push(msg);
  }
  if (parts.length === 0) return "";
  if (parts.length === 1) return parts[0];
  return "[" + parts.join(", ") + "]";
}

// ---------------------------------------------------------------------------
// Constructors (field.Required, field.Invalid, ...)
// ---------------------------------------------------------------------------

/**
 * `field.Required`: a required value is missing (`Required value[: detail]`).
 *
 * @example
 * ```ts
 * formatFieldError(fieldRequired("spec.selector", "")); // "spec.selector: Required value"
 * ```
 */
export function fieldRequired(field: string, detail: string): FieldError {
  return new FieldErr("FieldValueRequired", field, detail);
}

/**
 * `field.Invalid`: a malformed or out-of-range value. `goValue` overrides how the value prints.
 *
 * @example
 * ```ts
 * formatFieldError(fieldInvalid("spec.ports[0].targetPort", 70000, "must be between 1 and 65535, inclusive"));
 * // "spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive"
 * ```
 */
export function fieldInvalid(field: string, value: unknown, detail: string, goValue?: string): FieldError {
  return new FieldErr("FieldValueInvalid", field, detail, value, goValue);
}

/**
 * `field.NotSupported`: a value outside an enumeration; the detail lists the supported values.
 *
 * @example
 * ```ts
 * formatFieldError(fieldNotSupported("spec.sessionAffinity", "Sticky", ["ClientIP", "None"]));
 * // 'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"'
 * ```
 */
export function fieldNotSupported(field: string, value: unknown, supported: readonly string[], goValue?: string): FieldError {
  const detail = supported.length > 0 ? "supported values: " + supported.map(goQuote).join(", ") : "";
  return new FieldErr("FieldValueNotSupported", field, detail, value, goValue);
}

/**
 * `field.Duplicate`: a value that must be unique appears again.
 *
 * @example
 * ```ts
 * formatFieldError(fieldDuplicate("spec.ports[1].name", "http")); // 'spec.ports[1].name: Duplicate value: "http"'
 * ```
 */
export function fieldDuplicate(field: string, value: unknown, goValue?: string): FieldError {
  return new FieldErr("FieldValueDuplicate", field, "", value, goValue);
}

/**
 * `field.Forbidden`: a well-formed value not allowed in this context.
 *
 * @example
 * ```ts
 * formatFieldError(fieldForbidden("spec.healthCheckNodePort", "may only be set when type is LoadBalancer and externalTrafficPolicy is Local"));
 * // "spec.healthCheckNodePort: Forbidden: may only be set when ..."
 * ```
 */
export function fieldForbidden(field: string, detail: string): FieldError {
  return new FieldErr("FieldValueForbidden", field, detail);
}

/**
 * A field that does not exist in the Kubernetes API, as the API server's strict field
 * validation reports it (apimachinery pkg/runtime/error.go strictDecodingError:
 * `unknown field "spec.ports[0].targetport"`), with an optional suggested field name.
 *
 * @example
 * ```ts
 * formatFieldError(fieldUnknown("spec.ports[0].targetport", "targetPort"));
 * // 'spec.ports[0].targetport: Unsupported field: unknown field "spec.ports[0].targetport" (did you mean "targetPort"?)'
 * ```
 */
export function fieldUnknown(field: string, suggestion?: string): FieldError {
  const detail = `unknown field ${goQuote(field)}` + (suggestion === undefined ? "" : ` (did you mean ${goQuote(suggestion)}?)`);
  return new FieldErr("FieldValueUnknown", field, detail);
}

/** `field.TooLong`: a value longer than `maxLength` bytes. */
export function fieldTooLong(field: string, value: unknown, maxLength: number): FieldError {
  return new FieldErr("FieldValueTooLong", field, `must have at most ${maxLength} bytes`, value);
}

/** `field.TooMany`: a list with more than `max` items. */
export function fieldTooMany(field: string, actual: number, max: number): FieldError {
  return new FieldErr("FieldValueTooMany", field, `must have at most ${max} items`, actual);
}

/**
 * A value of the wrong JSON type (e.g. `spec.ports: "80"`). The real API server fails
 * to decode such a body altogether; kube-netsim reports it as a field error instead so
 * that every other problem is still listed.
 */
export function fieldTypeError(field: string, value: unknown, expected: string): FieldError {
  return new FieldErr("FieldValueInvalid", field, `must be of type ${expected}`, value);
}

// ---------------------------------------------------------------------------
// Go value printing
// ---------------------------------------------------------------------------

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/**
 * Quotes a string like Go's `strconv.Quote` / `%q`: `"`, `\` and control characters are
 * escaped, printable Unicode is kept, other runes become `\u`/`\U` escapes.
 */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    switch (cp) {
      case 0x07: out += "\\a"; continue;
      case 0x08: out += "\\b"; continue;
      case 0x09: out += "\\t"; continue;
      case 0x0a: out += "\\n"; continue;
      case 0x0b: out += "\\v"; continue;
      case 0x0c: out += "\\f"; continue;
      case 0x0d: out += "\\r"; continue;
      case 0x22: out += '\\"'; continue;
      case 0x5c: out += "\\\\"; continue;
    }
    if (cp < 0x80) {
      out += cp < 0x20 || cp === 0x7f ? "\\x" + hex(cp, 2) : ch;
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      // A lone surrogate reaches Go as invalid UTF-8, which encoding/json replaces by U+FFFD.
      out += "\ufffd";
    } else if (PRINTABLE.test(ch)) {
      out += ch;
    } else if (cp < 0x10000) {
      out += "\\u" + hex(cp, 4);
    } else {
      out += "\\U" + hex(cp, 8);
    }
  }
  return out + '"';
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/**
 * Prints a number as Go does: integers bare (Go `int32`/`int64` fields), other values
 * like a `float64` with `%v` (shortest `%g`: `1.5`, `1.2345675e+06`, `1e-05`).
 */
export function goNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  if (Object.is(n, -0)) return "-0";
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const [mantissa, expText] = n.toExponential().split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= (Number.isInteger(n) ? 21 : 6)) {
    return mantissa + "e" + (exp < 0 ? "-" : "+") + String(Math.abs(exp)).padStart(2, "0");
  }
  return String(n);
}

/**
 * Prints an arbitrary (JSON-decoded) value as the API server prints a bad value:
 * `null`, strings `%q`, numbers and booleans bare, objects and arrays as Go `%#v` of
 * `map[string]interface {}` / `[]interface {}`.
 */
export function formatGoValue(v: unknown): string {
  if (v === undefined || v === null) return "null";
  return goSharpV(v, 0);
}

function goSharpV(v: unknown, depth: number): string {
  switch (typeof v) {
    case "string":
      return goQuote(v);
    case "number":
      return goNumber(v);
    case "boolean":
    case "bigint":
      return String(v);
    case "undefined":
      return "interface {}(nil)";
    case "symbol":
      return goQuote(v.description ?? "");
    case "function":
      return "func()";
  }
  if (v === null) return "interface {}(nil)";
  if (depth > 8) return "...";
  if (Array.isArray(v)) {
    const items: string[] = [];
    for (let i = 0; i < v.length; i++) items.push(goSharpV(v[i], depth + 1));
    return "[]interface {}{" + items.join(", ") + "}";
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  return "map[string]interface {}{" + keys.map((k) => goQuote(k) + ":" + goSharpV(o[k], depth + 1)).join(", ") + "}";
}

/**
 * Go `%#v` of a `map[string]string` (keys sorted, as Go's fmt does); `undefined`
 * prints as the nil map `map[string]string(nil)`.
 */
export function goStringMap(m: Readonly<Record<string, unknown>> | undefined): string {
  if (m === undefined) return "map[string]string(nil)";
  const keys = Object.keys(m).sort();
  return "map[string]string{" + keys.map((k) => goQuote(k) + ":" + goSharpV(m[k], 1)).join(", ") + "}";
}

// ---------------------------------------------------------------------------
// Format rules (pkg/util/validation/validation.go); each returns the upstream messages
// ---------------------------------------------------------------------------

/** Length of a string in UTF-8 bytes (Go's `len`). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** `MaxLenError`. */
function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** `RegexError`: message, examples and the regex, with upstream's exact punctuation. */
function regexError(msg: string, re: string, ...examples: string[]): string {
  if (examples.length === 0) return msg + " (regex used for validation is '" + re + "')";
  let s = msg + " (e.g. ";
  examples.forEach((ex, i) => {
    if (i > 0) s += " or ";
    s += "'" + ex + "', ";
  });
  return s + "regex used for validation is '" + re + "')";
}

/** `InclusiveRangeError`. */
export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

const DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_LABEL_RE = new RegExp("^" + DNS1123_LABEL_FMT + "$");
const DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*";
const DNS1123_SUBDOMAIN_RE = new RegExp("^" + DNS1123_SUBDOMAIN_FMT + "$");
const DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
const DNS1035_LABEL_RE = new RegExp("^" + DNS1035_LABEL_FMT + "$");
const QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_RE = new RegExp("^" + QUALIFIED_NAME_FMT + "$");
const QUALIFIED_NAME_ERR =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?";
const LABEL_VALUE_RE = new RegExp("^" + LABEL_VALUE_FMT + "$");
const PERCENT_FMT = "[0-9]+%";
const PERCENT_RE = new RegExp("^" + PERCENT_FMT + "$");

/** IsDNS1123Label: at most 63 characters, `[a-z0-9]([-a-z0-9]*[a-z0-9])?`. */
export function dns1123LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > 63) errs.push(maxLenError(63));
  if (!DNS1123_LABEL_RE.test(value)) {
    if (DNS1123_SUBDOMAIN_RE.test(value)) errs.push("must not contain dots");
    else
      errs.push(
        regexError(
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
          DNS1123_LABEL_FMT,
          "my-name",
          "123-abc",
        ),
      );
  }
  return errs;
}

/** IsDNS1123Subdomain: at most 253 characters, dot-separated DNS-1123 labels. */
export function dns1123SubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > 253) errs.push(maxLenError(253));
  if (!DNS1123_SUBDOMAIN_RE.test(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN_FMT,
        "example.com",
      ),
    );
  }
  return errs;
}

/** IsDNS1035Label: at most 63 characters, `[a-z]([-a-z0-9]*[a-z0-9])?` (Service names). */
export function dns1035LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > 63) errs.push(maxLenError(63));
  if (!DNS1035_LABEL_RE.test(value)) {
    errs.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        DNS1035_LABEL_FMT,
        "my-name",
        "abc-123",
      ),
    );
  }
  return errs;
}

/**
 * IsQualifiedName (label keys, annotation keys): an optional DNS-1123 subdomain prefix
 * and `/`, then a name of at most 63 characters `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
 */
export function qualifiedNameErrors(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split("/");
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push("prefix part must be non-empty");
    else for (const msg of dns1123SubdomainErrors(prefix)) errs.push("prefix part " + msg);
  } else {
    errs.push(
      "a qualified name " +
        regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc") +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    );
    return errs;
  }
  if (name.length === 0) errs.push("name part must be non-empty");
  else if (utf8Length(name) > 63) errs.push("name part " + maxLenError(63));
  if (!QUALIFIED_NAME_RE.test(name)) {
    errs.push("name part " + regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"));
  }
  return errs;
}

/** IsValidLabelValue: empty, or at most 63 characters `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (utf8Length(value) > 63) errs.push(maxLenError(63));
  if (!LABEL_VALUE_RE.test(value)) {
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE_FMT,
        "MyValue",
        "my_value",
        "12345",
      ),
    );
  }
  return errs;
}

/** IsValidPortNum: an integer in 1..65535. */
export function portNumErrors(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

/**
 * IsValidPortName (IANA_SVC_NAME, RFC 6335): at most 15 characters of `[-a-z0-9]`, at
 * least one letter, no leading, trailing or consecutive hyphens.
 */
export function portNameErrors(port: string): string[] {
  const errs: string[] = [];
  if (utf8Length(port) > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!/[a-z]/.test(port)) errs.push("must contain at least one letter (a-z)");
  if (port.includes("--")) errs.push("must not contain consecutive hyphens");
  if (port.length > 0 && (port[0] === "-" || port[port.length - 1] === "-")) errs.push("must not begin or end with a hyphen");
  return errs;
}

/** IsValidPercent: `[0-9]+%`. */
export function percentErrors(percent: string): string[] {
  return PERCENT_RE.test(percent)
    ? []
    : [regexError("a valid percent string must be a numeric string followed by an ending '%'", PERCENT_FMT, "1%", "93%")];
}

// ---------------------------------------------------------------------------
// ValidateLabels (staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation)
// ---------------------------------------------------------------------------

/** True for a JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * ValidateLabels: every key a qualified name and every value a valid label value; the
 * errors are reported at `fldPath` itself (not per key), as upstream does. Keys are
 * visited in sorted order so the result is deterministic. `null`/absent is valid.
 */
export function validateLabelMap(labels: unknown, fldPath: string, errs: FieldError[]): void {
  if (labels === undefined || labels === null) return;
  if (!isObject(labels)) {
    errs.push(fieldTypeError(fldPath, labels, "object"));
    return;
  }
  // Stored objects are frozen and share unchanged maps: a frozen map found valid once
  // (whatever its field path) is valid again.
  if (validFrozenMaps.has(labels)) return;
  const before = errs.length;
  for (const k of Object.keys(labels).sort()) {
    for (const msg of qualifiedNameErrors(k)) errs.push(fieldInvalid(fldPath, k, msg));
    const v = labels[k];
    if (typeof v !== "string") {
      errs.push(fieldTypeError(`${fldPath}[${k}]`, v, "string"));
      continue;
    }
    for (const msg of labelValueErrors(v)) errs.push(fieldInvalid(fldPath, v, msg));
  }
  if (errs.length === before && Object.isFrozen(labels)) validFrozenMaps.add(labels);
}

const validFrozenMaps = new WeakSet<object>();
