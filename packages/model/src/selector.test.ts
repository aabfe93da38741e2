import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatFieldError } from "./field-error.js";
import { LabelSelectorError, compileLabelSelector, compileServiceSelector, validateLabelSelector } from "./selector.js";
import type { LabelSelector, LabelSelectorRequirement, StringMap } from "./types.js";

const req = (key: string, operator: LabelSelectorRequirement["operator"], values?: string[]): LabelSelector => ({
  matchExpressions: [values === undefined ? { key, operator } : { key, operator, values }],
});

describe("compileLabelSelector: operators (pkg/labels/selector.go Requirement.Matches)", () => {
  const cases: readonly { name: string; sel: LabelSelector; labels: StringMap | undefined; want: boolean }[] = [
    { name: "matchLabels equal", sel: { matchLabels: { app: "api" } }, labels: { app: "api", x: "y" }, want: true },
    { name: "matchLabels different value", sel: { matchLabels: { app: "api" } }, labels: { app: "web" }, want: false },
    { name: "matchLabels missing key", sel: { matchLabels: { app: "api" } }, labels: { other: "api" }, want: false },
    { name: "matchLabels all pairs required", sel: { matchLabels: { app: "api", tier: "be" } }, labels: { app: "api" }, want: false },
    { name: "matchLabels empty value matches empty label", sel: { matchLabels: { app: "" } }, labels: { app: "" }, want: true },
    { name: "In: value in set", sel: req("tier", "In", ["a", "b"]), labels: { tier: "b" }, want: true },
    { name: "In: value not in set", sel: req("tier", "In", ["a", "b"]), labels: { tier: "c" }, want: false },
    { name: "In: missing key does not match", sel: req("tier", "In", ["a", "b"]), labels: {}, want: false },
    { name: "In: undefined labels", sel: req("tier", "In", ["a"]), labels: undefined, want: false },
    { name: "NotIn: value not in set", sel: req("env", "NotIn", ["prod"]), labels: { env: "dev" }, want: true },
    { name: "NotIn: value in set", sel: req("env", "NotIn", ["prod"]), labels: { env: "prod" }, want: false },
    { name: "NotIn: missing key MATCHES", sel: req("env", "NotIn", ["prod"]), labels: { app: "x" }, want: true },
    { name: "NotIn: undefined labels MATCH", sel: req("env", "NotIn", ["prod"]), labels: undefined, want: true },
    { name: "Exists: present", sel: req("gpu", "Exists"), labels: { gpu: "" }, want: true },
    { name: "Exists: missing", sel: req("gpu", "Exists"), labels: { cpu: "x" }, want: false },
    { name: "DoesNotExist: missing key MATCHES", sel: req("gone", "DoesNotExist"), labels: { app: "x" }, want: true },
    { name: "DoesNotExist: present", sel: req("gone", "DoesNotExist"), labels: { gone: "1" }, want: false },
    { name: "DoesNotExist with empty values list", sel: req("gone", "DoesNotExist", []), labels: {}, want: true },
    {
      name: "matchLabels AND matchExpressions",
      sel: { matchLabels: { app: "api" }, matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] },
      labels: { app: "api", env: "prod" },
      want: false,
    },
    {
      name: "inherited Object.prototype keys are not labels",
      sel: req("constructor", "Exists"),
      labels: {},
      want: false,
    },
    {
      name: "toString is not a label either (DoesNotExist holds)",
      sel: req("toString", "DoesNotExist"),
      labels: {},
      want: true,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(compileLabelSelector(c.sel).matches(c.labels)).toBe(c.want);
    });
  }
});

describe("compileLabelSelector: nil vs empty (metav1.LabelSelectorAsSelector)", () => {
  it("undefined selects nothing (labels.Nothing()) and is not empty", () => {
    const s = compileLabelSelector(undefined);
    expect(s.matches({ app: "x" })).toBe(false);
    expect(s.matches({})).toBe(false);
    expect(s.matches(undefined)).toBe(false);
    expect(s.empty).toBe(false);
    expect(s.toString()).toBe("");
  });
  it("{} selects everything (labels.Everything()) and is empty", () => {
    const s = compileLabelSelector({});
    expect(s.matches({ app: "x" })).toBe(true);
    expect(s.matches(undefined)).toBe(true);
    expect(s.empty).toBe(true);
    expect(s.toString()).toBe("");
  });
  it("{matchLabels: {}, matchExpressions: []} is also empty and selects everything", () => {
    const s = compileLabelSelector({ matchLabels: {}, matchExpressions: [] });
    expect(s.empty).toBe(true);
    expect(s.matches({ a: "b" })).toBe(true);
  });
  it("a selector with requirements is not empty", () => {
    expect(compileLabelSelector({ matchLabels: { a: "b" } }).empty).toBe(false);
  });
});

