/**
 * Digestible event trace: every simulation event (a kube-proxy sync, a new
 * connection DNAT'ed to an endpoint, an EndpointSlice update, ...) can be recorded
 * as one canonical JSON line, and the whole run is summarised by a 64-bit FNV-1a
 * digest of those lines. Two runs with the same seed must have the same digest;
 * a changed digest pinpoints a behaviour change.
 *
 * @packageDocumentation
 */

/**
 * A field value of a trace record: JSON scalars only.
 *
 * @example
 * ```ts
 * const fields: Record<string, TraceValue> = { svc: "default/web", port: 80, ready: true, hint: null };
 * trace.record(12.5, "conn.new", fields);
 * ```
 */
export type TraceValue = string | number | boolean | null;

/**
 * One recorded simulation event.
 *
 * @example
 * ```ts
 * sim.trace.subscribe((r: TraceRecord) => {
 *   if (r.kind === "kube-proxy.sync") console.log(r.time, r.fields.node, r.fields.services);
 * });
 * ```
 */
export interface TraceRecord {
  /** Virtual time of the event (ms on the simulation clock). */
  readonly time: number;
  /** Event kind, e.g. `"conn.new"`, `"proxy.sync"`, `"endpointslice.update"`. */
  readonly kind: string;
  /** Event details. Stored by reference: do not mutate after recording. */
  readonly fields: Readonly<Record<string, TraceValue>>;
}

/**
 * Options of a {@link Trace}.
 *
 * @example
 * ```ts
 * const trace = new Trace({ keep: 1000 });  // digest, plus the last 1000 records in memory
 * const off = new Trace({ enabled: false }); // record() is a no-op; off.digest() === "cbf29ce484222325"
 * ```
 */
export interface TraceOptions {
  /** Keep the last N records in memory for {@link Trace.records}. Default 0 (digest only). */
  readonly keep?: number;
  /**
   * When false, {@link Trace.record} is a no-op: nothing is validated, digested,
   * kept or sent to listeners, `count` stays 0 and `digest()` stays the FNV-1a
   * offset basis `"cbf29ce484222325"` (the digest of nothing). Default true.
   */
  readonly enabled?: boolean;
}

const EMPTY_FIELDS: Readonly<Record<string, TraceValue>> = Object.freeze({});

/** FNV-1a 64 offset basis 0xcbf29ce484222325, as two 32-bit halves. */
const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
/** FNV 64 prime is 2^40 + 0x1b3; 0x1b3 = 435. */
const PRIME_LOW = 0x1b3;

/**
 * Incremental FNV-1a 64 over the UTF-8 bytes of strings, with the 64-bit state
 * kept in two 32-bit halves (no BigInt; stored as int32, read as uint32).
 * Multiplying h = hi·2^32 + lo by the prime 2^40 + 435 modulo 2^64:
 * lo' = (lo·435) mod 2^32 and hi' = (hi·435 + ⌊lo·435 / 2^32⌋ + (lo << 8)) mod 2^32,
 * where lo·435 is computed in 16-bit halves so every intermediate is a small
 * exact integer — the result is the same on every machine.
 */
class Fnv1a64 {
  hi: number = OFFSET_HI | 0;
  lo: number = OFFSET_LO | 0;

  byte(b: number): void {
    const lo = this.lo ^ b;
    const a = (lo & 0xffff) * PRIME_LOW; // < 2^25
    const c = (lo >>> 16) * PRIME_LOW + (a >>> 16); // < 2^26
    this.hi = (Math.imul(this.hi, PRIME_LOW) + (lo << 8) + (c >>> 16)) | 0;
    this.lo = (c << 16) | (a & 0xffff);
  }

  /** Hashes the UTF-8 encoding of s; lone surrogates are encoded as U+FFFD, like TextEncoder. */
  string(s: string): void {
    // The state lives in locals inside the loop (the ASCII step is inlined); the
    // rare multi-byte characters go through byte().
    let hi = this.hi;
    let lo = this.lo;
    const len = s.length;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        lo ^= c;
        const a = (lo & 0xffff) * PRIME_LOW;
        const m = (lo >>> 16) * PRIME_LOW + (a >>> 16);
        hi = (Math.imul(hi, PRIME_LOW) + (lo << 8) + (m >>> 16)) | 0;
        lo = (m << 16) | (a & 0xffff);
        continue;
      }
      this.hi = hi;
      this.lo = lo;
      if (c < 0x800) {
        this.byte(0xc0 | (c >> 6));
        this.byte(0x80 | (c & 0x3f));
      } else if (c < 0xd800 || c > 0xdfff) {
        this.byte(0xe0 | (c >> 12));
        this.byte(0x80 | ((c >> 6) & 0x3f));
        this.byte(0x80 | (c & 0x3f));
      } else {
        const d = i + 1 < len ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          this.byte(0xf0 | (cp >> 18));
          this.byte(0x80 | ((cp >> 12) & 0x3f));
          this.byte(0x80 | ((cp >> 6) & 0x3f));
          this.byte(0x80 | (cp & 0x3f));
          i++;
        } else {
          this.byte(0xef);
          this.byte(0xbf);
          this.byte(0xbd);
        }
      }
      hi = this.hi;
      lo = this.lo;
    }
    this.hi = hi;
    this.lo = lo;
  }

  hex(): string {
    return (this.hi >>> 0).toString(16).padStart(8, "0") + (this.lo >>> 0).toString(16).padStart(8, "0");
  }
}

