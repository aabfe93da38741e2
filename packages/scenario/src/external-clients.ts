/**
 * The simulation's side of traffic from outside: external clients, pod clients calling
 * external addresses, the load-balancer implementation, and cross-zone accounting.
 *
 * @packageDocumentation
 */
import { exponential } from "@kube-netsim/core";
import type { Callbacks, Distribution, Interner, RandomSource } from "@kube-netsim/core";
import { LABEL_ZONE, formatIPv4, needsHealthCheck, parseIPv4 } from "@kube-netsim/model";
import type { ObjectStore, Service } from "@kube-netsim/model";
import { nodeInternalIP } from "@kube-netsim/proxy";
import type { KubeProxy, ServiceFrontend } from "@kube-netsim/proxy";
import type { ConnectionPolicy, TrafficEngine } from "@kube-netsim/traffic";
import { CloudLoadBalancer, ExternalRoute, LoadBalancerController } from "./external-traffic.js";
import type { ExternalClientResult, LoadBalancerOptions, RouteEntry } from "./external-traffic.js";

/**
 * Options of {@link Simulation.addExternalClient}.
 *
 * @example
 * ```ts
 * sim.addExternalClient({ name: "internet", target: "lb", service: "api", rate: 200, sourceIP: "203.0.113.7" });
 * sim.addExternalClient({ name: "np", target: `${sim.nodeIP("node-3")}:${nodePort}`, rate: 20 });
 * ```
 */
export interface AddExternalClientOptions {
  /** Client name, unique among all clients. */
  readonly name: string;
  /**
   * Where connections go: `"ingress"` (the Ingress controller's load balancer, with
   * `host` and `path`; see `SimulationOptions.ingressController`), `"lb"` (the load
   * balancer of `service`), or `"<ip>:<port>"`
   * where the IP is a node's InternalIP (a NodePort on that node), a load-balancer ingress
   * IP (through the load balancer), or one of a Service's `externalIPs` (entering at `node`).
   */
  readonly target: string;
  /** With `target: "ingress"`: the HTTP Host the client sends (default: the controller's load-balancer IP, which only host-less rules match). */
  readonly host?: string;
  /** With `target: "ingress"`: the request path (default `/`). */
  readonly path?: string;
  /** The Service, for `target: "lb"`. */
  readonly service?: string;
  /** Service port (`spec.ports[].port`) for `target: "lb"`. Default: the first port. */
  readonly port?: number;
  /** Namespace of `service`. Default `default`. */
  readonly namespace?: string;
  /** Node that traffic to an externalIP enters by (the network's route for it). Default: the first node. */
  readonly node?: string;
  /** The client's IP, outside the pod and node ranges. Default `203.0.113.<10 + n>` (TEST-NET-3) for the n-th external client. */
  readonly sourceIP?: string;
  /** Requests per second, as a Poisson process. Give this or `interarrival`. */
  readonly rate?: number;
  /** Time between requests (ms), for other arrival processes. */
  readonly interarrival?: Distribution;
  /** Connect timeout in ms. Default 1000. */
  readonly connectTimeout?: number;
  /** Connection use (see `AddClientOptions.connections`). Default `per-request`. */
  readonly connections?: ConnectionPolicy;
}

/**
 * Requests that crossed a zone (see {@link Simulation.crossZoneTraffic}).
 *
 * @example
 * ```ts
 * const x: CrossZoneResult = sim.crossZoneTraffic(); // after sim.runFor(...) and sim.drain()
 * x.share;                          // e.g. 0.66: load balancer entry spread over 3 zones, endpoints in 2
 * x.byZonePair["zone-a -> zone-b"]; // requests from zone-a clients served in zone-b
 * ```
 */
export interface CrossZoneResult {
  /** Requests counted: completed requests of pod clients plus connections of external clients that reached an endpoint. */
  readonly requests: number;
  /** Of those, between nodes in different zones. */
  readonly crossZone: number;
  /** `crossZone / requests` (0 when none). */
  readonly share: number;
  /** Counts per `"<client zone> -> <endpoint zone>"`, sorted; a node without a zone label counts as `""`. */
  readonly byZonePair: Readonly<Record<string, number>>;
  /** `crossZone x (requestBytes + responseBytes)` of the options: the bytes to price (0 when no sizes were given). */
  readonly crossZoneBytes: number;
}

