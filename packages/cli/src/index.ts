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
export type { ParseScenarioOptions, Scenario, ScenarioAction, ScenarioClient, TimedAction, Expectation, ReadFile } from "./scenario.js";
export { runScenario, mergePatch, metricValue } from "./runner.js";
export type { RunScenarioOptions, ScenarioRun, ExpectationResult } from "./runner.js";
export { runCli, EXIT_OK, EXIT_EXPECTATION_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL } from "./cli.js";
export type { CliIO } from "./cli.js";
export { table, formatRunSummary, formatIngress, formatCompareSummary, formatEndpointSlices, formatDnsAnswers, formatExternalAddresses, formatPods, formatBuckets, formatExpectations, bucketsCSV, runJSON, toJSON } from "./format.js";
export { planSweep, runSweep, runSweepJob, sweepJobs, shardSeeds, sweepRows, rowMetrics, formatSweep, sweepJSON, shardFile, mergeShards, sweepJobManifest, parseSweepParameter, SWEEP_METRICS } from "./sweep.js";
export type { SweepParameter, SweepRow, SweepPlan, SweepCombination, SweepRunRecord, SweepJob, SweepShard, SweepShardFile, SweepJobOptions, RunSweepOptions, SweepWorkerReply } from "./sweep.js";
export { summarize, studentTQuantile, studentTCdf, incompleteBeta } from "./stats.js";
export type { MetricSummary } from "./stats.js";
export { runHtml, latencySvg, outcomesSvg, readyEndpointsSvg, endpointSharesSvg, escapeHtml } from "./html.js";
export { diagnoseClient, formatDiagnosis, dnsQueries } from "./diagnose.js";
export type { DiagnoseCheck, DiagnoseOptions, DiagnoseStatus } from "./diagnose.js";
