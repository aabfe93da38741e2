import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { loadScenarioFile, parseScenario } from "./scenario.js";
import { runScenario } from "./runner.js";

// drainNode / uncordonNode timeline actions (kubectl drain / uncordon).
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FIXTURE = join(ROOT, "packages/cli/test-fixtures/drain.yaml");
const schema = JSON.parse(readFileSync(join(ROOT, "packages/cli/schema/scenario.schema.json"), "utf8")) as object;

describe("drainNode / uncordonNode in scenario files", () => {
  it("the fixture is valid for the schema and the code", () => {
    const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
    expect(validate(parse(readFileSync(FIXTURE, "utf8"))), JSON.stringify(validate.errors)).toBe(true);
    expect(loadScenarioFile(FIXTURE).timeline.map((t) => t.action)).toEqual([
      { type: "drainNode", node: "node-3" },
      { type: "uncordonNode", node: "node-3" },
    ]);
  });

  it("runs: no request fails, the replacement runs on node-1 or node-2, node-3 is schedulable again", () => {
    const run = runScenario(loadScenarioFile(FIXTURE));
    const o = run.results.outcomes;
    expect({ refused: o.refused, reset: o.reset, timedOut: o.timedOut, dropped: o.dropped }).toEqual({ refused: 0, reset: 0, timedOut: 0, dropped: 0 });
    expect(run.results.started).toBe(o.completed + run.results.inFlight);
    const nodes = run.sim.pods({ app: "api" }).map((p) => p.spec.nodeName ?? "");
    expect(nodes).toHaveLength(3);
    expect(nodes).not.toContain("node-3");
    expect(run.sim.store.get("Node", undefined, "node-3")?.spec?.unschedulable).toBe(false);
  });

  it.each<[string, string, string]>([
    ["drainNode without a node", "timeline: [{ at: 1s, drainNode: {} }]", "timeline[0].drainNode.node: Required value"],
    ["uncordonNode with a zone", "timeline: [{ at: 1s, uncordonNode: { node: node-1, zone: z } }]", 'timeline[0].uncordonNode.zone: Unsupported field: "zone"'],
  ])("%s is refused with its field path", (_name, text, want) => {
    expect(() => parseScenario(`duration: 1s\n${text}\n`, join(ROOT, "x.yaml"))).toThrow(expect.objectContaining({ name: "InputError", message: expect.stringContaining(want) }));
  });
});
