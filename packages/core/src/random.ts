/**
 * Seeded, named random streams ("common random numbers").
 *
 * Every stochastic component of the simulation (a kube-proxy backend picking an
 * endpoint, a client's inter-arrival times, a Pod's service time, ...) draws from
 * its own named {@link RandomStream}. A stream's sequence depends only on the root
 * seed and the stream's name, so adding a component, or drawing more values in one
 * component, never shifts the values seen by another. This is what makes two runs
 * that differ in one knob (say iptables vs IPVS mode) comparable value for value.
 *
 * ## Determinism contract
 *
 * - The generator is seedrandom's `alea` (Baagøe's multiply-with-carry generator,
 *   32 bits of randomness per draw), pinned at seedrandom 3.0.5. Its seeding (Mash)
 *   and its step are computed here, value for value as seedrandom computes them (a
 *   property test compares the two for arbitrary seed strings).
 * - The seed string of the stream `name` of a source whose seed is `S` is
 *   `` `${S}\u0000${name}` `` where `${S}` is JavaScript's `String(S)`
 *   (so the numeric seed `42` and the string seed `"42"` are the same seed).
 * - `source.fork(child)` is a source whose seed is the string `` `${S}\u0000${child}` ``;
 *   its stream `name` therefore uses `` `${S}\u0000${child}\u0000${name}` ``.
 *   `new RandomSource(1).fork("a")` and `new RandomSource("1\u0000a")` are the same source.
 * - Names must be non-empty and must not contain U+0000, which makes the mapping from
 *   (root seed, fork path, stream name) to alea seed string injective.
 *
 * Changing any of the above changes every simulation result; treat it as a
 * breaking change.
 *
 * @packageDocumentation
 */

/** The state of seedrandom's alea generator (lib/alea.js). */
interface AleaState {
  readonly c: number;
  readonly s0: number;
  readonly s1: number;
  readonly s2: number;
}

/** 2^32 as a double. */
const TWO_POW_32 = 4294967296;

/** Carry of a stream not seeded yet (alea's carry is never negative). */
const UNSEEDED = -1;
/** Carry of a stream whose state moved to a bank (see RandomStream.moveStateTo). */
const MOVED = -2;

/** Separator between the parts of a derived seed string. Part of the determinism contract. */
const SEP = "\u0000";

/**
 * One pass of Baagøe's Mash hash (seedrandom lib/alea.js `Mash`) over `data`, from hash
 * state `n`; returns the new state (its value is `(n >>> 0) * 2^-32`). Alea seeds from a
 * Mash run over " ", " ", " ", then the seed string three times.
 */
function mash(n: number, data: string): number {
  for (let i = 0; i < data.length; i++) {
    n += data.charCodeAt(i);
    let h = 0.02519603282416938 * n;
    n = h >>> 0;
    h -= n;
    h *= n;
    n = h >>> 0;
    h -= n;
    n += h * TWO_POW_32;
  }
  return n;
}

/** A Mash state's value in [0, 1). */
function mashValue(n: number): number {
  return (n >>> 0) * 2.3283064365386963e-10; // 2^-32
}

// The three " " passes every alea seeding starts with do not depend on the seed.
const MASH_SPACE_1 = mash(0xefc8249d, " ");
const MASH_SPACE_2 = mash(MASH_SPACE_1, " ");
const MASH_SPACE_3 = mash(MASH_SPACE_2, " ");

/**
 * Alea's initial state for `seed`, as seedrandom's `alea(seed, { state: true }).state()`
 * computes it (lib/alea.js `Alea`), without building its closures: streams are seeded on
 * their first draw, one per pod, so this runs thousands of times per simulation.
 */
function aleaSeed(seed: string): AleaState {
  let n = mash(MASH_SPACE_3, seed);
  let s0 = mashValue(MASH_SPACE_1) - mashValue(n);
  if (s0 < 0) s0 += 1;
  n = mash(n, seed);
  let s1 = mashValue(MASH_SPACE_2) - mashValue(n);
  if (s1 < 0) s1 += 1;
  n = mash(n, seed);
  let s2 = mashValue(MASH_SPACE_3) - mashValue(n);
  if (s2 < 0) s2 += 1;
  return { c: 1, s0, s1, s2 };
}

