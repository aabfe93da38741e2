import fc from "fast-check";

/**
 * Options of {@link assertProduceSameValueGivenSameSeed}.
 *
 * @example
 * ```ts
 * assertProduceSameValueGivenSameSeed(scenario(), { seeds: 20, valuesPerSeed: 3 });
 * ```
 */
export interface SameSeedOptions {
  /** Seeds to try. Default 10. */
  readonly seeds?: number;
  /** Values generated per seed. Default 5. */
  readonly valuesPerSeed?: number;
  /** First seed. Default fast-check's global seed (`fc.configureGlobal`), else 0. */
  readonly seed?: number;
}

/** JSON that keeps `undefined` fields and symbols out of the way: a canonical text of a generated value. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v === undefined ? "<undefined>" : typeof v === "number" && !Number.isFinite(v) ? String(v) : v)) ?? "<undefined>";
}

/** A 32-bit FNV-1a hash of a string (to pick which values a shrink test rejects). */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Asserts that an arbitrary is a pure function of its seed: the same seed generates the
 * same values, and shrinking from the same failure walks the same path to the same
 * counter-example (the idea of fast-check's own `assertProduceSameValueGivenSameSeed`).
 *
 * @remarks
 * Values are compared as canonical JSON. The shrink check runs a property that rejects
 * about one value in three (by a hash of the value), twice per seed, and compares the
 * counter-example and its `counterexamplePath`.
 *
 * @throws Error naming the seed and both values when they differ.
 * @example
 * ```ts
 * it("scenario() is deterministic", () => assertProduceSameValueGivenSameSeed(scenario()));
 * ```
 */
export function assertProduceSameValueGivenSameSeed<T>(arb: fc.Arbitrary<T>, options: SameSeedOptions = {}): void {
  const seeds = options.seeds ?? 10;
  const per = options.valuesPerSeed ?? 5;
  const first = options.seed ?? fc.readConfigureGlobal().seed ?? 0;
  for (let i = 0; i < seeds; i++) {
    const seed = (first + i * 7919) | 0;
    const a = fc.sample(arb, { seed, numRuns: per }).map(canonical);
    const b = fc.sample(arb, { seed, numRuns: per }).map(canonical);
    for (let j = 0; j < per; j++) {
      if (a[j] !== b[j]) throw new Error(`seed ${seed}, value ${j}: the same seed generated two different values:\n${a[j]}\n${b[j]}`);
    }
    const shrink = (): { path: string | null; value: string | null } => {
      const out = fc.check(
        fc.property(arb, (v) => hash32(canonical(v)) % 3 !== 0),
        { seed, numRuns: 30 },
      );
      return { path: out.counterexamplePath, value: out.counterexample === null ? null : canonical(out.counterexample) };
    };
    const s1 = shrink();
    const s2 = shrink();
    if (s1.path !== s2.path || s1.value !== s2.value) {
      throw new Error(`seed ${seed}: shrinking the same failure twice gave different counter-examples:\n${s1.path} ${s1.value}\n${s2.path} ${s2.value}`);
    }
  }
}
