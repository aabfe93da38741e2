/**
 * The data path: applications as queues, clients as request sources, and the
 * engine that carries every request to exactly one outcome.
 *
 * @packageDocumentation
 */
export { TrafficEngine } from "./traffic-engine.js";
export type { ApplicationProbeAnswer, ClientOptions, ConnectionPolicy, ConnectionRouter, OutcomeCounts, RequestEndListener, RequestForwarder, RequestResolver, TrafficEngineOptions } from "./traffic-engine.js";
export { resolveApplicationModel } from "./application.js";
export type { ApplicationModel, ResolvedApplicationModel } from "./application.js";
export { OUTCOMES, OUTCOME_COMPLETED, OUTCOME_REFUSED, OUTCOME_RESET, OUTCOME_TIMED_OUT, OUTCOME_DROPPED, OUTCOME_DNS_FAILED } from "./outcome.js";
export type { Outcome, RequestOutcome } from "./outcome.js";