/**
 * One step of seedrandom's alea generator (lib/alea.js `next`) on a state held in
 * `state[offset..offset+3]` (s0, s1, s2, carry): updates it and returns the uniform value
 * in [0, 1). The state must be seeded (carry >= 0): see {@link RandomStream.moveStateTo}.
 * A plain function on a typed array, so a hot loop inlines it.
 *
 * @example
 * ```ts
 * const s = new RandomSource(1).stream("x");
 * const bank = new Float64Array(4);
 * s.moveStateTo(bank, 0);
 * s.next();             // seeds the state in bank
 * const u = aleaNext(bank, 0); // s's next value: 0 <= u < 1
 * ```
 */
export function aleaNext(state: Float64Array, offset: number): number {
  const t = 2091639 * state[offset] + state[offset + 3] * 2.3283064365386963e-10; // 2^-32
  state[offset] = state[offset + 1];
  state[offset + 1] = state[offset + 2];
  const c = t | 0;
  state[offset + 3] = c;
  return (state[offset + 2] = t - c);
}

function checkName(what: string, name: string): void {
  if (typeof name !== "string" || name.length === 0 || name.includes(SEP)) {
    throw new RangeError(`${what}: name must be a non-empty string without U+0000, got ${JSON.stringify(name)}`);
  }
}

/**
 * One named, independent stream of uniform random numbers.
 *
 * Obtain it with {@link RandomSource.stream}; never construct it for simulation
 * use from an ad-hoc seed, or the common-random-numbers property is lost.
 * Each `next`, `nextInt` and `nextUint32` call consumes exactly one draw of the
 * underlying alea generator.
 *
 * @example
 * ```ts
 * const rng = new RandomSource(42).stream("proxy/iptables/statistic");
 * const endpointIndex = rng.nextInt(3); // uniform in {0, 1, 2}, like `-m statistic --mode random`
 * ```
 */
export class RandomStream {
  /** The stream's name (without the seed prefix). */
  readonly name: string;
  /** The exact alea seed string this stream was created from (see the module's determinism contract). */
  readonly seedString: string;
  // Alea state: in these fields, or, after {@link RandomStream.moveStateTo}, at
  // `bank[at..at+3]` in a caller's bank (the traffic engine keeps each application's
  // stream state beside its other hot fields, so a service-time draw touches one record
  // instead of several heap objects). The fields stay the home of every other stream,
  // and their draw pays nothing for the move: only a carry below 0 (UNSEEDED, MOVED) leaves
  // the fields' fast path. Stepped here rather than
  // through seedrandom's closure: a method on one class is inlined by the JIT, where
  // thousands of distinct closures (one per pod) make every draw a megamorphic call. The
  // recurrence is seedrandom's (lib/alea.js `next`, see {@link aleaNext}), and the initial
  // state is seedrandom's own, so the values are identical to `seedrandom.alea(seedString)`.
  private s0: number;
  private s1: number;
  private s2: number;
  private c: number;
  private bank: Float64Array | null;
  private at: number;
  private onMovedAway: (() => void) | undefined;

  /**
   * Creates a stream from an exact alea seed string. Prefer {@link RandomSource.stream}.
   *
   * @param name - the stream's name, for diagnostics.
   * @param seedString - the full derived seed string given to alea.
   */
  constructor(name: string, seedString: string) {
    this.name = name;
    this.seedString = seedString;
    // The seed is hashed on the first draw: many streams (one per pod) are never drawn
    // from when their distributions are constant (alea's carry is never negative).
    this.s0 = 0.5;
    this.s1 = 0.5;
    this.s2 = 0.5;
    this.c = UNSEEDED;
    this.bank = null;
    this.at = 0;
    this.onMovedAway = undefined;
  }

