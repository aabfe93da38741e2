import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { EXIT_BAD_INPUT, EXIT_EXPECTATION_FAILED, EXIT_OK, runCli } from "./cli.js";
import fc from "fast-check";
import { toJSON } from "./format.js";
import { formatSweep, mergeShards, planSweep, runSweep, shardFile, shardSeeds, sweepJobs, sweepRows } from "./sweep.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const flagship = join(ROOT, "examples/scenarios/flagship.yaml");

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout: stdout.replaceAll(ROOT, ""), stderr: stderr.replaceAll(ROOT, "") };
}

const SWEEP = [flagship, "--set", "clients[0].rate=100,600", "--set", "cluster.kubeProxy.mode=iptables,ipvs:lc", "--seeds", "1..6", "--duration", "2s"];

describe("sweep on worker threads", () => {
  it("the same bytes and the same per-run digests with 1 worker, 4 workers, or none", async () => {
    const one = await cli("sweep", ...SWEEP, "--workers", "1", "--json");
    const four = await cli("sweep", ...SWEEP, "--workers", "4", "--json");
    expect(one.code).toBe(EXIT_EXPECTATION_FAILED); // 600/s fails the flagship's p99 bound
    expect(four.stdout).toBe(one.stdout);
    const j = JSON.parse(one.stdout) as { rows: { runs: { seed: number; results: { digest: string }; trace: { digest: string } }[] }[] };
    expect(j.rows).toHaveLength(4);
    expect(j.rows.every((r) => r.runs.map((x) => x.seed).join() === "1,2,3,4,5,6")).toBe(true);
    // In this thread, without workers: the same digests.
    const plan = planSweep(readFileSync(flagship, "utf8"), flagship, [{ path: "clients[0].rate", values: [100, 600] }, { path: "cluster.kubeProxy.mode", values: ["iptables", "ipvs:lc"] }], [1, 2, 3, 4, 5, 6], undefined, [{ path: "duration", values: [2000] }]);
    const inline = await runSweep(plan, { workers: 0 });
    expect(inline.map((r) => r.results.digest)).toEqual(j.rows.flatMap((r) => r.runs.map((x) => x.results.digest)));
    expect(inline.map((r) => r.trace.digest)).toEqual(j.rows.flatMap((r) => r.runs.map((x) => x.trace.digest)));
    const table1 = await cli("sweep", ...SWEEP, "--workers", "1");
    const table3 = await cli("sweep", ...SWEEP, "--workers", "3");
    expect(table3.stdout).toBe(table1.stdout);
    expect(table1.stdout.split("\n")[1]).toBe(
      "  4 combinations x 6 seeds (1..6); mean ± 95% confidence half-width over the seeds (Student t, n-1 degrees of freedom; one number when all are equal)",
    );
  });

  it("each cell is the mean ± t(0.975, n-1) s / sqrt(n) of the runs' values", async () => {
    const r = await cli("sweep", flagship, "--set", "clients[0].rate=200", "--seeds", "1..5", "--duration", "2s", "--json", "--workers", "2");
    const j = JSON.parse(r.stdout) as { rows: { metrics: Record<string, { n: number; mean: number; ci95: number }>; runs: { results: { started: number } }[] }[] };
    const started = j.rows[0].runs.map((x) => x.results.started);
    const mean = started.reduce((a, b) => a + b, 0) / 5;
    const s = Math.sqrt(started.reduce((a, b) => a + (b - mean) ** 2, 0) / 4);
    expect(j.rows[0].metrics.started.mean).toBeCloseTo(mean, 9);
    expect(j.rows[0].metrics.started.ci95).toBeCloseTo((2.776445 * s) / Math.sqrt(5), 4);
    const table = await cli("sweep", flagship, "--set", "clients[0].rate=200", "--seeds", "1..5", "--duration", "2s", "--workers", "2");
    expect(table.stdout.split("\n")[4]).toContain(`${mean.toFixed(2)} ± ${((2.776445 * s) / Math.sqrt(5)).toFixed(2)}`);
  });
});

