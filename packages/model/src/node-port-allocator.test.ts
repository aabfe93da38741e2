import { RandomSource, Scheduler } from "@kube-netsim/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NodePortAllocator, DEFAULT_NODE_PORT_RANGE } from "./node-port-allocator.js";
import { ObjectStore } from "./store.js";
import type { Service } from "./types.js";
import { ValidationError } from "./validation.js";

const FC = { seed: Number(process.env.FC_SEED ?? 20261204), numRuns: 100 };

function store(): ObjectStore {
  return new ObjectStore(new Scheduler(), { random: new RandomSource(7).stream("apiserver") });
}

const svc = (name: string, spec: Partial<Service["spec"]>): Service => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name },
  spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec },
});

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return "";
}

describe("NodePortAllocator", () => {
  it("splits 30000-32767 at offset 86 (KEP-3668: min(max(16, 2768/32), 128))", () => {
    const a = new NodePortAllocator(DEFAULT_NODE_PORT_RANGE, new RandomSource(1).stream("x"));
    expect(a.size).toBe(2768);
    expect(a.bandOffset).toBe(86);
    expect(a.range).toBe("30000-32767");
  });

  it.each([
    ["tiny range, no split", "30000-30015", 0],
    ["17 ports: the minimum 16", "30000-30016", 16],
    ["5000 ports: 156 capped at 128", "30000-34999", 128],
    ["3200 ports: size/32 = 100", "30000-33199", 100],
    ["large range capped at 128", "20000-32767", 128],
    ["1000 ports: 31", "30000-30999", 31],
  ])("band offset: %s", (_name, range, offset) => {
    expect(new NodePortAllocator(range, new RandomSource(1).stream("x")).bandOffset).toBe(offset);
  });

  it("dynamic ports come from the upper band until it is full, then from the lower band", () => {
    const a = new NodePortAllocator("30000-30099", new RandomSource(3).stream("x"));
    expect(a.bandOffset).toBe(16);
    const first = Array.from({ length: 84 }, () => a.allocateNext());
    expect(Math.min(...first)).toBe(30016);
    expect(Math.max(...first)).toBe(30099);
    expect(new Set(first).size).toBe(84);
    const rest = Array.from({ length: 16 }, () => a.allocateNext());
    expect(rest.every((p) => p >= 30000 && p < 30016)).toBe(true);
    expect(() => a.allocateNext()).toThrow("range is full");
  });

  it("property: a dynamic port is never one that is allocated, and always in the upper band while it has room", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 30000, max: 32767 }), { maxLength: 200 }), fc.integer({ min: 1, max: 100 }), (requested, n) => {
        const a = new NodePortAllocator(DEFAULT_NODE_PORT_RANGE, new RandomSource(n).stream("x"));
        const taken = new Set<number>();
        for (const p of requested) if (a.allocateStatic(p) === undefined) taken.add(p);
        for (let i = 0; i < n; i++) {
          const p = a.allocateNext();
          if (taken.has(p) || p < 30086 || p > 32767) return false;
          taken.add(p);
        }
        return a.allocated === taken.size;
      }),
      FC,
    );
  });
});

