import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fieldUnknown, formatFieldError } from "./field-error.js";
import { validateKnownFields } from "./known-fields.js";
import { validateObject } from "./validation.js";

const deployment = (podSpec: Record<string, unknown> = {}, container: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "api", labels: { app: "api" } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "api" } },
    template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "app", image: "nginx", ...container }], ...podSpec } },
  },
});
const service = (port: Record<string, unknown> = {}, spec: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "api" },
  spec: { selector: { app: "api" }, ports: [{ name: "http", port: 80, targetPort: 8080, ...port }], ...spec },
});
const slice = (endpoint: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: "discovery.k8s.io/v1",
  kind: "EndpointSlice",
  metadata: { name: "api-x", labels: { "kubernetes.io/service-name": "api" } },
  addressType: "IPv4",
  endpoints: [{ addresses: ["10.244.0.5"], conditions: { ready: true }, ...endpoint }],
  ports: [{ name: "http", port: 8080, protocol: "TCP" }],
});
const ingress = (path: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  metadata: { name: "web" },
  spec: {
    ingressClassName: "nginx",
    rules: [{ host: "shop.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } }, ...path }] } }],
  },
});
const run = (obj: unknown): string[] => validateKnownFields(obj).map(formatFieldError);
const unknown = (path: string, hint?: string): string => formatFieldError(fieldUnknown(path, hint));

describe("validateKnownFields: unknown fields at every depth", () => {
  it.each<[string, unknown, string[]]>([
    ["top level", { ...service(), spce: {} }, [unknown("spce", "spec")]],
    ["metadata", { ...service(), metadata: { name: "api", label: { a: "b" } } }, [unknown("metadata.label", "labels")]],
    ["metadata.ownerReferences[0]", { ...service(), metadata: { name: "api", ownerReferences: [{ kind: "X", name: "x", uid: "u", apiVersion: "v1", owner: true }] } }, [unknown("metadata.ownerReferences[0].owner")]],
    ["Service spec", service({}, { sesionAffinity: "ClientIP" }), [unknown("spec.sesionAffinity", "sessionAffinity")]],
    ["Service port (the classic typo)", service({ targetPort: undefined, targetport: 8080 }), [unknown("spec.ports[0].targetport", "targetPort")]],
    ["Service sessionAffinityConfig", service({}, { sessionAffinityConfig: { clientIP: { timeout: 10 } } }), [unknown("spec.sessionAffinityConfig.clientIP.timeout")]],
    ["Deployment spec", { ...deployment(), spec: { ...(deployment().spec as object), replica: 3 } }, [unknown("spec.replica", "replicas")]],
    ["Deployment strategy", { ...deployment(), spec: { ...(deployment().spec as object), strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailble: 0 } } } }, [unknown("spec.strategy.rollingUpdate.maxUnavailble", "maxUnavailable")]],
    ["selector", { ...deployment(), spec: { ...(deployment().spec as object), selector: { matchLabel: { app: "api" } } } }, [unknown("spec.selector.matchLabel", "matchLabels")]],
    ["pod template metadata", { ...deployment(), spec: { ...(deployment().spec as object), template: { metadata: { lables: {} }, spec: { containers: [] } } } }, [unknown("spec.template.metadata.lables", "labels")]],
    ["PodSpec", deployment({ terminationGracePeriod: 30 }), [unknown("spec.template.spec.terminationGracePeriod")]],
    ["container", deployment({}, { readinessprobe: {} }), [unknown("spec.template.spec.containers[0].readinessprobe", "readinessProbe")]],
    ["container port", deployment({}, { ports: [{ containerPort: 8080 }, { port: 9090 }] }), [unknown("spec.template.spec.containers[0].ports[1].port")]],
    ["probe", deployment({}, { readinessProbe: { httpGet: { path: "/", port: 8080 }, period: 5 } }), [unknown("spec.template.spec.containers[0].readinessProbe.period")]],
    ["probe handler", deployment({}, { livenessProbe: { httpGet: { path: "/", port: 8080, headers: [] } } }), [unknown("spec.template.spec.containers[0].livenessProbe.httpGet.headers")]],
    ["lifecycle preStop", deployment({}, { lifecycle: { preStop: { sleep: { second: 5 } } } }), [unknown("spec.template.spec.containers[0].lifecycle.preStop.sleep.second", "seconds")]],
    ["env[1].valueFrom", deployment({}, { env: [{ name: "A", value: "1" }, { name: "B", valueFrom: { fieldRef: { fieldPath: "x" }, configMapRef: {} } }] }), [unknown("spec.template.spec.containers[0].env[1].valueFrom.configMapRef")]],
    ["initContainers", deployment({ initContainers: [{ name: "init", image: "busybox", comand: ["true"] }] }), [unknown("spec.template.spec.initContainers[0].comand", "command")]],
    ["tolerations", deployment({ tolerations: [{ key: "k", operator: "Exists", efect: "NoSchedule" }] }), [unknown("spec.template.spec.tolerations[0].efect", "effect")]],
    ["affinity", deployment({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpression: [] }] } } } }), [unknown("spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpression", "matchExpressions")]],
    ["volume key", deployment({ volumes: [{ name: "v", emptydir: {} }] }), [unknown("spec.template.spec.volumes[0].emptydir", "emptyDir")]],
    ["EndpointSlice endpoint", slice({ node: "node-1" }), [unknown("endpoints[0].node")]],
    ["EndpointSlice conditions", slice({ conditions: { ready: true, servng: true } }), [unknown("endpoints[0].conditions.servng", "serving")]],
    ["EndpointSlice hints", slice({ hints: { forZones: [{ zone: "a" }] } }), [unknown("endpoints[0].hints.forZones[0].zone")]],
    ["Ingress path", ingress({ pathtype: "Exact" }), [unknown("spec.rules[0].http.paths[0].pathtype", "pathType")]],
    ["Ingress backend", ingress({ backend: { service: { name: "api", port: { numbr: 80 } } } }), [unknown("spec.rules[0].http.paths[0].backend.service.port.numbr", "number")]],
    ["Node", { apiVersion: "v1", kind: "Node", metadata: { name: "n" }, spec: { unschedulabel: true } }, [unknown("spec.unschedulabel", "unschedulable")]],
    ["Namespace", { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" }, data: {} }, [unknown("data")]],
    ["Pod status", { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [] }, status: { phase: "Running", containerStatuses: [{ name: "a", ready: true, restarts: 1 }] } }, [unknown("status.containerStatuses[0].restarts")]],
    [
      "several, in document order",
      { ...service({ nodeport: 30080 }), extra: 1 },
      [unknown("spec.ports[0].nodeport", "nodePort"), unknown("extra")],
    ],
    [
      "List items, with their index in the path",
      { apiVersion: "v1", kind: "List", metadata: {}, items: [service(), service({ protocl: "TCP" })] },
      [unknown("items[1].spec.ports[0].protocl", "protocol")],
    ],
    ["a List's own fields", { apiVersion: "v1", kind: "List", item: [] }, [unknown("item", "items")]],
  ])("%s", (_name, obj, expected) => {
    expect(run(obj)).toEqual(expected);
  });

  it("prints the API server's strict decoding wording", () => {
    expect(run(service({ targetPort: undefined, targetport: 8080 }))).toEqual([
      'spec.ports[0].targetport: Unsupported field: unknown field "spec.ports[0].targetport" (did you mean "targetPort"?)',
    ]);
    const [e] = validateKnownFields({ ...service(), bogus: true });
    expect(e).toMatchObject({ type: "FieldValueUnknown", field: "bogus" });
    expect(formatFieldError(e)).toBe('bogus: Unsupported field: unknown field "bogus"');
  });
});