  private seed(): AleaState {
    return aleaSeed(this.seedString);
  }

  /**
   * Next uniform value in [0, 1). Alea values are multiples of 2^-32 (32 bits of
   * randomness). 0 is possible, 1 is not.
   *
   * @example
   * ```ts
   * const u = new RandomSource(1).stream("x").next(); // 0 <= u < 1
   * ```
   */
  next(): number {
    if (this.c < 0) {
      this.prepare();
      if (this.c === MOVED) return aleaNext(this.bank as Float64Array, this.at);
    }
    const t = 2091639 * this.s0 + this.c * 2.3283064365386963e-10; // 2^-32
    this.s0 = this.s1;
    this.s1 = this.s2;
    this.c = t | 0;
    return (this.s2 = t - this.c);
  }

  // Before the first draw: seeds the state, in the fields or in the bank it moved to.
  private prepare(): void {
    if (this.c === MOVED) {
      const bank = this.bank as Float64Array;
      const o = this.at;
      if (bank[o + 3] >= 0) return;
      const state = this.seed();
      bank[o] = state.s0;
      bank[o + 1] = state.s1;
      bank[o + 2] = state.s2;
      bank[o + 3] = state.c;
      return;
    }
    const state = this.seed();
    this.s0 = state.s0;
    this.s1 = state.s1;
    this.s2 = state.s2;
    this.c = state.c;
  }

  /**
   * Moves this stream's generator state into `bank[offset..offset+3]` (s0, s1, s2, carry;
   * a carry below 0 means "not seeded yet"): from now on the stream steps the state there,
   * and whoever owns the bank may step it too with {@link aleaNext} (after seeding it with
   * one {@link RandomStream.next} call when the carry is negative). Draws through the
   * stream and through the bank are one sequence: the values are exactly those the stream
   * would have given without the move. Moving the state again (into another bank, or
   * another slot) first calls the previous mover's `onMovedAway`, which must then stop
   * stepping its copy.
   *
   * Meant for hot loops over many streams (one per pod): state kept in one typed array
   * beside other per-entity fields costs one cache line per draw instead of several objects.
   *
   * @throws RangeError if `offset` is not an integer with `offset + 4 <= bank.length`.
   *
   * @example
   * ```ts
   * const s = new RandomSource(1).stream("app/api-0");
   * const bank = new Float64Array(8);
   * s.moveStateTo(bank, 4, () => console.log("the state moved on"));
   * const a = s.next();                 // seeds it, state in bank[4..7]
   * const b = aleaNext(bank, 4);        // the stream's next value
   * s.next();                           // and the one after
   * ```
   */
  moveStateTo(bank: Float64Array, offset: number, onMovedAway?: () => void): void {
    if (!(Number.isInteger(offset) && offset >= 0 && offset + 4 <= bank.length)) {
      throw new RangeError(`moveStateTo: offset: Invalid value: ${offset}: must be an integer in [0, ${bank.length - 4}]`);
    }
    const from = this.c === MOVED ? (this.bank as Float64Array) : null;
    const o = this.at;
    const s0 = from === null ? this.s0 : from[o];
    const s1 = from === null ? this.s1 : from[o + 1];
    const s2 = from === null ? this.s2 : from[o + 2];
    const c = from === null ? this.c : from[o + 3]; // UNSEEDED stays "not seeded yet" in the bank
    const previous = this.onMovedAway;
    this.onMovedAway = undefined;
    if (previous !== undefined) previous();
    bank[offset] = s0;
    bank[offset + 1] = s1;
    bank[offset + 2] = s2;
    bank[offset + 3] = c;
    this.bank = bank;
    this.at = offset;
    this.c = MOVED;
    this.onMovedAway = onMovedAway;
  }

  /**
   * Next uniform integer in [0, 2^32). Consumes one draw; exact (alea values are
   * multiples of 2^-32, so `next() * 2^32` is an integer).
   *
   * @example
   * ```ts
   * const r = new RandomSource(1).stream("x").nextUint32(); // 0 <= r < 2^32
   * ```
   */
  nextUint32(): number {
    return (this.next() * TWO_POW_32) >>> 0;
  }

