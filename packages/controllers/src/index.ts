/**
 * The controllers of a simulated cluster: Deployment, ReplicaSet, the scheduler,
 * the kubelets and the EndpointSlice controller. Each reconciles against the
 * `ObjectStore` of `@kube-netsim/model` on the virtual clock; their rules are pure functions exported
 * here for direct testing.
 *
 * @packageDocumentation
 */
export { computePodTemplateHash, safeEncodeString } from "./pod-template-hash.js";
export { DeploymentController, desiredReplicaSet } from "./deployment-controller.js";
export type { DeploymentControllerOptions } from "./deployment-controller.js";
export { ReplicaSetController, replicaSetDiff, rankPodsForDeletion, podFromTemplate, isPodActive } from "./replicaset-controller.js";
export type { ReplicaSetDiff, ReplicaSetControllerOptions } from "./replicaset-controller.js";
export { PodScheduler, pickNode, isNodeSchedulable } from "./pod-scheduler.js";
export type { PodSchedulerOptions } from "./pod-scheduler.js";
export { Kubelets, DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS, MINIMUM_GRACE_PERIOD_SECONDS } from "./kubelet.js";
export type { ContainerRuntime, KubeletOptions } from "./kubelet.js";
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