describe("validateKnownFields: what it accepts", () => {
  it.each<[string, unknown]>([
    [
      "fields the API has but kube-netsim does not model",
      deployment(
        {
          volumes: [{ name: "cfg", configMap: { name: "cfg", items: [{ key: "a", path: "a" }] } }, { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "1Gi" } }],
          serviceAccountName: "api",
          securityContext: { runAsNonRoot: true, fsGroup: 2000, seccompProfile: { type: "RuntimeDefault" } },
          affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "api" } } } }] } },
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "api" } } }],
          dnsConfig: { options: [{ name: "ndots", value: "2" }] },
          ephemeralContainers: [{ name: "debug", image: "busybox", targetContainerName: "app" }],
        },
        {
          env: [{ name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }],
          envFrom: [{ configMapRef: { name: "cfg" } }],
          resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { "nvidia.com/gpu": 1 } },
          volumeMounts: [{ name: "cfg", mountPath: "/etc/cfg", readOnly: true }],
          securityContext: { capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true },
          startupProbe: { grpc: { port: 9090 }, failureThreshold: 30 },
          lifecycle: { postStart: { exec: { command: ["true"] } }, preStop: { httpGet: { path: "/quit", port: 8080, httpHeaders: [{ name: "X", value: "1" }] } } },
          imagePullPolicy: "IfNotPresent",
        },
      ),
    ],
    [
      "map fields take any key",
      {
        ...deployment({ nodeSelector: { "Any Key!": "x", "topology.kubernetes.io/zone": "a" }, overhead: { whatever: "1" } }),
        metadata: { name: "api", labels: { targetport: "x" }, annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}", spce: "1" } },
      },
    ],
    ["Service selector keys are data", service({}, { selector: { targetport: "1", "app.kubernetes.io/name": "api" } })],
    [
      "a Service with everything",
      service(
        { appProtocol: "http", nodePort: 30080, protocol: "TCP" },
        {
          type: "LoadBalancer",
          externalTrafficPolicy: "Local",
          healthCheckNodePort: 32000,
          sessionAffinity: "ClientIP",
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
          ipFamilies: ["IPv4"],
          ipFamilyPolicy: "SingleStack",
          internalTrafficPolicy: "Cluster",
          trafficDistribution: "PreferClose",
          loadBalancerSourceRanges: ["0.0.0.0/0"],
        },
      ),
    ],
    ["status pasted from kubectl get -o yaml", { ...service(), status: { loadBalancer: { ingress: [{ ip: "203.0.113.7", ipMode: "VIP" }] } } }],
    [
      "EndpointSlice with everything",
      slice({ conditions: { ready: true, serving: true, terminating: false }, nodeName: "node-1", zone: "a", hostname: "h", targetRef: { kind: "Pod", name: "p", namespace: "default", uid: "u" }, hints: { forZones: [{ name: "a" }], forNodes: [{ name: "node-1" }] } }),
    ],
    ["Ingress with a default backend and TLS", { ...ingress({}), spec: { ...(ingress({}).spec as object), defaultBackend: { resource: { apiGroup: "x", kind: "Bucket", name: "b" } }, tls: [{ hosts: ["a"], secretName: "s" }] } }],
    [
      "Node with status",
      { apiVersion: "v1", kind: "Node", metadata: { name: "n", labels: { "topology.kubernetes.io/zone": "a" } }, spec: { taints: [{ key: "k", effect: "NoSchedule" }], podCIDR: "10.244.0.0/24" }, status: { capacity: { cpu: "4", pods: "110" }, conditions: [{ type: "Ready", status: "True" }], addresses: [{ type: "InternalIP", address: "10.0.0.1" }], daemonEndpoints: { kubeletEndpoint: { Port: 10250 } } } },
    ],
    ["objects of other kinds are left to validateObject", { apiVersion: "v1", kind: "ConfigMap", data: { anything: "x" }, foo: 1 }],
    ["values of the wrong type are left to validateObject", { ...service(), spec: "ports: 80", metadata: [1] }],
    ["not an object", 42],
  ])("%s", (_name, obj) => {
    expect(run(obj)).toEqual([]);
  });

  it("the valid objects above are valid for validateObject too (the fixtures are real manifests)", () => {
    expect(validateObject(service()).map(formatFieldError)).toEqual([]);
    expect(validateObject(deployment()).map(formatFieldError)).toEqual([]);
    expect(validateObject(slice({})).map(formatFieldError)).toEqual([]);
  });
});

