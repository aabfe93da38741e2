import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fieldDuplicate, fieldInvalid, fieldNotSupported, fieldRequired, fieldTooMany, formatFieldError, formatGoValue, goQuote } from "./field-error.js";
import {
  ValidationError,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidIPv4,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  validateObject,
} from "./validation.js";

// Upstream message texts (staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go).
const RANGE = "must be between 1 and 65535, inclusive";
const DNS1123_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_LABEL =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const PERCENT =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";
const BAD_IP = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

const svc = (spec: unknown, metadata: unknown = { name: "api" }): unknown => ({ apiVersion: "v1", kind: "Service", metadata, spec });
const pod = (spec: unknown, metadata: unknown = { name: "p" }): unknown => ({ apiVersion: "v1", kind: "Pod", metadata, spec });
const deploy = (spec: unknown, metadata: unknown = { name: "web" }): unknown => ({ apiVersion: "apps/v1", kind: "Deployment", metadata, spec });
const rs = (spec: unknown): unknown => ({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web-1" }, spec });
const slice = (body: Record<string, unknown>): unknown => ({ apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name: "api-x" }, ...body });
const node = (body: Record<string, unknown>): unknown => ({ apiVersion: "v1", kind: "Node", ...body });
const tmpl = (labels: unknown, spec: unknown = { containers: [{ name: "app", image: "nginx" }] }): unknown => ({ metadata: { labels }, spec });

const run = (obj: unknown): string[] => validateObject(obj).map(formatFieldError);

interface Case {
  readonly name: string;
  readonly obj: unknown;
  readonly want: readonly string[];
}

function table(cases: readonly Case[]): void {
  for (const c of cases) {
    it(c.name, () => {
      expect(run(c.obj)).toEqual(c.want);
    });
  }
}

describe("formatFieldError (field/errors.go ErrorBody)", () => {
  it("brief examples", () => {
    expect(formatFieldError(fieldInvalid("spec.ports[0].targetPort", 70000, RANGE))).toBe(
      "spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
    );
    expect(formatFieldError(fieldDuplicate("spec.ports[1].name", "http"))).toBe('spec.ports[1].name: Duplicate value: "http"');
    expect(formatFieldError(fieldRequired("metadata.name", "name or generateName is required"))).toBe(
      "metadata.name: Required value: name or generateName is required",
    );
    expect(formatFieldError(fieldNotSupported("spec.ports[0].protocol", "HTTP", ["SCTP", "TCP", "UDP"]))).toBe(
      'spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
    );
  });
  it("Required without detail has no trailing colon; TooMany prints the count", () => {
    expect(formatFieldError(fieldRequired("spec.ports", ""))).toBe("spec.ports: Required value");
    expect(formatFieldError(fieldTooMany("endpoints", 1001, 1000))).toBe("endpoints: Too many: 1001: must have at most 1000 items");
  });
  it("toString of a constructed error is the formatted text", () => {
    expect(String(fieldInvalid("a", true, "x"))).toBe("a: Invalid value: true: x");
  });
  it("Go %q quoting", () => {
    expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goQuote("\n\t\r\x07\x01\x7f")).toBe('"\\n\\t\\r\\a\\x01\\x7f"');
    expect(goQuote("héllo ✓")).toBe('"héllo ✓"');
    expect(goQuote("\u00a0\u200b")).toBe('"\\u00a0\\u200b"');
    expect(goQuote("\ud800")).toBe('"\ufffd"');
  });
  it("Go value printing: null, floats, unstructured maps and slices", () => {
    expect(formatGoValue(undefined)).toBe("null");
    expect(formatGoValue(null)).toBe("null");
    expect(formatGoValue(1.5)).toBe("1.5");
    expect(formatGoValue(1234567.5)).toBe("1.2345675e+06");
    expect(formatGoValue(0.00001)).toBe("1e-05");
    expect(formatGoValue({ b: [1, "x", null], a: false })).toBe(
      'map[string]interface {}{"a":false, "b":[]interface {}{1, "x", interface {}(nil)}}',
    );
  });
});

describe("predicates", () => {
  it("isDNS1035Label", () => {
    expect(isDNS1035Label("api-v2")).toBe(true);
    expect(isDNS1035Label("2api")).toBe(false);
    expect(isDNS1035Label("a".repeat(63))).toBe(true);
    expect(isDNS1035Label("a".repeat(64))).toBe(false);
    expect(isDNS1035Label("api-")).toBe(false);
  });
  it("isDNS1123Label / isDNS1123Subdomain", () => {
    expect(isDNS1123Label("123-abc")).toBe(true);
    expect(isDNS1123Label("a.b")).toBe(false);
    expect(isDNS1123Subdomain("a.b-c.d")).toBe(true);
    expect(isDNS1123Subdomain("a..b")).toBe(false);
    expect(isDNS1123Subdomain("a".repeat(253))).toBe(true);
    expect(isDNS1123Subdomain("a".repeat(254))).toBe(false);
    expect(isDNS1123Subdomain("Node1")).toBe(false);
  });
  it("isValidPortNum", () => {
    expect(isValidPortNum(1)).toBe(true);
    expect(isValidPortNum(65535)).toBe(true);
    expect(isValidPortNum(0)).toBe(false);
    expect(isValidPortNum(65536)).toBe(false);
    expect(isValidPortNum(80.5)).toBe(false);
  });
  it("isValidPortName (IANA_SVC_NAME)", () => {
    expect(isValidPortName("http")).toBe(true);
    expect(isValidPortName("h2c-1")).toBe(true);
    expect(isValidPortName("a".repeat(15))).toBe(true);
    expect(isValidPortName("a".repeat(16))).toBe(false);
    expect(isValidPortName("8080")).toBe(false);
    expect(isValidPortName("-http")).toBe(false);
    expect(isValidPortName("http-")).toBe(false);
    expect(isValidPortName("ht--tp")).toBe(false);
    expect(isValidPortName("HTTP")).toBe(false);
    expect(isValidPortName("")).toBe(false);
  });
  it("isQualifiedName / isValidLabelValue", () => {
    expect(isQualifiedName("app.kubernetes.io/name")).toBe(true);
    expect(isQualifiedName("My_Key.1")).toBe(true);
    expect(isQualifiedName("/name")).toBe(false);
    expect(isQualifiedName("a/b/c")).toBe(false);
    expect(isQualifiedName("Example.com/x")).toBe(false);
    expect(isQualifiedName("x".repeat(63))).toBe(true);
    expect(isQualifiedName("x".repeat(64))).toBe(false);
    expect(isValidLabelValue("")).toBe(true);
    expect(isValidLabelValue("v1.2_3-x")).toBe(true);
    expect(isValidLabelValue("-x")).toBe(false);
    expect(isValidLabelValue("x".repeat(64))).toBe(false);
  });
  it("isValidIPv4", () => {
    expect(isValidIPv4("10.96.0.1")).toBe(true);
    expect(isValidIPv4("255.255.255.255")).toBe(true);
    expect(isValidIPv4("256.0.0.1")).toBe(false);
    expect(isValidIPv4("10.0.0")).toBe(false);
    expect(isValidIPv4("010.0.0.1")).toBe(false);
    expect(isValidIPv4("fd00::1")).toBe(false);
    expect(isValidIPv4(" 10.0.0.1")).toBe(false);
  });
});

