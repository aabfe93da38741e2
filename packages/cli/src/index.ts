/**
 * The `kube-netsim` command line: scenario files (the YAML you deploy plus a timeline of
 * what happens), checked with field paths and `file:line:col`, run on the
 * {@link @kube-netsim/scenario!Simulation | Simulation} facade.
 *
 * @packageDocumentation
 */
export { parseDuration, parseDistribution, formatDuration } from "./duration.js";
export type { ParsedDistribution } from "./duration.js";
export { InputError, formatProblem, parseYamlDocuments, locate, splitFieldPath } from "./source.js";
export type { Problem, SourceDocument } from "./source.js";
export { parseManifests, addManifest, SUPPORTED_KINDS } from "./manifests.js";
export type { Manifests } from "./manifests.js";
export { loadScenarioFile, parseScenario, checkMode, EXPECT_METRICS } from "./scenario.js";
export type { Scenario, ScenarioAction, ScenarioClient, TimedAction, Expectation, ReadFile } from "./scenario.js";
export { runScenario, mergePatch, metricValue } from "./runner.js";
export type { RunScenarioOptions, ScenarioRun, ExpectationResult } from "./runner.js";
export { runCli, EXIT_OK, EXIT_EXPECTATION_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL } from "./cli.js";
export type { CliIO } from "./cli.js";
export { table, formatRunSummary, formatCompareSummary, formatEndpointSlices, formatPods, formatBuckets, formatExpectations, bucketsCSV, runJSON, toJSON } from "./format.js";
export { sweep, formatSweep, parseSweepParameter } from "./sweep.js";
export type { SweepParameter, SweepRow } from "./sweep.js";
export { runHtml, bucketsSvg, escapeHtml } from "./html.js";
