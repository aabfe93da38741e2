/**
 * Cilium's default backend selection (`--bpf-lb-algorithm=random`), reproduced exactly:
 * which backends get a slot in a Service's entry of the `cilium_lb4_services_v2` map
 * (pkg/loadbalancer/reconciler/bpf_reconciler.go `updateFrontend`) and how the datapath
 * picks one for a new connection (bpf/lib/lb.h `lb4_select_backend_id_random`).
 *
 * The kernel's `get_prandom_u32()` is not reproducible, so the selection takes the uniform
 * 32-bit draw as an argument (e.g. a `RandomStream.nextUint32()` from `@kube-netsim/core`).
 *
 * @packageDocumentation
 */

/**
 * A backend's state in Cilium's load-balancer (pkg/loadbalancer `BackendState`), in the
 * enum's order: `active`, `terminating`, `terminating-not-serving`, `quarantined`,
 * `maintenance`.
 *
 * - `active`: receives new connections.
 * - `terminating`: terminating but serving; used for new connections only when the Service
 *   has no active backend (KEP-1669 fallback, as kube-proxy).
 * - `terminating-not-serving`: kept in the backend map for existing connections, never
 *   selected.
 * - `quarantined`: failed Cilium's active health check; kept after the selectable slots.
 * - `maintenance`: not in the Service's slots at all (a not-ready, not-terminating
 *   endpoint, "to avoid disruptions to existing connections when a backend readiness is
 *   flapping").
 *
 * @example
 * ```ts
 * const state: CiliumBackendState = ciliumBackendState({ ready: false, serving: false, terminating: false }); // "maintenance": not ready, not terminating
 * ```
 */
export type CiliumBackendState = "active" | "terminating" | "terminating-not-serving" | "quarantined" | "maintenance";

const STATE_RANK: Readonly<Record<CiliumBackendState, number>> = {
  active: 0,
  terminating: 1,
  "terminating-not-serving": 2,
  quarantined: 3,
  maintenance: 4,
};

/**
 * An EndpointSlice endpoint's conditions with the API's nil rules already applied.
 *
 * @example
 * ```ts
 * const c: CiliumEndpointConditions = proxyEndpointConditions(undefined); // { ready: true, serving: true, terminating: false }
 * ciliumBackendState(c); // "active"
 * ```
 */
export interface CiliumEndpointConditions {
  /** `conditions.ready` (nil means true). */
  readonly ready: boolean;
  /** `conditions.serving` (nil means true). */
  readonly serving: boolean;
  /** `conditions.terminating` (nil means false). */
  readonly terminating: boolean;
}

/**
 * The state Cilium gives a backend built from an EndpointSlice endpoint (the `Convert`
 * switch of pkg/loadbalancer/reflectors/endpoints/endpoints.go).
 *
 * Details, first match wins: an endpoint in maintenance → `maintenance`; `ready` →
 * `active` (even when terminating, which only happens with publishNotReadyAddresses,
 * "following kube-proxy"); `terminating && !serving` → `terminating-not-serving`;
 * `terminating` → `terminating`; anything else (not ready, not terminating) →
 * `maintenance`.
 *
 * @example
 * ```ts
 * ciliumBackendState({ ready: false, serving: true, terminating: true }); // "terminating"
 * ```
 */
export function ciliumBackendState(conditions: CiliumEndpointConditions, maintenance = false): CiliumBackendState {
  if (maintenance) return "maintenance";
  if (conditions.ready) return "active";
  if (conditions.terminating && !conditions.serving) return "terminating-not-serving";
  if (conditions.terminating) return "terminating";
  return "maintenance";
}

/**
 * One backend of a Service frontend, as Cilium's BPF reconciler sees it.
 *
 * @example
 * ```ts
 * const b: CiliumServiceBackend = { id: 7, address: "10.244.1.5", port: 8080, state: "active" };
 * const quarantined: CiliumServiceBackend = { ...b, id: 8, address: "10.244.2.5", unhealthy: true }; // failed Cilium's health check
 * ```
 */
export interface CiliumServiceBackend {
  /** The node-local backend ID (`loadbalancer.BackendID`). */
  readonly id: number;
  /** The backend IP as text (IPv4 dotted quad or IPv6); ClusterMesh `ip@clusterID` accepted. */
  readonly address: string;
  /** The backend port. */
  readonly port: number;
  /** The backend's state. */
  readonly state: CiliumBackendState;
  /** True when Cilium's active health checker reports it unhealthy (counted as quarantined). */
  readonly unhealthy?: boolean;
}

