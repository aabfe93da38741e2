import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { EXPECT_METRICS, loadScenarioFile, parseScenario } from "./scenario.js";
import { InputError } from "./source.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const schema = JSON.parse(readFileSync(join(ROOT, "packages/cli/schema/scenario.schema.json"), "utf8")) as {
  properties: Record<string, { properties?: Record<string, unknown>; items?: { properties?: Record<string, unknown> } }>;
};
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(schema);

const EXAMPLES = readdirSync(join(ROOT, "examples/scenarios"))
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => join(ROOT, "examples/scenarios", f));
const GOOD = [...EXAMPLES, ...["actions", "expect-fail", "nodes-and-slices"].map((f) => join(ROOT, `packages/cli/test-fixtures/${f}.yaml`))];

/** The field list the code prints for an unknown field under `prefix`. */
function fieldsTheCodeKnows(yamlText: string): string[] {
  try {
    parseScenario(yamlText, join(ROOT, "x.yaml"));
  } catch (e) {
    const line = (e as InputError).problems.map((p) => p.message).find((m) => m.includes("supported fields: ") || m.includes("supported actions: ")) ?? "";
    return [...line.replace(/.*supported (fields|actions): /, "").matchAll(/"?([A-Za-z0-9.]+)"?/g)].map((m) => m[1]);
  }
  return [];
}

