import { describe, it, expect } from "vitest";
import type { StringMap } from "@kube-netsim/model";
import { makeProxyEndpoint, type ProxyEndpoint } from "./endpoint.js";
import {
  categorizeEndpoints,
  externallyAccessible,
  topologyModeFromHints,
  usesClusterEndpoints,
  usesLocalEndpoints,
  type ServicePortTrafficPolicy,
} from "./topology.js";

interface EpSpec {
  readonly ready?: boolean;
  readonly serving?: boolean;
  readonly terminating?: boolean;
  readonly local?: boolean;
  readonly zones?: readonly string[];
  readonly nodes?: readonly string[];
}

/** A ProxyEndpoint on port 80; ready/serving default true, terminating false. */
function e(ip: string, s: EpSpec = {}): ProxyEndpoint {
  return {
    ip,
    port: 80,
    key: `${ip}:80`,
    ready: s.ready ?? true,
    serving: s.serving ?? true,
    terminating: s.terminating ?? false,
    isLocal: s.local ?? false,
    ...(s.zones !== undefined ? { zoneHints: new Set(s.zones) } : {}),
    ...(s.nodes !== undefined ? { nodeHints: new Set(s.nodes) } : {}),
  };
}

const ST = { ready: false, serving: true, terminating: true } as const; // serving-terminating
const DEAD = { ready: false, serving: false, terminating: true } as const; // terminating, not serving

const CLUSTER: ServicePortTrafficPolicy = { internalTrafficPolicy: "Cluster", externalTrafficPolicy: "Cluster", externallyAccessible: false };
const ITP_LOCAL: ServicePortTrafficPolicy = { internalTrafficPolicy: "Local", externalTrafficPolicy: "Cluster", externallyAccessible: false };
const ITP_LOCAL_NODEPORT: ServicePortTrafficPolicy = { internalTrafficPolicy: "Local", externalTrafficPolicy: "Cluster", externallyAccessible: true };
const ETP_LOCAL_NODEPORT: ServicePortTrafficPolicy = { internalTrafficPolicy: "Cluster", externalTrafficPolicy: "Local", externallyAccessible: true };
const ETP_LOCAL_CLUSTERIP: ServicePortTrafficPolicy = { internalTrafficPolicy: "Cluster", externalTrafficPolicy: "Local", externallyAccessible: false };
const BOTH_LOCAL_NODEPORT: ServicePortTrafficPolicy = { internalTrafficPolicy: "Local", externalTrafficPolicy: "Local", externallyAccessible: true };

const ZONE_A: StringMap = { "topology.kubernetes.io/zone": "zone-a" };

interface Case {
  readonly name: string;
  readonly endpoints: readonly ProxyEndpoint[];
  readonly svc: ServicePortTrafficPolicy;
  readonly labels?: StringMap;
  readonly gate?: boolean;
  readonly cluster: readonly string[] | null;
  readonly local: readonly string[] | null;
  readonly all: readonly string[] | null;
  readonly hasAny: boolean;
}