/**
 * The slot layout of one Service frontend in `cilium_lb4_services_v2`.
 *
 * @example
 * ```ts
 * const slots: CiliumServiceSlots = ciliumServiceSlots([
 *   { id: 1, address: "10.244.1.5", port: 8080, state: "terminating" },
 *   { id: 2, address: "10.244.2.5", port: 8080, state: "active" },
 *   { id: 3, address: "10.244.0.5", port: 8080, state: "active", unhealthy: true },
 * ]);
 * slots.backends.map((b) => b.id); // [2, 1, 3]: active first, then the rest
 * slots.count;                     // 1: only backend 2 is selectable
 * slots.qcount;                    // 2
 * ```
 */
export interface CiliumServiceSlots<T extends CiliumServiceBackend = CiliumServiceBackend> {
  /**
   * The backends of slots 1..count+qcount in slot order: `backends[k]` is in slot `k + 1`.
   * Only the first `count` are selectable.
   */
  readonly backends: readonly T[];
  /** `count` of the master entry (slot 0): the selectable backends. */
  readonly count: number;
  /** `qcount` of the master entry: quarantined / non-selectable backends after them. */
  readonly qcount: number;
}

interface ParsedAddr {
  readonly bitLen: number;
  readonly bytes: Uint8Array;
  readonly cluster: number;
}

function parseIPv4(s: string): Uint8Array | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(parts[i])) return undefined;
    const v = Number(parts[i]);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