describe("compileServiceSelector (EndpointSlice controller: no selector, no slices)", () => {
  it("absent selector: empty and selects nothing", () => {
    const s = compileServiceSelector(undefined);
    expect(s.empty).toBe(true);
    expect(s.matches({ app: "api" })).toBe(false);
    expect(s.matches(undefined)).toBe(false);
  });
  it("empty map: empty and selects nothing (unlike metav1 {})", () => {
    const s = compileServiceSelector({});
    expect(s.empty).toBe(true);
    expect(s.matches({ app: "api" })).toBe(false);
    expect(s.matches({})).toBe(false);
  });
  it("equality on every pair", () => {
    const s = compileServiceSelector({ app: "api", tier: "web" });
    expect(s.empty).toBe(false);
    expect(s.matches({ app: "api", tier: "web", extra: "1" })).toBe(true);
    expect(s.matches({ app: "api" })).toBe(false);
    expect(s.matches({ app: "api", tier: "db" })).toBe(false);
    expect(s.toString()).toBe("app=api,tier=web");
  });
  it("frozen selectors are compiled once", () => {
    const sel = Object.freeze({ app: "api" });
    expect(compileServiceSelector(sel)).toBe(compileServiceSelector(sel));
  });
});

describe("toString (labels.Selector.String, requirements sorted by key)", () => {
  const cases: readonly { name: string; sel: LabelSelector; want: string }[] = [
    {
      name: "all operators, sorted by key, values sorted",
      sel: {
        matchLabels: { app: "api" },
        matchExpressions: [
          { key: "tier", operator: "In", values: ["b", "a"] },
          { key: "gone", operator: "DoesNotExist" },
          { key: "env", operator: "NotIn", values: ["x"] },
          { key: "gpu", operator: "Exists" },
        ],
      },
      want: "app=api,env notin (x),!gone,gpu,tier in (a,b)",
    },
    { name: "brief example order", sel: { matchLabels: { app: "api" }, matchExpressions: [{ key: "tier", operator: "In", values: ["a", "b"] }] }, want: "app=api,tier in (a,b)" },
    { name: "single In value", sel: req("k", "In", ["v"]), want: "k in (v)" },
    { name: "matchLabels sorted", sel: { matchLabels: { zz: "1", aa: "2", mm: "3" } }, want: "aa=2,mm=3,zz=1" },
    { name: "prefixed keys", sel: { matchLabels: { "app.kubernetes.io/name": "web" } }, want: "app.kubernetes.io/name=web" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(compileLabelSelector(c.sel).toString()).toBe(c.want);
      expect(String(compileLabelSelector(c.sel))).toBe(c.want);
    });
  }
});