describe("shards and merge", () => {
  it("shard i/n runs the seeds at positions i, i+n, ...: every seed once, sizes within one", () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7];
    const shards = [0, 1, 2].map((index) => shardSeeds(seeds, { index, count: 3 }));
    expect(shards).toEqual([
      [1, 4, 7],
      [2, 5],
      [3, 6],
    ]);
    const plan = planSweep(readFileSync(flagship, "utf8"), flagship, [{ path: "clients[0].rate", values: [100, 200] }], seeds);
    expect(sweepJobs(plan, { index: 1, count: 3 })).toEqual([
      { combination: 0, seed: 2 },
      { combination: 0, seed: 5 },
      { combination: 1, seed: 2 },
      { combination: 1, seed: 5 },
    ]);
  });

  it("property: for any shard count, the shards' runs are every run once, and their merge prints the whole sweep", async () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const plan = planSweep(readFileSync(flagship, "utf8"), flagship, [{ path: "clients[0].rate", values: [100, 200] }], seeds, undefined, [{ path: "duration", values: [500] }]);
    const all = await runSweep(plan, { workers: 0 });
    const whole = formatSweep(plan, sweepRows(plan, all));
    const key = (j: { combination: number; seed: number | string }): string => `${j.combination}/${String(j.seed)}`;
    const byJob = new Map(all.map((r) => [key(r), r]));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: seeds.length }), fc.boolean(), (n, reverse) => {
        const shards = Array.from({ length: n }, (_, index) => {
          const runs = sweepJobs(plan, { index, count: n }).map((j) => byJob.get(key(j))!);
          // Through the file format: NaN becomes null and back.
          return { file: `shard-${index}.json`, data: JSON.parse(toJSON(shardFile(plan, { index, count: n }, runs))) as unknown };
        });
        const jobs = shards.flatMap((_, index) => sweepJobs(plan, { index, count: n }).map(key));
        expect(new Set(jobs).size).toBe(jobs.length);
        expect(jobs.length).toBe(seeds.length * 2);
        const merged = mergeShards(reverse ? shards.reverse() : shards);
        expect(formatSweep(merged.plan, sweepRows(merged.plan, merged.records))).toBe(whole);
      }),
      { seed: 11, numRuns: 30 },
    );
  });

  it.each([1, 3, 4])("merge of %i shards prints the same bytes as one sweep (table and JSON)", async (n) => {
    const dir = mkdtempSync(join(tmpdir(), "kube-netsim-shards-"));
    const files: string[] = [];
    for (let i = 0; i < n; i++) {
      const file = join(dir, `shard-${i}.json`);
      const r = await cli("sweep", ...SWEEP, "--workers", "2", "--shard", `${i}/${n}`, "--out", file);
      expect(r.code).toBe(EXIT_OK); // a shard exits 0 even when expectations failed: merge reports them
      expect(r.stdout).toMatch(new RegExp(`shard ${i}/${n}: [0-9]+ runs written to`));
      files.push(file);
    }
    const whole = await cli("sweep", ...SWEEP, "--workers", "2");
    const merged = await cli("merge", ...files.reverse());
    expect(merged.stdout).toBe(whole.stdout);
    expect(merged.code).toBe(EXIT_EXPECTATION_FAILED);
    expect((await cli("merge", ...files, "--json")).stdout).toBe((await cli("sweep", ...SWEEP, "--workers", "1", "--json")).stdout);
  });

  it("runs where nothing completed (latency NaN, null in the files) merge to the same table", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kube-netsim-shards-"));
    const scenario = join(ROOT, "packages/cli/test-fixtures/diagnose/no-pods-match.yaml");
    const args = [scenario, "--set", "clients[0].rate=20,40", "--seeds", "1..3", "--duration", "1s", "--workers", "2"];
    const whole = await cli("sweep", ...args);
    expect(whole.stdout.split("\n")[4]).toMatch(/^ {2}20 .* 0 .* - +- +-$/); // every request refused: no latency, no expectation
    for (const i of [0, 1]) await cli("sweep", ...args, "--shard", `${i}/2`, "--out", join(dir, `s${i}.json`));
    expect(readFileSync(join(dir, "s0.json"), "utf8")).toContain('"p50": null');
    expect((await cli("merge", join(dir, "s0.json"), join(dir, "s1.json"))).stdout).toBe(whole.stdout);
  });

  it("merge refuses shards that are missing, there twice, from another sweep, or not shards", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kube-netsim-shards-"));
    const out = (name: string): string => join(dir, name);
    await cli("sweep", ...SWEEP, "--workers", "1", "--shard", "0/2", "--out", out("a0.json"));
    await cli("sweep", ...SWEEP.map((a) => (a === "1..6" ? "1..4" : a)), "--workers", "1", "--shard", "1/2", "--out", out("b1.json"));
    const strip = (s: string): string => s.replaceAll(dir + "/", "");
    let r = await cli("merge", out("a0.json"));
    expect([r.code, strip(r.stderr)]).toEqual([EXIT_BAD_INPUT, "<args>: shards: Required value: shard 1/2 is missing\n"]);
    r = await cli("merge", out("a0.json"), out("a0.json"));
    expect(strip(r.stderr)).toBe("a0.json: shard: Duplicate value: 0/2: also in a0.json\n");
    r = await cli("merge", out("a0.json"), out("b1.json"));
    expect(strip(r.stderr)).toBe("b1.json: shard: Invalid value: not the same sweep as a0.json (scenario, --set values, --seeds and shard count must match)\n");
    r = await cli("merge", flagship);
    expect(r.stderr).toMatch(/^examples\/scenarios\/flagship\.yaml: JSON: /);
    expect(r.code).toBe(EXIT_BAD_INPUT);
  });
});