  /**
   * Uniform integer in [0, n), computed as `floor(next() * n)` (one draw).
   *
   * For n not a power of two, the 32-bit resolution gives each value a
   * probability within n / 2^32 (relative) of 1/n — e.g. below 2.4e-7 for n = 1000,
   * far below anything a simulation can resolve.
   *
   * @param n - an integer in [1, 2^32].
   * @throws RangeError if n is not an integer in [1, 2^32].
   *
   * @example
   * ```ts
   * const die = new RandomSource(1).stream("dice").nextInt(6) + 1; // 1..6
   * ```
   */
  nextInt(n: number): number {
    if (!(n >= 1 && n <= TWO_POW_32 && Math.floor(n) === n)) {
      throw new RangeError(`nextInt: n must be an integer in [1, 2^32], got ${n}`);
    }
    return Math.floor(this.next() * n);
  }
}

/**
 * A root of named random streams: the single seed of a simulation run.
 *
 * `stream(name)` returns the same cached {@link RandomStream} for a given name;
 * its sequence depends only on (seed, name). `fork(name)` returns a cached child
 * source for a nested component (for example one per Node's kube-proxy), whose
 * streams depend only on (seed, fork name, stream name).
 *
 * @example
 * ```ts
 * const root = new RandomSource(2024);
 * const arrivals = root.stream("client/arrivals");
 * const nodeA = root.fork("node/a");
 * const pick = nodeA.stream("kube-proxy/endpoint-pick");
 * ```
 */
export class RandomSource {
  /** The root seed (for a forked source: its derived seed string). */
  readonly seed: number | string;
  readonly #prefix: string;
  readonly #streams: Map<string, RandomStream> = new Map();
  readonly #forks: Map<string, RandomSource> = new Map();

  /**
   * @param seed - the root seed; a finite number or a string. Numbers are
   *   converted with `String(seed)`, so `42` and `"42"` are the same seed.
   * @throws RangeError if the seed is a non-finite number.
   */
  constructor(seed: number | string) {
    if (typeof seed === "number" ? !Number.isFinite(seed) : typeof seed !== "string") {
      throw new RangeError(`RandomSource: seed must be a finite number or a string, got ${String(seed)}`);
    }
    this.seed = seed;
    this.#prefix = String(seed) + SEP;
  }

  /**
   * The named stream of this source (created on first use, then cached: the same
   * name always returns the same object). Its alea seed is `` `${seed}\u0000${name}` ``.
   *
   * @throws RangeError if name is empty or contains U+0000.
   *
   * @example
   * ```ts
   * const random = new RandomSource(42);
   * const arrivals = random.stream("client/frontend");
   * random.stream("client/frontend") === arrivals; // true: one stream per name
   * exponential(5).sample(arrivals);
   * ```
   */
  stream(name: string): RandomStream {
    let s = this.#streams.get(name);
    if (s === undefined) {
      checkName("RandomSource.stream", name);
      s = new RandomStream(name, this.#prefix + name);
      this.#streams.set(name, s);
    }
    return s;
  }

  /**
   * A child source for a nested component, with seed `` `${seed}\u0000${name}` ``
   * (cached: the same name always returns the same object). Its streams never
   * coincide with this source's own streams.
   *
   * @throws RangeError if name is empty or contains U+0000.
   *
   * @example
   * ```ts
   * const random = new RandomSource(42);
   * const dns = random.fork("dns");  // a component's own family of streams
   * dns.stream("coredns-0").next();  // never the same sequence as random.stream("coredns-0")
   * ```
   */
  fork(name: string): RandomSource {
    let f = this.#forks.get(name);
    if (f === undefined) {
      checkName("RandomSource.fork", name);
      f = new RandomSource(this.#prefix + name);
      this.#forks.set(name, f);
    }
    return f;
  }
}