describe("validateKnownFields: properties", () => {
  // Any field name not in ServicePort added to a port is reported exactly once, at its path.
  const SERVICE_PORT = ["name", "protocol", "appProtocol", "port", "targetPort", "nodePort"];
  const key = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !SERVICE_PORT.includes(k) && k !== "__proto__");

  it("an unknown key in a port is one error at spec.ports[i].<key>", () => {
    fc.assert(
      fc.property(key, fc.nat(3), fc.jsonValue({ maxDepth: 2 }), (k, i, value) => {
        const ports = Array.from({ length: 4 }, (_, j) => ({ name: `p${j}`, port: 80 + j }));
        (ports[i] as Record<string, unknown>)[k] = value;
        const errs = validateKnownFields(service({}, { ports }));
        expect(errs).toHaveLength(1);
        expect(errs[0].field).toBe(`spec.ports[${i}].${k}`);
        expect(errs[0].type).toBe("FieldValueUnknown");
      }),
      { seed: 2885, numRuns: 300 },
    );
  });

  it("labels, annotations and selectors with any keys and values are accepted", () => {
    const map = fc.dictionary(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 6 });
    fc.assert(
      fc.property(map, map, map, (labels, annotations, selector) => {
        const d = deployment({ nodeSelector: selector });
        d.metadata = { name: "api", labels, annotations };
        expect(validateKnownFields(d)).toEqual([]);
      }),
      { seed: 2885, numRuns: 200 },
    );
  });
});