/**
 * Options of {@link Simulation.crossZoneTraffic}.
 *
 * @example
 * ```ts
 * const options: CrossZoneOptions = { requestBytes: 800, responseBytes: 4000 };
 * sim.crossZoneTraffic(options).crossZoneBytes; // crossZone x 4800
 * ```
 */
export interface CrossZoneOptions {
  /** Bytes a request carries to the endpoint. Default 0. */
  readonly requestBytes?: number;
  /** Bytes a response carries back. Default 0. */
  readonly responseBytes?: number;
}

/** What {@link ExternalTraffic} needs of the simulation. */
export interface ExternalTrafficContext {
  readonly store: ObjectStore;
  readonly later: Callbacks;
  readonly random: RandomSource;
  readonly traffic: TrafficEngine;
  readonly addresses: Interner;
  readonly proxies: ReadonlyMap<string, KubeProxy>;
  /** The node of the pod behind an `IP:port`, "" when unknown. */
  readonly endpointNode: (address: string) => string;
  readonly loadBalancer?: LoadBalancerOptions;
  /** Every client's name and source IP (pod and external clients share one namespace of names). */
  readonly clientIPs: Map<string, number>;
  /** Called when a load balancer sees a node turn healthy or unhealthy. */
  readonly onHealthChange?: (service: string, node: string, healthy: boolean) => void;
  /** Whether a node is down (failed): it answers no health check and drops what enters by it. */
  readonly nodeDown?: (node: string) => boolean;
}

type Destination =
  | { readonly kind: "node"; readonly node: string }
  | { readonly kind: "lb"; readonly service: Service }
  | { readonly kind: "external-ip"; readonly service: Service };

/**
 * External clients and routes of one simulation (used by {@link Simulation}).
 */
export class ExternalTraffic {
  private readonly controller: LoadBalancerController | undefined;
  private readonly routes: { name: string; index: number; route: ExternalRoute }[] = [];
  private externalCount = 0;

  constructor(private readonly ctx: ExternalTrafficContext) {
    const nodes = [...ctx.proxies.keys()];
    if (ctx.loadBalancer !== undefined) {
      this.controller = new LoadBalancerController(ctx.store, ctx.later, ctx.loadBalancer, (key, ip, settings) => {
        const [ns, name] = key.split("/");
        const probe = (node: string): 200 | 503 => {
          // A failed node answers nothing: the check times out, which counts as a failure.
          if (ctx.nodeDown?.(node)) return 503;
          const svc = ctx.store.get("Service", ns, name);
          // ETP Local: healthCheckNodePort (pkg/proxy/healthcheck/service_health.go); Cluster: kube-proxy's
          // /healthz on port 10256 (KEP-3836; pkg/proxy/healthcheck/proxy_health.go).
          const kp = ctx.proxies.get(node) as KubeProxy;
          if (svc && needsHealthCheck(svc.spec)) return kp.healthCheck(ns, name).statusCode;
          return kp.healthz().statusCode;
        };
        return new CloudLoadBalancer(key, ip, nodes, probe, ctx.later, ctx.random.stream(`load-balancer/${key}`), settings, ctx.onHealthChange);
      });
    }
  }

  /** The InternalIP of a node. */
  nodeIP(node: string): string {
    return nodeInternalIP(this.ctx.store.get("Node", undefined, node));
  }

  /** The healthy nodes of a Service's load balancer, undefined while pending. */
  healthyNodes(namespace: string, name: string): string[] | undefined {
    return this.controller?.balancer(namespace, name)?.healthyNodes();
  }

  /**
   * The route of a pod client on `node` when `ip:port` is an external address of a
   * Service (undefined otherwise): traffic that starts in the cluster is short-circuited
   * to the Cluster endpoints. A NodePort on another node is reached through that node
   * (kube-proxy's default `--detect-local-mode ClusterCIDR` sees the pod IP as local
   * traffic there too); a load-balancer IP or externalIP never leaves the client's node.
   */
  podRoute(node: string, ip: string, port: number, protocol: string, sourceIP: string): { route: ExternalRoute; frontend: ServiceFrontend } | undefined {
    const dest = this.classify(ip);
    if (dest === undefined) return undefined;
    const entryNode = dest.kind === "node" ? dest.node : node;
    const proxy = this.ctx.proxies.get(entryNode) as KubeProxy;
    const entry: RouteEntry = { node: entryNode, nodeIP: this.nodeIP(entryNode), proxy, frontend: proxy.localOriginFrontend(`${ip}:${port}/${protocol}`) };
    return { route: this.makeRoute([entry], () => 0, sourceIP), frontend: entry.frontend };
  }