/**
 * The standard 64-bit FNV-1a hash of the UTF-8 encoding of `text`, as 16
 * lowercase hex digits (lone surrogates hash as U+FFFD, like TextEncoder).
 *
 * @example
 * ```ts
 * fnv1a64("");  // "cbf29ce484222325"
 * fnv1a64("a"); // "af63dc4c8601ec8c"
 * ```
 */
export function fnv1a64(text: string): string {
  const h = new Fnv1a64();
  h.string(text);
  return h.hex();
}

function encodeNumber(what: string, v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`Trace: ${what} must be a finite number, got ${v}`);
  // Number#toString is the shortest round-trip decimal form (ECMA-262
  // Number::toString), locale-independent; -0 prints as "0".
  return String(v);
}

/** Characters that JSON.stringify escapes (plus surrogates, escaped when lone). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON string literal of s, identical to JSON.stringify(s) (fast path for plain text). */
function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** Encoded `"key":` prefixes; field keys come from a small, fixed vocabulary. */
const KEY_CACHE: Map<string, string> = new Map();
const KEY_CACHE_LIMIT = 4096;

function encodeKey(key: string): string {
  let enc = KEY_CACHE.get(key);
  if (enc === undefined) {
    enc = quote(key) + ":";
    if (KEY_CACHE.size < KEY_CACHE_LIMIT) KEY_CACHE.set(key, enc);
  }
  return enc;
}

/**
 * Sorts in place by UTF-16 code units — the same order as the default
 * Array.prototype.sort for strings — by insertion (field lists are short).
 */
function sortKeys(keys: string[]): void {
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > k) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = k;
  }
}

/**
 * The canonical encoding of a trace record — exactly the text that {@link Trace}
 * digests (each line followed by "\n"), and one line of a JSON-Lines export:
 *
 * `{"time":<time>,"kind":<kind>,"fields":{<key>:<value>,...}}`
 *
 * - numbers (time and field values) use `Number#toString`, the shortest decimal
 *   that round-trips the double, independent of locale and machine (`-0` → `0`);
 *   non-finite numbers are rejected because JSON cannot carry them;
 * - strings (kind, keys, string values) use `JSON.stringify` escaping;
 * - field keys are sorted by UTF-16 code units (`Array.prototype.sort` default),
 *   so the key order of the fields object does not matter;
 * - no whitespace.
 *
 * @example
 * ```ts
 * toJSONLine({ time: 1.5, kind: "conn.new", fields: { endpoint: "10.0.0.9:80", svc: "web" } });
 * // '{"time":1.5,"kind":"conn.new","fields":{"endpoint":"10.0.0.9:80","svc":"web"}}'
 * ```
 * @throws RangeError on a non-finite time or number field; TypeError on a field
 *   value that is not a string, number, boolean or null.
 */
export function toJSONLine(r: TraceRecord): string {
  let out = `{"time":${encodeNumber("time", r.time)},"kind":${quote(String(r.kind))},"fields":{`;
  const keys = Object.keys(r.fields);
  sortKeys(keys);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const v = r.fields[key];
    let enc: string;
    switch (typeof v) {
      case "string":
        enc = quote(v);
        break;
      case "number":
        enc = encodeNumber(`field ${JSON.stringify(key)}`, v);
        break;
      case "boolean":
        enc = v ? "true" : "false";
        break;
      default:
        if (v !== null) {
          throw new TypeError(
            `Trace: field ${JSON.stringify(key)} must be a string, number, boolean or null, got ${typeof v}`,
          );
        }
        enc = "null";
    }
    out += (i === 0 ? "" : ",") + encodeKey(key) + enc;
  }
  return out + "}}";
}

