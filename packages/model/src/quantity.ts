/**
 * Kubernetes resource quantities (`"500m"`, `"2"`, `"128Mi"`, `"1e3"`): parsing, the
 * values the scheduler reads (`MilliValue`, `Value`, both rounded up) and the canonical
 * form the API server prints in its messages.
 *
 * Upstream: staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go (ParseQuantity,
 * CanonicalizeBytes, MilliValue, Value) and suffix.go (the suffixes). Values are kept
 * exact with BigInt (a decimal mantissa times a power of ten or of 1024), rounded up to
 * nano units as ParseQuantity does.
 *
 * @packageDocumentation
 */

import type { ResourceRequirements } from "./types.js";

/**
 * The message of apimachinery's `ErrFormatWrong` (quantity.go): the text is not a number followed by a suffix.
 *
 * @example
 * ```ts
 * try { parseQuantity("four"); } catch (e) { (e as Error).message === QUANTITY_FORMAT_ERROR; } // true
 * ```
 */
export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/**
 * The message of apimachinery's `ErrSuffix` (quantity.go): the suffix is made of suffix characters but is none of the suffixes (`16ki` for `16Ki`).
 *
 * @example
 * ```ts
 * try { parseQuantity("16ki"); } catch (e) { (e as Error).message === QUANTITY_SUFFIX_ERROR; } // true
 * ```
 */
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

/**
 * A parsed quantity.
 *
 * @example
 * ```ts
 * const q: Quantity = parseQuantity("1.5");
 * [q.milliValue, q.value, q.canonical]; // [1500, 2, "1500m"]
 * ```
 */
export interface Quantity {
  /** `MilliValue()`: the value in thousandths, rounded up (cpu `"250m"` is 250). */
  readonly milliValue: number;
  /** `Value()`: the value in whole units, rounded up (memory `"1Ki"` is 1024 bytes). */
  readonly value: number;
  /** `String()`: the canonical form (`"1500m"` for `"1.5"`, `"1Gi"` for `"1024Mi"`, `"1k"` for `"1000"`). */
  readonly canonical: string;
  /** Below zero (the API server refuses negative requests and limits). */
  readonly negative: boolean;
}

