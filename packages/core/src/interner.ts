/**
 * Gives each distinct string a small, dense integer id (0, 1, 2, ...), in first-seen
 * order, so that hot paths index typed arrays instead of hashing strings. Used for
 * network addresses (`IP:port`): kube-proxy compiles its rules to ids at sync time and
 * a connection carries only the id.
 *
 * @example
 * ```ts
 * const ids = new Interner();
 * ids.id("10.244.1.2:8080"); // 0
 * ids.id("10.244.2.2:8080"); // 1
 * ids.id("10.244.1.2:8080"); // 0
 * ids.name(1);               // "10.244.2.2:8080"
 * ```
 */
export class Interner {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];

  /**
   * The id of `s`, assigning the next id on first sight.
   *
   * @example
   * ```ts
   * const addresses = new Interner();
   * addresses.id("10.244.0.2:8080"); // 0
   * addresses.id("10.244.1.2:8080"); // 1
   * addresses.id("10.244.0.2:8080"); // 0 again
   * ```
   */
  id(s: string): number {
    let i = this.ids.get(s);
    if (i === undefined) {
      i = this.names.length;
      this.ids.set(s, i);
      this.names.push(s);
    }
    return i;
  }

  /**
   * The id of `s`, or -1 if it was never seen.
   *
   * @example
   * ```ts
   * addresses.lookup("10.244.9.9:8080"); // -1: not interned (and lookup never adds)
   * ```
   */
  lookup(s: string): number {
    return this.ids.get(s) ?? -1;
  }

  /**
   * The string with id `i`.
   *
   * @example
   * ```ts
   * addresses.name(1); // "10.244.1.2:8080"
   * ```
   */
  name(i: number): string {
    const s = this.names[i];
    if (s === undefined) throw new RangeError(`Interner: unknown id ${i}`);
    return s;
  }

  /** Number of ids given out. */
  get size(): number {
    return this.names.length;
  }
}