describe("top level: kind and apiVersion", () => {
  table([
    { name: "not an object", obj: "Service", want: ['<root>: Invalid value: "Service": must be of type object'] },
    { name: "missing kind", obj: { apiVersion: "v1" }, want: ["kind: Required value"] },
    {
      name: "unsupported kind",
      obj: { apiVersion: "v1", kind: "ConfigMap" },
      want: ['kind: Unsupported value: "ConfigMap": supported values: "Deployment", "EndpointSlice", "Node", "Pod", "ReplicaSet", "Service"'],
    },
    {
      name: "kind of the wrong type",
      obj: { kind: 7 },
      want: ['kind: Unsupported value: 7: supported values: "Deployment", "EndpointSlice", "Node", "Pod", "ReplicaSet", "Service"'],
    },
    {
      name: "apiVersion missing, then the object is still validated",
      obj: { kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c" }] } },
      want: ["apiVersion: Required value"],
    },
    {
      name: "apiVersion does not match the kind",
      obj: { apiVersion: "v1", kind: "Deployment", metadata: { name: "w" }, spec: { selector: { matchLabels: { a: "b" } }, template: tmpl({ a: "b" }) } },
      want: ['apiVersion: Unsupported value: "v1": supported values: "apps/v1"'],
    },
    {
      name: "EndpointSlice apiVersion",
      obj: { apiVersion: "discovery.k8s.io/v1beta1", kind: "EndpointSlice", metadata: { name: "s" }, addressType: "IPv4" },
      want: ['apiVersion: Unsupported value: "discovery.k8s.io/v1beta1": supported values: "discovery.k8s.io/v1"'],
    },
  ]);
});

describe("good manifests produce no errors", () => {
  const good: readonly [string, unknown][] = [
    ["minimal ClusterIP Service", svc({ selector: { app: "api" }, ports: [{ port: 80 }] })],
    [
      "full Service",
      svc(
        {
          type: "LoadBalancer",
          selector: { app: "api", "app.kubernetes.io/part-of": "shop" },
          ports: [
            { name: "http", port: 80, targetPort: "http", protocol: "TCP", nodePort: 30080 },
            { name: "dns", port: 53, targetPort: 5353, protocol: "UDP" },
            { name: "dns-tcp", port: 53, protocol: "TCP" },
          ],
          clusterIP: "10.96.0.10",
          clusterIPs: ["10.96.0.10"],
          sessionAffinity: "ClientIP",
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 86400 } },
          externalTrafficPolicy: "Local",
          internalTrafficPolicy: "Local",
          publishNotReadyAddresses: false,
          trafficDistribution: "PreferClose",
        },
        { name: "api", namespace: "shop", labels: { app: "api" }, annotations: { "service.kubernetes.io/topology-mode": "Auto" } },
      ),
    ],
    ["headless Service without ports", svc({ clusterIP: "None", selector: { app: "db" } })],
    ["ExternalName Service", svc({ type: "ExternalName", externalName: "db.example.com." })],
    ["Service from generateName", svc({ ports: [{ port: 80 }] }, { generateName: "api-" })],
    [
      "Pod with ports",
      pod(
        {
          containers: [
            { name: "app", image: "nginx", ports: [{ name: "http", containerPort: 8080 }, { containerPort: 53, protocol: "UDP" }] },
            { name: "sidecar", ports: [{ name: "http", containerPort: 9090 }] },
          ],
          nodeName: "node-1.zone-a",
          hostname: "web-0",
          subdomain: "web",
          terminationGracePeriodSeconds: 30,
        },
        { name: "web-0", labels: { app: "web" } },
      ),
    ],
    [
      "Deployment with defaults",
      deploy({ selector: { matchLabels: { app: "web" } }, template: tmpl({ app: "web", extra: "x" }) }),
    ],
    [
      "Deployment with a set-based selector and explicit strategy",
      deploy({
        replicas: 0,
        selector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "track", operator: "NotIn", values: ["canary"] }] },
        template: tmpl({ app: "web" }),
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: "100%" } },
        minReadySeconds: 5,
        revisionHistoryLimit: 0,
        progressDeadlineSeconds: 6,
      }),
    ],
    ["Deployment maxSurge 0 alone (maxUnavailable defaults to 25%)", deploy({ selector: { matchLabels: { a: "b" } }, template: tmpl({ a: "b" }), strategy: { rollingUpdate: { maxSurge: 0 } } })],
    ["Deployment Recreate", deploy({ selector: { matchLabels: { a: "b" } }, template: tmpl({ a: "b" }), strategy: { type: "Recreate" } })],
    ["ReplicaSet", rs({ replicas: 3, selector: { matchLabels: { app: "web", "pod-template-hash": "7c9f9d5b6f" } }, template: tmpl({ app: "web", "pod-template-hash": "7c9f9d5b6f" }) })],
    ["Node", node({ metadata: { name: "node-1", labels: { "topology.kubernetes.io/zone": "zone-a" } }, spec: { podCIDR: "10.244.1.0/24" } })],
    [
      "EndpointSlice",
      slice({
        metadata: { generateName: "api-", namespace: "default", labels: { "kubernetes.io/service-name": "api" } },
        addressType: "IPv4",
        endpoints: [
          {
            addresses: ["10.244.1.5"],
            conditions: { ready: true, serving: true, terminating: false },
            nodeName: "node-1",
            zone: "zone-a",
            hints: { forZones: [{ name: "zone-a" }] },
          },
        ],
        ports: [{ name: "http", port: 8080, protocol: "TCP" }, { name: "metrics", port: 9090 }],
      }),
    ],
    ["placeholder EndpointSlice (no endpoints, no ports)", slice({ addressType: "IPv4", endpoints: [] })],
    ["FQDN EndpointSlice", slice({ addressType: "FQDN", endpoints: [{ addresses: ["db.example.com", "x.y."] }] })],
    ["IPv6 EndpointSlice", slice({ addressType: "IPv6", endpoints: [{ addresses: ["fd00::1", "2001:db8::a:1"] }] })],
  ];
  for (const [name, obj] of good) {
    it(name, () => {
      expect(run(obj)).toEqual([]);
    });
  }
});

