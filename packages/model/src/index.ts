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
  Lifecycle,
  Probe,
  ContainerState,
  ContainerStatus,
  RestartPolicy,
  PodTemplateSpec,
  ResourceList,
  ResourceRequirements,
  TaintEffect,
  Taint,
  Toleration,
  PodSpec,
  PodPhase,
  PodCondition,
  PodStatus,
  Pod,
  NodeCondition,
  Node,
  DeploymentStrategy,
  DeploymentCondition,
  Deployment,
  ReplicaSet,
  ServicePort,
  ServiceType,
  TrafficPolicy,
  ServiceSpec,
  ServiceStatus,
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
  TAINT_NODE_UNREACHABLE,
  TAINT_NODE_NOT_READY,
} from "./types.js";
export { parseIPv4, formatIPv4, parseCidr, parseIPv4Octets, parseIPv6Groups, formatIPv6, canonicalIP } from "./ip.js";
export type { IPv4Cidr, IPParseMode } from "./ip.js";
export { ClusterIPAllocator } from "./cluster-ip-allocator.js";
export { NodePortAllocator, DEFAULT_NODE_PORT_RANGE } from "./node-port-allocator.js";
export { allocateServiceNodePorts, releaseServiceNodePorts, checkServiceNodePorts, needsNodePorts, needsHealthCheck } from "./service-node-ports.js";
export type { IntSource } from "./cluster-ip-allocator.js";
export { ObjectStore, StoreError, objectKey } from "./store.js";
export type { WatchEventType, WatchEvent, WatchListener, WatchOptions, Watch, ObjectStoreOptions } from "./store.js";
export { compileLabelSelector, compileServiceSelector, validateLabelSelector, LabelSelectorError } from "./selector.js";
export type { CompiledSelector } from "./selector.js";
export { formatFieldError, fieldRequired, fieldInvalid, fieldNotSupported, fieldDuplicate, fieldForbidden, fieldUnknown } from "./field-error.js";
export { validateKnownFields } from "./known-fields.js";
export { parseQuantity, compareQuantities, nonNegativeQuantityError, podRequests, QUANTITY_FORMAT_ERROR, QUANTITY_SUFFIX_ERROR } from "./quantity.js";
export type { Quantity, PodRequests } from "./quantity.js";
export type { FieldError, FieldErrorType } from "./field-error.js";
export {
  ValidationError,
  validateObject,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isValidPortNum,
  isValidPortName,
  isQualifiedName,
  isValidLabelValue,
  isValidIPv4,
} from "./validation.js";
export { validateIngress, matchIngress, hostMatches, pathMatchLength } from "./ingress.js";
export type { Ingress, IngressSpec, IngressRule, HTTPIngressPath, IngressBackend, ServiceBackendPort, PathType, IngressMatch } from "./ingress.js";
