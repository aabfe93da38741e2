import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { loadScenarioFile, parseScenario } from "./scenario.js";
import { runScenario } from "./runner.js";

// Scenario files drive network partitions: partitionNode / healPartition timeline actions.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FIXTURE = join(ROOT, "packages/cli/test-fixtures/partition.yaml");
const schema = JSON.parse(readFileSync(join(ROOT, "packages/cli/schema/scenario.schema.json"), "utf8")) as object;

describe("partitions in scenario files", () => {
  it("the fixture is valid for the schema and the code", () => {
    const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
    expect(validate(parse(readFileSync(FIXTURE, "utf8"))), JSON.stringify(validate.errors)).toBe(true);
    expect(loadScenarioFile(FIXTURE).timeline.map((t) => [t.at, t.action])).toEqual([
      [20_000, { type: "partitionNode", node: "node-2" }],
      [140_000, { type: "healPartition", node: "node-2" }],
    ]);
  });

  it("runs: the node is Unknown and back, nothing times out (the data path stayed up), every request ends", () => {
    const run = runScenario(loadScenarioFile(FIXTURE));
    expect(run.sim.partitionedNodeNames).toEqual([]);
    // Ready=Unknown at 78 s (the 50 s grace period), True again when the partition healed.
    expect(run.sim.store.get("Node", undefined, "node-2")?.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "True", lastTransitionTime: 140_000 + run.trafficStart });
    // Not evicted (120 s < 50 s + 300 s): the same pod runs on, Ready again at the kubelet's
    // next status sync (the 10 s syncBatch tick after the heal).
    const pod = run.sim.pods({ app: "api" }).find((p) => p.spec.nodeName === "node-2");
    expect(pod?.status?.containerStatuses?.[0]?.restartCount).toBe(0);
    expect(pod?.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "True", lastTransitionTime: (Math.floor((140_000 + run.trafficStart) / 10_000) + 1) * 10_000 });
    const o = run.results.outcomes;
    expect([o.timedOut, o.reset, o.refused, o.dropped, run.results.inFlight]).toEqual([0, 0, 0, 0, 0]);
    expect(run.results.started).toBe(o.completed);
    expect(run.results.started).toBeGreaterThan(15_000); // ~ 100/s x 200 s
  });

  it.each<[string, string, string]>([
    ["partitionNode without a node", "timeline: [{ at: 1s, partitionNode: {} }]", "timeline[0].partitionNode.node: Required value"],
    ["healPartition with a zone", "timeline: [{ at: 1s, healPartition: { node: node-1, zone: z } }]", 'timeline[0].healPartition.zone: Unsupported field: "zone"'],
  ])("%s is refused with its field path", (_name, text, want) => {
    expect(() => parseScenario(`duration: 1s\n${text}\n`, join(ROOT, "x.yaml"))).toThrow(expect.objectContaining({ name: "InputError", message: expect.stringContaining(want) }));
  });

  it("healing a node that is not partitioned is refused when the action runs, with where it was written", () => {
    const text = readFileSync(FIXTURE, "utf8").replace("partitionNode: { node: node-2 }", "partitionNode: { node: node-3 }");
    expect(() => runScenario(parseScenario(text, FIXTURE))).toThrow(expect.objectContaining({ name: "InputError", message: expect.stringContaining('healPartition: node: Invalid value: "node-2": the node is not partitioned') }));
  });
});
