import { describe, it, expect } from "vitest";
import { Interner, RandomSource, Scheduler } from "@kube-netsim/core";
import { ObjectStore } from "@kube-netsim/model";
import type { Endpoint, EndpointSlice, Node, Service, ServiceSpec } from "@kube-netsim/model";
import type { DataPlane } from "./data-plane.js";
import { CiliumDataPlane } from "./cilium/cilium-data-plane.js";
import { IptablesDataPlane } from "./iptables/iptables-data-plane.js";
import { IpvsDataPlane } from "./ipvs/ipvs-data-plane.js";
import { NftablesDataPlane } from "./nftables/nftables-data-plane.js";
import { KubeProxy } from "./kube-proxy.js";
import { externalAddresses, nodeInternalIP } from "./external.js";
import { ROUTE_DROPPED, ROUTE_REJECTED } from "./service-frontend.js";

// kube-proxy's external addresses (NodePort, load-balancer IP, externalIP) on three nodes
// with fixed IPs, one endpoint on node-a and one on node-b, none on node-c.

const NODE_IP: Record<string, string> = { "node-a": "10.0.0.10", "node-b": "10.0.0.11", "node-c": "10.0.0.12" };

function node(name: string): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "topology.kubernetes.io/zone": `zone-${name.slice(-1)}` } },
    status: { addresses: [{ type: "InternalIP", address: NODE_IP[name] }] },
  };
}

function service(spec: Partial<ServiceSpec>): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "api", namespace: "default" },
    spec: { selector: { app: "api" }, ports: [{ name: "http", port: 80, targetPort: 8080, nodePort: 30080 }], clusterIP: "10.96.0.10", ...spec },
  };
}

const ready = (ip: string, nodeName: string): Endpoint => ({ addresses: [ip], nodeName, conditions: { ready: true, serving: true, terminating: false } });

function slice(endpoints: readonly Endpoint[]): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "api-1", namespace: "default", labels: { "kubernetes.io/service-name": "api" } },
    addressType: "IPv4",
    endpoints,
    ports: [{ name: "http", protocol: "TCP", port: 8080 }],
  };
}

const PLANES: Record<string, () => DataPlane> = {
  iptables: () => new IptablesDataPlane(),
  nftables: () => new NftablesDataPlane(),
  ipvs: () => new IpvsDataPlane("rr"),
  cilium: () => new CiliumDataPlane(),
};

function cluster(spec: Partial<ServiceSpec>, endpoints: readonly Endpoint[], mode: string = "iptables"): { proxies: Record<string, KubeProxy>; store: ObjectStore; scheduler: Scheduler } {
  const scheduler = new Scheduler();
  const random = new RandomSource(5);
  const store = new ObjectStore(scheduler, { random: random.stream("apiserver") });
  for (const n of Object.keys(NODE_IP)) store.create(node(n));
  const addresses = new Interner();
  const proxies: Record<string, KubeProxy> = {};
  for (const n of Object.keys(NODE_IP)) proxies[n] = new KubeProxy(scheduler, store, { nodeName: n, dataPlane: PLANES[mode](), addresses, random: random.stream(n) });
  store.create(service(spec));
  store.create(slice(endpoints));
  scheduler.runUntil(5000);
  return { proxies, store, scheduler };
}

const TWO = [ready("10.244.0.2", "node-a"), ready("10.244.1.2", "node-b")];

