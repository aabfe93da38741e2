/**
 * Micro-benchmarks of the simulation kernel, through the public API of @kube-netsim/core:
 * the event queue under the classic "hold" model (N pending events; each run event
 * schedules one more at an exponential delay), a histogram's record, and a random
 * stream's draws.
 *
 * Usage: node bench/dist/core.js [--events N]
 * Last line: core hold_events_per_s=<x> histogram_ns_per_record=<y> random_ns_per_draw=<z>
 */
import { LatencyHistogram, RandomSource, Scheduler, exponential } from "@kube-netsim/core";

const args = process.argv.slice(2);
const eventsIdx = args.indexOf("--events");
const EVENTS = eventsIdx >= 0 ? Number(args[eventsIdx + 1]) : 5_000_000;

function hold(pending: number, events: number): number {
  const s = new Scheduler();
  const rng = new RandomSource(1).stream("hold");
  const d = exponential(1);
  let left = events;
  const h = s.register({
    handleEvent(arg: number): void {
      if (--left > 0) s.schedule(d.sample(rng), h, arg);
      else s.stop();
    },
  });
  for (let i = 0; i < pending; i++) s.schedule(d.sample(rng), h, i);
  const t0 = performance.now();
  s.run();
  return events / ((performance.now() - t0) / 1000);
}

function histogram(n: number): number {
  const rng = new RandomSource(1).stream("hist");
  const d = exponential(25);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = d.sample(rng);
  const h = new LatencyHistogram();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) h.record(values[i]);
  return ((performance.now() - t0) * 1e6) / n;
}

function random(n: number): number {
  const rng = new RandomSource(1).stream("draws");
  let acc = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) acc += rng.next();
  const ns = ((performance.now() - t0) * 1e6) / n;
  if (acc < 0) console.log(acc); // keep the loop alive
  return ns;
}

const rows: [number, number][] = [];
for (const pending of [100, 10_000, 1_000_000]) {
  const eps = hold(pending, EVENTS);
  rows.push([pending, eps]);
  console.log(`hold pending=${pending} events=${EVENTS}: ${(eps / 1e6).toFixed(2)} M events/s`);
}
const hist = histogram(5_000_000);
const draw = random(20_000_000);
console.log(`histogram record: ${hist.toFixed(1)} ns; random draw: ${draw.toFixed(1)} ns`);
console.log(`core hold_events_per_s=${rows[1][1].toFixed(0)} histogram_ns_per_record=${hist.toFixed(1)} random_ns_per_draw=${draw.toFixed(1)}`);
