import { formatIPv4, parseCidr, parseIPv4 } from "./ip.js";
import type { IPv4Cidr } from "./ip.js";

/**
 * The random draws the allocator needs (a `RandomStream` from `@kube-netsim/core` fits).
 *
 * @example
 * ```ts
 * const random: IntSource = rng.stream("apiserver"); // a seeded RandomStream of @kube-netsim/core
 * random.nextInt(6); // 0..5
 * ```
 */
export interface IntSource {
  /** A uniform integer in [0, n). */
  nextInt(n: number): number;
}

/**
 * Allocates Service ClusterIPs from the service CIDR the way kube-apiserver does.
 *
 * @remarks
 * Follows pkg/registry/core/service/ipallocator (bitmap.go, calculateRangeOffset) and
 * KEP-3070: the network and broadcast addresses are never handed out; the range is
 * split at `offset = min(max(16, size/16), 256)`; dynamic allocations pick at random
 * from the upper band `[offset, size)` and fall back to the lower band only when the
 * upper one is full; a requested (static) address is honoured anywhere in the range
 * if free. The first usable address (`.1` of 10.96.0.0/12) is reserved for the
 * `kubernetes` Service, as kube-apiserver does at start.
 *
 * Random picks use an {@link IntSource} given by the simulation, so a seed fixes them.
 *
 * @example
 * ```ts
 * const ips = new ClusterIPAllocator("10.96.0.0/12", rng.stream("apiserver"));
 * ips.allocateStatic("10.96.0.10"); // undefined: allocated
 * ips.allocateStatic("10.96.0.10"); // "failed to allocate IP 10.96.0.10: provided IP is already allocated"
 * ips.checkStatic("192.168.0.1");   // "... is not in the valid range. The range of valid IPs is 10.96.0.0/12"
 * ips.allocateNext();               // a random address of the upper band, e.g. "10.98.120.98"
 * ```
 */
export class ClusterIPAllocator {
  /** The service CIDR. */
  readonly cidr: IPv4Cidr;
  private readonly used = new Set<number>();
  private readonly offset: number;
  private readonly usable: number;

  /**
   * @param serviceCIDR - e.g. `10.96.0.0/12` (kubeadm's default).
   * @param random - source of the dynamic picks.
   */
  constructor(
    serviceCIDR: string,
    private readonly random: IntSource,
  ) {
    this.cidr = parseCidr(serviceCIDR);
    // Usable addresses exclude network and broadcast (pkg/registry/core/service/ipallocator/bitmap.go).
    this.usable = Math.max(0, this.cidr.size - 2);
    // pkg/registry/core/service/ipallocator/bitmap.go calculateRangeOffset:
    // min(max(16, cidrSize/16), 256) over the whole CIDR size; 0 when cidrSize <= 16.
    const size = this.cidr.size;
    this.offset = size <= 16 ? 0 : Math.min(Math.max(16, Math.floor(size / 16)), 256);
  }

  /** Offset of the static/dynamic band split (KEP-3070). */
  get bandOffset(): number {
    return this.offset;
  }

  /** The address of the `kubernetes` default Service (first usable address). */
  get kubernetesServiceIP(): string {
    return formatIPv4(this.cidr.base + 1);
  }

  /** Number of addresses currently allocated. */
  get allocated(): number {
    return this.used.size;
  }

  /**
   * Reserves a requested address.
   * @returns an error message (API-server wording) or undefined when allocated.
   */
  allocateStatic(ip: string): string | undefined {
    const err = this.checkStatic(ip);
    if (err === undefined) this.used.add(parseIPv4(ip) - this.cidr.base - 1);
    return err;
  }

  /**
   * Whether a requested address could be allocated now, without allocating it.
   * @returns the error {@link ClusterIPAllocator.allocateStatic} would give, or undefined.
   */
  checkStatic(ip: string): string | undefined {
    const v = parseIPv4(ip);
    const idx = v - this.cidr.base - 1;
    if (v < 0 || idx < 0 || idx >= this.usable) {
      return `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${formatIPv4(this.cidr.base)}/${this.cidr.prefix}`;
    }
    if (this.used.has(idx)) return `failed to allocate IP ${ip}: provided IP is already allocated`;
    return undefined;
  }

  /**
   * Picks a free address: uniformly at random in the upper band, else in the lower band.
   * @throws Error when the range is full.
   */
  allocateNext(): string {
    const idx = this.pickFree(this.offset, this.usable) ?? this.pickFree(0, this.offset);
    if (idx === undefined) throw new Error(`failed to allocate a serviceIP: range is full`);
    this.used.add(idx);
    return formatIPv4(this.cidr.base + 1 + idx);
  }

  /** Frees an address (when its Service is deleted). */
  release(ip: string): void {
    this.used.delete(parseIPv4(ip) - this.cidr.base - 1);
  }

  // Random start, then a linear probe: like the bitmap allocator's random scan strategy.
  private pickFree(lo: number, hi: number): number | undefined {
    const n = hi - lo;
    if (n <= 0) return undefined;
    const start = this.random.nextInt(n);
    for (let k = 0; k < n; k++) {
      const idx = lo + ((start + k) % n);
      if (!this.used.has(idx)) return idx;
    }
    return undefined;
  }
}