describe("metadata (ValidateObjectMeta)", () => {
  table([
    {
      name: "name required unless generateName",
      obj: svc({ ports: [{ port: 80 }] }, { namespace: "default" }),
      want: ["metadata.name: Required value: name or generateName is required"],
    },
    {
      name: "missing metadata altogether",
      obj: { apiVersion: "v1", kind: "Pod", spec: { containers: [{ name: "c" }] } },
      want: ["metadata.name: Required value: name or generateName is required"],
    },
    {
      name: "invalid generateName is checked as a prefix (trailing dash allowed)",
      obj: pod({ containers: [{ name: "c" }] }, { generateName: "Web-" }),
      want: [`metadata.generateName: Invalid value: "Web-": ${DNS1123_SUBDOMAIN}`],
    },
    {
      name: "namespace must be a DNS-1123 label",
      obj: pod({ containers: [{ name: "c" }] }, { name: "p", namespace: "my.ns" }),
      want: ['metadata.namespace: Invalid value: "my.ns": must not contain dots'],
    },
    {
      name: "labels: keys qualified names, values label values, in key order",
      obj: pod({ containers: [{ name: "c" }] }, { name: "p", labels: { "z/": "ok", "a b": "x", good: "-bad", "Example.com/k": "v" } }),
      want: [
        `metadata.labels: Invalid value: "Example.com/k": prefix part ${DNS1123_SUBDOMAIN}`,
        `metadata.labels: Invalid value: "a b": ${NAME_PART}`,
        `metadata.labels: Invalid value: "-bad": ${LABEL_VALUE}`,
        'metadata.labels: Invalid value: "z/": name part must be non-empty',
        `metadata.labels: Invalid value: "z/": ${NAME_PART}`,
      ],
    },
    {
      name: "label value longer than 63 characters",
      obj: pod({ containers: [{ name: "c" }] }, { name: "p", labels: { v: "a".repeat(64) } }),
      want: [`metadata.labels: Invalid value: "${"a".repeat(64)}": must be no more than 63 characters`],
    },
    {
      name: "annotation keys are qualified names (case-insensitive); total size limit",
      obj: pod({ containers: [{ name: "c" }] }, { name: "p", annotations: { "Example.COM/Key": "fine", "bad key": "x", big: "x".repeat(262142) } }),
      want: [
        `metadata.annotations: Invalid value: "bad key": ${NAME_PART}`,
        "metadata.annotations: Too long: must have at most 262144 bytes",
      ],
    },
    {
      name: "generation must be non-negative",
      obj: pod({ containers: [{ name: "c" }] }, { name: "p", generation: -1 }),
      want: ["metadata.generation: Invalid value: -1: must be greater than or equal to 0"],
    },
    {
      name: "ownerReferences: empty fields, two controllers",
      obj: pod(
        { containers: [{ name: "c" }] },
        {
          name: "p",
          ownerReferences: [
            { apiVersion: "apps/v1", kind: "ReplicaSet", name: "a", uid: "u1", controller: true },
            { apiVersion: "apps/", kind: "ReplicaSet", name: "b", uid: "", controller: true },
          ],
        },
      ),
      want: [
        'metadata.ownerReferences.apiVersion: Invalid value: "apps/": version must not be empty',
        'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
        'metadata.ownerReferences: Invalid value: []interface {}{map[string]interface {}{"apiVersion":"apps/v1", "controller":true, "kind":"ReplicaSet", "name":"a", "uid":"u1"}, map[string]interface {}{"apiVersion":"apps/", "controller":true, "kind":"ReplicaSet", "name":"b", "uid":""}}: Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b',
      ],
    },
  ]);
});

