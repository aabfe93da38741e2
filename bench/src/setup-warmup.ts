/**
 * How much of the reference workload's cluster setup is the JIT's warm-up: builds the
 * reference cluster (bench/src/reference-run.ts) several times in one process and prints
 * each setup's wall time. The first build of a size pays for code not yet optimised; a
 * later build of the same size shows what the setup costs in a warmed process.
 *
 * Usage: node bench/dist/setup-warmup.js [pods ...]   (default: 10000 10000 10000)
 * Prints one line per build (`setup pods=<P> ms=<wall>`), then
 * `setup-warmup first_ms=<first> last_ms=<last>`.
 */
import { runReference } from "./reference-run.js";

const sizes = process.argv.slice(2).map(Number);
const list = sizes.length > 0 ? sizes : [10_000, 10_000, 10_000];
for (const n of list) {
  if (!Number.isInteger(n) || n < 1) {
    console.error(`usage: node bench/dist/setup-warmup.js [pods ...]  (pods: positive integers; got ${n})`);
    process.exit(2);
  }
}
const walls: number[] = [];
for (const P of list) {
  // One completed request ends the run: the figure is the setup.
  const r = runReference(P, 1);
  walls.push(r.setupWallMs);
  console.log(`setup pods=${P} ms=${r.setupWallMs.toFixed(0)}`);
}
console.log(`setup-warmup first_ms=${walls[0].toFixed(0)} last_ms=${walls[walls.length - 1].toFixed(0)}`);