  /** Records a route's client for results. */
  register(name: string, index: number, route: ExternalRoute): void {
    this.routes.push({ name, index, route });
  }

  /** See {@link Simulation.addExternalClient}. */
  addExternalClient(o: AddExternalClientOptions): number {
    const where = `external client "${o?.name}"`;
    if (typeof o?.name !== "string" || o.name === "") throw new RangeError(`external client: name: Required value`);
    if (this.ctx.clientIPs.has(o.name)) throw new RangeError(`${where}: name: Duplicate value: "${o.name}"`);
    let interarrival = o.interarrival;
    if (interarrival === undefined) {
      if (!(typeof o.rate === "number" && o.rate > 0 && Number.isFinite(o.rate))) {
        throw new RangeError(`${where}: rate: Invalid value: ${String(o.rate)}: must be a number of requests per second > 0 (or give interarrival)`);
      }
      interarrival = exponential(1000 / o.rate);
    }
    const sourceIP = o.sourceIP ?? formatIPv4(parseIPv4("203.0.113.10") + this.externalCount);
    if (parseIPv4(sourceIP) < 0) throw new RangeError(`${where}: sourceIP: Invalid value: "${sourceIP}": must be an IPv4 address`);
    const ns = o.namespace ?? "default";
    let ip: string;
    let port: number;
    if (o.target === "lb") {
      if (!o.service) throw new RangeError(`${where}: service: Required value: the LoadBalancer Service, for target "lb"`);
      const svc = this.ctx.store.get("Service", ns, o.service);
      if (!svc) throw new RangeError(`${where}: service: Not found: services "${o.service}" in namespace "${ns}"`);
      ip = this.ingressIP(svc, where);
      const p = o.port === undefined ? svc.spec.ports?.[0] : svc.spec.ports?.find((x) => x.port === o.port);
      if (!p) throw new RangeError(`${where}: port: Invalid value: ${String(o.port)}: Service "${o.service}" has no such port`);
      port = p.port;
    } else {
      const m = /^([0-9.]+):([0-9]+)$/.exec(o.target ?? "");
      if (!m || parseIPv4(m[1]) < 0) throw new RangeError(`${where}: target: Invalid value: "${String(o.target)}": expected "lb" or "<ip>:<port>"`);
      ip = m[1];
      port = Number(m[2]);
    }
    const dest = this.classify(ip);
    if (dest === undefined) {
      throw new RangeError(`${where}: target: Invalid value: "${o.target}": ${ip} is not a node IP, a load-balancer ingress IP or an externalIP of any Service`);
    }
    const address = `${ip}:${port}/TCP`;
    let entries: RouteEntry[];
    let choose: () => number = () => 0;
    const entryFor = (node: string): RouteEntry => {
      const proxy = this.ctx.proxies.get(node);
      if (!proxy) throw new RangeError(`${where}: node: Not found: "${node}": known nodes: ${[...this.ctx.proxies.keys()].join(", ")}`);
      return { node, nodeIP: this.nodeIP(node), proxy, frontend: proxy.frontend(address) };
    };
    let lb: CloudLoadBalancer | undefined;
    if (dest.kind === "lb") {
      lb = this.controller?.balancer(ns, dest.service.metadata.name) ?? this.controller?.balancer(dest.service.metadata.namespace ?? "default", dest.service.metadata.name);
      if (!lb) throw new RangeError(`${where}: target: Invalid value: "${o.target}": the load balancer of Service "${dest.service.metadata.name}" is not provisioned`);
      entries = [...this.ctx.proxies.keys()].map(entryFor);
      const balancer = lb;
      choose = (): number => balancer.pick();
    } else if (dest.kind === "node") entries = [entryFor(dest.node)];
    else entries = [entryFor(o.node ?? [...this.ctx.proxies.keys()][0])];
    const route = this.makeRoute(entries, choose, sourceIP);
    this.externalCount++;
    this.ctx.clientIPs.set(o.name, parseIPv4(sourceIP));
    const index = this.ctx.traffic.addClient({
      name: o.name,
      sourceIP: parseIPv4(sourceIP),
      proxy: route,
      frontend: entries[0].frontend,
      interarrival,
      random: this.ctx.random.stream(`client/${o.name}`),
      connectTimeout: o.connectTimeout,
      connections: o.connections,
    });
    this.register(o.name, index, route);
    if (lb) lb.attach(() => this.ctx.traffic.clientActive(index));
    return index;
  }

