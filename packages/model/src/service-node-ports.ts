/**
 * NodePort and healthCheckNodePort bookkeeping of a Service write, as kube-apiserver's
 * Service REST storage does it (pkg/registry/core/service/storage/alloc.go:
 * allocServiceNodePorts, updateNodePorts, allocHealthCheckNodePort; storage.go
 * patchAllocatedValues).
 *
 * @packageDocumentation
 */
import { fieldInvalid } from "./field-error.js";
import type { FieldError } from "./field-error.js";
import type { NodePortAllocator } from "./node-port-allocator.js";
import type { Service, ServicePort, ServiceSpec } from "./types.js";
import { ValidationError } from "./validation.js";

/**
 * Whether a Service gets NodePorts: type NodePort, or LoadBalancer unless
 * `allocateLoadBalancerNodePorts: false` (pkg/registry/core/service/storage/alloc.go
 * needsNodePort; the field defaults to true, pkg/apis/core/v1/defaults.go).
 *
 * @example
 * ```ts
 * needsNodePorts({ type: "NodePort" });                                         // true
 * needsNodePorts({ type: "LoadBalancer", allocateLoadBalancerNodePorts: false }); // false
 * ```
 */
export function needsNodePorts(spec: ServiceSpec): boolean {
  return spec.type === "NodePort" || (spec.type === "LoadBalancer" && spec.allocateLoadBalancerNodePorts !== false);
}

/**
 * Whether a Service gets a `healthCheckNodePort`: type LoadBalancer with
 * `externalTrafficPolicy: Local` (pkg/api/service/util.go NeedsHealthCheck).
 *
 * @example
 * ```ts
 * needsHealthCheck({ type: "LoadBalancer", externalTrafficPolicy: "Local" }); // true
 * needsHealthCheck({ type: "NodePort", externalTrafficPolicy: "Local" });     // false
 * ```
 */
export function needsHealthCheck(spec: ServiceSpec): boolean {
  return spec.type === "LoadBalancer" && spec.externalTrafficPolicy === "Local";
}

function usedPorts(svc: Service | undefined): Set<number> {
  const s = new Set<number>();
  if (!svc) return s;
  for (const p of svc.spec.ports ?? []) if (p.nodePort) s.add(p.nodePort);
  if (svc.spec.healthCheckNodePort) s.add(svc.spec.healthCheckNodePort);
  return s;
}

/**
 * An update that leaves nodePorts (or healthCheckNodePort) unset keeps the ones the old
 * object had, by port name, unless another port of the new object already uses that
 * number (pkg/registry/core/service/storage/storage.go patchAllocatedValues).
 */
type MutablePort = { -readonly [K in keyof ServicePort]: ServicePort[K] };

function patchFromOld(next: Service, old: Service | undefined): MutablePort[] {
  const ports: MutablePort[] = (next.spec.ports ?? []).map((p) => ({ ...p }));
  if (!old || !needsNodePorts(old.spec) || !needsNodePorts(next.spec)) return ports;
  const oldUsed = new Set((old.spec.ports ?? []).map((p) => p.nodePort ?? 0));
  const taken = new Set<number>();
  for (const p of ports) if (p.nodePort && oldUsed.has(p.nodePort)) taken.add(p.nodePort);
  const byName = new Map<string, number>();
  for (const p of old.spec.ports ?? []) byName.set(p.name ?? "", p.nodePort ?? 0);
  for (const p of ports) {
    if (p.nodePort) continue;
    const v = byName.get(p.name ?? "") ?? 0;
    if (v !== 0 && !taken.has(v)) p.nodePort = v;
  }
  return ports;
}

/**
 * The errors a write of `next` (replacing `old`, if any) would get from the NodePort
 * allocator, without allocating anything: requested ports that are out of range or
 * already taken. `alsoTaken` holds ports requested earlier in the same batch.
 *
 * @example
 * ```ts
 * // `web` holds nodePort 30080; Service `other` asks for it (spec.ports[0]) and for 40000 (spec.ports[1])
 * checkServiceNodePorts(other, undefined, store.nodePorts).map(formatFieldError);
 * // ["spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated",
 * //  "spec.ports[1].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767"]
 * ```
 */
export function checkServiceNodePorts(next: Service, old: Service | undefined, allocator: NodePortAllocator, alsoTaken: Set<number> = new Set()): FieldError[] {
  const errs: FieldError[] = [];
  const mine = usedPorts(old);
  const ports = patchFromOld(next, old);
  const seen = new Set<number>();
  ports.forEach((p, i) => {
    const np = p.nodePort ?? 0;
    if (np === 0 || mine.has(np) || seen.has(np)) return;
    seen.add(np);
    const why = alsoTaken.has(np) ? "provided port is already allocated" : allocator.checkStatic(np);
    if (why !== undefined) errs.push(fieldInvalid(`spec.ports[${i}].nodePort`, np, why));
    alsoTaken.add(np);
  });
  const hc = next.spec.healthCheckNodePort ?? 0;
  if (hc !== 0 && needsHealthCheck(next.spec) && old?.spec.healthCheckNodePort !== hc) {
    // A port this Service already holds as a NodePort, or one asked for above, is taken too.
    const why = alsoTaken.has(hc) || seen.has(hc) || mine.has(hc) ? "provided port is already allocated" : allocator.checkStatic(hc);
    if (why !== undefined) errs.push(fieldInvalid("spec.healthCheckNodePort", hc, `failed to allocate requested HealthCheck NodePort ${hc}: ${why}`));
    alsoTaken.add(hc);
  }
  return errs;
}

