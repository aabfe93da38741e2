import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { stringify } from "yaml";
import { formatDuration, parseDuration } from "./duration.js";
import { bucketsCSV, formatPods, formatCompareSummary, formatDnsAnswers, formatExternalAddresses, formatEndpointSlices, formatRunSummary, runJSON, toJSON } from "./format.js";
import { runScenario } from "./runner.js";
import type { ScenarioRun } from "./runner.js";
import { checkMode, loadScenarioFile } from "./scenario.js";
import type { ReadFile, Scenario } from "./scenario.js";
import { InputError, formatProblem } from "./source.js";
import { formatSweep, mergeShards, parseSweepParameter, planSweep, runSweep, shardFile, sweepJSON, sweepJobManifest, sweepRows } from "./sweep.js";
import type { SweepShard } from "./sweep.js";
import { runHtml } from "./html.js";
import { diagnoseClient, formatDiagnosis } from "./diagnose.js";

/**
 * Exit status: everything went well.
 *
 * @example
 * ```ts
 * await runCli(["run", "examples/scenarios/flagship.yaml"], io); // 0: ran, every expect held
 * ```
 */
export const EXIT_OK = 0;
/**
 * Exit status: the simulation ran but an `expect` of the scenario failed.
 *
 * @example
 * ```ts
 * const code = await runCli(["run", "scenario.yaml"], io);
 * if (code === EXIT_EXPECTATION_FAILED) console.error("the run finished but an expect bound failed"); // status 1
 * ```
 */
export const EXIT_EXPECTATION_FAILED = 1;
/**
 * Exit status: bad input or usage (nothing, or not all, was run).
 *
 * @example
 * ```ts
 * await runCli(["run", "missing.yaml"], io); // 2, stderr: "missing.yaml: cannot read scenario file: ENOENT"
 * ```
 */
export const EXIT_BAD_INPUT = 2;
/**
 * Exit status: an internal error (a bug in kube-netsim).
 *
 * @example
 * ```ts
 * const code = await runCli(argv, io); // 3 only for a bug: stderr "kube-netsim: internal error: ..."
 * ```
 */
export const EXIT_INTERNAL = 3;

/**
 * Where the CLI reads and writes (process streams and files by default; replaced in tests).
 *
 * @example
 * ```ts
 * let out = "";
 * const io: CliIO = { stdout: (s) => void (out += s), stderr: (s) => void process.stderr.write(s), readFile: (p) => readFileSync(p, "utf8") };
 * const code = await runCli(["check", "examples/scenarios/flagship.yaml"], io); // 0
 * ```
 */
export interface CliIO {
  /** Writes to standard output. */
  readonly stdout: (text: string) => void;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
  /** Reads a file as UTF-8. Default `fs.readFileSync`. */
  readonly readFile?: ReadFile;
  /** Whether to draw the progress line on stderr by default (a TTY). Default false. */
  readonly interactive?: boolean;
}

const VERSION = "0.1.0";

function parseSeed(v: string, flag: string = "--seed"): number | string {
  if (/^-?[0-9]+$/.test(v)) {
    const n = Number(v);
    if (Number.isSafeInteger(n)) return n;
  }
  if (v === "") throw new InputError([{ file: "<args>", message: `${flag}: Invalid value: "": must be a number or a string` }]);
  return v;
}

function parseSeeds(v: string): (number | string)[] {
  const range = /^(-?[0-9]+)\.\.(-?[0-9]+)$/.exec(v.trim());
  if (range) {
    const [a, b] = [Number(range[1]), Number(range[2])];
    if (b < a || b - a >= 1000) throw new InputError([{ file: "<args>", message: `--seeds: Invalid value: "${v}": a range a..b with a <= b and at most 1000 seeds` }]);
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }
  return v.split(",").map((x) => parseSeed(x.trim(), "--seeds"));
}