const cases: readonly Case[] = [
  {
    name: "no endpoints, Cluster policy: used but empty, REJECT",
    endpoints: [],
    svc: CLUSTER,
    cluster: [],
    local: null,
    all: [],
    hasAny: false,
  },
  {
    name: "no endpoints, internalTrafficPolicy Local: used but empty, REJECT",
    endpoints: [],
    svc: ITP_LOCAL,
    cluster: null,
    local: [],
    all: [],
    hasAny: false,
  },
  {
    name: "all ready: every endpoint, input order kept",
    endpoints: [e("10.0.0.10"), e("10.0.0.2"), e("10.0.0.9")],
    svc: CLUSTER,
    cluster: ["10.0.0.10:80", "10.0.0.2:80", "10.0.0.9:80"],
    local: null,
    all: ["10.0.0.10:80", "10.0.0.2:80", "10.0.0.9:80"],
    hasAny: true,
  },
  {
    name: "ready + serving-terminating: terminating excluded while any endpoint is ready",
    endpoints: [e("10.0.0.1"), e("10.0.0.2", ST), e("10.0.0.3")],
    svc: CLUSTER,
    cluster: ["10.0.0.1:80", "10.0.0.3:80"],
    local: null,
    all: ["10.0.0.1:80", "10.0.0.3:80"],
    hasAny: true,
  },
  {
    name: "only serving-terminating: Cluster falls back to them",
    endpoints: [e("10.0.0.1", ST), e("10.0.0.2", { ...ST, local: true })],
    svc: CLUSTER,
    cluster: ["10.0.0.1:80", "10.0.0.2:80"],
    local: null,
    all: ["10.0.0.1:80", "10.0.0.2:80"],
    hasAny: true,
  },
  {
    name: "terminating but not serving is never used, even as fallback",
    endpoints: [e("10.0.0.1", DEAD), e("10.0.0.2", ST)],
    svc: CLUSTER,
    cluster: ["10.0.0.2:80"],
    local: null,
    all: ["10.0.0.2:80"],
    hasAny: true,
  },
  {
    name: "only not-ready, not-terminating endpoints: nothing usable, REJECT",
    endpoints: [e("10.0.0.1", { ready: false, serving: false }), e("10.0.0.2", DEAD)],
    svc: CLUSTER,
    cluster: [],
    local: null,
    all: [],
    hasAny: false,
  },
  {
    name: "nil conditions (slice endpoint without conditions) count as ready",
    endpoints: [
      makeProxyEndpoint({ addresses: ["10.0.0.1"] }, 80, "node-a") as ProxyEndpoint,
      makeProxyEndpoint({ addresses: ["10.0.0.2"], conditions: { ready: false } }, 80, "node-a") as ProxyEndpoint,
    ],
    svc: CLUSTER,
    cluster: ["10.0.0.1:80"],
    local: null,
    all: ["10.0.0.1:80"],
    hasAny: true,
  },
  {
    name: "internalTrafficPolicy Local with local endpoints: only local ready ones",
    endpoints: [e("10.0.0.1", { local: true }), e("10.0.0.2"), e("10.0.0.3", { local: true, ...ST })],
    svc: ITP_LOCAL,
    cluster: null,
    local: ["10.0.0.1:80"],
    all: ["10.0.0.1:80"],
    hasAny: true,
  },
  {
    name: "internalTrafficPolicy Local, all endpoints remote: DROP (hasAnyEndpoints, no local)",
    endpoints: [e("10.0.0.1"), e("10.0.0.2")],
    svc: ITP_LOCAL,
    cluster: null,
    local: [],
    all: [],
    hasAny: true,
  },
  {
    name: "internalTrafficPolicy Local, remote endpoints only serving-terminating: still DROP, not REJECT",
    endpoints: [e("10.0.0.1", ST)],
    svc: ITP_LOCAL,
    cluster: null,
    local: [],
    all: [],
    hasAny: true,
  },
  {
    name: "internalTrafficPolicy Local, local only serving-terminating: Local falls back",
    endpoints: [e("10.0.0.1", { ...ST, local: true }), e("10.0.0.2", ST), e("10.0.0.3", { local: true, ready: false, serving: false })],
    svc: ITP_LOCAL,
    cluster: null,
    local: ["10.0.0.1:80"],
    all: ["10.0.0.1:80"],
    hasAny: true,
  },
  {
    name: "externalTrafficPolicy Local on a NodePort: Cluster and Local both computed, all = cluster",
    endpoints: [e("10.0.0.1", { local: true }), e("10.0.0.2")],
    svc: ETP_LOCAL_NODEPORT,
    cluster: ["10.0.0.1:80", "10.0.0.2:80"],
    local: ["10.0.0.1:80"],
    all: ["10.0.0.1:80", "10.0.0.2:80"],
    hasAny: true,
  },
  {
    name: "externalTrafficPolicy Local, fallback per policy: Cluster uses remote ready, Local its serving-terminating",
    endpoints: [e("10.0.0.1"), e("10.0.0.2", { local: true, ready: false, serving: false }), e("10.0.0.3", { ...ST, local: true }), e("10.0.0.4", ST)],
    svc: ETP_LOCAL_NODEPORT,
    cluster: ["10.0.0.1:80"],
    local: ["10.0.0.3:80"],
    all: ["10.0.0.1:80", "10.0.0.3:80"],
    hasAny: true,
  },
  {
    name: "externalTrafficPolicy Local but not externally accessible: Local not used",
    endpoints: [e("10.0.0.1", { local: true }), e("10.0.0.2")],
    svc: ETP_LOCAL_CLUSTERIP,
    cluster: ["10.0.0.1:80", "10.0.0.2:80"],
    local: null,
    all: ["10.0.0.1:80", "10.0.0.2:80"],
    hasAny: true,
  },
  {
    name: "internalTrafficPolicy Local on a NodePort: Cluster endpoints still needed",
    endpoints: [e("10.0.0.1", { local: true }), e("10.0.0.2")],
    svc: ITP_LOCAL_NODEPORT,
    cluster: ["10.0.0.1:80", "10.0.0.2:80"],
    local: ["10.0.0.1:80"],
    all: ["10.0.0.1:80", "10.0.0.2:80"],
    hasAny: true,
  },
  {
    name: "both policies Local, all remote: Cluster for short-circuit, Local empty",
    endpoints: [e("10.0.0.1"), e("10.0.0.2")],
    svc: BOTH_LOCAL_NODEPORT,
    cluster: ["10.0.0.1:80", "10.0.0.2:80"],
    local: [],
    all: ["10.0.0.1:80", "10.0.0.2:80"],
    hasAny: true,
  },
  {
    name: "zone hints all present, some for this zone: PreferSameZone",
    endpoints: [e("10.0.0.1", { zones: ["zone-a"] }), e("10.0.0.2", { zones: ["zone-b"] }), e("10.0.0.3", { zones: ["zone-a"] })],
    svc: CLUSTER,
    labels: ZONE_A,
    cluster: ["10.0.0.1:80", "10.0.0.3:80"],
    local: null,
    all: ["10.0.0.1:80", "10.0.0.3:80"],
    hasAny: true,
  },
  {
    name: "multiple zone hints per endpoint: any endpoint hinted for this zone",
    endpoints: [e("10.0.0.1", { zones: ["zone-b", "zone-a"] }), e("10.0.0.2", { zones: ["zone-b"] }), e("10.0.0.3", { zones: ["zone-a", "zone-c"] })],
    svc: CLUSTER,
    labels: ZONE_A,
    cluster: ["10.0.0.1:80", "10.0.0.3:80"],
    local: null,
    all: ["10.0.0.1:80", "10.0.0.3:80"],
    hasAny: true,
  },
  {
    name: "one ready endpoint missing hints: hints ignored (all-or-nothing)",
    endpoints: [e("10.0.0.1", { zones: ["zone-a"] }), e("10.0.0.2"), e("10.0.0.3", { zones: ["zone-b"] })],
    svc: CLUSTER,
    labels: ZONE_A,
    cluster: ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"],
    local: null,
    all: ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"],
    hasAny: true,
  },
  {
    name: "node without zone label: hints ignored",
    endpoints: [e("10.0.0.1", { zones: ["zone-a"] }), e("10.0.0.2", { zones: ["zone-b"] })],
    svc: CLUSTER,
    labels: {},
    cluster: ["10.0.0.1:80", "10.0.0.2:80"],
    local: null,
    all: ["10.0.0.1:80", "10.0.0.2:80"],
    hasAny: true,
  },
  {
    name: "no endpoint hinted for this zone: hints ignored (no spill-over logic)",
    endpoints: [e("10.0.0.1", { zones: ["zone-b"] }), e("10.0.0.2", { zones: ["zone-c"] })],
    svc: CLUSTER,
    labels: ZONE_A,
    cluster: ["10.0.0.1:80", "10.0.0.2:80"],
    local: null,
    all: ["10.0.0.1:80", "10.0.0.2:80"],
    hasAny: true,
  },
  {
    name: "terminating endpoints are ignored by the hint checks: an unhinted one does not disable topology",
    endpoints: [e("10.0.0.1", { zones: ["zone-a"] }), e("10.0.0.2", { zones: ["zone-b"] }), e("10.0.0.3", ST)],
    svc: CLUSTER,
    labels: ZONE_A,
    cluster: ["10.0.0.1:80"],
    local: null,
    all: ["10.0.0.1:80"],
    hasAny: true,
  },
  {
    name: "terminating endpoints are ignored by the hint checks: a hinted one does not enable topology",
    endpoints: [e("10.0.0.1", { zones: ["zone-b"] }), e("10.0.0.2", { zones: ["zone-b"] }), e("10.0.0.3", { ...ST, zones: ["zone-a"] })],
    svc: CLUSTER,
    labels: ZONE_A,
    cluster: ["10.0.0.1:80", "10.0.0.2:80"],
    local: null,
    all: ["10.0.0.1:80", "10.0.0.2:80"],
    hasAny: true,
  },
  {
    name: "serving-terminating fallback ignores topology",
    endpoints: [e("10.0.0.1", { ...ST, zones: ["zone-a"] }), e("10.0.0.2", { ...ST, zones: ["zone-b"] })],
    svc: CLUSTER,
    labels: ZONE_A,
    cluster: ["10.0.0.1:80", "10.0.0.2:80"],
    local: null,
    all: ["10.0.0.1:80", "10.0.0.2:80"],
    hasAny: true,
  },
  {
    name: "node hints with the gate on: PreferSameNode",
    endpoints: [
      e("10.0.0.1", { zones: ["zone-a"], nodes: ["node-a"] }),
      e("10.0.0.2", { zones: ["zone-a"], nodes: ["node-b"] }),
      e("10.0.0.3", { zones: ["zone-b"], nodes: ["node-c"] }),
    ],
    svc: CLUSTER,
    labels: ZONE_A,
    cluster: ["10.0.0.1:80"],
    local: null,
    all: ["10.0.0.1:80"],
    hasAny: true,
  },
  {
    name: "node hints with the gate off: zone hints decide",
    endpoints: [
      e("10.0.0.1", { zones: ["zone-a"], nodes: ["node-a"] }),
      e("10.0.0.2", { zones: ["zone-a"], nodes: ["node-b"] }),
      e("10.0.0.3", { zones: ["zone-b"], nodes: ["node-c"] }),
    ],
    svc: CLUSTER,
    labels: ZONE_A,
    gate: false,
    cluster: ["10.0.0.1:80", "10.0.0.2:80"],
    local: null,
    all: ["10.0.0.1:80", "10.0.0.2:80"],
    hasAny: true,
  },
  {
    name: "node hints, none for this node: falls back to the zone",
    endpoints: [
      e("10.0.0.1", { zones: ["zone-a"], nodes: ["node-x"] }),
      e("10.0.0.2", { zones: ["zone-a"], nodes: ["node-b"] }),
      e("10.0.0.3", { zones: ["zone-b"], nodes: ["node-c"] }),
    ],
    svc: CLUSTER,
    labels: ZONE_A,
    cluster: ["10.0.0.1:80", "10.0.0.2:80"],
    local: null,
    all: ["10.0.0.1:80", "10.0.0.2:80"],
    hasAny: true,
  },
  {
    name: "one ready endpoint without a node hint: node mode off, zone mode on",
    endpoints: [e("10.0.0.1", { zones: ["zone-a"], nodes: ["node-a"] }), e("10.0.0.2", { zones: ["zone-a"] }), e("10.0.0.3", { zones: ["zone-b"], nodes: ["node-c"] })],
    svc: CLUSTER,
    labels: ZONE_A,
    cluster: ["10.0.0.1:80", "10.0.0.2:80"],
    local: null,
    all: ["10.0.0.1:80", "10.0.0.2:80"],
    hasAny: true,
  },
  {
    name: "topology with externalTrafficPolicy Local: allReachable is the union, sorted by IP:port",
    endpoints: [
      e("10.0.0.10", { zones: ["zone-b"], local: true }),
      e("10.0.0.2", { zones: ["zone-a"] }),
      e("10.0.0.3", { zones: ["zone-b"] }),
      e("10.0.0.9", { zones: ["zone-a"], local: true }),
    ],
    svc: ETP_LOCAL_NODEPORT,
    labels: ZONE_A,
    cluster: ["10.0.0.2:80", "10.0.0.9:80"],
    local: ["10.0.0.10:80", "10.0.0.9:80"],
    all: ["10.0.0.10:80", "10.0.0.2:80", "10.0.0.9:80"],
    hasAny: true,
  },
  {
    name: "Local policy ignores topology hints",
    endpoints: [e("10.0.0.1", { zones: ["zone-b"], local: true }), e("10.0.0.2", { zones: ["zone-a"] })],
    svc: ITP_LOCAL,
    labels: ZONE_A,
    cluster: null,
    local: ["10.0.0.1:80"],
    all: ["10.0.0.1:80"],
    hasAny: true,
  },
];