describe("--emit-job", () => {
  it("writes a batch/v1 Indexed Job: completions = shards, each pod runs its shard by JOB_COMPLETION_INDEX", async () => {
    const r = await cli("sweep", flagship, "--set", "clients[0].rate=100,600", "--seeds", "1..100", "--duration", "2s", "--emit-job", "-", "--shards", "8", "--parallelism", "4", "--image", "registry.example/kube-netsim:0.1.0");
    expect(r.code).toBe(EXIT_OK);
    const job = parse(r.stdout) as {
      apiVersion: string;
      kind: string;
      metadata: { name: string };
      spec: { completionMode: string; completions: number; parallelism: number; template: { spec: { restartPolicy: string; containers: { image: string; command: string[] }[] } } };
    };
    expect([job.apiVersion, job.kind, job.metadata.name]).toEqual(["batch/v1", "Job", "kube-netsim-sweep-flagship"]);
    expect([job.spec.completionMode, job.spec.completions, job.spec.parallelism]).toEqual(["Indexed", 8, 4]);
    const c = job.spec.template.spec.containers[0];
    expect(job.spec.template.spec.restartPolicy).toBe("Never");
    expect(c.image).toBe("registry.example/kube-netsim:0.1.0");
    expect(c.command.join(" ")).toBe(
      "kube-netsim sweep examples/scenarios/flagship.yaml --set clients[0].rate=100,600 --seeds 1..100 --duration 2s --workers 1 --shard $(JOB_COMPLETION_INDEX)/8 --out /results/shard-$(JOB_COMPLETION_INDEX).json --no-progress",
    );
  });

  it.each([
    [["--emit-job", "-", "--shards", "7"], '<args>: --shards: Invalid value: 7: more shards than seeds (3); a shard runs whole seeds\n'],
    [["--shard", "3/3"], '<args>: --shard: Invalid value: "3/3": expected i/n with 0 <= i < n, e.g. 0/4 (i is the Job\'s completion index)\n'],
    [["--shard", "0/4"], '<args>: --shard: Invalid value: "0/4": more shards than seeds (3); a shard runs whole seeds\n'],
    [["--workers", "0"], '<args>: --workers: Invalid value: "0": must be an integer between 1 and 256, inclusive\n'],
    [["--set", "clients[0].rate=-1"], "<args>: --set clients[0].rate=100 clients[0].rate=-1: clients[0].rate: Invalid value: -1: must be a number > 0\n"],
  ])("2 for bad arguments: %j", async (args, stderr) => {
    const r = await cli("sweep", flagship, "--set", "clients[0].rate=100,600", "--seeds", "1..3", ...args);
    expect(r.stderr).toBe(stderr);
    expect(r.code).toBe(EXIT_BAD_INPUT);
  });
});