describe("NodePort allocation on Service writes (pkg/registry/core/service/storage/alloc.go)", () => {
  it("a NodePort Service gets a dynamic port from 30086-32767; a ClusterIP Service gets none", () => {
    const s = store();
    const np = s.create(svc("web", { type: "NodePort" }));
    const p = np.spec.ports?.[0].nodePort ?? 0;
    expect(p).toBeGreaterThanOrEqual(30086);
    expect(p).toBeLessThanOrEqual(32767);
    expect(s.create(svc("api", {})).spec.ports?.[0].nodePort).toBeUndefined();
    expect(s.nodePorts.allocated).toBe(1);
  });

  it("refuses a port out of range or taken with the API server's message, and leaves no allocation behind", () => {
    const s = store();
    s.create(svc("a", { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] }));
    const before = s.clusterIPs.allocated;
    expect(message(() => s.create(svc("b", { type: "NodePort", ports: [{ port: 80, nodePort: 40000 }] })))).toBe(
      'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
    expect(message(() => s.create(svc("c", { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] })))).toBe(
      'Service "c" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    );
    expect(s.clusterIPs.allocated).toBe(before);
    expect(s.nodePorts.allocated).toBe(1);
    expect(() => s.create(svc("d", { type: "NodePort", ports: [{ port: 80, nodePort: 40000 }] }))).toThrow(ValidationError);
  });

  it("releases NodePorts on delete, and a requested port is then free again", () => {
    const s = store();
    s.create(svc("a", { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] }));
    s.delete("Service", "default", "a");
    expect(s.nodePorts.allocated).toBe(0);
    expect(s.create(svc("b", { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] })).spec.ports?.[0].nodePort).toBe(30080);
  });

  it("LoadBalancer: NodePorts unless allocateLoadBalancerNodePorts is false; healthCheckNodePort only with externalTrafficPolicy Local", () => {
    const s = store();
    const lb = s.create(svc("lb", { type: "LoadBalancer" }));
    expect(lb.spec.ports?.[0].nodePort).toBeGreaterThanOrEqual(30086);
    expect(lb.spec.allocateLoadBalancerNodePorts).toBe(true);
    expect(lb.spec.healthCheckNodePort).toBeUndefined();
    const none = s.create(svc("none", { type: "LoadBalancer", allocateLoadBalancerNodePorts: false }));
    expect(none.spec.ports?.[0].nodePort).toBeUndefined();
    const local = s.create(svc("local", { type: "LoadBalancer", externalTrafficPolicy: "Local" }));
    expect(local.spec.healthCheckNodePort).toBeGreaterThanOrEqual(30086);
    expect(local.spec.healthCheckNodePort).not.toBe(local.spec.ports?.[0].nodePort);
    expect(s.nodePorts.allocated).toBe(3);
    const asked = s.create(svc("asked", { type: "LoadBalancer", externalTrafficPolicy: "Local", healthCheckNodePort: 30001 }));
    expect(asked.spec.healthCheckNodePort).toBe(30001);
    expect(message(() => s.create(svc("same", { type: "LoadBalancer", externalTrafficPolicy: "Local", ports: [{ port: 80, nodePort: 30002 }], healthCheckNodePort: 30002 })))).toBe(
      'Service "same" is invalid: spec.healthCheckNodePort: Invalid value: 30002: failed to allocate requested HealthCheck NodePort 30002: provided port is already allocated',
    );
  });

  it("TCP and UDP ports with the same port number share one dynamic NodePort", () => {
    const s = store();
    const dns = s.create(svc("dns", { type: "NodePort", ports: [{ name: "udp", port: 53, protocol: "UDP" }, { name: "tcp", port: 53, protocol: "TCP" }] }));
    expect(dns.spec.ports?.[0].nodePort).toBe(dns.spec.ports?.[1].nodePort);
    expect(s.nodePorts.allocated).toBe(1);
  });

  it("an update keeps the NodePorts (patchAllocatedValues) and changing to ClusterIP releases them", () => {
    const s = store();
    const a = s.create(svc("a", { type: "LoadBalancer", externalTrafficPolicy: "Local" }));
    const again = s.update(svc("a", { type: "LoadBalancer", externalTrafficPolicy: "Local" }));
    expect(again.spec.ports?.[0].nodePort).toBe(a.spec.ports?.[0].nodePort);
    expect(again.spec.healthCheckNodePort).toBe(a.spec.healthCheckNodePort);
    expect(s.nodePorts.allocated).toBe(2);
    s.update(svc("a", {}));
    expect(s.nodePorts.allocated).toBe(0);
  });

  it.each([
    ["healthCheckNodePort on a NodePort Service", { type: "NodePort", healthCheckNodePort: 30001 }, "spec.healthCheckNodePort: Forbidden: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"],
    ["allocateLoadBalancerNodePorts on a NodePort Service", { type: "NodePort", allocateLoadBalancerNodePorts: false }, "spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'"],
    ["an externalIP that is not an IP", { externalIPs: ["1.2.3"] }, 'spec.externalIPs[0]: Invalid value: "1.2.3": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'],
  ] as const)("validation: %s", (_name, spec, text) => {
    const err = store().check(svc("x", spec as Partial<Service["spec"]>));
    expect(err?.message).toContain(text);
  });

  it("externalTrafficPolicy is allowed on a ClusterIP Service with externalIPs (ExternallyAccessible)", () => {
    expect(store().check(svc("x", { externalIPs: ["192.0.2.10"], externalTrafficPolicy: "Local" }))).toBeUndefined();
    expect(store().check(svc("x", { externalTrafficPolicy: "Local" }))?.message).toContain("may only be set for externally-accessible services");
  });
});

