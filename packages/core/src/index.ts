/**
 * The simulation kernel of kube-netsim: a virtual clock with a typed-array event
 * queue, seeded random streams and distributions, streaming statistics, and a trace
 * whose digest makes determinism testable.
 *
 * Time is in milliseconds (see {@link Scheduler} for precision).
 *
 * @packageDocumentation
 */
export { Scheduler, seconds } from "./scheduler.js";
export type { EventHandler, HandlerId, SimTime, TimerId } from "./scheduler.js";
export { Callbacks } from "./callbacks.js";
export { Interner } from "./interner.js";
export { RandomSource, RandomStream, aleaNext } from "./random.js";
export { constant, exponential, uniform, normal, lognormal, lognormalFromMeanStddev, empirical, distributionKind } from "./distributions.js";
export type { Distribution, DistributionKind } from "./distributions.js";
export { LatencyHistogram, StreamingStats } from "./stats.js";
export type { LatencyHistogramOptions, LatencySummary, StreamingStatsSummary } from "./stats.js";
export { Trace, fnv1a64, toJSONLine } from "./trace.js";
export type { TraceOptions, TraceRecord, TraceValue } from "./trace.js";
