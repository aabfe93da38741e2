import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Trace, fnv1a64, toJSONLine, type TraceRecord, type TraceValue } from "./trace.js";

/** Reference FNV-1a 64 with BigInt over TextEncoder bytes (test only). */
function referenceFnv(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(text)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, "0");
}

describe("fnv1a64 known answers (standard FNV-1a 64)", () => {
  it.each([
    ["", "cbf29ce484222325"],
    ["a", "af63dc4c8601ec8c"],
    ["foobar", "85944171f73967e8"],
  ])("fnv1a64(%j) = %s", (text, hex) => {
    expect(fnv1a64(text)).toBe(hex);
  });

  it("property: matches a BigInt reference over the UTF-8 bytes, including non-ASCII and lone surrogates", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => fnv1a64(s) === referenceFnv(s)),
      { numRuns: 500 },
    );
    for (const s of ["é", "€", "😀", "\ud800", "x\udc00y", "\ud83d"]) expect(fnv1a64(s), s).toBe(referenceFnv(s));
  });
});

describe("toJSONLine canonical encoding", () => {
  it("sorts keys, JSON-escapes strings and prints numbers with Number#toString", () => {
    const r: TraceRecord = {
      time: 1.5,
      kind: "conn.new",
      fields: { svc: "default/web", endpoint: "10.0.0.9:80", quote: 'a"b\n', n: 0.1, big: 1e21, neg: -0, ok: true, none: null },
    };
    expect(toJSONLine(r)).toBe(
      '{"time":1.5,"kind":"conn.new","fields":{"big":1e+21,"endpoint":"10.0.0.9:80","n":0.1,"neg":0,"none":null,"ok":true,"quote":"a\\"b\\n","svc":"default/web"}}',
    );
    expect(JSON.parse(toJSONLine(r))).toEqual({ ...r, fields: { ...r.fields, neg: 0 } });
  });

  it("property: equals a JSON.stringify reference encoding (sorted keys) and parses back", () => {
    const reference = (r: TraceRecord): string => {
      const keys = Object.keys(r.fields).sort();
      const body = keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(r.fields[k])}`).join(",");
      return `{"time":${JSON.stringify(r.time)},"kind":${JSON.stringify(r.kind)},"fields":{${body}}}`;
    };
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }).map((t) => (Object.is(t, -0) ? 0 : t)),
        fc.string({ unit: "binary" }),
        fc.dictionary(
          fc.string({ unit: "binary" }),
          fc.oneof(
            fc.string({ unit: "binary" }),
            fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
            fc.boolean(),
            fc.constant(null),
          ),
        ),
        (time, kind, fields) => {
          const r: TraceRecord = { time, kind, fields };
          const line = toJSONLine(r);
          const parsed = JSON.parse(line) as { time: number; kind: string; fields: Record<string, TraceValue> };
          return line === reference(r) && parsed.time === time && parsed.kind === kind && Object.keys(parsed.fields).length === Object.keys(fields).length;
        },
      ),
      { numRuns: 500 },
    );
  });

  it("prints time round-trip exact", () => {
    const t = 0.1 + 0.2;
    const line = toJSONLine({ time: t, kind: "k", fields: {} });
    expect(line).toBe('{"time":0.30000000000000004,"kind":"k","fields":{}}');
    expect((JSON.parse(line) as { time: number }).time).toBe(t);
  });

  it.each([
    ["NaN time", { time: NaN, kind: "k", fields: {} }, RangeError],
    ["infinite field", { time: 0, kind: "k", fields: { x: Infinity } }, RangeError],
    ["undefined field", { time: 0, kind: "k", fields: { x: undefined as unknown as TraceValue } }, TypeError],
    ["object field", { time: 0, kind: "k", fields: { x: {} as unknown as TraceValue } }, TypeError],
  ])("rejects %s", (_label, r, err) => {
    expect(() => toJSONLine(r)).toThrow(err);
  });
});

describe("Trace digest", () => {
  const events = (t: Trace): void => {
    t.record(0, "proxy.sync", { node: "node-a", rules: 42 });
    t.record(1.25, "conn.new", { svc: "default/web", endpoint: "10.244.1.7:8080", affinity: false });
    t.record(2.5, "endpointslice.update", { slice: "web-abcde", ready: 3, reason: null });
  };

  it("same records give the same digest", () => {
    const a = new Trace();
    const b = new Trace();
    events(a);
    events(b);
    expect(a.digest()).toBe(b.digest());
    expect(a.digest()).toMatch(/^[0-9a-f]{16}$/);
    expect(a.count).toBe(3);
  });

  it("is the FNV-1a 64 of the JSON-Lines export (each canonical line + \\n)", () => {
    const t = new Trace({ keep: 10 });
    events(t);
    const text = t.records().map((r) => toJSONLine(r) + "\n").join("");
    expect(t.digest()).toBe(fnv1a64(text));
    expect(t.digest()).toBe(referenceFnv(text));
  });

  it.each([
    ["a field value", (t: Trace) => t.record(1.25, "conn.new", { svc: "default/web", endpoint: "10.244.1.8:8080", affinity: false })],
    ["a field type (number vs string)", (t: Trace) => t.record(1.25, "conn.new", { svc: "default/web", endpoint: "10.244.1.7:8080", affinity: "false" })],
    ["the time by one ulp", (t: Trace) => t.record(1.2500000000000002, "conn.new", { svc: "default/web", endpoint: "10.244.1.7:8080", affinity: false })],
    ["the kind", (t: Trace) => t.record(1.25, "conn.close", { svc: "default/web", endpoint: "10.244.1.7:8080", affinity: false })],
    ["a missing field", (t: Trace) => t.record(1.25, "conn.new", { svc: "default/web", endpoint: "10.244.1.7:8080" })],
  ])("changing %s changes the digest", (_label, second) => {
    const base = new Trace();
    base.record(0, "proxy.sync", { node: "node-a" });
    base.record(1.25, "conn.new", { svc: "default/web", endpoint: "10.244.1.7:8080", affinity: false });
    const changed = new Trace();
    changed.record(0, "proxy.sync", { node: "node-a" });
    second(changed);
    expect(changed.digest()).not.toBe(base.digest());
  });

  it("record order matters", () => {
    const a = new Trace();
    a.record(0, "x");
    a.record(0, "y");
    const b = new Trace();
    b.record(0, "y");
    b.record(0, "x");
    expect(a.digest()).not.toBe(b.digest());
  });

  it("key order in the fields object does not matter", () => {
    const a = new Trace();
    const b = new Trace();
    a.record(3, "k", { a: 1, b: "two", c: true, "10": null, "2": 0 });
    b.record(3, "k", { c: true, "2": 0, b: "two", "10": null, a: 1 });
    expect(a.digest()).toBe(b.digest());
  });

  it("property: digest is invariant under permutation of field keys", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null))),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (fields, time) => {
          const reversed: Record<string, TraceValue> = {};
          // defineProperty, so that a generated "__proto__" key stays an own property.
          for (const k of Object.keys(fields).reverse()) Object.defineProperty(reversed, k, { value: fields[k], enumerable: true });
          const a = new Trace();
          const b = new Trace();
          a.record(time, "k", fields);
          b.record(time, "k", reversed);
          return a.digest() === b.digest();
        },
      ),
    );
  });

  it("an empty trace has the FNV-1a offset basis as digest", () => {
    expect(new Trace().digest()).toBe("cbf29ce484222325");
  });

  it("a record that fails validation is not digested", () => {
    const t = new Trace();
    expect(() => t.record(NaN, "k")).toThrow(RangeError);
    expect(t.count).toBe(0);
    expect(t.digest()).toBe("cbf29ce484222325");
  });
});

describe("Trace options and listeners", () => {
  it("keep = 0 (default) keeps nothing", () => {
    const t = new Trace();
    t.record(1, "a");
    expect(t.records()).toEqual([]);
  });

  it("keep = N keeps the last N records, oldest first", () => {
    const t = new Trace({ keep: 3 });
    for (let i = 0; i < 2; i++) t.record(i, `e${i}`);
    expect(t.records().map((r) => r.kind)).toEqual(["e0", "e1"]);
    for (let i = 2; i < 7; i++) t.record(i, `e${i}`);
    expect(t.records().map((r) => r.kind)).toEqual(["e4", "e5", "e6"]);
    expect(t.count).toBe(7);
  });

  it("enabled: false makes record a no-op (no count, no digest, no listeners, no validation)", () => {
    const t = new Trace({ enabled: false, keep: 5 });
    const seen: TraceRecord[] = [];
    t.subscribe((r) => seen.push(r));
    t.record(1, "a", { x: 1 });
    t.record(NaN, "invalid");
    expect(t.count).toBe(0);
    expect(t.digest()).toBe("cbf29ce484222325");
    expect(t.records()).toEqual([]);
    expect(seen).toEqual([]);
  });

  it("keep does not affect the digest", () => {
    const a = new Trace({ keep: 0 });
    const b = new Trace({ keep: 2 });
    for (const t of [a, b]) for (let i = 0; i < 5; i++) t.record(i, "e", { i });
    expect(a.digest()).toBe(b.digest());
  });

  it("subscribers receive each record and its canonical line until they unsubscribe", () => {
    const t = new Trace();
    const lines: string[] = [];
    const kinds: string[] = [];
    const off = t.subscribe((r, line) => {
      kinds.push(r.kind);
      lines.push(line);
    });
    const other: string[] = [];
    t.subscribe((r) => other.push(r.kind));
    t.record(1, "a", { z: 1, y: 2 });
    off();
    off(); // idempotent
    t.record(2, "b");
    expect(kinds).toEqual(["a"]);
    expect(lines).toEqual(['{"time":1,"kind":"a","fields":{"y":2,"z":1}}']);
    expect(other).toEqual(["a", "b"]);
  });

  it.each([-1, 1.5, NaN])("rejects keep = %s", (keep) => {
    expect(() => new Trace({ keep })).toThrow(RangeError);
  });
});