describe("categorizeEndpoints (pkg/proxy/topology.go CategorizeEndpoints)", () => {
  it("has at least 20 named cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const r = categorizeEndpoints(c.endpoints, c.svc, "node-a", c.labels ?? ZONE_A, c.gate === undefined ? undefined : { preferSameTrafficDistribution: c.gate });
    const keys = (l: readonly ProxyEndpoint[] | null): readonly string[] | null => (l === null ? null : l.map((x) => x.key));
    expect({ cluster: keys(r.clusterEndpoints), local: keys(r.localEndpoints), all: keys(r.allReachableEndpoints), hasAny: r.hasAnyEndpoints }).toEqual({
      cluster: c.cluster,
      local: c.local,
      all: c.all,
      hasAny: c.hasAny,
    });
  });

  it("returns the same list object when allReachable equals one of the policies' lists", () => {
    const eps = [e("10.0.0.1", { local: true }), e("10.0.0.2")];
    const cluster = categorizeEndpoints(eps, CLUSTER, "node-a", ZONE_A);
    expect(cluster.allReachableEndpoints).toBe(cluster.clusterEndpoints);
    const local = categorizeEndpoints(eps, ITP_LOCAL, "node-a", ZONE_A);
    expect(local.allReachableEndpoints).toBe(local.localEndpoints);
  });
});

