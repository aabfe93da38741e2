import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { loadScenarioFile, parseScenario } from "./scenario.js";
import { runScenario } from "./runner.js";

// Scenario files drive the pod lifecycle: application warmUp / hangAfter / crashAfter,
// cluster.timings.containerRestartDelay, and the crashPod / hangPod timeline actions.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FIXTURE = join(ROOT, "packages/cli/test-fixtures/lifecycle.yaml");
const schema = JSON.parse(readFileSync(join(ROOT, "packages/cli/schema/scenario.schema.json"), "utf8")) as object;

describe("pod lifecycle in scenario files", () => {
  it("the fixture is valid for the schema and the code, with the fields resolved", () => {
    const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
    expect(validate(parse(readFileSync(FIXTURE, "utf8"))), JSON.stringify(validate.errors)).toBe(true);
    const s = loadScenarioFile(FIXTURE);
    expect(s.applications[0].model.warmUp?.mean).toBe(1_000);
    expect(s.applications[0].model.crashAfter?.mean).toBe(600_000);
    expect(s.simulation.timings?.containerRestartDelay?.mean).toBe(500);
    expect(s.timeline.map((t) => t.action)).toEqual([
      { type: "crashPod", selector: { app: "api" }, index: 0, namespace: "default", name: undefined },
      { type: "hangPod", selector: { app: "api" }, index: 1, namespace: "default", name: undefined },
      { type: "hangPod", selector: { app: "api" }, index: 2, namespace: "default", name: undefined, duration: 3_000 },
    ]);
  });

  it("runs: the crashed pod restarts once, the hung one is killed by its liveness probe and restarts, every request ends", () => {
    const run = runScenario(loadScenarioFile(FIXTURE));
    const restarts = run.sim.pods({ app: "api" }).map((p) => p.status?.containerStatuses?.[0]?.restartCount ?? 0);
    // Pod 0 crashed at 5 s; pod 1 hung at 20 s (liveness kill); pod 2 stalled 3 s only (no kill: 2 failures need 5 s).
    expect(restarts).toEqual([1, 1, 0]);
    const o = run.results.outcomes;
    expect(run.results.inFlight).toBe(0);
    expect(run.results.started).toBe(o.completed + o.refused + o.reset + o.timedOut + o.dropped);
    expect(o.timedOut).toBeGreaterThan(0);
    expect(o.completed).toBeGreaterThan(11_000);
  });

  it.each<[string, string, string]>([
    ["hangPod duration 0", "timeline: [{ at: 1s, hangPod: { name: p, duration: 0 } }]", "timeline[0].hangPod.duration: Invalid value: 0: must be > 0"],
    ["crashPod without a target", "timeline: [{ at: 1s, crashPod: {} }]", "timeline[0].crashPod: Required value: name, or selector"],
    ["crashPod takes no duration", "timeline: [{ at: 1s, crashPod: { name: p, duration: 1s } }]", 'timeline[0].crashPod.duration: Unsupported field: "duration"'],
    ["a bad crashAfter", "applications: [{ selector: { a: b }, serviceTime: 1ms, crashAfter: soon }]", "applications[0].crashAfter"],
  ])("%s is refused with its field path", (_name, text, want) => {
    expect(() => parseScenario(`duration: 1s\n${text}\n`, join(ROOT, "x.yaml"))).toThrow(expect.objectContaining({ name: "InputError", message: expect.stringContaining(want) }));
  });
});