function parseModes(v: string, flag: string): string[] {
  const modes = v
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");
  if (modes.length === 0) throw new InputError([{ file: "<args>", message: `${flag}: Required value: at least one mode, e.g. iptables,nftables,ipvs:lc,cilium` }]);
  for (const m of modes) {
    try {
      checkMode(m);
    } catch (e) {
      throw new InputError([{ file: "<args>", message: (e as Error).message.replace(/^modes:/, `${flag}:`) }]);
    }
  }
  return modes;
}

function parseDurationArg(v: string, flag: string): number {
  const d = parseDuration(/^[0-9.]+$/.test(v) ? Number(v) : v, flag);
  if (typeof d !== "number") throw new InputError([{ file: "<args>", message: String(d) }]);
  return d;
}

function parseCount(v: string, flag: string, min: number, max: number): number {
  const n = /^[0-9]+$/.test(v.trim()) ? Number(v) : NaN;
  if (!(n >= min && n <= max)) throw new InputError([{ file: "<args>", message: `${flag}: Invalid value: "${v}": must be an integer between ${min} and ${max}, inclusive` }]);
  return n;
}

function parseShard(v: string): SweepShard {
  const m = /^([0-9]+)\/([0-9]+)$/.exec(v.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!(count >= 1 && index >= 0 && index < count)) throw new InputError([{ file: "<args>", message: `--shard: Invalid value: "${v}": expected i/n with 0 <= i < n, e.g. 0/4 (i is the Job's completion index)` }]);
  return { index, count };
}

/** `kube-netsim-sweep-<scenario>` as a DNS-1123 label (at most 63 characters). */
function jobName(file: string): string {
  const base = basename(file).replace(/\.ya?ml$/, "").toLowerCase().replace(/[^a-z0-9-]+/g, "-");
  return `kube-netsim-sweep-${base}`.slice(0, 63).replace(/-+$/, "");
}

interface SweepOptions {
  set: string[];
  seeds?: string;
  duration?: string;
  workers?: string;
  shard?: string;
  out?: string;
  emitJob?: string;
  shards?: string;
  parallelism?: string;
  image: string;
  resultsClaim: string;
  json?: boolean;
  progress?: boolean;
}