describe("topologyModeFromHints", () => {
  it.each<[string, readonly ProxyEndpoint[], string, string, boolean, string]>([
    ["no endpoints", [], "node-a", "zone-a", true, ""],
    ["no ready endpoints", [e("10.0.0.1", { ...ST, zones: ["zone-a"], nodes: ["node-a"] })], "node-a", "zone-a", true, ""],
    ["node hint for this node", [e("10.0.0.1", { zones: ["zone-a"], nodes: ["node-a"] })], "node-a", "zone-a", true, "PreferSameNode"],
    ["node hint, gate off", [e("10.0.0.1", { zones: ["zone-a"], nodes: ["node-a"] })], "node-a", "zone-a", false, "PreferSameZone"],
    ["node hints only, gate off", [e("10.0.0.1", { nodes: ["node-a"] })], "node-a", "zone-a", false, ""],
    ["zone hint for this zone", [e("10.0.0.1", { zones: ["zone-a"] })], "node-a", "zone-a", true, "PreferSameZone"],
    ["zone hint for another zone", [e("10.0.0.1", { zones: ["zone-b"] })], "node-a", "zone-a", true, ""],
    ["node without zone", [e("10.0.0.1", { zones: ["zone-a"] })], "node-a", "", true, ""],
  ])("%s", (_n, eps, node, zone, gate, mode) => {
    expect(topologyModeFromHints(eps, node, zone, { preferSameTrafficDistribution: gate })).toBe(mode);
  });
});