function parseIPv6(s: string): Uint8Array | undefined {
  const pct = s.indexOf("%");
  const addr = pct >= 0 ? s.slice(0, pct) : s;
  const halves = addr.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === "") return [];
    const out: number[] = [];
    const items = h.split(":");
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (i === items.length - 1 && it.includes(".")) {
        const v4 = parseIPv4(it);
        if (v4 === undefined) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return undefined;
        out.push(parseInt(it, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = all[i] >> 8;
    out[2 * i + 1] = all[i] & 0xff;
  }
  return out;
}

function parseAddrCluster(address: string): ParsedAddr {
  const at = address.indexOf("@");
  const ip = at >= 0 ? address.slice(0, at) : address;
  const cluster = at >= 0 ? Number(address.slice(at + 1)) : 0;
  const v4 = ip.includes(":") ? undefined : parseIPv4(ip);
  const v6 = v4 === undefined ? parseIPv6(ip) : undefined;
  const bytes = v4 ?? v6;
  if (bytes === undefined || !(Number.isInteger(cluster) && cluster >= 0)) {
    throw new RangeError(`ciliumServiceSlots: invalid backend address ${JSON.stringify(address)}`);
  }
  return { bitLen: v4 !== undefined ? 32 : 128, bytes, cluster };
}

/** `AddrCluster.Compare`: `netip.Addr.Compare` (IPv4 before IPv6, then the address bytes), then the cluster ID. */
function compareAddr(a: ParsedAddr, b: ParsedAddr): number {
  if (a.bitLen !== b.bitLen) return a.bitLen - b.bitLen;
  for (let i = 0; i < a.bytes.length; i++) {
    if (a.bytes[i] !== b.bytes[i]) return a.bytes[i] - b.bytes[i];
  }
  return a.cluster - b.cluster;
}

/**
 * The slot layout Cilium writes for a Service frontend: `sortedBackends` + `updateFrontend`
 * (pkg/loadbalancer/reconciler/bpf_reconciler.go).
 *
 * Details: backends are ordered healthy first, then by state (the {@link CiliumBackendState}
 * order), then by address (`AddrCluster.Compare`: IPv4 before IPv6, numerically), then by
 * port. `maintenance` backends get no slot. An unhealthy backend counts as quarantined.
 * `count` is the number of active backends; if there is none, the serving-terminating
 * backends become selectable instead (`activeCount = terminatingCount`), otherwise they go
 * to `qcount` with the quarantined and terminating-not-serving ones. The Maglev table is
 * built from the same first `count` backends (`orderedBackends[:activeCount]`).
 *
 * @throws RangeError on an unparsable address.
 *
 * @example
 * ```ts
 * const s = ciliumServiceSlots([
 *   { id: 7, address: "10.0.0.9", port: 80, state: "terminating" },
 *   { id: 3, address: "10.0.0.10", port: 80, state: "active" },
 * ]);
 * // s.count === 1, s.backends[0].id === 3 (slot 1), s.qcount === 1
 * ```
 */
export function ciliumServiceSlots<T extends CiliumServiceBackend>(backends: readonly T[]): CiliumServiceSlots<T> {
  const keyed = backends.map((b) => ({ b, addr: parseAddrCluster(b.address) }));
  keyed.sort((x, y) => {
    const ux = x.b.unhealthy === true ? 1 : 0;
    const uy = y.b.unhealthy === true ? 1 : 0;
    if (ux !== uy) return ux - uy;
    const sx = STATE_RANK[x.b.state];
    const sy = STATE_RANK[y.b.state];
    if (sx !== sy) return sx - sy;
    const c = compareAddr(x.addr, y.addr);
    return c !== 0 ? c : x.b.port - y.b.port;
  });
  const ordered: T[] = [];
  let active = 0;
  let terminating = 0;
  let inactive = 0;
  for (const { b } of keyed) {
    // "Backends that are in maintenance are not included in the services map."
    if (b.state === "maintenance") continue;
    ordered.push(b);
    const state = b.unhealthy === true ? "quarantined" : b.state;
    if (state === "active") active++;
    else if (state === "terminating") terminating++;
    else inactive++;
  }
  // "If there are no active backends we can use the terminating backends."
  if (active === 0) active = terminating;
  else inactive += terminating;
  return { backends: ordered, count: active, qcount: inactive };
}

/**
 * The selectable backends of a Service, in slot order: the first `count` of
 * {@link ciliumServiceSlots}. This is the set Cilium hands to Maglev (`updateMaglev(fe,
 * feID, orderedBackends[:activeCount])`) and the range random selection draws from.
 *
 * @example
 * ```ts
 * ciliumSelectableBackends([
 *   { id: 1, address: "10.244.1.5", port: 8080, state: "terminating" },
 *   { id: 2, address: "10.244.2.5", port: 8080, state: "active" },
 * ]).map((b) => b.id); // [2]: terminating backends are used only when none is active
 * ```
 */
export function ciliumSelectableBackends<T extends CiliumServiceBackend>(backends: readonly T[]): T[] {
  const slots = ciliumServiceSlots(backends);
  return slots.backends.slice(0, slots.count);
}

/**
 * The backend slot `lb4_select_backend_id_random` (bpf/lib/lb.h) picks:
 * `(get_prandom_u32() % svc->count) + 1`. Slot 0 is the Service's master entry, so the
 * result is in 1..count.
 *
 * Details: the same formula is used by socket-LB at `connect()` (bpf/bpf_sock.c
 * `sock_select_slot`: a random draw for TCP; for UDP the draw is the socket cookie, so all
 * datagrams of a socket go to one backend).
 *
 * @param draw - a uniform unsigned 32-bit integer (the `get_prandom_u32()` value).
 * @param count - the master entry's `count` (1..65535).
 * @throws RangeError if draw is not an integer in [0, 2^32) or count is not in 1..65535.
 *
 * @example
 * ```ts
 * ciliumRandomSlot(0xffffffff, 3); // 1, since 4294967295 % 3 === 0
 * ```
 */
export function ciliumRandomSlot(draw: number, count: number): number {
  if (draw >>> 0 !== draw) {
    throw new RangeError(`ciliumRandomSlot: draw must be an integer in [0, 2^32), got ${draw}`);
  }
  if (!(Number.isInteger(count) && count >= 1 && count <= 0xffff)) {
    throw new RangeError(`ciliumRandomSlot: count must be an integer in [1, 65535], got ${count}`);
  }
  return (draw % count) + 1;
}

/**
 * The backend ID a new connection gets under random selection:
 * `lb4_select_backend_id_random` (bpf/lib/lb.h) over the slots of
 * {@link ciliumServiceSlots} — the backend in slot `(draw % count) + 1`.
 *
 * Details: only the `count` selectable backends can be chosen (active ones, or the
 * serving-terminating ones when no backend is active). The chosen ID is then stored in the
 * conntrack entry, so later packets of the flow do not re-select.
 *
 * @param draw - a uniform unsigned 32-bit integer.
 * @param slots - the Service's slot layout.
 * @returns the backend ID, or -1 when `count` is 0 (the datapath drops with "no service"
 *   before selecting).
 *
 * @example
 * ```ts
 * const slots = ciliumServiceSlots(backends);
 * const id = ciliumSelectBackendIdRandom(stream.nextUint32(), slots);
 * ```
 */
export function ciliumSelectBackendIdRandom(draw: number, slots: CiliumServiceSlots): number {
  if (slots.count === 0) return -1;
  return slots.backends[ciliumRandomSlot(draw, slots.count) - 1].id;
}