/**
 * Allocates what a create (`old` undefined) or update of a Service needs and frees what
 * it no longer uses. Returns the Service with every `nodePort` and
 * `healthCheckNodePort` filled in (and, as SetDefaults_Service does,
 * `allocateLoadBalancerNodePorts: true` for LoadBalancers and `externalTrafficPolicy:
 * Cluster` for NodePort and LoadBalancer Services that leave them out).
 *
 * @remarks
 * Rules (pkg/registry/core/service/storage/alloc.go): requested ports are allocated as
 * given (`spec.ports[i].nodePort: Invalid value: 40000: provided port is not in the valid
 * range. The range of valid ports is 30000-32767` or `...: provided port is already
 * allocated`); missing ones of a Service that needs NodePorts are allocated
 * dynamically, ports with the same `port` number (TCP and UDP) sharing one NodePort;
 * ports the old object held are kept; the ones it no longer uses are released. A
 * healthCheckNodePort is kept, allocated or released the same way. On any error nothing
 * changes.
 *
 * @throws ValidationError on a refused port; Error `failed to allocate a nodePort: range is full`.
 *
 * @example
 * ```ts
 * const allocator = new NodePortAllocator(DEFAULT_NODE_PORT_RANGE, rng.stream("apiserver"));
 * const web: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "web" },
 *   spec: { type: "NodePort", selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: 8080 }, { name: "admin", port: 81, nodePort: 30080 }] } };
 * const stored = allocateServiceNodePorts(web, undefined, allocator);
 * stored.spec.ports?.map((p) => p.nodePort); // [<random in 30086-32767>, 30080]
 * stored.spec.externalTrafficPolicy;         // "Cluster" (defaulted)
 * ```
 */
export function allocateServiceNodePorts(next: Service, old: Service | undefined, allocator: NodePortAllocator): Service {
  if (next.spec.type === "ExternalName") {
    if (old) releaseServiceNodePorts(old, allocator);
    return next;
  }
  const errs = checkServiceNodePorts(next, old, allocator);
  if (errs.length > 0) throw new ValidationError("Service", next.metadata.name, errs);
  const mine = usedPorts(old);
  const ports = patchFromOld(next, old);
  const fresh: number[] = [];
  try {
    const byPortNumber = new Map<number, number>();
    const allocated = new Set<number>();
    for (const p of ports) {
      const np = p.nodePort ?? 0;
      if (np === 0) continue;
      if (!mine.has(np) && !allocated.has(np)) {
        allocator.allocateStatic(np);
        fresh.push(np);
      }
      allocated.add(np);
      byPortNumber.set(p.port, np);
    }
    if (needsNodePorts(next.spec)) {
      for (const p of ports) {
        if (p.nodePort) continue;
        const shared = byPortNumber.get(p.port);
        if (shared !== undefined) {
          p.nodePort = shared;
          continue;
        }
        const np = nextPort(allocator);
        fresh.push(np);
        allocated.add(np);
        byPortNumber.set(p.port, np);
        p.nodePort = np;
      }
    }
    let hc = next.spec.healthCheckNodePort ?? 0;
    if (needsHealthCheck(next.spec)) {
      if (hc === 0 && old && needsHealthCheck(old.spec)) hc = old.spec.healthCheckNodePort ?? 0;
      if (hc === 0) {
        hc = nextPort(allocator);
        fresh.push(hc);
      } else if (!mine.has(hc) && !allocated.has(hc)) {
        allocator.allocateStatic(hc);
        fresh.push(hc);
      }
      allocated.add(hc);
    } else hc = 0;
    // Release what the old object held and the new one does not.
    for (const np of mine) if (!allocated.has(np)) allocator.release(np);
    const spec: ServiceSpec = { ...next.spec, ports };
    const out: { -readonly [K in keyof ServiceSpec]: ServiceSpec[K] } = spec;
    if (hc !== 0) out.healthCheckNodePort = hc;
    else delete out.healthCheckNodePort;
    if (next.spec.type === "LoadBalancer" && next.spec.allocateLoadBalancerNodePorts === undefined) out.allocateLoadBalancerNodePorts = true;
    // pkg/apis/core/v1/defaults.go SetDefaults_Service: externally accessible Services get externalTrafficPolicy Cluster.
    if ((next.spec.type === "NodePort" || next.spec.type === "LoadBalancer") && next.spec.externalTrafficPolicy === undefined) out.externalTrafficPolicy = "Cluster";
    return { ...next, spec: out };
  } catch (e) {
    for (const np of fresh) allocator.release(np);
    throw e;
  }
}

function nextPort(allocator: NodePortAllocator): number {
  try {
    return allocator.allocateNext();
  } catch (e) {
    throw new Error(`failed to allocate a nodePort: ${(e as Error).message}`);
  }
}

/**
 * Frees every NodePort and the healthCheckNodePort of a deleted Service.
 *
 * @example
 * ```ts
 * // stored, allocator: as in the allocateServiceNodePorts example
 * releaseServiceNodePorts(stored, allocator); // on delete: 30080 and the dynamic port are free again
 * allocator.checkStatic(30080);               // undefined: free
 * ```
 */
export function releaseServiceNodePorts(svc: Service, allocator: NodePortAllocator): void {
  for (const np of usedPorts(svc)) allocator.release(np);
}
