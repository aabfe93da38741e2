/**
 * A sweep worker thread: parses each combination of the sweep once, then runs the jobs
 * the main thread posts (`{ id, combination, seed }`) and answers with their records.
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import { parseScenario } from "./scenario.js";
import type { Scenario } from "./scenario.js";
import { InputError } from "./source.js";
import { runSweepJob } from "./sweep.js";
import type { SweepWorkerReply } from "./sweep.js";

const data = workerData as { readonly file: string; readonly texts: readonly string[] };
const scenarios = new Map<number, Scenario>();

parentPort?.on("message", (m: { readonly id: number; readonly combination: number; readonly seed: number | string }) => {
  let reply: SweepWorkerReply;
  try {
    let s = scenarios.get(m.combination);
    if (!s) scenarios.set(m.combination, (s = parseScenario(data.texts[m.combination], data.file)));
    reply = { id: m.id, record: runSweepJob(s, m.combination, m.seed) };
  } catch (e) {
    reply = e instanceof InputError ? { id: m.id, problems: e.problems } : { id: m.id, error: (e as Error)?.message ?? String(e) };
  }
  parentPort?.postMessage(reply);
});
