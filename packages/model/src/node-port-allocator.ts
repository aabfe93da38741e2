import type { IntSource } from "./cluster-ip-allocator.js";

/**
 * The default `--service-node-port-range` of kube-apiserver.
 *
 * @example
 * ```ts
 * DEFAULT_NODE_PORT_RANGE; // "30000-32767"
 * const ports = new NodePortAllocator(DEFAULT_NODE_PORT_RANGE, rng.stream("apiserver"));
 * ```
 */
export const DEFAULT_NODE_PORT_RANGE = "30000-32767";

/**
 * Allocates Service NodePorts (and `healthCheckNodePort`s) from
 * `--service-node-port-range` the way kube-apiserver does.
 *
 * @remarks
 * Follows pkg/registry/core/service/portallocator (allocator.go, calculateRangeOffset)
 * and KEP-3668: the range is split at `offset = min(max(16, size/32), 128)` (86 for
 * the default 30000-32767, so the static band is 30000-30085); dynamic allocations pick
 * at random in the upper band `[base+offset, max]` and fall back to the lower band only
 * when the upper one is full; a requested port is honoured anywhere in the range when
 * free. Error messages are the allocator's own (`provided port is already allocated`,
 * `provided port is not in the valid range. The range of valid ports is 30000-32767`).
 *
 * @example
 * ```ts
 * const ports = new NodePortAllocator(DEFAULT_NODE_PORT_RANGE, rng.stream("apiserver"));
 * ports.allocateStatic(30080); // undefined: allocated
 * ports.allocateStatic(30080); // "provided port is already allocated"
 * ports.allocateNext();        // a port in 30086-32767
 * ```
 */
export class NodePortAllocator {
  /** First port of the range. */
  readonly base: number;
  /** Number of ports in the range. */
  readonly size: number;
  private readonly used = new Set<number>();
  private readonly offset: number;

  /**
   * @param range - `"<first>-<last>"`, e.g. `30000-32767`.
   * @param random - source of the dynamic picks.
   * @throws RangeError when the range cannot be parsed.
   */
  constructor(
    range: string,
    private readonly random: IntSource,
  ) {
    const m = /^([0-9]+)-([0-9]+)$/.exec(range);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m ? Number(m[2]) : NaN;
    if (!(lo >= 1 && hi <= 65535 && lo <= hi)) {
      throw new RangeError(`serviceNodePortRange: Invalid value: "${range}": expected "<first>-<last>" within 1-65535, e.g. 30000-32767`);
    }
    this.base = lo;
    this.size = hi - lo + 1;
    // pkg/registry/core/service/portallocator/allocator.go calculateRangeOffset:
    // min(max(16, size/32), 128); 0 when the range has 16 ports or fewer.
    this.offset = this.size <= 16 ? 0 : Math.min(Math.max(16, Math.floor(this.size / 32)), 128);
  }

  /** The range as kube-apiserver prints it (`30000-32767`). */
  get range(): string {
    return `${this.base}-${this.base + this.size - 1}`;
  }

  /** Offset of the static/dynamic band split (KEP-3668): 86 for the default range. */
  get bandOffset(): number {
    return this.offset;
  }

  /** Number of ports currently allocated. */
  get allocated(): number {
    return this.used.size;
  }

  /** Whether a port is allocated. */
  has(port: number): boolean {
    return this.used.has(port - this.base);
  }

  /**
   * Whether a requested port could be allocated now, without allocating it.
   * @returns the allocator's error message, or undefined.
   */
  checkStatic(port: number): string | undefined {
    const idx = port - this.base;
    if (!Number.isInteger(port) || idx < 0 || idx >= this.size) {
      return `provided port is not in the valid range. The range of valid ports is ${this.range}`;
    }
    if (this.used.has(idx)) return `provided port is already allocated`;
    return undefined;
  }

  /**
   * Reserves a requested port.
   * @returns an error message (the allocator's wording) or undefined when allocated.
   */
  allocateStatic(port: number): string | undefined {
    const err = this.checkStatic(port);
    if (err === undefined) this.used.add(port - this.base);
    return err;
  }

  /**
   * Picks a free port: uniformly at random in the upper band, else in the lower band.
   * @throws Error `range is full` when no port is left.
   */
  allocateNext(): number {
    const idx = this.pickFree(this.offset, this.size) ?? this.pickFree(0, this.offset);
    if (idx === undefined) throw new Error(`range is full`);
    this.used.add(idx);
    return this.base + idx;
  }

  /** Frees a port (its Service was deleted or no longer needs it). Out-of-range ports are ignored. */
  release(port: number): void {
    this.used.delete(port - this.base);
  }

  // Random start, then a linear probe (the bitmap allocator's random scan).
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
