import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { loadScenarioFile, parseScenario } from "./scenario.js";
import { runScenario } from "./runner.js";
import { InputError } from "./source.js";

// Closed-loop clients in scenario files: clients[].users and clients[].thinkTime.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FIXTURE = join(ROOT, "packages/cli/test-fixtures/closed-loop.yaml");
const schema = JSON.parse(readFileSync(join(ROOT, "packages/cli/schema/scenario.schema.json"), "utf8")) as object;

describe("closed-loop clients in scenario files", () => {
  it("the fixture is valid for the schema and the code", () => {
    const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
    expect(validate(parse(readFileSync(FIXTURE, "utf8"))), JSON.stringify(validate.errors)).toBe(true);
    const c = loadScenarioFile(FIXTURE).clients[0];
    expect(c.users).toBe(8);
    expect(c.thinkTime?.mean).toBe(40);
    expect(c.rate).toBeUndefined();
  });

  it("runs: Little's law N = X (R + Z) holds within 3% (seed 4) and every request ends", () => {
    const run = runScenario(loadScenarioFile(FIXTURE));
    const r = run.results;
    const o = r.outcomes;
    expect(r.inFlight).toBe(0);
    expect(r.started).toBe(o.completed + o.refused + o.reset + o.timedOut + o.dropped);
    const X = o.completed / 60_000;
    expect(Math.abs(X * (r.latency.mean + 40) - 8) / 8).toBeLessThan(0.03);
  });

  it.each<[string, string, string]>([
    ["users and rate", "{ name: c, target: 'http://api:80', users: 2, rate: 5 }", "clients[0].users: Forbidden: a closed-loop client (users) has no rate or interarrival"],
    ["users 0", "{ name: c, target: 'http://api:80', users: 0 }", "clients[0].users: Invalid value: 0: must be an integer >= 1"],
    ["thinkTime alone", "{ name: c, target: 'http://api:80', rate: 5, thinkTime: constant(1s) }", "clients[0].thinkTime: Forbidden: only for a closed-loop client (users)"],
    ["external users", "{ name: c, external: true, target: '10.0.0.10:30080', users: 2 }", "clients[0].users: Forbidden: not for external clients"],
    ["nothing", "{ name: c, target: 'http://api:80' }", "clients[0].rate: Required value"],
  ])("%s is refused with its field path and line", (_name, client, want) => {
    let problems: string[] = [];
    try {
      parseScenario(`duration: 1s\nclients:\n  - ${client}\n`, join(ROOT, "x.yaml"));
    } catch (e) {
      problems = (e as InputError).problems.map((p) => `${p.line}: ${p.message}`);
    }
    expect(problems.join("\n")).toContain(`3: ${want}`);
  });
});