// The number part, as the upstream regular expression allows it ([+-]?[0-9.]+), refined to
// one decimal point as parseQuantityString does; then the suffix.
const SHAPE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const NUMBER = /^([+-]?)([0-9]*)(?:\.([0-9]*))?$/;
const DECIMAL_SUFFIX: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Readonly<Record<string, number>> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const BINARY_NAMES = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
const DECIMAL_NAMES: Readonly<Record<number, string>> = { [-9]: "n", [-6]: "u", [-3]: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E" };

type Format = "DecimalSI" | "BinarySI" | "DecimalExponent";

/**
 * Parses a quantity as the API server decodes one (`resource.ParseQuantity`); a JSON
 * number (YAML `cpu: 2`) is read as its decimal text, as Quantity's UnmarshalJSON does.
 *
 * @throws Error with upstream's message ({@link QUANTITY_FORMAT_ERROR} or
 *   {@link QUANTITY_SUFFIX_ERROR}) when the text is not a quantity.
 * @example
 * ```ts
 * parseQuantity("250m").milliValue; // 250
 * parseQuantity("128Mi").value;     // 134217728
 * parseQuantity(2).canonical;       // "2"
 * parseQuantity("abc");             // throws: quantities must match the regular expression ...
 * ```
 */
export function parseQuantity(q: string | number): Quantity {
  const text = typeof q === "number" ? String(q) : q;
  const shape = SHAPE.exec(text);
  if (shape === null) throw new Error(QUANTITY_FORMAT_ERROR);
  const num = NUMBER.exec(shape[1]);
  if (num === null || (num[2] === "" && (num[3] ?? "") === "")) throw new Error(QUANTITY_FORMAT_ERROR);
  const suffix = shape[2];
  let pow10 = 0;
  let pow1024 = 0;
  let format: Format = "DecimalSI";
  if (Object.hasOwn(DECIMAL_SUFFIX, suffix)) pow10 = DECIMAL_SUFFIX[suffix];
  else if (Object.hasOwn(BINARY_SUFFIX, suffix)) {
    pow1024 = BINARY_SUFFIX[suffix];
    format = "BinarySI";
  } else {
    const exp = /^[eE]([+-]?[0-9]+)$/.exec(suffix);
    if (exp === null) throw new Error(QUANTITY_SUFFIX_ERROR);
    pow10 = Number(exp[1]);
    format = "DecimalExponent";
  }
  const fraction = num[3] ?? "";
  // value = mantissa * 10^pow10 * 1024^pow1024 / 10^scale, exactly
  let mantissa = BigInt((num[2] || "0") + fraction) * 1024n ** BigInt(pow1024);
  let scale = fraction.length - pow10;
  if (scale < 0) {
    mantissa *= 10n ** BigInt(-scale);
    scale = 0;
  }
  // ParseQuantity keeps at most nano precision, rounding away from zero (up for positive values).
  if (scale > 9) {
    mantissa = ceilDiv(mantissa, 10n ** BigInt(scale - 9));
    scale = 9;
  }
  const negative = num[1] === "-" && mantissa !== 0n;
  const signed = negative ? -mantissa : mantissa;
  const denominator = 10n ** BigInt(scale);
  const quantity: Quantity = Object.freeze({
    milliValue: Number(signedCeilDiv(signed * 1000n, denominator)),
    value: Number(signedCeilDiv(signed, denominator)),
    canonical: canonical(signed, scale, format),
    negative,
  });
  nanos.set(quantity, signed * 10n ** BigInt(9 - scale));
  return quantity;
}

/** The exact value of each parsed quantity in nano units, for {@link compareQuantities}. */
const nanos = new WeakMap<Quantity, bigint>();

/**
 * What is wrong with `text` as a non-negative quantity (a node's allocatable cpu or memory),
 * in upstream's words: the parse error ({@link QUANTITY_FORMAT_ERROR},
 * {@link QUANTITY_SUFFIX_ERROR}), or ValidateNonnegativeQuantity's `must be greater than or
 * equal to 0` (pkg/apis/core/validation/validation.go); undefined when it is fine.
 *
 * @example
 * ```ts
 * nonNegativeQuantityError("16Gi"); // undefined
 * nonNegativeQuantityError("-1");   // "must be greater than or equal to 0"
 * nonNegativeQuantityError("16ki"); // "unable to parse quantity's suffix"
 * ```
 */
export function nonNegativeQuantityError(text: string): string | undefined {
  try {
    return parseQuantity(text).negative ? NON_NEGATIVE_ERROR : undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const NON_NEGATIVE_ERROR = "must be greater than or equal to 0";

/**
 * `Quantity.Cmp`: -1, 0 or 1 as `a` is below, equal to or above `b`, exactly (whatever
 * their suffixes).
 *
 * @example
 * ```ts
 * compareQuantities(parseQuantity("1500m"), parseQuantity("1.5")); // 0
 * compareQuantities(parseQuantity("1Gi"), parseQuantity("1G"));    // 1
 * ```
 */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const x = nanos.get(a) ?? BigInt(a.milliValue) * 1_000_000n;
  const y = nanos.get(b) ?? BigInt(b.milliValue) * 1_000_000n;
  return x < y ? -1 : x > y ? 1 : 0;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** Rounds toward +infinity for either sign (BigInt division truncates toward zero). */
function signedCeilDiv(a: bigint, b: bigint): bigint {
  return a >= 0n ? ceilDiv(a, b) : a / b;
}

/** CanonicalizeBytes: the form `Quantity.String()` prints (value = signed / 10^scale). */
function canonical(signed: bigint, scale: number, format: Format): string {
  if (signed === 0n) return "0";
  const sign = signed < 0n ? "-" : "";
  let n = signed < 0n ? -signed : signed;
  const denominator = 10n ** BigInt(scale);
  // A binary quantity prints in binary units when it is a whole number of at least 1024
  // (between -1024 and 1024 it falls back to DecimalSI).
  if (format === "BinarySI" && n % denominator === 0n && n / denominator >= 1024n) {
    let whole = n / denominator;
    let k = 0;
    while (k < 6 && whole % 1024n === 0n) {
      whole /= 1024n;
      k++;
    }
    return `${sign}${whole}${BINARY_NAMES[k]}`;
  }
  // Decimal: the largest exponent that is a multiple of 3 (>= nano) leaving an integer mantissa.
  let exp = -scale;
  while (n % 10n === 0n) {
    n /= 10n;
    exp++;
  }
  let e = Math.floor(exp / 3) * 3;
  if (format !== "DecimalExponent" && e > 18) e = 18;
  n *= 10n ** BigInt(exp - e);
  if (format === "DecimalExponent") return `${sign}${n}${e === 0 ? "" : `e${e}`}`;
  return `${sign}${n}${DECIMAL_NAMES[e]}`;
}

/**
 * What a pod asks the scheduler for: cpu in millicores and memory in bytes.
 *
 * @example
 * ```ts
 * const r: PodRequests = podRequests({ containers: [{ name: "api", resources: { requests: { cpu: "1500m" } } }] });
 * // { cpu: 1500, memory: 0 }
 * ```
 */
export interface PodRequests {
  /** `requests.cpu` summed over the containers, in millicores (MilliValue, rounded up). */
  readonly cpu: number;
  /** `requests.memory` summed over the containers, in bytes (Value, rounded up). */
  readonly memory: number;
}

const NO_REQUESTS: PodRequests = Object.freeze({ cpu: 0, memory: 0 });
const requestsBySpec = new WeakMap<object, PodRequests>();

/**
 * A pod's resource requests as the scheduler's NodeResourcesFit filter computes them
 * (staging/src/k8s.io/component-helpers/resource/helpers.go PodRequests): the sum of
 * the containers' `resources.requests.cpu` and `.memory`. kube-netsim does not model
 * init containers (upstream takes the max of that sum and each init container), pod
 * overhead or pod-level `spec.resources`. A quantity that does not parse counts as 0
 * (the API server refuses such a pod before it gets here). Memoized per `containers`
 * array, so the replicas of one template compute it once.
 *
 * @example
 * ```ts
 * podRequests({ containers: [
 *   { name: "a", resources: { requests: { cpu: "500m", memory: "128Mi" } } },
 *   { name: "b", resources: { requests: { cpu: "1" } } },
 * ] }); // { cpu: 1500, memory: 134217728 }
 * ```
 */
export function podRequests(spec: { readonly containers: readonly { readonly resources?: ResourceRequirements }[] }): PodRequests {
  const containers = spec.containers;
  const cached = requestsBySpec.get(containers);
  if (cached !== undefined) return cached;
  let cpu = 0;
  let memory = 0;
  for (const c of containers) {
    const r = c.resources?.requests;
    if (r === undefined) continue;
    cpu += requestValue(r.cpu, true);
    memory += requestValue(r.memory, false);
  }
  const result = cpu === 0 && memory === 0 ? NO_REQUESTS : Object.freeze({ cpu, memory });
  requestsBySpec.set(containers, result);
  return result;
}

function requestValue(q: string | number | undefined, milli: boolean): number {
  if (q === undefined) return 0;
  try {
    const parsed = parseQuantity(q);
    return parsed.negative ? 0 : milli ? parsed.milliValue : parsed.value;
  } catch {
    return 0;
  }
}
