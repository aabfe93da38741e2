import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { loadScenarioFile, parseScenario } from "./scenario.js";
import { runScenario } from "./runner.js";

// Scenario files drive faults: failNode / recoverNode, loseZone / recoverZone and
// stallKubeProxy timeline actions, and cluster.timings.endpointSliceWorkers.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FIXTURE = join(ROOT, "packages/cli/test-fixtures/faults.yaml");
const schema = JSON.parse(readFileSync(join(ROOT, "packages/cli/schema/scenario.schema.json"), "utf8")) as object;

describe("faults in scenario files", () => {
  it("the fixture is valid for the schema and the code", () => {
    const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
    expect(validate(parse(readFileSync(FIXTURE, "utf8"))), JSON.stringify(validate.errors)).toBe(true);
    const s = loadScenarioFile(FIXTURE);
    expect(s.simulation.timings?.endpointSliceWorkers).toBe(5);
    expect(s.timeline.map((t) => t.action)).toEqual([
      { type: "stallKubeProxy", node: "node-3", duration: 10_000 },
      { type: "loseZone", zone: "zone-b" },
      { type: "recoverZone", zone: "zone-b" },
      { type: "failNode", node: "node-6" },
      { type: "recoverNode", node: "node-6" },
    ]);
  });

  it("runs: requests to zone-b's pods time out until the node lifecycle controller gives up on it, and every request ends", () => {
    const run = runScenario(loadScenarioFile(FIXTURE));
    expect(run.sim.failedNodeNames).toEqual([]);
    const ready = (n: string): string | undefined => run.sim.store.get("Node", undefined, n)?.status?.conditions?.find((c) => c.type === "Ready")?.status;
    expect(["node-2", "node-5", "node-6"].map(ready)).toEqual(["True", "True", "True"]);
    const o = run.results.outcomes;
    expect(o.timedOut).toBeGreaterThan(1000); // ~ 100/s x 2/6 x ~58 s
    expect(run.results.inFlight).toBe(0);
    expect(run.results.started).toBe(o.completed + o.refused + o.reset + o.timedOut + o.dropped);
  });

  it.each<[string, string, string]>([
    ["failNode without a node", "timeline: [{ at: 1s, failNode: {} }]", "timeline[0].failNode.node: Required value"],
    ["loseZone with a node", "timeline: [{ at: 1s, loseZone: { node: n } }]", 'timeline[0].loseZone.node: Unsupported field: "node"'],
    ["stallKubeProxy without a duration", "timeline: [{ at: 1s, stallKubeProxy: { node: node-1 } }]", "timeline[0].stallKubeProxy.duration: Required value"],
    ["endpointSliceWorkers 0", "cluster: { timings: { endpointSliceWorkers: 0 } }", "cluster.timings.endpointSliceWorkers: Invalid value: 0: must be an integer >= 1"],
  ])("%s is refused with its field path", (_name, text, want) => {
    expect(() => parseScenario(`duration: 1s\n${text}\n`, join(ROOT, "x.yaml"))).toThrow(expect.objectContaining({ name: "InputError", message: expect.stringContaining(want) }));
  });

  it("an unknown node is refused when the action runs, with where it was written", () => {
    const text = readFileSync(FIXTURE, "utf8").replace("failNode: { node: node-6 }", "failNode: { node: node-9 }");
    expect(() => runScenario(parseScenario(text, FIXTURE))).toThrow(expect.objectContaining({ name: "InputError", message: expect.stringContaining('failNode: node: Not found: "node-9": known nodes: node-1, node-2, node-3, node-4, node-5, node-6') }));
  });
});