describe("service port policy predicates (pkg/proxy/serviceport.go)", () => {
  it.each<[string, Parameters<typeof externallyAccessible>[0], boolean]>([
    ["ClusterIP only", {}, false],
    ["nodePort 0", { nodePort: 0 }, false],
    ["NodePort", { nodePort: 30080 }, true],
    ["LoadBalancer VIP", { loadBalancerVIPs: ["203.0.113.10"] }, true],
    ["externalIPs", { externalIPs: ["198.51.100.7"] }, true],
    ["empty lists", { loadBalancerVIPs: [], externalIPs: [] }, false],
  ])("externallyAccessible: %s", (_n, access, expected) => {
    expect(externallyAccessible(access)).toBe(expected);
  });

  it.each<[string, ServicePortTrafficPolicy, boolean, boolean]>([
    ["Cluster/Cluster ClusterIP", CLUSTER, true, false],
    ["iTP Local ClusterIP", ITP_LOCAL, false, true],
    ["iTP Local NodePort", ITP_LOCAL_NODEPORT, true, true],
    ["eTP Local NodePort", ETP_LOCAL_NODEPORT, true, true],
    ["eTP Local ClusterIP (ignored)", ETP_LOCAL_CLUSTERIP, true, false],
    ["both Local NodePort", BOTH_LOCAL_NODEPORT, true, true],
  ])("%s: usesCluster=%s usesLocal=%s", (_n, svc, cluster, local) => {
    expect(usesClusterEndpoints(svc)).toBe(cluster);
    expect(usesLocalEndpoints(svc)).toBe(local);
  });
});