describe("external addresses", () => {
  it("nodeInternalIP and externalAddresses: the NodePort on this node's IP, each LB ingress IP and externalIP on the Service port", () => {
    expect(nodeInternalIP(node("node-b"))).toBe("10.0.0.11");
    expect(nodeInternalIP(undefined)).toBe("");
    const svc: Service = { ...service({ type: "LoadBalancer", externalIPs: ["198.51.100.7"] }), status: { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } } };
    expect(externalAddresses(svc, svc.spec.ports![0], "10.0.0.10")).toEqual(["10.0.0.10:30080/TCP", "192.0.2.1:80/TCP", "198.51.100.7:80/TCP"]);
    // A ClusterIP Service has no NodePort even if a stale value were present; no LB IP unless type LoadBalancer.
    const plain: Service = { ...svc, spec: { ...svc.spec, type: "ClusterIP", externalIPs: [] } };
    expect(externalAddresses(plain, plain.spec.ports![0], "10.0.0.10")).toEqual([]);
  });

  // Verdict and endpoints of `<nodeIP>:30080` per node, per externalTrafficPolicy (spec 1.4, "ten things" 5-6).
  it.each([
    ["Cluster, node with an endpoint", "Cluster", "node-a", "forward", ["10.244.0.2:8080", "10.244.1.2:8080"]],
    ["Cluster, node without one: forwards to other nodes", "Cluster", "node-c", "forward", ["10.244.0.2:8080", "10.244.1.2:8080"]],
    ["Local, node with an endpoint: only the local one", "Local", "node-a", "forward", ["10.244.0.2:8080"]],
    ["Local, node without one: DROP", "Local", "node-c", "drop", []],
  ] as const)("NodePort, externalTrafficPolicy %s", (_name, etp, nodeName, verdict, keys) => {
    for (const mode of Object.keys(PLANES)) {
      const { proxies } = cluster({ type: "NodePort", externalTrafficPolicy: etp }, TWO, mode);
      const f = proxies[nodeName].frontend(`${NODE_IP[nodeName]}:30080/TCP`);
      expect(f.kind).toBe("external");
      expect(f.verdict).toBe(verdict);
      expect(f.endpoints.map((e) => e.key)).toEqual(keys);
      if (verdict === "drop") expect(proxies[nodeName].connect(f, 0xcb00710a)).toBe(ROUTE_DROPPED);
    }
  });

  it("no endpoint anywhere: external addresses REJECT under both policies", () => {
    for (const etp of ["Cluster", "Local"] as const) {
      const { proxies } = cluster({ type: "NodePort", externalTrafficPolicy: etp }, []);
      const f = proxies["node-a"].frontend("10.0.0.10:30080/TCP");
      expect(f.verdict).toBe("reject");
      expect(proxies["node-a"].connect(f, 0xcb00710a)).toBe(ROUTE_REJECTED);
    }
  });

  it("short-circuit: traffic starting on a node without local endpoints uses the Cluster endpoints under Local (iptables, nftables, Cilium)", () => {
    for (const mode of ["iptables", "nftables", "cilium"]) {
      const { proxies } = cluster({ type: "NodePort", externalTrafficPolicy: "Local" }, TWO, mode);
      const lo = proxies["node-c"].localOriginFrontend("10.0.0.12:30080/TCP");
      expect(lo.kind).toBe("local-origin");
      expect(lo.verdict).toBe("forward");
      expect(lo.endpoints.map((e) => e.key)).toEqual(["10.244.0.2:8080", "10.244.1.2:8080"]);
      // On a node with a local endpoint, local traffic still goes to every Cluster endpoint (KUBE-SVC).
      expect(proxies["node-a"].localOriginFrontend("10.0.0.10:30080/TCP").endpoints.length).toBe(2);
    }
  });

  it("IPVS: one virtual server per address, so node-originated traffic uses the local endpoints when there are some (kubernetes#97081)", () => {
    const { proxies } = cluster({ type: "NodePort", externalTrafficPolicy: "Local" }, TWO, "ipvs");
    expect(proxies["node-a"].localOriginFrontend("10.0.0.10:30080/TCP").endpoints.map((e) => e.key)).toEqual(["10.244.0.2:8080"]);
    expect(proxies["node-c"].localOriginFrontend("10.0.0.12:30080/TCP").endpoints.length).toBe(2);
  });

  it("externalIPs are programmed on every node; iptables and nftables print them; programmedAddresses lists no local-origin key", () => {
    const { proxies } = cluster({ externalIPs: ["198.51.100.7"], ports: [{ name: "http", port: 80, targetPort: 8080 }] }, TWO);
    for (const n of Object.keys(NODE_IP)) expect(proxies[n].frontend("198.51.100.7:80/TCP").verdict).toBe("forward");
    expect(proxies["node-a"].programmedAddresses()).toEqual(["10.96.0.10:80/TCP", "198.51.100.7:80/TCP"]);
    expect(proxies["node-a"].ruleset()).toContain('-A KUBE-SERVICES -d 198.51.100.7/32 -p tcp -m comment --comment "default/api:http external IP" -m tcp --dport 80 -j KUBE-EXT-KKDGWRPDK6Z5NCHS');
    const nft = cluster({ externalIPs: ["198.51.100.7"], ports: [{ name: "http", port: 80, targetPort: 8080 }] }, TWO, "nftables");
    const nftText = nft.proxies["node-a"].ruleset();
    // pkg/proxy/nftables/proxier.go: the externalIP goes to the port's external- chain, which masquerades (Cluster) then goes to service-.
    expect(nftText).toMatch(/198\.51\.100\.7 \. tcp \. 80 : goto external-[A-Z0-9]{8}-default\/api\/tcp\/http/);
    expect(nftText).toMatch(/chain external-[A-Z0-9]{8}-default\/api\/tcp\/http \{\n\t\tjump mark-for-masquerade\n\t\tgoto service-/);
  });

  it("health-check server: 200 with the local ready endpoint count, 503 on a node without one", () => {
    const { proxies, store, scheduler } = cluster({ type: "LoadBalancer", externalTrafficPolicy: "Local", healthCheckNodePort: 32000 }, TWO);
    expect(proxies["node-a"].healthCheck("default", "api")).toEqual({ statusCode: 200, localEndpoints: 1, serviceProxyHealthy: true });
    expect(proxies["node-c"].healthCheck("default", "api")).toEqual({ statusCode: 503, localEndpoints: 0, serviceProxyHealthy: true });
    // The endpoint on node-a goes away: node-a answers 503 after its next sync.
    store.update(slice([ready("10.244.1.2", "node-b")]));
    scheduler.runUntil(10_000);
    expect(proxies["node-a"].healthCheck("default", "api").statusCode).toBe(503);
    expect(proxies["node-b"].healthCheck("default", "api")).toEqual({ statusCode: 200, localEndpoints: 1, serviceProxyHealthy: true });
    // A later sync of the Service keeps its external rules (regression: they must not be treated as stale).
    expect(proxies["node-b"].frontend("10.0.0.11:30080/TCP").verdict).toBe("forward");
    expect(proxies["node-a"].frontend("10.0.0.10:30080/TCP").verdict).toBe("drop");
    expect(proxies["node-a"].localOriginFrontend("10.0.0.10:30080/TCP").verdict).toBe("forward");
  });

  it("a kube-proxy that has not synced a change for 2 x syncPeriod (60 s) is unhealthy: its health checks and /healthz answer 503 (proxy_health.go)", () => {
    const { proxies, store, scheduler } = cluster({ type: "LoadBalancer", externalTrafficPolicy: "Local", healthCheckNodePort: 32000 }, TWO);
    const a = proxies["node-a"];
    expect(a.healthz()).toEqual({ statusCode: 200, healthy: true, nodeEligible: true });
    const t0 = scheduler.now;
    a.stall(Infinity);
    // A stalled kube-proxy with nothing new to sync stays healthy, however long.
    scheduler.runUntil(t0 + 120_000);
    expect(a.healthCheck("default", "api")).toEqual({ statusCode: 200, localEndpoints: 1, serviceProxyHealthy: true });
    // A change arrives and waits: healthy for 60 s after it was queued, then not.
    store.update(slice([ready("10.244.0.2", "node-a"), ready("10.244.1.2", "node-b"), ready("10.244.1.3", "node-b")]));
    const queued = scheduler.now;
    scheduler.runUntil(queued + 59_999);
    expect(a.healthy).toBe(true);
    scheduler.runUntil(queued + 60_001);
    expect(a.healthy).toBe(false);
    expect(a.healthCheck("default", "api")).toEqual({ statusCode: 503, localEndpoints: 1, serviceProxyHealthy: false });
    expect(a.healthz()).toEqual({ statusCode: 503, healthy: false, nodeEligible: true });
    expect(proxies["node-b"].healthz().statusCode).toBe(200);
    // It syncs again: healthy.
    a.restart();
    scheduler.runUntil(scheduler.now + 1000);
    expect(a.healthCheck("default", "api")).toEqual({ statusCode: 200, localEndpoints: 1, serviceProxyHealthy: true });
  });

  it("/healthz: a node tainted ToBeDeletedByClusterAutoscaler, or deleted, is not eligible (503)", () => {
    const { proxies, store, scheduler } = cluster({ type: "LoadBalancer" }, TWO);
    const n = store.get("Node", undefined, "node-b") as Node;
    store.update({ ...n, spec: { ...n.spec, taints: [{ key: "ToBeDeletedByClusterAutoscaler", value: "1700000000", effect: "NoSchedule" }] } });
    scheduler.runUntil(scheduler.now + 1000);
    expect(proxies["node-b"].healthz()).toEqual({ statusCode: 503, healthy: true, nodeEligible: false });
    store.delete("Node", undefined, "node-c");
    scheduler.runUntil(scheduler.now + 1000);
    expect(proxies["node-c"].healthz().nodeEligible).toBe(false);
    expect(proxies["node-a"].healthz().statusCode).toBe(200);
  });

  it("removing the NodePort (type back to ClusterIP) removes the external rule", () => {
    const { proxies, store, scheduler } = cluster({ type: "NodePort" }, TWO);
    expect(proxies["node-a"].frontend("10.0.0.10:30080/TCP").verdict).toBe("forward");
    store.update(service({ type: "ClusterIP", ports: [{ name: "http", port: 80, targetPort: 8080 }] }));
    scheduler.runUntil(10_000);
    expect(proxies["node-a"].frontend("10.0.0.10:30080/TCP").verdict).toBe("no-rule");
    expect(proxies["node-a"].frontend("10.96.0.10:80/TCP").verdict).toBe("forward");
  });
});

