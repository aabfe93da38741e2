/**
 * Kubernetes API objects as kube-netsim models them: shapes, label selectors,
 * validation with the API server's field paths, and an in-memory object store.
 *
 * @packageDocumentation
 */
export type {
  StringMap,
  OwnerReference,
  ObjectMeta,
  LabelSelectorOperator,
  LabelSelectorRequirement,
  LabelSelector,
  Protocol,
  ContainerPort,
  Container,
  PodTemplateSpec,
  PodSpec,
  PodPhase,
  PodCondition,
  PodStatus,
  Pod,
  NodeCondition,
  Node,
  DeploymentStrategy,
  Deployment,
  ReplicaSet,
  ServicePort,
  ServiceType,
  TrafficPolicy,
  ServiceSpec,
  Service,
  EndpointConditions,
  Endpoint,
  EndpointPort,
  EndpointSlice,
  KubeObject,
  Kind,
  KindMap,
} from "./types.js";
export {
  LABEL_ZONE,
  LABEL_SERVICE_NAME,
  LABEL_MANAGED_BY,
  ENDPOINTSLICE_CONTROLLER_NAME,
  LABEL_POD_TEMPLATE_HASH,
} from "./types.js";