describe("Service defaults (pkg/apis/core/v1/defaults.go SetDefaults_Service)", () => {
  it("NodePort and LoadBalancer Services get externalTrafficPolicy Cluster; ClusterIP ones are left alone", () => {
    const s = store();
    expect(s.create(svc("np", { type: "NodePort" })).spec.externalTrafficPolicy).toBe("Cluster");
    expect(s.create(svc("lb", { type: "LoadBalancer", externalTrafficPolicy: "Local" })).spec.externalTrafficPolicy).toBe("Local");
    expect(s.create(svc("cip", {})).spec.externalTrafficPolicy).toBeUndefined();
  });
});

describe("NodePort bookkeeping property", () => {
  type Op = { readonly kind: "apply" | "delete"; readonly name: string; readonly type: "ClusterIP" | "NodePort" | "LoadBalancer"; readonly local: boolean; readonly requested: number | undefined; readonly twoPorts: boolean };
  const op: fc.Arbitrary<Op> = fc.record({
    kind: fc.constantFrom<"apply" | "delete">("apply", "apply", "delete"),
    name: fc.constantFrom("a", "b", "c", "d"),
    type: fc.constantFrom<"ClusterIP" | "NodePort" | "LoadBalancer">("ClusterIP", "NodePort", "LoadBalancer"),
    local: fc.boolean(),
    requested: fc.option(fc.constantFrom(30000, 30001, 30050, 40000), { nil: undefined }),
    twoPorts: fc.boolean(),
  });

  it("property: after any sequence of creates, updates and deletes (refused or not), the allocator holds exactly the ports the stored Services use, each used once", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const s = store();
        for (const o of ops) {
          try {
            if (o.kind === "delete") s.delete("Service", "default", o.name);
            else {
              const ports = [{ name: "http", port: 80, ...(o.type !== "ClusterIP" && o.requested !== undefined ? { nodePort: o.requested } : {}) }, ...(o.twoPorts ? [{ name: "dns", port: 53, protocol: "UDP" as const }] : [])];
              const spec = { type: o.type, ports, ...(o.type === "LoadBalancer" && o.local ? { externalTrafficPolicy: "Local" as const } : {}) };
              if (s.get("Service", "default", o.name)) s.update(svc(o.name, spec));
              else s.create(svc(o.name, spec));
            }
          } catch {
            // A refused write must leave the books as they were: checked below.
          }
          const used: number[] = [];
          for (const x of s.list("Service")) {
            const mine = new Set<number>();
            for (const p of x.spec.ports ?? []) if (p.nodePort) mine.add(p.nodePort);
            if (x.spec.healthCheckNodePort) mine.add(x.spec.healthCheckNodePort);
            used.push(...mine);
          }
          if (new Set(used).size !== used.length) return false;
          if (s.nodePorts.allocated !== used.length) return false;
          if (!used.every((p) => s.nodePorts.has(p))) return false;
        }
        return true;
      }),
      FC,
    );
  });
});