/** Streams lines to a file in 64 KB writes. */
class LineWriter {
  private readonly fd: number;
  private buf = "";
  constructor(path: string) {
    try {
      this.fd = openSync(path, "w");
    } catch (e) {
      throw new InputError([{ file: "<args>", message: `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
    }
  }
  line(s: string): void {
    this.buf += s + "\n";
    if (this.buf.length >= 65536) this.flush();
  }
  flush(): void {
    if (this.buf !== "") writeSync(this.fd, this.buf);
    this.buf = "";
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

function writeFile(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new InputError([{ file: "<args>", message: `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
  }
}

function withDuration(s: Scenario, duration: number | undefined): Scenario {
  return duration === undefined ? s : { ...s, duration };
}

/**
 * Runs the `kube-netsim` command line with `argv` (without `node` and the script) and
 * resolves to the exit status: {@link EXIT_OK}, {@link EXIT_EXPECTATION_FAILED},
 * {@link EXIT_BAD_INPUT} or {@link EXIT_INTERNAL}. Bad input prints one line per
 * problem (`file:line:col: field.path: ...`) on stderr, never a stack trace.
 *
 * @example
 * ```ts
 * const code = await runCli(["run", "examples/scenarios/flagship.yaml", "--seed", "7"], {
 *   stdout: (s) => process.stdout.write(s),
 *   stderr: (s) => process.stderr.write(s),
 * });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const read = io.readFile ?? ((p: string): string => readFileSync(p, "utf8"));
  let status = EXIT_OK;
  const program = new Command("kube-netsim");
  program
    .description("Simulate Kubernetes Service networking on a virtual clock, from the YAML you deploy and a timeline of what happens.")
    .version(VERSION, "-V, --version")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      "after",
      "\nExit status: 0 ok, 1 an expectation of the scenario failed, 2 bad input or usage, 3 internal error.\nScenario file reference: docs/cli.md",
    );

  const progress = (on: boolean | undefined, unit: "ms" | "runs" = "ms"): ((done: number, total: number) => void) | undefined => {
    if (!(on ?? io.interactive ?? false)) return undefined;
    let last = -1;
    return (done, total) => {
      const p = total > 0 ? Math.floor((100 * done) / total) : 100;
      if (p === last) return;
      last = p;
      const width = 30;
      const fill = Math.round((width * p) / 100);
      const what = unit === "ms" ? `${(done / 1000).toFixed(1)} s / ${(total / 1000).toFixed(1)} s of virtual time` : `${done} / ${total} runs`;
      io.stderr(`\r[${"#".repeat(fill)}${".".repeat(width - fill)}] ${what}${p === 100 ? "\n" : ""}`);
    };
  };

  program
    .command("check")
    .description("check a scenario and its manifests without running it (exit status 0 or 2)")
    .argument("<scenario>", "scenario file (YAML)")
    .action((file: string) => {
      const s = loadScenarioFile(file, read);
      // Everything before the traffic starts: applying the manifests, settling, resolving clients.
      runScenario(s, { stopAt: 0 });
      const kinds = new Map<string, number>();
      for (const o of s.objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
      const objects = [...kinds].map(([k, n]) => `${n} ${k}${n === 1 ? "" : "s"}`).join(", ") || "no objects";
      io.stdout(`${file}: ok: ${objects}, ${s.applications.length} application model(s), ${s.clients.length} client(s), ${s.timeline.length} timeline action(s), duration ${formatDuration(s.duration)}\n`);
    });

  program
    .command("run")
    .description("run a scenario and print a summary: outcomes, latency quantiles, per-endpoint shares, outcomes per time bucket")
    .argument("<scenario>", "scenario file (YAML)")
    .option("--seed <seed>", "root seed (overrides the scenario's seed)")
    .option("--mode <mode>", "kube-proxy mode (overrides the scenario's): iptables, nftables, ipvs[:scheduler], cilium[:maglev]")
    .option("--duration <duration>", "traffic duration (overrides the scenario's), e.g. 10s")
    .option("--json", "print the summary as JSON instead of tables")
    .option("--out-trace <file>", "write the trace (every API write, kube-proxy sync, ...) as JSON Lines")
    .option("--trace-requests", "also record every request's end in the trace (and so in the digest)")
    .option("--out-timeline <file>", "write the measured buckets as CSV (needs measure: in the scenario)")
    .option("--out-html <file>", "write a self-contained offline HTML report: tables; charts of latency, outcomes and ready endpoints per node over time (with measure:) and of the share per endpoint")
    .addOption(new Option("--progress", "show progress on stderr (default when stderr is a terminal)"))
    .addOption(new Option("--no-progress", "never show progress"))
    .action((file: string, opts: { seed?: string; mode?: string; duration?: string; json?: boolean; outTrace?: string; traceRequests?: boolean; outTimeline?: string; outHtml?: string; progress?: boolean }) => {
      const seed = opts.seed === undefined ? undefined : parseSeed(opts.seed);
      const modes = opts.mode === undefined ? undefined : parseModes(opts.mode, "--mode");
      if (modes !== undefined && modes.length > 1) throw new InputError([{ file: "<args>", message: `--mode: Invalid value: "${opts.mode}": one mode; compare runs several` }]);
      const mode = modes?.[0];
      const duration = opts.duration === undefined ? undefined : parseDurationArg(opts.duration, "--duration");
      const scenario = withDuration(loadScenarioFile(file, read), duration);
      if (opts.outTimeline !== undefined && !scenario.measure) {
        throw new InputError([{ file, message: `--out-timeline: needs a measure: section in the scenario (the Service and bucket to sample)` }]);
      }
      for (const t of scenario.timeline) {
        if (t.at >= scenario.duration) io.stderr(`warning: ${t.path} at ${formatDuration(t.at)} is not before the end of the traffic (${formatDuration(scenario.duration)}): it does not run\n`);
      }
      // Output files fail now, not after the run, if they cannot be written.
      if (opts.outTimeline !== undefined) writeFile(opts.outTimeline, "");
      if (opts.outHtml !== undefined) writeFile(opts.outHtml, "");
      const trace = opts.outTrace === undefined ? undefined : new LineWriter(opts.outTrace);
      let run: ScenarioRun;
      try {
        run = runScenario(scenario, { seed, mode, traceRequests: opts.traceRequests, onTraceLine: trace ? (l) => trace.line(l) : undefined, onProgress: progress(opts.progress) });
      } finally {
        trace?.close();
      }
      if (opts.outTimeline !== undefined) writeFile(opts.outTimeline, bucketsCSV(run.buckets, run.sim.nodeNames));
      if (opts.outHtml !== undefined) writeFile(opts.outHtml, runHtml(file, run));
      io.stdout(opts.json ? toJSON(runJSON(file, run)) : formatRunSummary(file, run, scenario.measure));
      if (run.expectations.some((e) => !e.ok)) status = EXIT_EXPECTATION_FAILED;
    });

  program
    .command("compare")
    .description("run one scenario under several kube-proxy modes with the same seed and print the results side by side")
    .argument("<scenario>", "scenario file (YAML)")
    .option("--modes <modes>", "comma-separated modes (default: the scenario's compare.modes): iptables,nftables,ipvs:lc,cilium,cilium:maglev")
    .option("--seed <seed>", "root seed (overrides the scenario's seed)")
    .option("--duration <duration>", "traffic duration (overrides the scenario's), e.g. 10s")
    .option("--json", "print the results as JSON")
    .addOption(new Option("--progress", "show progress on stderr (default when stderr is a terminal)"))
    .addOption(new Option("--no-progress", "never show progress"))
    .action((file: string, opts: { modes?: string; seed?: string; duration?: string; json?: boolean; progress?: boolean }) => {
      const seed = opts.seed === undefined ? undefined : parseSeed(opts.seed);
      const duration = opts.duration === undefined ? undefined : parseDurationArg(opts.duration, "--duration");
      const scenario = withDuration(loadScenarioFile(file, read), duration);
      const modes = opts.modes !== undefined ? parseModes(opts.modes, "--modes") : scenario.compareModes;
      if (modes === undefined || modes.length === 0) {
        throw new InputError([{ file, message: `--modes: Required value: give --modes iptables,nftables,... or compare.modes in the scenario` }]);
      }
      const runs = modes.map((mode) => {
        if (progress(opts.progress)) io.stderr(`${mode}\n`);
        return runScenario(scenario, { seed, mode, onProgress: progress(opts.progress) });
      });
      io.stdout(opts.json ? toJSON({ scenario: file, runs: runs.map((r) => runJSON(file, r)) }) : formatCompareSummary(file, runs, scenario.measure));
      if (runs.some((r) => r.expectations.some((e) => !e.ok))) status = EXIT_EXPECTATION_FAILED;
    });

  program
    .command("sweep")
    .description("run a scenario for every combination of values of some fields and many seeds, on worker threads; one row per combination with 95% confidence intervals")
    .argument("<scenario>", "scenario file (YAML)")
    .option("--set <path=values>", "a field and its values, e.g. clients[0].rate=100,200,400 (repeatable)", (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option("--seeds <seeds>", "seeds: 1,2,3 or 1..100 (default: the scenario's seed)")
    .option("--duration <duration>", "traffic duration (overrides the scenario's), e.g. 10s")
    .option("--workers <n>", `worker threads (default: os.availableParallelism(), here ${availableParallelism()})`)
    .option("--shard <i/n>", "run only shard i of n (0-based): the seeds at positions i, i+n, i+2n, ... with every combination")
    .option("--out <file>", "write the runs as a shard file for merge (JSON) instead of printing the table")
    .option("--emit-job <file>", "write a batch/v1 Indexed Job manifest that runs the shards on a cluster ('-' for stdout), and run nothing")
    .option("--shards <n>", "with --emit-job: the number of shards (completions) (default: 10, at most the number of seeds)")
    .option("--parallelism <n>", "with --emit-job: pods at once (default: the number of shards)")
    .option("--image <image>", "with --emit-job: a container image with kube-netsim and the scenario files", "kube-netsim:0.1.0")
    .option("--results-claim <name>", "with --emit-job: the PersistentVolumeClaim mounted at /results", "kube-netsim-results")
    .option("--json", "print the results as JSON")
    .addOption(new Option("--progress", "show progress on stderr (default when stderr is a terminal)"))
    .addOption(new Option("--no-progress", "never show progress"))
    .action(async (file: string, opts: SweepOptions) => {
      const parameters = opts.set.map(parseSweepParameter);
      if (parameters.length === 0) throw new InputError([{ file: "<args>", message: "--set: Required value: at least one field to sweep, e.g. --set clients[0].rate=100,200,400" }]);
      let text: string;
      try {
        text = read(file);
      } catch (e) {
        throw new InputError([{ file, message: `cannot read scenario file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
      }
      const fixed = opts.duration !== undefined ? [{ path: "duration", values: [parseDurationArg(opts.duration, "--duration")] }] : [];
      const seeds = opts.seeds === undefined ? [loadScenarioFile(file, read).simulation.seed] : parseSeeds(opts.seeds);
      const workers = opts.workers === undefined ? availableParallelism() : parseCount(opts.workers, "--workers", 1, 256);
      const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
      const plan = planSweep(text, file, parameters, seeds, read, fixed);
      if (opts.emitJob !== undefined) {
        const shards = opts.shards === undefined ? Math.min(10, seeds.length) : parseCount(opts.shards, "--shards", 1, 100_000);
        if (shards > seeds.length) throw new InputError([{ file: "<args>", message: `--shards: Invalid value: ${shards}: more shards than seeds (${seeds.length}); a shard runs whole seeds` }]);
        const parallelism = opts.parallelism === undefined ? shards : parseCount(opts.parallelism, "--parallelism", 1, 100_000);
        const args = [file, ...opts.set.flatMap((x) => ["--set", x]), ...(opts.seeds !== undefined ? ["--seeds", opts.seeds] : []), ...(opts.duration !== undefined ? ["--duration", opts.duration] : [])];
        const manifest = stringify(sweepJobManifest({ name: jobName(file), image: opts.image, shards, parallelism, resultsClaim: opts.resultsClaim, args }), { lineWidth: 0 });
        if (opts.emitJob === "-") io.stdout(manifest);
        else {
          writeFile(opts.emitJob, manifest);
          io.stderr(`wrote ${opts.emitJob}: an Indexed Job of ${shards} shards; then: kube-netsim merge shard-*.json\n`);
        }
        return;
      }
      if (shard !== undefined && shard.count > seeds.length) throw new InputError([{ file: "<args>", message: `--shard: Invalid value: "${opts.shard}": more shards than seeds (${seeds.length}); a shard runs whole seeds` }]);
      if (opts.out !== undefined) writeFile(opts.out, "");
      const show = progress(opts.progress, "runs");
      const records = await runSweep(plan, { workers, shard, onProgress: show });
      if (opts.out !== undefined) {
        writeFile(opts.out, toJSON(shardFile(plan, shard ?? { index: 0, count: 1 }, records)));
        const failed = records.filter((x) => x.expectations.some((e) => !e.ok)).length;
        // Exit 0 even when expectations failed: the shard did its work (a Job would retry a
        // failed pod); merge reports the expectations and exits 1.
        io.stdout(`kube-netsim sweep ${file}: shard ${shard?.index ?? 0}/${shard?.count ?? 1}: ${records.length} runs written to ${opts.out}${failed > 0 ? `; expectations failed in ${failed} (merge exits 1)` : ""}\n`);
        return;
      }
      const rows = sweepRows(plan, records);
      io.stdout(opts.json ? toJSON(sweepJSON(plan, rows)) : formatSweep(plan, rows));
      if (records.some((x) => x.expectations.some((e) => !e.ok))) status = EXIT_EXPECTATION_FAILED;
    });

  program
    .command("merge")
    .description("merge the shard files of a sweep (sweep --shard i/n --out shard-i.json) into the table one sweep prints")
    .argument("<shards...>", "shard files (JSON), e.g. results/shard-*.json")
    .option("--json", "print the results as JSON")
    .action((files: string[], opts: { json?: boolean }) => {
      const shards = files.map((f) => {
        let t: string;
        try {
          t = read(f);
        } catch (e) {
          throw new InputError([{ file: f, message: `cannot read shard file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
        }
        try {
          return { file: f, data: JSON.parse(t) as unknown };
        } catch (e) {
          throw new InputError([{ file: f, message: `JSON: ${(e as Error).message}` }]);
        }
      });
      const { plan, records } = mergeShards(shards);
      const rows = sweepRows(plan, records);
      io.stdout(opts.json ? toJSON(sweepJSON(plan, rows)) : formatSweep(plan, rows));
      if (records.some((x) => x.expectations.some((e) => !e.ok))) status = EXIT_EXPECTATION_FAILED;
    });

  program
    .command("diagnose")
    .description("why a client's requests are refused or time out: DNS, Service and port, selector, readiness, EndpointSlices, the node's kube-proxy, traffic policy, application, each ok or FAIL with evidence; for an external client the load balancer, its health checks and the node of entry's NodePort/LB rules (externalTrafficPolicy), or the Ingress controller and rule for target: ingress (exit 0 all ok, 1 a layer failed)")
    .argument("<scenario>", "scenario file (YAML)")
    .requiredOption("--client <name>", "the client whose requests to explain")
    .option("--at <time>", "when, after the traffic start (default: the end of the traffic, before the drain)")
    .option("--seed <seed>", "root seed (overrides the scenario's seed)")
    .option("--mode <mode>", "kube-proxy mode (overrides the scenario's)")
    .action((file: string, opts: { client: string; at?: string; seed?: string; mode?: string }) => {
      const seed = opts.seed === undefined ? undefined : parseSeed(opts.seed);
      const mode = opts.mode === undefined ? undefined : parseModes(opts.mode, "--mode")[0];
      const scenario = loadScenarioFile(file, read, { allowUnresolvedTargets: true });
      const client = scenario.clients.find((c) => c.name === opts.client);
      if (!client) {
        throw new InputError([{ file: "<args>", message: `--client: Unsupported value: "${opts.client}": supported values: ${scenario.clients.map((c) => `"${c.name}"`).join(", ") || "(the scenario has no clients)"}` }]);
      }
      const at = opts.at === undefined ? scenario.duration : parseDurationArg(opts.at, "--at");
      // Count this client's requests by outcome up to --at from the request records of the trace.
      const counts: Record<string, number> = {};
      const unresolved: string[] = [];
      const needle = `"client":${JSON.stringify(client.name)}`;
      const run = runScenario(scenario, {
        seed,
        mode,
        stopAt: at,
        traceRequests: true,
        onClientError: (name, e) => {
          if (name === client.name) unresolved.push(e.message);
        },
        onTraceLine: (line) => {
          if (!line.includes('"kind":"request"') || !line.includes(needle)) return;
          const outcome = /"outcome":"([A-Za-z]+)"/.exec(line)?.[1] ?? "?";
          counts[outcome] = (counts[outcome] ?? 0) + 1;
        },
      });
      const node = client.node ?? run.sim.nodeNames[0];
      let out = `kube-netsim diagnose ${file} --client ${client.name} at t=${(at / 1000).toFixed(3)} s after the traffic start (virtual time ${(run.sim.now / 1000).toFixed(3)} s), seed ${run.seed}, kube-proxy ${run.mode}\n`;
      if (client.external === true) {
        const via = client.target === "ingress" ? `ingress, host ${client.host ?? "(the load-balancer IP)"}, path ${client.path ?? "/"}` : client.target === "lb" ? `lb, Service ${client.namespace ?? "default"}/${client.service ?? "-"}${client.port !== undefined ? ` port ${client.port}` : ""}` : client.target;
        out += `  client ${client.name} outside the cluster${client.sourceIP !== undefined ? ` (source IP ${client.sourceIP})` : ""} -> ${via} (TCP)\n`;
      } else out += `  client ${client.name} on ${node} in namespace ${client.namespace ?? "default"} -> ${client.target} (${client.protocol ?? "TCP"})\n`;
      if (unresolved.length > 0) out += `  the client could not start: ${unresolved[0]}\n`;
      else out += `  requests ended so far: ${["completed", "refused", "reset", "timedOut", "dropped"].map((k) => `${counts[k] ?? 0} ${k}`).join(", ")}\n`;
      const http = client.external === true && client.target === "ingress" ? run.sim.results().ingress?.byClient[client.name] : undefined;
      if (http !== undefined) out += `  HTTP responses from the Ingress controller: ${Object.entries(http).map(([code, n]) => `${n} x ${code}`).join(", ") || "(none yet)"}\n`;
      const ic = scenario.simulation.ingressController;
      const checks = diagnoseClient(run.sim, client, { loadBalancer: scenario.simulation.loadBalancer, ingressClassName: typeof ic === "object" ? ic.className : undefined });
      out += "\n" + formatDiagnosis(checks);
      io.stdout(out);
      if (checks.some((c) => c.status === "FAIL")) status = EXIT_EXPECTATION_FAILED;
    });

  program
    .command("explain")
    .description("run a scenario up to a moment and print the EndpointSlices, DNS answers (with cluster DNS) and what a node's kube-proxy programmed then (iptables-save, nft list ruleset, ipvsadm -Ln, cilium service list)")
    .argument("<scenario>", "scenario file (YAML)")
    .requiredOption("--at <time>", "when, after the traffic starts (e.g. 30s; 0 = as soon as the cluster is at rest)")
    .option("--node <node>", "the node whose rules to print (default: the first node)")
    .option("--modes <modes>", "print the rules of each of these modes (default: the scenario's mode)")
    .option("--service <name>", "only this Service's EndpointSlices (and DNS answer)")
    .option("--seed <seed>", "root seed (overrides the scenario's seed)")
    .action((file: string, opts: { at: string; node?: string; modes?: string; service?: string; seed?: string }) => {
      const seed = opts.seed === undefined ? undefined : parseSeed(opts.seed);
      const at = parseDurationArg(opts.at, "--at");
      const scenario = loadScenarioFile(file, read);
      const modes = opts.modes !== undefined ? parseModes(opts.modes, "--modes") : [scenario.mode];
      let out = "";
      modes.forEach((mode, i) => {
        const run = runScenario(scenario, { seed, mode, stopAt: at });
        const sim = run.sim;
        const node = opts.node ?? sim.nodeNames[0];
        if (!sim.nodeNames.includes(node)) {
          throw new InputError([{ file: "<args>", message: `--node: Unsupported value: "${node}": supported values: ${sim.nodeNames.map((n) => `"${n}"`).join(", ")}` }]);
        }
        if (i === 0) {
          out += `kube-netsim explain ${file} at t=${(at / 1000).toFixed(3)} s after the traffic start (virtual time ${(sim.now / 1000).toFixed(3)} s), seed ${run.seed}\n\n`;
          out += "Pods (API server)\n" + formatPods(sim);
          out += "\nEndpointSlices (API server)\n" + formatEndpointSlices(sim, opts.service);
          if (scenario.simulation.dns !== undefined) out += "\nDNS answers (CoreDNS, from a pod on the first node)\n" + formatDnsAnswers(sim, opts.service);
          const external = formatExternalAddresses(sim, opts.service);
          if (external !== undefined) out += "\nExternal addresses (NodePorts, load balancers, externalIPs: each node's verdict for connections from outside)\n" + external;
        }
        out += `\n${mode} rules on ${node}\n`;
        out += sim.kubeProxy(node).ruleset().replace(/\n?$/, "\n");
      });
      io.stdout(out);
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT_BAD_INPUT;
    }
    return status;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are not errors; commander already printed usage errors.
      return e.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
    }
    if (e instanceof InputError) {
      for (const p of e.problems) io.stderr(formatProblem(p) + "\n");
      return EXIT_BAD_INPUT;
    }
    io.stderr(`kube-netsim: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    return EXIT_INTERNAL;
  }
}