describe("iptables-save with external addresses (pkg/proxy/iptables/proxier.go)", () => {
  const lbService: Partial<ServiceSpec> = { type: "LoadBalancer", externalTrafficPolicy: "Local", healthCheckNodePort: 32000, externalIPs: ["198.51.100.7"] };

  function withLB(mode = "iptables"): ReturnType<typeof cluster> {
    const c = cluster(lbService, TWO, mode);
    c.store.mutate("Service", "default", "api", (d) => {
      d.status = { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } };
    });
    c.scheduler.runUntil(10_000);
    return c;
  }

  it("Local, node with an endpoint: KUBE-EXT short-circuits LOCAL traffic to KUBE-SVC and sends the rest to KUBE-SVL", () => {
    const out = withLB().proxies["node-a"].ruleset();
    const ext = out.split("\n").filter((l) => l.startsWith("-A KUBE-EXT-"));
    expect(ext).toEqual([
      '-A KUBE-EXT-KKDGWRPDK6Z5NCHS -m comment --comment "masquerade LOCAL traffic for default/api:http external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ',
      '-A KUBE-EXT-KKDGWRPDK6Z5NCHS -m comment --comment "route LOCAL traffic for default/api:http external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-KKDGWRPDK6Z5NCHS',
      "-A KUBE-EXT-KKDGWRPDK6Z5NCHS -j KUBE-SVL-KKDGWRPDK6Z5NCHS",
    ]);
    expect(out).toContain('-A KUBE-SVL-KKDGWRPDK6Z5NCHS -m comment --comment "default/api:http -> 10.244.0.2:8080" -j KUBE-SEP-');
    expect(out).toContain('-A KUBE-SERVICES -d 192.0.2.1/32 -p tcp -m comment --comment "default/api:http loadbalancer IP" -m tcp --dport 80 -j KUBE-EXT-KKDGWRPDK6Z5NCHS');
    expect(out).toContain('-A KUBE-SERVICES -d 198.51.100.7/32 -p tcp -m comment --comment "default/api:http external IP" -m tcp --dport 80 -j KUBE-EXT-KKDGWRPDK6Z5NCHS');
    expect(out).toContain('-A KUBE-NODEPORTS -p tcp -m comment --comment "default/api:http" -m tcp --dport 30080 -j KUBE-EXT-KKDGWRPDK6Z5NCHS');
    expect(out).toContain('-A KUBE-NODEPORTS -p tcp -m comment --comment "default/api:http health check node port" -m tcp --dport 32000 -j ACCEPT');
    expect(out).not.toContain("-A KUBE-EXTERNAL-SERVICES");
  });

  it("Local, node without an endpoint: filter KUBE-EXTERNAL-SERVICES drops external traffic, KUBE-EXT keeps only the short-circuit", () => {
    const out = withLB().proxies["node-c"].ruleset();
    expect(out.split("\n").filter((l) => l.startsWith("-A KUBE-EXTERNAL-SERVICES"))).toEqual([
      '-A KUBE-EXTERNAL-SERVICES -d 198.51.100.7/32 -p tcp -m comment --comment "default/api:http has no local endpoints" -m tcp --dport 80 -j DROP',
      '-A KUBE-EXTERNAL-SERVICES -d 192.0.2.1/32 -p tcp -m comment --comment "default/api:http has no local endpoints" -m tcp --dport 80 -j DROP',
      '-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default/api:http has no local endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 30080 -j DROP',
    ]);
    expect(out).not.toContain("KUBE-SVL-");
    expect(out.split("\n").filter((l) => l.startsWith("-A KUBE-EXT-")).length).toBe(2);
  });

  it("Cluster policy: KUBE-EXT masquerades, then KUBE-SVC; no endpoint anywhere: REJECT everywhere, no nat chains", () => {
    const { proxies } = cluster({ type: "NodePort" }, TWO);
    const out = proxies["node-c"].ruleset();
    expect(out.split("\n").filter((l) => l.startsWith("-A KUBE-EXT-"))).toEqual([
      '-A KUBE-EXT-KKDGWRPDK6Z5NCHS -m comment --comment "masquerade traffic for default/api:http external destinations" -j KUBE-MARK-MASQ',
      "-A KUBE-EXT-KKDGWRPDK6Z5NCHS -j KUBE-SVC-KKDGWRPDK6Z5NCHS",
    ]);
    const empty = cluster({ type: "NodePort" }, []).proxies["node-a"].ruleset();
    expect(empty).toContain('-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default/api:http has no endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 30080 -j REJECT --reject-with icmp-port-unreachable');
    expect(empty).toContain('-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "default/api:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable');
    expect(empty).not.toContain("KUBE-EXT-");
  });

  it("the restore text of a Local port carries the pod-traffic short-circuit when the cluster CIDR is known", async () => {
    const { formatIptablesSave } = await import("./iptables/iptables-save.js");
    const { proxies } = withLB();
    const p = proxies["node-a"];
    const frontends = [...p.programmedFrontends(), p.localOriginFrontend("10.0.0.10:30080/TCP")];
    const text = formatIptablesSave(frontends, { format: "iptables-restore", clusterCIDR: "10.244.0.0/16" });
    expect(text).toContain('-A KUBE-EXT-KKDGWRPDK6Z5NCHS -m comment --comment "pod traffic for default/api:http external destinations" -s 10.244.0.0/16 -j KUBE-SVC-KKDGWRPDK6Z5NCHS');
    expect(text).toContain("-A KUBE-NODEPORTS -m comment --comment default/api:http -m tcp -p tcp --dport 30080 -j KUBE-EXT-KKDGWRPDK6Z5NCHS");
  });
});

describe("ipvsadm and Cilium listings with external addresses", () => {
  it("IPVS lists a virtual server per external address; Cilium lists the frontend types", () => {
    const ipvs = cluster({ type: "NodePort", externalIPs: ["198.51.100.7"] }, TWO, "ipvs").proxies["node-a"].ruleset();
    expect(ipvs.split("\n").filter((l) => /^TCP /.test(l))).toEqual(["TCP  10.0.0.10:30080 rr", "TCP  10.96.0.10:80 rr", "TCP  198.51.100.7:80 rr"]);
    const cilium = cluster({ type: "NodePort", externalIPs: ["198.51.100.7"] }, TWO, "cilium").proxies["node-a"].ruleset();
    expect(cilium).toContain("10.0.0.10:30080/TCP    NodePort       1 => 10.244.0.2:8080/TCP (active)");
    expect(cilium).toContain("198.51.100.7:80/TCP    ExternalIPs    1 => 10.244.0.2:8080/TCP (active)");
    expect(cilium).toContain("10.96.0.10:80/TCP      ClusterIP      1 => 10.244.0.2:8080/TCP (active)");
  });
});