describe("Service (ValidateService)", () => {
  table([
    {
      name: "brief example: targetPort out of range and duplicate port name",
      obj: svc({ selector: { app: "api" }, ports: [{ name: "http", port: 80, targetPort: 70000 }, { name: "http", port: 81 }] }),
      want: [`spec.ports[0].targetPort: Invalid value: 70000: ${RANGE}`, 'spec.ports[1].name: Duplicate value: "http"'],
    },
    {
      name: "ports required for ClusterIP",
      obj: svc({ selector: { app: "api" } }),
      want: ["spec.ports: Required value"],
    },
    {
      name: "empty ports list is missing too",
      obj: svc({ type: "NodePort", ports: [] }),
      want: ["spec.ports: Required value"],
    },
    {
      name: "unsupported protocol",
      obj: svc({ ports: [{ port: 80, protocol: "HTTP" }] }),
      want: ['spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
    },
    {
      name: "names required when there is more than one port; DNS-1123 labels",
      obj: svc({ ports: [{ port: 80 }, { name: "Web", port: 81 }, { name: "a.b", port: 82 }] }),
      want: [
        "spec.ports[0].name: Required value",
        `spec.ports[1].name: Invalid value: "Web": ${DNS1123_LABEL}`,
        'spec.ports[2].name: Invalid value: "a.b": must not contain dots',
      ],
    },
    {
      name: "port out of range; a missing targetPort defaults to port and fails too",
      obj: svc({ ports: [{ port: 70000 }, { name: "b", port: 0, targetPort: 8080 }] }),
      want: [
        "spec.ports[0].name: Required value",
        `spec.ports[0].port: Invalid value: 70000: ${RANGE}`,
        `spec.ports[0].targetPort: Invalid value: 70000: ${RANGE}`,
        `spec.ports[1].port: Invalid value: 0: ${RANGE}`,
      ],
    },
    {
      name: "named targetPorts must be IANA_SVC_NAMEs",
      obj: svc({
        ports: [
          { name: "a", port: 80, targetPort: "8080" },
          { name: "b", port: 81, targetPort: "-web--" },
          { name: "c", port: 82, targetPort: "web_port" },
          { name: "d", port: 83, targetPort: "sixteen-letters1" },
        ],
      }),
      want: [
        'spec.ports[0].targetPort: Invalid value: "8080": must contain at least one letter (a-z)',
        'spec.ports[1].targetPort: Invalid value: "-web--": must not contain consecutive hyphens',
        'spec.ports[1].targetPort: Invalid value: "-web--": must not begin or end with a hyphen',
        'spec.ports[2].targetPort: Invalid value: "web_port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'spec.ports[3].targetPort: Invalid value: "sixteen-letters1": must be no more than 15 characters',
      ],
    },
    {
      name: "duplicate (port, protocol) pairs; same port with another protocol is fine",
      obj: svc({ ports: [{ name: "a", port: 53, protocol: "UDP" }, { name: "b", port: 53 }, { name: "c", port: 53, protocol: "TCP" }] }),
      want: [
        'spec.ports[2]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:53, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
      ],
    },
    {
      name: "nodePort forbidden for ClusterIP; duplicate nodePorts; out-of-range nodePort",
      obj: svc({ ports: [{ name: "a", port: 80, nodePort: 30080 }, { name: "b", port: 81, nodePort: 30080 }, { name: "c", port: 82, nodePort: 70000 }] }),
      want: [
        `spec.ports[2].nodePort: Invalid value: 70000: ${RANGE}`,
        "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
        "spec.ports[1].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
        "spec.ports[2].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
        "spec.ports[1].nodePort: Duplicate value: 30080",
      ],
    },
    {
      name: "duplicate nodePort on NodePort type (same protocol only)",
      obj: svc({ type: "NodePort", ports: [{ name: "a", port: 80, nodePort: 30080 }, { name: "b", port: 81, nodePort: 30080, protocol: "UDP" }, { name: "c", port: 82, nodePort: 30080 }] }),
      want: ["spec.ports[2].nodePort: Duplicate value: 30080"],
    },
    {
      name: "unsupported type",
      obj: svc({ type: "Ingress", ports: [{ port: 80 }] }),
      want: ['spec.type: Unsupported value: "Ingress": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
    },
    {
      name: "ExternalName: externalName required, clusterIP forbidden",
      obj: svc({ type: "ExternalName", clusterIP: "10.0.0.1" }),
      want: ["spec.clusterIPs: Forbidden: may not be set for ExternalName services", "spec.externalName: Required value"],
    },
    {
      name: "ExternalName must be a DNS subdomain",
      obj: svc({ type: "ExternalName", externalName: "DB.example.com" }),
      want: [`spec.externalName: Invalid value: "DB.example.com": ${DNS1123_SUBDOMAIN}`],
    },
    {
      name: "headless LoadBalancer",
      obj: svc({ type: "LoadBalancer", clusterIP: "None", ports: [{ port: 80 }] }),
      want: ['spec.clusterIPs[0]: Invalid value: "None": may not be set to \'None\' for LoadBalancer services'],
    },
    {
      name: "invalid clusterIP",
      obj: svc({ clusterIP: "10.0.0.256", ports: [{ port: 80 }] }),
      want: [`spec.clusterIPs[0]: Invalid value: "10.0.0.256": ${BAD_IP}`],
    },
    {
      name: "clusterIPs must start with clusterIP",
      obj: svc({ clusterIP: "10.0.0.10", clusterIPs: ["10.0.0.11"], ports: [{ port: 80 }] }),
      want: ['spec.clusterIPs: Invalid value: []string{"10.0.0.11"}: first value must match `clusterIP`'],
    },
    {
      name: "'None' must be alone; two IPv4s are not dual-stack",
      obj: svc({ clusterIPs: ["None", "10.0.0.1"], ports: [{ port: 80 }] }),
      want: ['spec.clusterIPs: Invalid value: []string{"None", "10.0.0.1"}: \'None\' must be the first and only value'],
    },
    {
      name: "two IPs of one family",
      obj: svc({ clusterIPs: ["10.0.0.1", "10.0.0.2"], ports: [{ port: 80 }] }),
      want: ['spec.clusterIPs: Invalid value: []string{"10.0.0.1", "10.0.0.2"}: may specify no more than one IP for each IP family'],
    },
    {
      name: "IPv6 clusterIP on kube-netsim's single-stack IPv4 cluster",
      obj: svc({ clusterIP: "fd00::10", ports: [{ port: 80 }] }),
      want: ['spec.clusterIPs[0]: Invalid value: []string{"fd00::10"}: may not use IPv6 on a cluster which is not configured for it'],
    },
    {
      name: "session affinity: unsupported value",
      obj: svc({ ports: [{ port: 80 }], sessionAffinity: "Sticky" }),
      want: ['spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"'],
    },
    {
      name: "session affinity: timeout out of range",
      obj: svc({ ports: [{ port: 80 }], sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } } }),
      want: ["spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400"],
    },
    {
      name: "session affinity config only with ClientIP",
      obj: svc({ ports: [{ port: 80 }], sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } } }),
      want: ["spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None"],
    },
    {
      name: "externalTrafficPolicy only for externally-accessible Services",
      obj: svc({ ports: [{ port: 80 }], externalTrafficPolicy: "Local" }),
      want: ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services'],
    },
    {
      name: "unsupported traffic policies and distribution",
      obj: svc({ type: "NodePort", ports: [{ port: 80 }], externalTrafficPolicy: "Node", internalTrafficPolicy: "Zone", trafficDistribution: "Nearest" }),
      want: [
        'spec.externalTrafficPolicy: Unsupported value: "Node": supported values: "Cluster", "Local"',
        'spec.internalTrafficPolicy: Unsupported value: "Zone": supported values: "Cluster", "Local"',
        'spec.trafficDistribution: Unsupported value: "Nearest": supported values: "PreferClose", "PreferSameZone", "PreferSameNode"',
      ],
    },
    {
      name: "selector values are label values",
      obj: svc({ ports: [{ port: 80 }], selector: { app: "web app" } }),
      want: [`spec.selector: Invalid value: "web app": ${LABEL_VALUE}`],
    },
    {
      name: "Service names are DNS-1035 labels",
      obj: svc({ ports: [{ port: 80 }] }, { name: "1st-api" }),
      want: [`metadata.name: Invalid value: "1st-api": ${DNS1035_LABEL}`],
    },
    {
      name: "topology annotations must agree",
      obj: svc({ ports: [{ port: 80 }] }, { name: "api", annotations: { "service.kubernetes.io/topology-mode": "Auto", "service.kubernetes.io/topology-aware-hints": "Disabled" } }),
      want: [
        'metadata.annotations[service.kubernetes.io/topology-mode]: Invalid value: "Auto": must match annotations[service.kubernetes.io/topology-aware-hints] when both are specified',
      ],
    },
    {
      name: "every error, in visiting order",
      obj: svc(
        {
          type: "NodePort",
          clusterIP: "None",
          ports: [{ port: 0 }],
          sessionAffinity: "ClientIP",
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } },
          externalTrafficPolicy: "Foo",
        },
        {},
      ),
      want: [
        "metadata.name: Required value: name or generateName is required",
        "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services",
        `spec.ports[0].port: Invalid value: 0: ${RANGE}`,
        `spec.ports[0].targetPort: Invalid value: 0: ${RANGE}`,
        "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400",
        'spec.externalTrafficPolicy: Unsupported value: "Foo": supported values: "Cluster", "Local"',
      ],
    },
  ]);
});

