/**
 * The controllers of a simulated cluster: Deployment, ReplicaSet, the scheduler,
 * the kubelets and the EndpointSlice controller. Each reconciles against the
 * `ObjectStore` of `@kube-netsim/model` on the virtual clock; their rules are pure functions exported
 * here for direct testing.
 *
 * @packageDocumentation
 */
export { computePodTemplateHash, safeEncodeString } from "./pod-template-hash.js";
export { DeploymentController, desiredReplicaSet, equalIgnoreHash } from "./deployment-controller.js";
export type { DeploymentControllerOptions } from "./deployment-controller.js";
export {
  MAX_INT32,
  ANNOTATION_REVISION,
  ANNOTATION_REVISION_HISTORY,
  ANNOTATION_DESIRED_REPLICAS,
  ANNOTATION_MAX_REPLICAS,
  deploymentDefaults,
  scaledValueFromIntOrPercent,
  resolveFenceposts,
  isRollingUpdate,
  maxSurge,
  maxUnavailable,
  minAvailable,
  replicaCount,
  actualReplicaCount,
  readyReplicaCount,
  availableReplicaCount,
  filterActiveReplicaSets,
  compareByCreationTimestamp,
  compareBySizeNewer,
  compareBySizeOlder,
  compareByRevision,
  maxRevision,
  parseIntAnnotation,
  revisionOf,
  setReplicasAnnotations,
  setNewReplicaSetAnnotations,
  isPodAvailable,
  replicaSetPodCounts,
} from "./deployment/util.js";
export type {
  IntOrPercent,
  DeploymentStrategyType,
  RolloutSpec,
  DefaultedDeploymentSpec,
  Fenceposts,
  ReplicaSetState,
  AnnotationUpdate,
  ReplicaSetPodCounts,
} from "./deployment/util.js";
export {
  newRSNewReplicas,
  reconcileNewReplicaSet,
  oldReplicaSetsMaxScaledDown,
  cleanupUnhealthyReplicas,
  scaleDownOldReplicaSetsForRollingUpdate,
  reconcileOldReplicaSets,
} from "./deployment/rolling.js";
export type { ScaleStep, ScaleDownResult, ReconcileOldResult } from "./deployment/rolling.js";
export { scaleDownOldReplicaSetsForRecreate, oldPodsRunning } from "./deployment/recreate.js";
export {
  findActiveOrLatest,
  isSaturated,
  isScalingEvent,
  replicaSetFraction,
  replicaSetProportion,
  scaleDeployment,
  cleanupDeployment,
  calculateStatus,
} from "./deployment/sync.js";
export type { ScaleOperation } from "./deployment/sync.js";
export {
  REASON_REPLICASET_UPDATED,
  REASON_FAILED_RS_CREATE,
  REASON_NEW_REPLICASET_CREATED,
  REASON_FOUND_NEW_RS,
  REASON_NEW_RS_AVAILABLE,
  REASON_TIMED_OUT,
  REASON_PAUSED,
  REASON_RESUMED,
  REASON_MINIMUM_REPLICAS_AVAILABLE,
  REASON_MINIMUM_REPLICAS_UNAVAILABLE,
  readDeploymentStatus,
  deploymentStatusEqual,
  newDeploymentCondition,
  getDeploymentCondition,
  setDeploymentCondition,
  removeDeploymentCondition,
  hasProgressDeadline,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  syncRolloutConditions,
  requeueStuckDeploymentAfter,
  checkPausedConditions,
} from "./deployment/progress.js";
export type { DeploymentConditionType, DeploymentCondition, DeploymentStatus, RolloutConditionsInput } from "./deployment/progress.js";
export { BURST_REPLICAS, ReplicaSetController, replicaSetDiff, rankPodsForDeletion, podFromTemplate, isPodActive } from "./replicaset-controller.js";
export type { ReplicaSetDiff, ReplicaSetControllerOptions } from "./replicaset-controller.js";
export { PodScheduler, pickNode, isNodeSchedulable, allocatablePods, allocatableResources, unschedulableMessage } from "./pod-scheduler.js";
export type { PodSchedulerOptions } from "./pod-scheduler.js";
export { Kubelets, DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS, MINIMUM_GRACE_PERIOD_SECONDS, readinessAfterStart, preStopSeconds } from "./kubelet.js";
export type { ContainerRuntime, KubeletOptions } from "./kubelet.js";
export { PodLifecycle, containerStatusesOf, goSeconds, withReadyCondition } from "./pod-lifecycle.js";
export type { KubeletEvent, LifecycleRuntime, PodLifecycleOptions } from "./pod-lifecycle.js";
export {
  ProbeCounter,
  resolveProbe,
  podProbes,
  DEFAULT_PROBE_PERIOD_SECONDS,
  DEFAULT_PROBE_TIMEOUT_SECONDS,
  DEFAULT_PROBE_SUCCESS_THRESHOLD,
  DEFAULT_PROBE_FAILURE_THRESHOLD,
} from "./prober.js";
export type { ProbeAnswer, ProbeKind, ResolvedProbe } from "./prober.js";
export { ContainerBackOff, crashLoopWaits, CONTAINER_BACKOFF_INITIAL_MS, CONTAINER_BACKOFF_MAX_MS } from "./container-backoff.js";
export { EndpointSliceController } from "./endpointslice/endpointslice-controller.js";
export type { EndpointSliceControllerOptions } from "./endpointslice/endpointslice-controller.js";
export {
  reconcileEndpointSlices,
  DEFAULT_MAX_ENDPOINTS_PER_SLICE,
  MAX_MAX_ENDPOINTS_PER_SLICE,
  ANNOTATION_LAST_CHANGE_TRIGGER_TIME,
  LABEL_HEADLESS_SERVICE,
} from "./endpointslice/reconciler.js";
export type { EndpointSliceReconcileInput, EndpointSliceReconcileResult } from "./endpointslice/reconciler.js";
export { podToEndpoint, endpointPortsForPod, findPort, isPodReady, shouldPodBeInEndpoints, shouldSetHostname } from "./endpointslice/pod-to-endpoint.js";
export { endpointKey, endpointsEqualBeyondHash, portMapKey } from "./endpointslice/endpoint-hash.js";
export {
  TopologyCache,
  OVERLOAD_THRESHOLD,
  ANNOTATION_TOPOLOGY_MODE,
  ANNOTATION_TOPOLOGY_AWARE_HINTS,
  hintsEnabled,
  endpointReadyForHints,
  cpuMillis,
  zoneCpuRatios,
  getAllocations,
  getGivingAndReceivingZones,
  redistributeHints,
  getHintsByZone,
  serviceOverloaded,
  removeHintsFromSlices,
  reconcileTrafficDistributionHints,
} from "./endpointslice/topology-cache.js";
export type { ZoneAllocation, HintsDisabledReason, HintableSlice, HintsSliceInfo, AddHintsResult } from "./endpointslice/topology-cache.js";
export {
  NodeLifecycleController,
  KubeletHeartbeats,
  DEFAULT_NODE_MONITOR_PERIOD,
  DEFAULT_NODE_MONITOR_GRACE_PERIOD,
  DEFAULT_LEASE_RENEW_INTERVAL,
  DEFAULT_NODE_EVICTION_RATE,
  DEFAULT_SECONDARY_NODE_EVICTION_RATE,
  DEFAULT_UNHEALTHY_ZONE_THRESHOLD,
  DEFAULT_LARGE_CLUSTER_SIZE_THRESHOLD,
  NODE_EVICTION_PERIOD,
  LABEL_NODE_EXCLUDE_DISRUPTION,
} from "./node-lifecycle-controller.js";
export type { NodeLifecycleControllerOptions, NodeLifecycleEvent, ZoneState } from "./node-lifecycle-controller.js";
export { TaintEvictionController, toleratesTaint, minTolerationTime } from "./taint-eviction-controller.js";
export type { TaintEvictionControllerOptions } from "./taint-eviction-controller.js";
