import { runScenario } from "../run-scenario.js";
import type { Scenario } from "../scenario.js";
import { failed, passed } from "./result.js";
import type { InvariantResult } from "./result.js";

/**
 * Determinism of a scenario: running it twice with the same seed gives the same digest
 * and the same results, byte for byte (as JSON).
 *
 * @example
 * ```ts
 * checkDeterminism(myScenario, 42).pass // true
 * ```
 */
export function checkDeterminism(scenario: Scenario, seed: number | string): InvariantResult {
  const a = runScenario(scenario, seed);
  const b = runScenario(scenario, seed);
  if (a.digest !== b.digest) return failed(`seed ${JSON.stringify(seed)} gave two digests: ${a.digest} then ${b.digest}`);
  const ja = JSON.stringify(a);
  const jb = JSON.stringify(b);
  if (ja !== jb) {
    let i = 0;
    while (i < ja.length && ja[i] === jb[i]) i++;
    return failed(`seed ${JSON.stringify(seed)} gave digest ${a.digest} twice but different results from character ${i}: ...${ja.slice(Math.max(0, i - 40), i + 40)}... vs ...${jb.slice(Math.max(0, i - 40), i + 40)}...`);
  }
  return passed(`seed ${JSON.stringify(seed)} gave digest ${a.digest} and the same results twice`);
}