describe("Pod (ValidatePodSpec)", () => {
  table([
    { name: "containers required", obj: pod({}), want: ["spec.containers: Required value"] },
    { name: "containers must not be empty", obj: pod({ containers: [] }), want: ["spec.containers: Required value"] },
    { name: "spec missing", obj: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" } }, want: ["spec.containers: Required value"] },
    {
      name: "container names: required, DNS-1123 labels, unique (reported after the container's ports)",
      obj: pod({ containers: [{ name: "app" }, {}, { name: "App_1" }, { name: "app", ports: [{ containerPort: 0 }] }] }),
      want: [
        "spec.containers[1].name: Required value",
        `spec.containers[2].name: Invalid value: "App_1": ${DNS1123_LABEL}`,
        "spec.containers[3].ports[0].containerPort: Required value",
        'spec.containers[3].name: Duplicate value: "app"',
      ],
    },
    {
      name: "container ports: range, IANA names, unique names within the container, protocol",
      obj: pod({
        containers: [
          {
            name: "app",
            ports: [
              { name: "http", containerPort: 70000 },
              { name: "http", containerPort: 8080 },
              { name: "a-very-long-port-name", containerPort: 9090, protocol: "HTTP" },
            ],
          },
        ],
      }),
      want: [
        `spec.containers[0].ports[0].containerPort: Invalid value: 70000: ${RANGE}`,
        'spec.containers[0].ports[1].name: Duplicate value: "http"',
        'spec.containers[0].ports[2].name: Invalid value: "a-very-long-port-name": must be no more than 15 characters',
        'spec.containers[0].ports[2].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      ],
    },
    {
      name: "nodeName is a DNS subdomain; hostname and subdomain are DNS-1123 labels",
      obj: pod({ containers: [{ name: "c" }], nodeName: "Node_1", hostname: "web.0", subdomain: "-svc" }),
      want: [
        `spec.nodeName: Invalid value: "Node_1": ${DNS1123_SUBDOMAIN}`,
        'spec.hostname: Invalid value: "web.0": must not contain dots',
        `spec.subdomain: Invalid value: "-svc": ${DNS1123_LABEL}`,
      ],
    },
    {
      name: "pod names are DNS subdomains",
      obj: pod({ containers: [{ name: "c" }] }, { name: "web_0" }),
      want: [`metadata.name: Invalid value: "web_0": ${DNS1123_SUBDOMAIN}`],
    },
  ]);
});

describe("Deployment (ValidateDeploymentSpec)", () => {
  const sel = { matchLabels: { app: "web" } };
  table([
    {
      name: "brief example: negative replicas",
      obj: deploy({ replicas: -1, selector: sel, template: tmpl({ app: "web" }) }),
      want: ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"],
    },
    {
      name: "selector required; then template labels never match (labels.Nothing())",
      obj: deploy({ template: tmpl({ app: "demo", environment: "development" }) }),
      want: [
        "spec.selector: Required value",
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"demo", "environment":"development"}: `selector` does not match template `labels`',
      ],
    },
    {
      name: "empty selector is invalid",
      obj: deploy({ selector: {}, template: tmpl({ app: "web" }) }),
      want: [
        "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment",
      ],
    },
    {
      name: "empty matchLabels map is printed as an empty (non-nil) map",
      obj: deploy({ selector: { matchLabels: {} }, template: tmpl({ app: "web" }) }),
      want: [
        "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment",
      ],
    },
    {
      name: "template labels do not match; missing labels print as a nil map",
      obj: deploy({ selector: sel, template: { spec: { containers: [{ name: "c" }] } } }),
      want: ["spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`"],
    },
    {
      name: "set-based selector must match the template",
      obj: deploy({ selector: { matchExpressions: [{ key: "track", operator: "In", values: ["stable"] }] }, template: tmpl({ track: "canary" }) }),
      want: ['spec.template.metadata.labels: Invalid value: map[string]string{"track":"canary"}: `selector` does not match template `labels`'],
    },
    {
      name: "invalid selector: its errors, then 'invalid label selector', and no template match check",
      obj: deploy({ selector: { matchExpressions: [{ key: "app", operator: "In", values: [] }] }, template: tmpl({ other: "x" }) }),
      want: [
        "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"In", Values:[]string{}}}}: invalid label selector',
      ],
    },
    {
      name: "selector values are validated strictly",
      obj: deploy({ selector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "v", operator: "NotIn", values: ["a b"] }] }, template: tmpl({ app: "web" }) }),
      want: [
        `spec.selector.matchExpressions[0].values[0]: Invalid value: "a b": ${LABEL_VALUE}`,
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"v", Operator:"NotIn", Values:[]string{"a b"}}}}: invalid label selector',
      ],
    },
    {
      name: "the template is validated as a pod spec under spec.template.spec; its labels at spec.template.labels",
      obj: deploy({
        selector: { matchExpressions: [{ key: "app", operator: "Exists" }] },
        template: tmpl({ app: "-web" }, { containers: [{ name: "c", ports: [{ containerPort: 0, name: "HTTP" }] }] }),
      }),
      want: [
        `spec.template.labels: Invalid value: "-web": ${LABEL_VALUE}`,
        'spec.template.spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'spec.template.spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain at least one letter (a-z)',
        "spec.template.spec.containers[0].ports[0].containerPort: Required value",
      ],
    },
    {
      name: "missing template: labels mismatch and no containers",
      obj: deploy({ selector: sel }),
      want: [
        "spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`",
        "spec.template.spec.containers: Required value",
      ],
    },
    {
      name: "rolling update: both zero",
      obj: deploy({ selector: sel, template: tmpl({ app: "web" }), strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }),
      want: ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0'],
    },
    {
      name: "rolling update: 0% counts as zero",
      obj: deploy({ selector: sel, template: tmpl({ app: "web" }), strategy: { rollingUpdate: { maxSurge: "0%", maxUnavailable: "0%" } } }),
      want: ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0%"}: may not be 0 when `maxSurge` is 0'],
    },
    {
      name: "rolling update: bad percent, negative int, more than 100%",
      obj: deploy({ selector: sel, template: tmpl({ app: "web" }), strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: -1, maxUnavailable: "120%" } } }),
      want: [
        "spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0",
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: must not be greater than 100%',
      ],
    },
    {
      name: "rolling update: not a percent string",
      obj: deploy({ selector: sel, template: tmpl({ app: "web" }), strategy: { rollingUpdate: { maxSurge: "25", maxUnavailable: "x%" } } }),
      want: [
        `spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"x%"}: ${PERCENT}`,
        `spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"25"}: ${PERCENT}`,
      ],
    },
    {
      name: "Recreate with rollingUpdate",
      obj: deploy({ selector: sel, template: tmpl({ app: "web" }), strategy: { type: "Recreate", rollingUpdate: {} } }),
      want: ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
    },
    {
      name: "unsupported strategy type",
      obj: deploy({ selector: sel, template: tmpl({ app: "web" }), strategy: { type: "BlueGreen" } }),
      want: [
        'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"BlueGreen", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"',
      ],
    },
    {
      name: "minReadySeconds, revisionHistoryLimit, progressDeadlineSeconds",
      obj: deploy({ selector: sel, template: tmpl({ app: "web" }), minReadySeconds: -5, revisionHistoryLimit: -1, progressDeadlineSeconds: -7 }),
      want: [
        "spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0",
        "spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0",
        "spec.progressDeadlineSeconds: Invalid value: -7: must be greater than or equal to 0",
        "spec.progressDeadlineSeconds: Invalid value: -7: must be greater than minReadySeconds",
      ],
    },
    {
      name: "default progressDeadlineSeconds (600) must exceed minReadySeconds",
      obj: deploy({ selector: sel, template: tmpl({ app: "web" }), minReadySeconds: 600 }),
      want: ["spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds"],
    },
    {
      name: "Deployment names are DNS subdomains",
      obj: deploy({ selector: sel, template: tmpl({ app: "web" }) }, { name: "Web" }),
      want: [`metadata.name: Invalid value: "Web": ${DNS1123_SUBDOMAIN}`],
    },
  ]);
});