  /** Results per external route, undefined when there is none (so ClusterIP-only results are unchanged). */
  results(): Record<string, ExternalClientResult> | undefined {
    if (this.routes.length === 0) return undefined;
    const out: Record<string, ExternalClientResult> = {};
    const name = (d: number): string => this.ctx.addresses.name(d);
    for (const r of this.routes) out[r.name] = r.route.result(name);
    return out;
  }

  /** See {@link Simulation.crossZoneTraffic}. */
  crossZone(podClients: readonly { index: number; node: string }[], options: CrossZoneOptions = {}): CrossZoneResult {
    const perRequest = (options.requestBytes ?? 0) + (options.responseBytes ?? 0);
    if (!(perRequest >= 0) || !Number.isFinite(perRequest)) {
      throw new RangeError(`crossZoneTraffic: requestBytes + responseBytes: Invalid value: ${perRequest}: must be a finite number >= 0`);
    }
    const zoneOf = (node: string): string => this.ctx.store.get("Node", undefined, node)?.metadata.labels?.[LABEL_ZONE] ?? "";
    const pairs = new Map<string, number>();
    let requests = 0;
    let cross = 0;
    const add = (from: string, to: string, n: number): void => {
      const a = zoneOf(from);
      const b = zoneOf(to);
      requests += n;
      if (a !== b) cross += n;
      const k = `${a} -> ${b}`;
      pairs.set(k, (pairs.get(k) ?? 0) + n);
    };
    for (const c of podClients) {
      for (const [address, n] of this.ctx.traffic.clientCompletedByAddress(c.index)) add(c.node, this.ctx.endpointNode(address), n);
    }
    for (const r of this.routes) {
      const res = r.route.result((d) => this.ctx.addresses.name(d));
      for (const [k, n] of Object.entries(res.byEntryAndEndpoint)) {
        const [entry, address] = k.split(" -> ");
        add(entry, this.ctx.endpointNode(address), n);
      }
    }
    const byZonePair: Record<string, number> = {};
    for (const k of [...pairs.keys()].sort()) byZonePair[k] = pairs.get(k) as number;
    return { requests, crossZone: cross, share: requests > 0 ? cross / requests : 0, byZonePair, crossZoneBytes: cross * perRequest };
  }

  private makeRoute(entries: RouteEntry[], choose: () => number, sourceIP: string): ExternalRoute {
    return new ExternalRoute(entries, choose, (d) => this.ctx.endpointNode(this.ctx.addresses.name(d)), sourceIP, this.ctx.nodeDown);
  }

  private ingressIP(svc: Service, where: string): string {
    const ip = svc.status?.loadBalancer?.ingress?.[0]?.ip;
    if (ip) return ip;
    const why =
      svc.spec.type !== "LoadBalancer"
        ? `Service "${svc.metadata.name}" is of type ${svc.spec.type ?? "ClusterIP"}, not LoadBalancer`
        : this.controller === undefined
          ? `Service "${svc.metadata.name}" is pending (EXTERNAL-IP <pending>): the cluster has no load-balancer implementation; give the Simulation a loadBalancer option`
          : `Service "${svc.metadata.name}" is pending (EXTERNAL-IP <pending>): its load balancer is not provisioned yet; run the simulation until it is (sim.settle())`;
    throw new RangeError(`${where}: target: Invalid value: "lb": ${why}`);
  }

  private classify(ip: string): Destination | undefined {
    for (const n of this.ctx.proxies.keys()) if (this.nodeIP(n) === ip) return { kind: "node", node: n };
    for (const svc of this.ctx.store.list("Service")) {
      if (svc.spec.type === "LoadBalancer" && (svc.status?.loadBalancer?.ingress ?? []).some((i) => i.ip === ip)) return { kind: "lb", service: svc };
    }
    for (const svc of this.ctx.store.list("Service")) if ((svc.spec.externalIPs ?? []).includes(ip)) return { kind: "external-ip", service: svc };
    return undefined;
  }
}