describe("scenario.schema.json (editor completion) and the checks in code agree", () => {
  it.each(GOOD.map((f) => [f.replace(ROOT, "")]))("%s is valid for both", (file) => {
    const path = join(ROOT, file);
    expect(() => loadScenarioFile(path)).not.toThrow();
    expect(validate(parse(readFileSync(path, "utf8"))), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    ["top level", "duration: 1s\nbogus: 1\n", Object.keys(schema.properties)],
    ["clients", "duration: 1s\nclients: [{ name: c, target: 10.96.0.1:80, rate: 1, bogus: 1 }]\n", Object.keys(schema.properties.clients.items?.properties ?? {})],
    ["applications", "duration: 1s\napplications: [{ selector: { a: b }, serviceTime: 1ms, bogus: 1 }]\n", Object.keys(schema.properties.applications.items?.properties ?? {})],
    ["cluster", "duration: 1s\ncluster: { bogus: 1 }\n", Object.keys(schema.properties.cluster.properties ?? {})],
    ["timeline actions", "duration: 1s\ntimeline: [{ at: 1s, bogus: 1 }]\n", Object.keys(schema.properties.timeline.items?.properties ?? {}).filter((k) => k !== "at")],
    ["expect metrics", "duration: 1s\nexpect: { bogus: { max: 1 } }\n", [...EXPECT_METRICS]],
  ])("%s: the same field names", (_name, text, fromSchema) => {
    expect(fieldsTheCodeKnows(text).sort()).toEqual([...fromSchema].sort());
  });

  // Fixtures whose mistake is one of form (not of meaning): the schema refuses them too.
  it.each(["unknown-field", "bad-duration", "bad-distribution", "unknown-action", "two-actions", "proxy-mode", "expect-metric", "selector-number", "not-a-map"])(
    "bad/%s.yaml is refused by the schema as well",
    (name) => {
      const doc = parse(readFileSync(join(ROOT, "packages/cli/test-fixtures/bad", `${name}.yaml`), "utf8"));
      expect(validate(doc)).toBe(false);
    },
  );
});

describe("parseScenario", () => {
  const dir = join(ROOT, "examples/scenarios");
  it("fills defaults and converts durations and distributions", () => {
    const s = parseScenario("duration: 1m30s\nmanifests: [manifests/api.yaml]\napplications:\n  - selector: { app: api }\n    serviceTime: { exponential: 5ms }\n", join(dir, "inline.yaml"));
    expect(s.duration).toBe(90_000);
    expect(s.simulation.seed).toBe(1);
    expect(s.settle).toBe(true);
    expect(s.mode).toBe("iptables");
    expect(s.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["Deployment/api", "Service/api"]);
    expect(s.applications[0].text).toBe("exponential(5ms)");
    expect(s.applications[0].model.serviceTime.mean).toBe(5);
  });

  it("Node manifests become the cluster's nodes", () => {
    const s = parseScenario(
      "duration: 1s\nmanifests:\n  - { apiVersion: v1, kind: Node, metadata: { name: w1, labels: { topology.kubernetes.io/zone: z } } }\n  - { apiVersion: v1, kind: Node, metadata: { name: w2 } }\n",
      join(dir, "n.yaml"),
    );
    expect(s.simulation.nodes).toEqual([
      { name: "w1", zone: "z", labels: { "topology.kubernetes.io/zone": "z" } },
      { name: "w2", zone: undefined, labels: {} },
    ]);
  });

  it("a Node manifest's status.allocatable.pods is that node's maxPods", () => {
    const s = parseScenario('duration: 1s\nmanifests:\n  - { apiVersion: v1, kind: Node, metadata: { name: w1 }, status: { capacity: { pods: "250" }, allocatable: { pods: "250" } } }\n', join(dir, "n.yaml"));
    expect(s.simulation.nodes).toEqual([{ name: "w1", zone: undefined, labels: {}, maxPods: 250 }]);
  });

  it("a Node manifest's status.allocatable.cpu and .memory are that node's cpu and memory", () => {
    const s = parseScenario('duration: 1s\nmanifests:\n  - { apiVersion: v1, kind: Node, metadata: { name: w1 }, status: { allocatable: { cpu: "7500m", memory: "30Gi", pods: "110" } } }\n', join(dir, "n.yaml"));
    expect(s.simulation.nodes).toEqual([{ name: "w1", zone: undefined, labels: {}, maxPods: 110, cpu: "7500m", memory: "30Gi" }]);
  });

  it("reads a node's cpu and memory (a YAML number as its text) into the Simulation options", () => {
    const s = parseScenario("duration: 1s\ncluster:\n  nodes: [{ name: a, cpu: 8, memory: 32Gi }, { name: b, cpu: 3500m }]\n", join(dir, "t.yaml"));
    expect(s.simulation.nodes).toEqual([
      { name: "a", zone: undefined, labels: undefined, cpu: "8", memory: "32Gi" },
      { name: "b", zone: undefined, labels: undefined, cpu: "3500m" },
    ]);
  });

  it("reads maxPodsPerNode and a node's maxPods into the Simulation options", () => {
    const s = parseScenario("duration: 1s\ncluster:\n  maxPodsPerNode: 250\n  nodes: [{ name: a }, { name: b, maxPods: 30 }]\n", join(dir, "t.yaml"));
    expect(s.simulation.maxPodsPerNode).toBe(250);
    expect(s.simulation.nodes).toEqual([
      { name: "a", zone: undefined, labels: undefined },
      { name: "b", zone: undefined, labels: undefined, maxPods: 30 },
    ]);
  });

  it("sorts the timeline by time, keeping file order for equal times", () => {
    const s = parseScenario(
      "duration: 1s\ntimeline:\n  - { at: 2s, deletePod: { name: a } }\n  - { at: 1s, deletePod: { name: b } }\n  - { at: 2s, deletePod: { name: c } }\n",
      join(dir, "t.yaml"),
    );
    expect(s.timeline.map((t) => (t.action.type === "deletePod" ? t.action.name : ""))).toEqual(["b", "a", "c"]);
    expect(s.timeline.map((t) => t.path)).toEqual(["timeline[1]", "timeline[0]", "timeline[2]"]);
  });

  it.each([
    ["facade check: clusterCIDR too small for the nodes", "duration: 1s\ncluster:\n  nodes: 5\n  clusterCIDR: 10.0.0.0/23\n", "t.yaml:3:3: cluster.nodes: Invalid value: 5: clusterCIDR 10.0.0.0/23 holds only 2 node pod CIDRs of /24"],
    ["nodes both ways", "duration: 1s\ncluster: { nodes: 2 }\nmanifests: [{ apiVersion: v1, kind: Node, metadata: { name: w } }]\n", "t.yaml:2:12: cluster.nodes: Forbidden: nodes are given both here and as Node manifests; keep one"],
    ["keep-alive settings on another mode", "duration: 1s\nclients: [{ name: c, target: 10.96.0.1:80, rate: 1, connections: { mode: multiplexed, poolSize: 2 } }]\n", "t.yaml:2:87: clients[0].connections.poolSize: Forbidden: only for mode keep-alive"],
    ["rate and interarrival", "duration: 1s\nclients: [{ name: c, target: 10.96.0.1:80, rate: 1, interarrival: 5ms }]\n", "t.yaml:2:53: clients[0].interarrival: Forbidden: give rate or interarrival, not both"],
    ["duplicate client", "duration: 1s\nclients: [{ name: c, target: 10.96.0.1:80, rate: 1 }, { name: c, target: 10.96.0.1:80, rate: 1 }]\n", 't.yaml:2:57: clients[1].name: Duplicate value: "c"'],
    ["stopClient of an unknown client", "duration: 1s\ntimeline: [{ at: 1s, stopClient: { name: x } }]\n", 't.yaml:2:36: timeline[0].stopClient.name: Unsupported value: "x"'],
    ["maxPodsPerNode 0", "duration: 1s\ncluster: { maxPodsPerNode: 0 }\n", "t.yaml:2:12: cluster.maxPodsPerNode: Invalid value: 0: must be an integer >= 1"],
    ["a Node manifest's allocatable pods not a whole number", 'duration: 1s\nmanifests:\n  - { apiVersion: v1, kind: Node, metadata: { name: w1 }, status: { allocatable: { pods: "1.5" } } }\n', 't.yaml:3:84: Node "w1": status.allocatable.pods: Invalid value: "1.5": must be a whole number of pods >= 1, quoted (e.g. "110": the kubelet\'s maxPods)'],
    ["a node's cpu not a quantity", "duration: 1s\ncluster:\n  nodes: [{ name: a, cpu: four }]\n", "t.yaml:3:22: cluster.nodes[0].cpu: Invalid value: \"four\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
    ["a node's memory with a bad suffix", "duration: 1s\ncluster:\n  nodes: [{ name: a, memory: 16ki }]\n", "t.yaml:3:22: cluster.nodes[0].memory: Invalid value: \"16ki\": unable to parse quantity's suffix"],
    ["a Node manifest's allocatable memory not a quantity", 'duration: 1s\nmanifests:\n  - { apiVersion: v1, kind: Node, metadata: { name: w1 }, status: { allocatable: { memory: "16 GB" } } }\n', "t.yaml:3:84: Node \"w1\": status.allocatable.memory: Invalid value: \"16 GB\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
    ["a node's maxPods a fraction", "duration: 1s\ncluster:\n  nodes: [{ name: a, maxPods: 2.5 }]\n", "t.yaml:3:22: cluster.nodes[0].maxPods: Invalid value: 2.5: must be an integer >= 1"],
    ["two YAML documents", "duration: 1s\n---\nduration: 2s\n", "t.yaml:1:1: a scenario file holds exactly one YAML document, found 2"],
    ["duration missing", "seed: 1\n", "t.yaml:1:1: duration: Required value: a duration like 250ms, 1.5s, 2m or 1m30s (a bare number is milliseconds)"],
  ])("%s", (_name, text, message) => {
    try {
      parseScenario(text, "t.yaml");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).message).toBe(message);
    }
  });
});
