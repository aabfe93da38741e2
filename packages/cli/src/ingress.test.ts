import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { loadScenarioFile, parseScenario } from "./scenario.js";
import { runScenario } from "./runner.js";
import { formatRunSummary } from "./format.js";
import { InputError } from "./source.js";

// Ingress in scenario files: networking.k8s.io/v1 Ingress manifests, cluster.ingressController,
// external clients with target: ingress, host and path.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FILE = join(ROOT, "examples/scenarios/ingress.yaml");
const schema = JSON.parse(readFileSync(join(ROOT, "packages/cli/schema/scenario.schema.json"), "utf8")) as object;

const problemsOf = (text: string): string => {
  try {
    parseScenario(text, join(ROOT, "x.yaml"));
  } catch (e) {
    return (e as InputError).problems.map((p) => `${p.line}:${p.col}: ${p.message}`).join("\n");
  }
  return "";
};

describe("Ingress in scenario files", () => {
  it("the example is valid for the schema and the code", () => {
    const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
    expect(validate(parse(readFileSync(FILE, "utf8"))), JSON.stringify(validate.errors)).toBe(true);
    const s = loadScenarioFile(FILE);
    expect(s.simulation.ingressController).toEqual({ replicas: 2 });
    expect(s.objects.map((o) => o.kind)).toEqual(["Deployment", "Deployment", "Service", "Service", "Ingress"]);
    expect(s.clients.map((c) => [c.name, c.host, c.path])).toEqual([
      ["orders", "shop.example.com", "/api/orders"],
      ["home", "shop.example.com", "/"],
      ["stranger", "other.example.com", undefined],
      ["in-cluster", "shop.example.com", "/api/cart"],
    ]);
  });

  it("runs: each client's requests follow its rule, a host no rule names gets 404, every request ends", () => {
    const run = runScenario(loadScenarioFile(FILE));
    const r = run.results;
    expect(r.inFlight).toBe(0);
    expect(r.started).toBe(r.outcomes.completed + r.outcomes.refused + r.outcomes.reset + r.outcomes.timedOut + r.outcomes.dropped);
    const ingress = r.ingress;
    expect(ingress).toBeDefined();
    const byClient = ingress?.byClient ?? {};
    expect(Object.keys(byClient.stranger ?? {})).toEqual(["404"]);
    expect(Object.keys(byClient.orders ?? {})).toEqual(["200"]);
    expect(Object.keys(byClient["in-cluster"] ?? {})).toEqual(["200"]);
    // /api/* reaches only api pods, / only web pods.
    const served = [...run.sim.results().endpoints].filter((e) => e.completed > 0).map((e) => e.pod.split("-")[0]);
    expect(new Set(served)).toEqual(new Set(["api", "web", "ingress"]));
  });

  it("the run summary prints the Ingress results: responses per rule and status, and each client's rule", () => {
    const run = runScenario(loadScenarioFile(FILE));
    const ingress = run.results.ingress;
    const out = formatRunSummary("ingress.yaml", run);
    const section = out.slice(out.indexOf("ingress: responses per rule"), out.indexOf("\ndigest"));
    const row = (cells: readonly string[]): RegExp => new RegExp(`^  ${cells.map((c) => c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join(" +")}$`, "m");
    // Every rule and status the results hold, with its count.
    for (const [rule, byStatus] of Object.entries(ingress?.byRule ?? {})) {
      expect(section).toMatch(row([rule, String(byStatus["200"] ?? 0), String(byStatus["404"] ?? 0)]));
    }
    expect(section).toMatch(row(["stranger", "other.example.com", "/", "(no rule)"]));
    expect(section).toMatch(row(["orders", "shop.example.com", "/api/orders", "shop: shop.example.com/api (Prefix)"]));
    expect(ingress?.byRule["(no rule)"]?.["404"]).toBeGreaterThan(0);
  });

  it.each<[string, string, string]>([
    [
      "an invalid Ingress, with file:line:col and the field path",
      "manifests:\n  - apiVersion: networking.k8s.io/v1\n    kind: Ingress\n    metadata: { name: shop }\n    spec:\n      rules:\n        - http:\n            paths:\n              - path: /\n                backend: { service: { name: api, port: { number: 80 } } }\n",
      '10:17: Ingress "shop": spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
    ],
    ["target ingress without a controller", "clients: [{ name: c, external: true, target: ingress, rate: 1 }]", '2:38: clients[0].target: Forbidden: "ingress" needs an Ingress controller; set cluster.ingressController: true'],
    ["host on an lb client", "cluster: { loadBalancer: true }\nclients: [{ name: c, external: true, target: lb, service: s, host: h, rate: 1 }]", "clients[0].host: Forbidden: only with target: ingress"],
    ["a relative path", "cluster: { ingressController: true }\nclients: [{ name: c, external: true, target: ingress, path: api, rate: 1 }]", 'clients[0].path: Invalid value: "api": must be an absolute path'],
    ["ingressController replicas 0", "cluster: { ingressController: { replicas: 0 } }", "cluster.ingressController.replicas: Invalid value: 0: must be an integer >= 1"],
  ])("refuses %s", (_name, text, want) => {
    expect(problemsOf(`duration: 1s\n${text}`)).toContain(want);
  });
});
