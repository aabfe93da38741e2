/**
 * The reference benchmark: kube-netsim's public API against shared/peers/tight.mjs,
 * run alternately in one benchmark run, each as a whole Node process (as the peers
 * README measures them), on the same P and R.
 *
 * Usage: node bench/dist/reference.js [--all | P R | --memory] [--pairs N] [--modes iptables,nftables,ipvs:rr,ipvs:lc,cilium]
 * (--memory: P=10,000 and R=10,000,000 once, printing our peak RSS; it must be under 1 GiB.)
 * Last line per size: reference P=<P> R=<R> ratio_to_tight=<median ratio> mean_ms=<x> p99_ms=<y>
 * (ratio = our wall time / tight's wall time: lower is better, the goal is <= 1.3).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const peers = process.env.KUBE_NETSIM_PEERS ?? fileURLToPath(new URL("../../../shared/peers/", import.meta.url));
const tight = `${peers}/tight.mjs`;
const ours = `${here}/reference-run.js`;

interface Run {
  readonly wallMs: number;
  readonly fields: Record<string, string>;
}

function runProcess(script: string, args: string[]): Run {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [script, ...args], { encoding: "utf8", maxBuffer: 1 << 20 });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${script} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  const fields: Record<string, string> = {};
  for (const kv of r.stdout.trim().split(/\s+/)) {
    const [k, v] = kv.split("=");
    if (k && v !== undefined) fields[k] = v;
  }
  return { wallMs, fields };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function bench(P: number, R: number, pairs: number, mode: string = "iptables"): void {
  const ratios: number[] = [];
  const runRatios: number[] = [];
  const oursWall: number[] = [];
  const tightWall: number[] = [];
  let last: Run | undefined;
  let lastTight: Run | undefined;
  for (let i = 0; i < pairs; i++) {
    // Alternate the order so that neither side always runs on a warmer machine.
    const a = i % 2 === 0 ? runProcess(tight, [String(P), String(R)]) : undefined;
    const o = runProcess(ours, [String(P), String(R), String(i + 1), "3", mode]);
    const t = a ?? runProcess(tight, [String(P), String(R)]);
    ratios.push(o.wallMs / t.wallMs);
    runRatios.push(Number(o.fields.run_ms) / t.wallMs);
    oursWall.push(o.wallMs);
    tightWall.push(t.wallMs);
    last = o;
    lastTight = t;
    console.log(
      `  pair ${i + 1}: ours ${o.wallMs.toFixed(0)} ms (setup ${o.fields.setup_ms} ms, run ${o.fields.run_ms} ms, mean ${o.fields.mean_ms}, p99 ${o.fields.p99_ms})` +
        ` | tight ${t.wallMs.toFixed(0)} ms (mean ${t.fields.mean_ms}, p99 ${t.fields.p99_ms}) | ratio ${(o.wallMs / t.wallMs).toFixed(3)}`,
    );
  }
  console.log(`  medians: ours ${median(oursWall).toFixed(0)} ms, tight ${median(tightWall).toFixed(0)} ms; tight: mean_ms=${lastTight?.fields.mean_ms} p99_ms=${lastTight?.fields.p99_ms}`);
  // For reading the figure: how much of our process is building the cluster (Deployment,
  // pods, EndpointSlices, every node's kube-proxy) rather than serving the R requests.
  console.log(`  run phase only (our requests, without process start and cluster setup) / tight's whole process: ${median(runRatios).toFixed(3)}`);
  const dm = Math.abs(Number(last?.fields.mean_ms) / Number(lastTight?.fields.mean_ms) - 1);
  const dp = Math.abs(Number(last?.fields.p99_ms) / Number(lastTight?.fields.p99_ms) - 1);
  console.log(`  agreement with tight.mjs: mean ${(dm * 100).toFixed(1)}%, p99 ${(dp * 100).toFixed(1)}% apart (different random streams; sampling error at R=${R} is a few %)`);
  if (mode !== "iptables") console.log(`  mode ${mode}`);
  console.log(`reference P=${P} R=${R} ratio_to_tight=${median(ratios).toFixed(3)} mean_ms=${last?.fields.mean_ms} p99_ms=${last?.fields.p99_ms}`);
}

const args = process.argv.slice(2);
const pairsIdx = args.indexOf("--pairs");
const pairs = pairsIdx >= 0 ? Number(args[pairsIdx + 1]) : 5;
if (!existsSync(tight)) {
  console.error(`tight.mjs not found at ${tight}: set KUBE_NETSIM_PEERS to the shared/peers folder`);
  process.exit(2);
}
if (args.includes("--memory")) {
  // R = 10,000,000 at P = 10,000 once each (issue 9): our peak memory must stay under 1 GiB
  // (latency is kept as streaming statistics, not per request).
  const P = 10_000;
  const R = 10_000_000;
  const o = runProcess(ours, [String(P), String(R), "1", "3", "iptables"]);
  const t = runProcess(tight, [String(P), String(R)]);
  const rss = Number(o.fields.max_rss_mib);
  console.log(`  ours ${o.wallMs.toFixed(0)} ms (setup ${o.fields.setup_ms} ms, run ${o.fields.run_ms} ms, mean ${o.fields.mean_ms}, p99 ${o.fields.p99_ms}) | tight ${t.wallMs.toFixed(0)} ms (mean ${t.fields.mean_ms}, p99 ${t.fields.p99_ms})`);
  console.log(`  peak RSS ${rss.toFixed(1)} MiB: ${rss < 1024 ? "under" : "OVER"} 1 GiB`);
  console.log(`reference-memory P=${P} R=${R} ratio_to_tight=${(o.wallMs / t.wallMs).toFixed(3)} max_rss_mib=${rss.toFixed(1)} mean_ms=${o.fields.mean_ms} p99_ms=${o.fields.p99_ms}`);
  process.exit(rss < 1024 ? 0 : 1);
}
const modesIdx = args.indexOf("--modes");
if (modesIdx >= 0) {
  // The reference workload under each data plane (issue 4), P and R from the first two numbers or 100 / 1,000,000.
  const nums = args.filter((a) => /^[0-9]+$/.test(a) && a !== String(pairs));
  const P = Number(nums[0] ?? 100);
  const R = Number(nums[1] ?? 1_000_000);
  for (const mode of args[modesIdx + 1].split(",")) bench(P, R, pairs, mode);
  process.exit(0);
}
if (args.includes("--all") || args.filter((a) => !a.startsWith("--") && a !== String(pairs)).length === 0) {
  bench(100, 1_000_000, pairs);
  bench(10_000, 1_000_000, pairs);
} else {
  bench(Number(args[0]), Number(args[1]), pairs);
}