/**
 * Records simulation events and keeps a running 64-bit FNV-1a digest of their
 * canonical encoding ({@link toJSONLine}). The digest equals
 * `fnv1a64(lines.join(""))` where each line is `toJSONLine(record) + "\n"` — i.e.
 * the FNV-1a 64 of the JSON-Lines export of the whole trace.
 *
 * @example
 * ```ts
 * const trace = new Trace({ keep: 100 });
 * trace.record(12.5, "conn.new", { svc: "default/web", endpoint: "10.244.1.7:8080" });
 * trace.digest(); // 16 hex chars, identical on every machine for the same events
 * ```
 */
export class Trace {
  /** Whether {@link record} does anything (see {@link TraceOptions.enabled}). */
  readonly enabled: boolean;
  /** How many of the last records are kept for {@link records}. */
  readonly keep: number;
  readonly #hash: Fnv1a64 = new Fnv1a64();
  readonly #ring: TraceRecord[] = [];
  #next = 0;
  #count = 0;
  #listeners: ReadonlyArray<(r: TraceRecord, line: string) => void> = [];

  /**
   * @param options - see {@link TraceOptions}.
   * @throws RangeError if keep is not a non-negative integer.
   */
  constructor(options: TraceOptions = {}) {
    const keep = options.keep ?? 0;
    if (!(Number.isInteger(keep) && keep >= 0)) {
      throw new RangeError(`Trace: keep must be a non-negative integer, got ${keep}`);
    }
    this.keep = keep;
    this.enabled = options.enabled ?? true;
  }

  /**
   * Records one event: digests its canonical line (plus "\n"), keeps it if
   * `keep > 0`, and calls the listeners in subscription order. No-op when disabled.
   *
   * @param time - virtual time (finite).
   * @param kind - event kind.
   * @param fields - event details (JSON scalars); stored by reference, do not mutate afterwards.
   * @throws RangeError / TypeError as {@link toJSONLine}; nothing is recorded then.
   *
   * @example
   * ```ts
   * const trace = new Trace({ keep: 100 });
   * trace.record(5, "Pod.ADDED", { name: "api-1", ns: "default" });
   * trace.records()[0]; // { time: 5, kind: "Pod.ADDED", fields: { name: "api-1", ns: "default" } }
   * ```
   */
  record(time: number, kind: string, fields: Readonly<Record<string, TraceValue>> = EMPTY_FIELDS): void {
    if (!this.enabled) return;
    const r: TraceRecord = { time, kind, fields };
    const line = toJSONLine(r);
    this.#hash.string(line);
    this.#hash.byte(0x0a);
    this.#count++;
    if (this.keep > 0) {
      if (this.#ring.length < this.keep) {
        this.#ring.push(r);
      } else {
        this.#ring[this.#next] = r;
        this.#next = this.#next + 1 === this.keep ? 0 : this.#next + 1;
      }
    }
    const ls = this.#listeners;
    for (let i = 0; i < ls.length; i++) ls[i](r, line);
  }

  /** Number of records digested so far. */
  get count(): number {
    return this.#count;
  }

  /**
   * The running FNV-1a 64 digest as 16 lowercase hex digits.
   *
   * @example
   * ```ts
   * const a = new Trace(); a.record(5, "Pod.ADDED", { name: "api-1" });
   * const b = new Trace(); b.record(5, "Pod.ADDED", { name: "api-1" });
   * a.digest() === b.digest(); // true: 16 hex digits of FNV-1a 64 over the records
   * ```
   */
  digest(): string {
    return this.#hash.hex();
  }

  /**
   * The last `keep` records, oldest first (a fresh array).
   *
   * @example
   * ```ts
   * const sim = new Simulation({ seed: 1, keepTrace: 1000 });
   * // ... run ...
   * sim.trace.records().filter((r) => r.kind === "kube-proxy.sync").length;
   * ```
   */
  records(): readonly TraceRecord[] {
    const ring = this.#ring;
    if (ring.length < this.keep) return ring.slice();
    return ring.slice(this.#next).concat(ring.slice(0, this.#next));
  }

  /**
   * Calls `fn` for every later record, with the record and its canonical line
   * (without the trailing "\n") — e.g. to write a JSON-Lines export.
   *
   * @returns a function that unsubscribes `fn`.
   *
   * @example
   * ```ts
   * const stop = sim.trace.subscribe((r, line) => {
   *   if (r.kind === "EndpointSlice.MODIFIED") console.log(line); // {"time":...,"kind":...,"fields":{...}}
   * });
   * sim.runFor(10_000);
   * stop();
   * ```
   */
  subscribe(fn: (r: TraceRecord, line: string) => void): () => void {
    this.#listeners = [...this.#listeners, fn];
    let active = true;
    return (): void => {
      if (!active) return;
      active = false;
      const i = this.#listeners.indexOf(fn);
      if (i >= 0) this.#listeners = [...this.#listeners.slice(0, i), ...this.#listeners.slice(i + 1)];
    };
  }
}