describe("ReplicaSet (ValidateReplicaSetSpec)", () => {
  table([
    {
      name: "replicas, then minReadySeconds, then selector (upstream's 'for deployment' wording)",
      obj: rs({ replicas: -3, minReadySeconds: -1, selector: { matchExpressions: [] }, template: tmpl({ app: "web" }) }),
      want: [
        "spec.replicas: Invalid value: -3: must be greater than or equal to 0",
        "spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0",
        "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{}}: empty selector is invalid for deployment",
      ],
    },
    {
      name: "selector must match the template",
      obj: rs({ selector: { matchLabels: { app: "web", "pod-template-hash": "abc" } }, template: tmpl({ app: "web" }) }),
      want: ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`'],
    },
  ]);
});

describe("Node (ValidateNode)", () => {
  table([
    {
      name: "name, namespace, podCIDR",
      obj: node({ metadata: { name: "Node_1", namespace: "default" }, spec: { podCIDR: "10.244.1.0/33" } }),
      want: [
        `metadata.name: Invalid value: "Node_1": ${DNS1123_SUBDOMAIN}`,
        "metadata.namespace: Forbidden: not allowed on this type",
        'spec.podCIDRs[0]: Invalid value: "10.244.1.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      ],
    },
    {
      name: "node names may contain dots",
      obj: node({ metadata: { name: "ip-10-0-0-1.ec2.internal" } }),
      want: [],
    },
  ]);
});

describe("EndpointSlice (ValidateEndpointSlice)", () => {
  table([
    {
      name: "addressType required",
      obj: slice({ endpoints: [] }),
      want: ["addressType: Required value"],
    },
    {
      name: "addressType unsupported",
      obj: slice({ addressType: "IP" }),
      want: ['addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"'],
    },
    {
      name: "IPv4 addresses",
      obj: slice({ addressType: "IPv4", endpoints: [{ addresses: [] }, { addresses: ["10.0.0.1", "127.0.0.1", "fd00::1", "abc", "0.0.0.0", "169.254.169.254", "224.0.0.251"] }] }),
      want: [
        "endpoints[0].addresses: Required value: must contain at least 1 address",
        'endpoints[1].addresses[1]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
        'endpoints[1].addresses[2]: Invalid value: "fd00::1": must be a valid IPv4 address',
        'endpoints[1].addresses[3]: Invalid value: "abc": must be a valid IPv4 address',
        'endpoints[1].addresses[3]: Invalid value: "abc": must be a valid IP address',
        'endpoints[1].addresses[4]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
        'endpoints[1].addresses[5]: Invalid value: "169.254.169.254": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
        'endpoints[1].addresses[6]: Invalid value: "224.0.0.251": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
      ],
    },
    {
      name: "IPv6 addresses",
      obj: slice({ addressType: "IPv6", endpoints: [{ addresses: ["10.0.0.1", "::1", "fe80::1", "ff02::fb", "1::2::3"] }] }),
      want: [
        'endpoints[0].addresses[0]: Invalid value: "10.0.0.1": must be a valid IPv6 address',
        'endpoints[0].addresses[1]: Invalid value: "::1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
        'endpoints[0].addresses[2]: Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
        'endpoints[0].addresses[3]: Invalid value: "ff02::fb": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
        'endpoints[0].addresses[4]: Invalid value: "1::2::3": must be a valid IPv6 address',
        'endpoints[0].addresses[4]: Invalid value: "1::2::3": must be a valid IP address',
      ],
    },
    {
      name: "FQDN addresses",
      obj: slice({ addressType: "FQDN", endpoints: [{ addresses: ["localhost", "Db.example.com", ""] }] }),
      want: [
        'endpoints[0].addresses[0]: Invalid value: "localhost": should be a domain with at least two segments separated by dots',
        `endpoints[0].addresses[1]: Invalid value: "Db.example.com": ${DNS1123_SUBDOMAIN}`,
        "endpoints[0].addresses[2]: Required value",
      ],
    },
    {
      name: "at most 100 addresses per endpoint",
      obj: slice({ addressType: "IPv4", endpoints: [{ addresses: Array.from({ length: 101 }, (_, i) => `10.0.${i >> 8}.${(i & 255) + 1}`) }] }),
      want: ["endpoints[0].addresses: Too many: 101: must have at most 100 items"],
    },
    {
      name: "at most 1000 endpoints",
      obj: slice({ addressType: "IPv4", endpoints: Array.from({ length: 1001 }, () => ({ addresses: ["10.0.0.1"] })) }),
      want: ["endpoints: Too many: 1001: must have at most 1000 items"],
    },
    {
      name: "at most 100 ports",
      obj: slice({ addressType: "IPv4", ports: Array.from({ length: 101 }, (_, i) => ({ name: `p${i}`, port: i + 1 })) }),
      want: ["ports: Too many: 101: must have at most 100 items"],
    },
    {
      name: "nodeName, hostname, zone hints",
      obj: slice({
        addressType: "IPv4",
        endpoints: [{ addresses: ["10.0.0.1"], nodeName: "Node_1", hostname: "a.b", hints: { forZones: [{ name: "zone-a" }, { name: "zone-a" }, { name: "bad zone" }] } }],
      }),
      want: [
        `endpoints[0].nodeName: Invalid value: "Node_1": ${DNS1123_SUBDOMAIN}`,
        'endpoints[0].hostname: Invalid value: "a.b": must not contain dots',
        'endpoints[0].hints.forZones[1].name: Duplicate value: "zone-a"',
        `endpoints[0].hints.forZones[2].name: Invalid value: "bad zone": ${LABEL_VALUE}`,
      ],
    },
    {
      name: "ports: names are DNS-1123 labels and unique (two unnamed ports collide), protocol",
      obj: slice({ addressType: "IPv4", ports: [{ port: 80 }, { port: 81 }, { name: "Http", port: 82, protocol: "ICMP" }] }),
      want: [
        'ports[1].name: Duplicate value: ""',
        `ports[2].name: Invalid value: "Http": ${DNS1123_LABEL}`,
        'ports[2].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      ],
    },
  ]);
});

describe("wrongly-typed input gives field errors and never throws", () => {
  table([
    { name: "spec: 5", obj: svc(5), want: ["spec: Invalid value: 5: must be of type object"] },
    { name: 'ports: "80"', obj: svc({ ports: "80" }), want: ['spec.ports: Invalid value: "80": must be of type array'] },
    { name: "port entry not an object", obj: svc({ ports: [80] }), want: ["spec.ports[0]: Invalid value: 80: must be of type object"] },
    {
      name: "mistyped scalar fields",
      obj: svc({ ports: [{ port: "80", targetPort: true, protocol: 6, name: 1 }], type: ["NodePort"] }),
      want: [
        "spec.type: Invalid value: []interface {}{\"NodePort\"}: must be of type string",
        "spec.ports[0].name: Invalid value: 1: must be of type string",
        'spec.ports[0].port: Invalid value: "80": must be of type integer',
        "spec.ports[0].protocol: Invalid value: 6: must be of type string",
        "spec.ports[0].targetPort: Invalid value: true: must be of type integer or string",
      ],
    },
    { name: "metadata is a string", obj: pod({ containers: [{ name: "c" }] }, "p"), want: ['metadata: Invalid value: "p": must be of type object'] },
    { name: "labels is a list", obj: pod({ containers: [{ name: "c" }] }, { name: "p", labels: ["a"] }), want: ['metadata.labels: Invalid value: []interface {}{"a"}: must be of type object'] },
    { name: "label value is a number", obj: pod({ containers: [{ name: "c" }] }, { name: "p", labels: { v: 1 } }), want: ["metadata.labels[v]: Invalid value: 1: must be of type string"] },
    { name: "containers is an object", obj: pod({ containers: { name: "c" } }), want: ['spec.containers: Invalid value: map[string]interface {}{"name":"c"}: must be of type array'] },
    {
      name: "replicas as a string, selector as a string",
      obj: deploy({ replicas: "3", selector: "app=web", template: tmpl({ app: "web" }) }),
      want: ['spec.replicas: Invalid value: "3": must be of type integer', 'spec.selector: Invalid value: "app=web": must be of type object'],
    },
    { name: "replicas as a float", obj: deploy({ replicas: 1.5, selector: { matchLabels: { a: "b" } }, template: tmpl({ a: "b" }) }), want: ["spec.replicas: Invalid value: 1.5: must be of type integer"] },
    { name: "endpoints as an object", obj: slice({ addressType: "IPv4", endpoints: {} }), want: ["endpoints: Invalid value: map[string]interface {}{}: must be of type array"] },
    {
      name: "non-string selector values (even null-prototype objects) are reported, not thrown on",
      obj: deploy({ selector: { matchLabels: { app: Object.create(null) as unknown } }, template: tmpl({ app: "web" }) }),
      want: [
        "spec.selector.matchLabels[app]: Invalid value: map[string]interface {}{}: must be of type string",
        "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":map[string]interface {}{}}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: invalid label selector",
      ],
    },
    { name: "addresses with a number", obj: slice({ addressType: "IPv4", endpoints: [{ addresses: [1] }] }), want: ["endpoints[0].addresses[0]: Invalid value: 1: must be of type string"] },
  ]);
});

describe("ValidationError (apierrors.NewInvalid)", () => {
  it("several errors: bracketed list", () => {
    const obj = svc({ selector: { app: "api" }, ports: [{ name: "http", port: 80, targetPort: 70000 }, { name: "http", port: 81 }] });
    const e = new ValidationError("Service", "api", validateObject(obj));
    expect(e.message).toBe(
      'Service "api" is invalid: [spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive, spec.ports[1].name: Duplicate value: "http"]',
    );
    expect(e.kind).toBe("Service");
    expect(e.objectName).toBe("api");
    expect(e.errors).toHaveLength(2);
    expect(e.name).toBe("ValidationError");
    expect(e).toBeInstanceOf(Error);
  });
  it("one error: no brackets", () => {
    const e = new ValidationError("Service", "api", validateObject(svc({})));
    expect(e.message).toBe('Service "api" is invalid: spec.ports: Required value');
  });
  it("kinds of named API groups are qualified (Kind.group)", () => {
    const obj = deploy({ template: tmpl({ app: "demo", environment: "development" }) });
    expect(new ValidationError("Deployment", "demo", validateObject(obj)).message).toBe(
      'Deployment.apps "demo" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string{"app":"demo", "environment":"development"}: `selector` does not match template `labels`]',
    );
    expect(new ValidationError("EndpointSlice", "s", [fieldRequired("addressType", "")]).message).toBe(
      'EndpointSlice.discovery.k8s.io "s" is invalid: addressType: Required value',
    );
  });
  it("identical messages are listed once; no errors at all", () => {
    const dup = [fieldRequired("spec.ports", ""), fieldRequired("spec.ports", "")];
    expect(new ValidationError("Service", "a", dup).message).toBe('Service "a" is invalid: spec.ports: Required value');
    expect(new ValidationError("Service", "a", dup).errors).toHaveLength(2);
    expect(new ValidationError("Pod", 'we"ird', []).message).toBe('Pod "we\\"ird" is invalid');
  });
});

describe("properties", () => {
  const kinds = fc.constantFrom("Pod", "Node", "Service", "Deployment", "ReplicaSet", "EndpointSlice", "ConfigMap", "", 5, null);
  const apiVersions = fc.constantFrom("v1", "apps/v1", "discovery.k8s.io/v1", undefined, 3);
  const anything = fc.anything({
    withBoxedValues: true,
    withMap: true,
    withSet: true,
    withBigInt: true,
    withDate: true,
    withNullPrototype: true,
    withTypedArray: true,
    withSparseArray: true,
    withObjectString: true,
  });
  // Objects whose keys are the field names validation looks at, so random values reach deep paths.
  const fieldNames = fc.constantFrom(
    "metadata", "name", "generateName", "namespace", "labels", "annotations", "ownerReferences", "controller", "uid",
    "apiVersion", "kind", "generation", "spec", "type", "ports", "port", "targetPort", "nodePort", "protocol", "selector",
    "clusterIP", "clusterIPs", "sessionAffinity", "sessionAffinityConfig", "clientIP", "timeoutSeconds", "externalName",
    "externalTrafficPolicy", "internalTrafficPolicy", "trafficDistribution", "matchLabels", "matchExpressions", "key",
    "operator", "values", "replicas", "template", "containers", "containerPort", "strategy", "rollingUpdate", "maxSurge",
    "maxUnavailable", "minReadySeconds", "progressDeadlineSeconds", "podCIDR", "addressType", "endpoints", "addresses",
    "conditions", "ready", "hints", "forZones", "forNodes", "hostname", "nodeName", "app", "In", "NotIn",
  );
  const shaped = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.jsonValue({ maxDepth: 1 }),
      fc.constantFrom("In", "Exists", "None", "ClientIP", "NodePort", "ExternalName", "IPv4", "IPv6", "FQDN", "RollingUpdate", "Recreate", "25%", "10.0.0.1", "fd00::1", 0, 80, -1, 70000),
      tie("obj"),
      tie("arr"),
    ),
    obj: fc.dictionary(fieldNames, tie("node"), { maxKeys: 6 }),
    arr: fc.array(tie("node"), { maxLength: 4 }),
  }));

  it("validateObject never throws on arbitrary values, and every error formats", () => {
    fc.assert(
      fc.property(kinds, apiVersions, anything, anything, anything, (kind, apiVersion, metadata, spec, extra) => {
        for (const obj of [
          { kind, apiVersion, metadata, spec },
          { kind, apiVersion, metadata: { name: "x" }, spec, endpoints: extra, ports: extra, addressType: extra },
          spec,
        ]) {
          const errs = validateObject(obj);
          for (const e of errs) expect(typeof formatFieldError(e)).toBe("string");
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("validateObject never throws on shape-aware random objects, and is deterministic", () => {
    fc.assert(
      fc.property(kinds, apiVersions, shaped.obj, shaped.obj, (kind, apiVersion, metadata, body) => {
        const obj = { ...body, kind, apiVersion, metadata };
        const a = validateObject(obj).map(formatFieldError);
        const b = validateObject(obj).map(formatFieldError);
        expect(a).toEqual(b);
        for (const s of a) expect(s.startsWith("<root>") || /^[A-Za-z]/.test(s)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("validateObject never throws on arbitrary JSON values wrapped in objects of every kind", () => {
    fc.assert(
      fc.property(kinds, fc.jsonValue(), fc.jsonValue(), (kind, metadata, spec) => {
        validateObject({ apiVersion: "v1", kind, metadata, spec });
        validateObject({ apiVersion: "apps/v1", kind, metadata: { name: "n", labels: metadata }, spec: { template: spec, selector: spec } });
      }),
      { numRuns: 1000 },
    );
  });

  it("validateObject never throws on arbitrary selectors and templates of workloads", () => {
    fc.assert(
      fc.property(fc.constantFrom("Deployment", "ReplicaSet"), anything, anything, anything, (kind, a, b, c) => {
        for (const selector of [a, { matchLabels: a, matchExpressions: b }, { matchExpressions: [{ key: a, operator: b, values: c }] }]) {
          const errs = validateObject({ apiVersion: "apps/v1", kind, metadata: { name: "w" }, spec: { selector, template: { metadata: { labels: c } } } });
          for (const e of errs) expect(typeof formatFieldError(e)).toBe("string");
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("a valid Service stays valid for any valid port, and an out-of-range port is always reported", () => {
    fc.assert(
      fc.property(fc.integer({ min: -100000, max: 100000 }), (port) => {
        const errs = run(svc({ ports: [{ port, targetPort: 8080 }] }));
        if (port >= 1 && port <= 65535) expect(errs).toEqual([]);
        else expect(errs).toEqual([`spec.ports[0].port: Invalid value: ${port}: ${RANGE}`]);
      }),
    );
  });
});