describe("invalid selectors throw LabelSelectorError with field paths", () => {
  const cases: readonly { name: string; sel: unknown; path?: string; want: string[] }[] = [
    {
      name: "In without values",
      sel: req("app", "In"),
      want: ["matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"],
    },
    {
      name: "NotIn with empty values, under spec.selector",
      sel: req("app", "NotIn", []),
      path: "spec.selector",
      want: ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"],
    },
    {
      name: "Exists with values",
      sel: req("app", "Exists", ["x"]),
      want: ["matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"],
    },
    {
      name: "DoesNotExist with values",
      sel: req("app", "DoesNotExist", ["x"]),
      want: ["matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"],
    },
    {
      name: "unknown operator",
      sel: { matchExpressions: [{ key: "app", operator: "Equals", values: ["x"] }] },
      want: ['matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator'],
    },
    {
      name: "missing operator is the empty string",
      sel: { matchExpressions: [{ key: "app" }] },
      want: ['matchExpressions[0].operator: Invalid value: "": not a valid selector operator'],
    },
    {
      name: "invalid key and value",
      sel: { matchExpressions: [{ key: "a b", operator: "In", values: ["ok", "-bad"] }] },
      want: [
        "matchExpressions[0].key: Invalid value: \"a b\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        "matchExpressions[0].values[1]: Invalid value: \"-bad\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      ],
    },
    {
      name: "matchLabels value too long (reported at matchLabels, as ValidateLabels does)",
      sel: { matchLabels: { app: "x".repeat(64) } },
      want: [
        `matchLabels: Invalid value: "${"x".repeat(64)}": must be no more than 63 characters`,
      ],
    },
    {
      name: "several problems, all listed in order",
      sel: { matchExpressions: [{ key: "a", operator: "In" }, { key: "b", operator: "Exists", values: ["v"] }] },
      want: [
        "matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
        "matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      let thrown: unknown;
      try {
        compileLabelSelector(c.sel as LabelSelector, c.path);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(LabelSelectorError);
      const err = thrown as LabelSelectorError;
      expect(err.errors.map(formatFieldError)).toEqual(c.want);
      expect(err.message).toBe("invalid label selector: " + (c.want.length === 1 ? c.want[0] : `[${c.want.join(", ")}]`));
      expect(validateLabelSelector(c.sel, c.path ?? "").map(String)).toEqual(c.want);
    });
  }

  it("wrongly typed selectors give field errors, not TypeErrors", () => {
    expect(validateLabelSelector({ matchLabels: "app=x", matchExpressions: 5 }, "spec.selector").map(String)).toEqual([
      'spec.selector.matchLabels: Invalid value: "app=x": must be of type object',
      "spec.selector.matchExpressions: Invalid value: 5: must be of type array",
    ]);
    expect(validateLabelSelector({ matchExpressions: [null, { key: 1, operator: "In", values: [2] }] }, "s").map(String)).toEqual([
      "s.matchExpressions[0]: Invalid value: null: must be of type object",
      "s.matchExpressions[1].key: Invalid value: 1: must be of type string",
      "s.matchExpressions[1].values[0]: Invalid value: 2: must be of type string",
    ]);
  });
});

describe("properties", () => {
  const labelKey = fc.stringMatching(/^[a-z]([-a-z0-9.]{0,10}[a-z0-9])?$/);
  const labelValue = fc.oneof(fc.constant(""), fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,8}[A-Za-z0-9])?$/));
  const labels = fc.dictionary(labelKey, labelValue, { maxKeys: 5 });

  it("matchLabels {k: v} is equivalent to matchExpressions [{key: k, operator: In, values: [v]}]", () => {
    fc.assert(
      fc.property(labelKey, labelValue, labels, fc.boolean(), (k, v, ls, plant) => {
        const set = plant ? { ...ls, [k]: v } : ls;
        const a = compileLabelSelector({ matchLabels: { [k]: v } });
        const b = compileLabelSelector({ matchExpressions: [{ key: k, operator: "In", values: [v] }] });
        expect(a.matches(set)).toBe(b.matches(set));
        expect(a.matches(set)).toBe(set[k] === v);
      }),
      { numRuns: 500 },
    );
  });

  it("NotIn is the complement of In, and DoesNotExist of Exists", () => {
    fc.assert(
      fc.property(labelKey, fc.array(labelValue, { minLength: 1, maxLength: 3 }), labels, (k, vs, ls) => {
        const inSel = compileLabelSelector({ matchExpressions: [{ key: k, operator: "In", values: vs }] });
        const notIn = compileLabelSelector({ matchExpressions: [{ key: k, operator: "NotIn", values: vs }] });
        expect(notIn.matches(ls)).toBe(!inSel.matches(ls));
        const ex = compileLabelSelector({ matchExpressions: [{ key: k, operator: "Exists" }] });
        const dne = compileLabelSelector({ matchExpressions: [{ key: k, operator: "DoesNotExist" }] });
        expect(dne.matches(ls)).toBe(!ex.matches(ls));
      }),
      { numRuns: 300 },
    );
  });

  it("a Service selector matches exactly the label sets containing all its pairs", () => {
    fc.assert(
      fc.property(labels, labels, (sel, ls) => {
        const want = Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => ls[k] === v);
        expect(compileServiceSelector(sel).matches(ls)).toBe(want);
      }),
      { numRuns: 300 },
    );
  });
});
