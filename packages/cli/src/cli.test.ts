import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fnv1a64 } from "@kube-netsim/core";
import { describe, expect, it } from "vitest";
import { EXIT_BAD_INPUT, EXIT_EXPECTATION_FAILED, EXIT_OK, runCli } from "./cli.js";
import { escapeHtml } from "./html.js";
import { runScenario } from "./runner.js";
import { loadScenarioFile } from "./scenario.js";

/** The repository root; outputs are compared with it stripped so that goldens hold relative paths. */
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FIXTURES = join(ROOT, "packages/cli/test-fixtures");
const GOLDEN = join(FIXTURES, "golden");

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout: stdout.replaceAll(ROOT, ""), stderr: stderr.replaceAll(ROOT, "") };
}

/** Compares with a checked-in golden file; `UPDATE_GOLDEN=1` rewrites it (review the diff). */
function golden(name: string, text: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, "utf8"));
}

describe("kube-netsim run on the example scenarios (golden summaries at fixed seeds)", () => {
  it("flagship: a pod deleted 30 s in; the requests kube-proxy still sends to it time out", async () => {
    const r = await cli("run", join(ROOT, "examples/scenarios/flagship.yaml"), "--seed", "42");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(EXIT_OK);
    golden("flagship.run.out", r.stdout);
    // The story the summary tells, checked on its own lines.
    expect(r.stdout).toMatch(/^ +29\.0 .* Running 2, Terminating 1$/m);
    expect(r.stdout).toMatch(/^ +30\.0 .* 2\/2\/2 .*$/m);
  });

  it("rolling update with maxUnavailable 0, a preStop sleep and a draining app loses no request", async () => {
    const r = await cli("run", join(ROOT, "examples/scenarios/rolling-update.yaml"));
    expect(r.code).toBe(EXIT_OK);
    golden("rolling-update.run.out", r.stdout);
    expect(r.stdout).toContain("ok    failed <= 0: 0");
  });

  it("compare: every mode sees the same requests, side by side", async () => {
    const r = await cli("compare", join(ROOT, "examples/scenarios/compare-modes.yaml"));
    expect(r.code).toBe(EXIT_OK);
    golden("compare-modes.compare.out", r.stdout);
    const started = [...r.stdout.matchAll(/^ {2}(iptables|nftables|ipvs:rr|ipvs:lc|cilium) +([0-9]+) /gm)].map((m) => m[2]);
    expect(started).toHaveLength(5);
    expect(new Set(started).size).toBe(1);
  });

  it("explain: EndpointSlices and each mode's rules on a node at a moment", async () => {
    const r = await cli("explain", join(ROOT, "examples/scenarios/flagship.yaml"), "--at", "30.01s", "--node", "node-2", "--modes", "iptables,nftables,ipvs:rr,cilium");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(EXIT_OK);
    golden("flagship.explain.out", r.stdout);
    // 10 ms after the delete the pod is gone from the API server, but the EndpointSlice
    // controller has not synced yet: the slice, and so every data plane, still has its IP.
    const [pods, slices] = r.stdout.split("EndpointSlices (API server)");
    expect(pods).not.toContain("api-566cffdb74-7vvk5");
    expect(slices).toMatch(/10\.244\.0\.2 +ready,serving +node-1 +zone-a +api-566cffdb74-7vvk5/);
    expect(slices).toContain("--to-destination 10.244.0.2:8080"); // iptables
    expect(slices).toContain("dnat to 10.244.0.2:8080"); // nftables
    expect(slices).toMatch(/-> 10\.244\.0\.2:8080 +Masq +1 /); // IPVS
    expect(slices).toContain("=> 10.244.0.2:8080/TCP (active)"); // Cilium
    for (const h of ["iptables rules on node-2", "nftables rules on node-2", "ipvs:rr rules on node-2", "cilium rules on node-2"]) expect(r.stdout).toContain(h);
  });

  it("--json gives the same numbers as the table", async () => {
    const r = await cli("run", join(ROOT, "examples/scenarios/flagship.yaml"), "--json", "--duration", "5s");
    const j = JSON.parse(r.stdout) as { seed: number; results: { started: number; outcomes: { completed: number }; digest: string }; timeline: unknown[]; expectations: { ok: boolean }[] };
    const t = await cli("run", join(ROOT, "examples/scenarios/flagship.yaml"), "--duration", "5s");
    expect(j.seed).toBe(42);
    expect(t.stdout).toContain(`digest ${j.results.digest}`);
    expect(t.stdout).toMatch(new RegExp(`^ +${j.results.started} +${j.results.outcomes.completed} `, "m"));
    expect(j.timeline).toHaveLength(6); // 5 one-second buckets and the drain's
    expect(j.expectations.every((e) => e.ok)).toBe(true);
  });
});

describe("determinism", () => {
  const dir = mkdtempSync(join(tmpdir(), "kube-netsim-cli-"));
  const run = async (seed: string, name: string): Promise<{ digest: string; trace: { records: number; digest: string }; file: string }> => {
    const file = join(dir, `${name}.jsonl`);
    const r = await cli("run", join(FIXTURES, "actions.yaml"), "--seed", seed, "--json", "--trace-requests", "--out-trace", file, "--out-timeline", join(dir, `${name}.csv`));
    expect(r.code).toBe(EXIT_OK);
    const j = JSON.parse(r.stdout) as { results: { digest: string }; trace: { records: number; digest: string } };
    return { digest: j.results.digest, trace: j.trace, file: readFileSync(file, "utf8") };
  };

  it("the same seed gives the same trace file and digest; another seed does not", async () => {
    const a = await run("7", "a");
    const b = await run("7", "b");
    const c = await run("8", "c");
    expect(b.file).toBe(a.file);
    expect(b.digest).toBe(a.digest);
    expect(c.digest).not.toBe(a.digest);
    expect(readFileSync(join(dir, "b.csv"), "utf8")).toBe(readFileSync(join(dir, "a.csv"), "utf8"));
  });

  it("the JSON Lines file is the digested trace: its FNV-1a 64 is the trace digest, one line per record", async () => {
    const a = await run("7", "d");
    expect(fnv1a64(a.file)).toBe(a.trace.digest);
    expect(a.file.split("\n").length - 1).toBe(a.trace.records);
    const kinds = new Set(a.file.trim().split("\n").map((l) => (JSON.parse(l) as { kind: string }).kind));
    for (const k of ["Node.ADDED", "Deployment.MODIFIED", "EndpointSlice.MODIFIED", "kube-proxy.sync", "request"]) expect(kinds.has(k)).toBe(true);
  });

  it("the timeline CSV has one row per bucket and a column per node", async () => {
    await run("7", "e");
    const rows = readFileSync(join(dir, "e.csv"), "utf8").trim().split("\n");
    expect(rows[0]).toBe("t_s,completed,refused,reset,timedOut,dropped,latency_mean_ms,latency_p50_ms,latency_p99_ms,latency_max_ms,endpoints_a,endpoints_b,pods_Running,pods_Terminating");
    expect(rows.map((r) => r.split(",")[0]).slice(1, 4)).toEqual(["0", "2", "4"]);
  });
});

describe("manifests", () => {
  it("Node manifests make the nodes; a Service without a selector uses the EndpointSlice written by hand", async () => {
    const run = runScenario(loadScenarioFile(join(FIXTURES, "nodes-and-slices.yaml")));
    expect(run.sim.nodeNames).toEqual(["worker-a", "worker-b"]);
    expect(run.sim.store.get("Node", undefined, "worker-b")?.metadata.labels?.["topology.kubernetes.io/zone"]).toBe("west");
    const r = run.results;
    expect(r.outcomes.completed).toBe(r.started);
    expect(r.endpoints.map((e) => e.address)).toEqual(["10.244.0.2:8080", "10.244.1.2:8080"]); // the third pod is not in the slice
    // 449 requests split at random between two endpoints: each share within 3 sd (2.4%) of one half.
    for (const e of r.endpoints) expect(Math.abs(e.share - 0.5)).toBeLessThan(3 * Math.sqrt(0.25 / r.started));
  });
});

describe("timeline actions", () => {
  it("scale, setImage, deletePod, patch, apply and stopClient all take effect", async () => {
    const scenario = loadScenarioFile(join(FIXTURES, "actions.yaml"));
    const run = runScenario(scenario);
    const sim = run.sim;
    const d = sim.store.get("Deployment", "default", "api");
    expect(d?.spec.replicas).toBe(5); // scale
    expect(d?.spec.template.spec?.containers?.[0].image).toBe("example/api:2.0"); // setImage
    const pods = sim.pods({ app: "api" });
    expect(pods).toHaveLength(5);
    expect(pods.every((p) => p.spec.containers?.[0].image === "example/api:2.0")).toBe(true); // the rollout finished
    expect(sim.store.get("Service", "default", "api")?.spec.sessionAffinity).toBe("ClientIP"); // patch
    expect(sim.store.get("Service", "default", "api-direct")?.metadata.labels).toEqual({ changed: "yes" }); // apply
    const at = (s: number): (typeof run.buckets)[number] => run.buckets.find((b) => b.start === s * 1000) as (typeof run.buckets)[number];
    expect(at(0).pods).toEqual({ Running: 3 }); // before the scale at 2 s
    expect(at(2).endpointsByNode).toEqual({ a: 5, b: 5 });
    expect(at(10).pods).toEqual({ Running: 4, Terminating: 1 }); // deletePod at 12 s, sampled at the end of the 10-12 s bucket
    const r = run.results;
    const o = r.outcomes;
    expect(o.completed + o.refused + o.reset + o.timedOut + o.dropped).toBe(r.started); // every request ended once
    expect(r.inFlight).toBe(0);
    // steady: Poisson 100/s for 20 s; late: one request every 50 ms from 5 s until stopClient at 16 s (220).
    const late = r.started - 2000;
    expect(late).toBeGreaterThan(220 - 3 * 45); // 3 sd of the steady client's count (sqrt(2000) = 45)
    expect(late).toBeLessThan(220 + 3 * 45);
  });
});

describe("--out-html", () => {
  it("writes a self-contained report with the same numbers as the summary", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kube-netsim-html-"));
    const file = join(dir, "r.html");
    const r = await cli("run", join(ROOT, "examples/scenarios/flagship.yaml"), "--out-html", file, "--json");
    expect(r.code).toBe(EXIT_OK);
    const j = JSON.parse(r.stdout) as { results: { started: number; digest: string; outcomes: { timedOut: number } }; timeline: unknown[] };
    const html = readFileSync(file, "utf8");
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).not.toMatch(/<script [^>]*src|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/); // inline only, no external assets
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">`);
    expect(html).toContain(`<code>${j.results.digest}</code>`);
    expect(html).toContain(`<td class="n">${j.results.started}</td>`);
    expect(html.match(/<tr><td class="n">[0-9]+\.[0-9]<\/td>/g)).toHaveLength(j.timeline.length); // one timeline row per bucket
    // The timeouts after the pod deletion are one bar in the outcomes chart.
    expect(html).toContain(`<title>31 s: ${j.results.outcomes.timedOut} timedOut</title></rect>`);
  });

  it("escapes what it prints", async () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  });
});

describe("sweep", () => {
  const flagship = join(ROOT, "examples/scenarios/flagship.yaml");
  it("one row per combination, each run the same as run with that value and seed", async () => {
    const r = await cli("sweep", flagship, "--set", "clients[0].rate=100,300", "--set", "cluster.kubeProxy.mode=iptables,ipvs:lc", "--seeds", "1..2", "--duration", "3s", "--json");
    expect(r.code).toBe(EXIT_OK);
    const j = JSON.parse(r.stdout) as { parameters: string[]; seeds: number[]; rows: { values: unknown[]; runs: { seed: number; mode: string; results: { digest: string } }[] }[] };
    expect(j.parameters).toEqual(["clients[0].rate", "cluster.kubeProxy.mode"]);
    expect(j.seeds).toEqual([1, 2]);
    expect(j.rows.map((x) => x.values)).toEqual([[100, "iptables"], [100, "ipvs:lc"], [300, "iptables"], [300, "ipvs:lc"]]);
    expect(j.rows[3].runs.map((x) => [x.seed, x.mode])).toEqual([[1, "ipvs:lc"], [2, "ipvs:lc"]]);
    // rate 300 is the scenario's own value: the same run as `run --seed 2 --mode ipvs:lc`.
    const single = JSON.parse((await cli("run", flagship, "--seed", "2", "--mode", "ipvs:lc", "--duration", "3s", "--json")).stdout) as { results: { digest: string } };
    expect(j.rows[3].runs[1].results.digest).toBe(single.results.digest);
  });

  it("progress counts runs", async () => {
    let stderr = "";
    const io = { stdout: (): void => undefined, stderr: (x: string): void => void (stderr += x), interactive: true };
    expect(await runCli(["sweep", flagship, "--set", "clients[0].rate=10,20", "--seeds", "1,2", "--duration", "1s", "--workers", "2"], io)).toBe(EXIT_OK);
    expect(stderr.split("\r").filter((f) => f !== "")).toEqual([
      "[..............................] 0 / 4 runs",
      "[########......................] 1 / 4 runs",
      "[###############...............] 2 / 4 runs",
      "[#######################.......] 3 / 4 runs",
      "[##############################] 4 / 4 runs\n",
    ]);
  });

  it("the table has a column per swept field and exits 1 when an expectation fails in some run", async () => {
    const r = await cli("sweep", flagship, "--set", "clients[0].rate=100,600", "--seeds", "1,2", "--duration", "3s");
    expect(r.code).toBe(EXIT_EXPECTATION_FAILED);
    const lines = r.stdout.split("\n");
    expect(lines[1]).toBe("  2 combinations x 2 seeds (1, 2); mean ± 95% confidence half-width over the seeds (Student t, n-1 degrees of freedom; one number when all are equal)");
    expect(lines[3]).toMatch(/^ {2}clients\[0\]\.rate +started +completed +failed % +timedOut +refused +reset +dropped +p50 ms +p99 ms +expect$/);
    expect(lines[4]).toMatch(/^ {2}100 .* ok$/);
    expect(lines[5]).toMatch(/^ {2}600 .* FAIL 2\/2$/); // 600/s on three 200/s servers: the p99 bound of 100 ms fails
  });

  it.each([
    [["--set", "clients[0].rate=abc"], '<args>: --set clients[0].rate=abc: clients[0].rate: Invalid value: "abc": must be a number > 0\n'],
    [["--set", "rate"], '<args>: --set: Invalid value: "rate": expected field.path=value1,value2,... e.g. clients[0].rate=100,200,400\n'],
    [[], "<args>: --set: Required value: at least one field to sweep, e.g. --set clients[0].rate=100,200,400\n"],
    [["--set", "seed=1", "--seeds", "5..1"], '<args>: --seeds: Invalid value: "5..1": a range a..b with a <= b and at most 1000 seeds\n'],
  ])("2 for bad arguments: %j", async (args, stderr) => {
    const r = await cli("sweep", flagship, ...args);
    expect(r.stderr).toBe(stderr);
    expect(r.code).toBe(EXIT_BAD_INPUT);
  });
});

describe("check", () => {
  it("checks without running: 0 and a one-line summary, or 2 and the errors", async () => {
    const ok = await cli("check", join(ROOT, "examples/scenarios/compare-modes.yaml"));
    expect(ok.code).toBe(EXIT_OK);
    expect(ok.stdout).toBe("examples/scenarios/compare-modes.yaml: ok: 1 Deployment, 1 Service, 1 application model(s), 1 client(s), 2 timeline action(s), duration 30 s\n");
    const bad = await cli("check", join(FIXTURES, "bad/not-modelled.yaml"));
    expect(bad.code).toBe(EXIT_BAD_INPUT);
    expect(bad.stderr).toBe(BAD["not-modelled.yaml"].replace(/^bad\//, "packages/cli/test-fixtures/bad/") + "\n");
  });
});

describe("exit codes", () => {
  it("1 when the scenario ran but an expectation failed", async () => {
    const r = await cli("run", join(FIXTURES, "expect-fail.yaml"));
    expect(r.code).toBe(EXIT_EXPECTATION_FAILED);
    expect(r.stdout).toMatch(/^ {2}ok {4}completed >= 1: [0-9]+$/m);
    expect(r.stdout).toMatch(/^ {2}FAIL {2}latency\.p99 <= 1 ms: [0-9.]+ ms$/m);
  });

  it.each([
    [["frob"], "error: unknown command 'frob'\n(run with --help for usage)\n"],
    [["run"], "error: missing required argument 'scenario'\n(run with --help for usage)\n"],
    [["explain", "x.yaml"], "error: required option '--at <time>' not specified\n(run with --help for usage)\n"],
    [["run", "x.yaml", "--sed", "1"], "error: unknown option '--sed'\n(Did you mean --seed?)\n(run with --help for usage)\n"],
    [["run", "examples/scenarios/flagship.yaml", "--mode", "ipvs:fast"], "<args>: --mode: Unsupported value: \"ipvs:fast\": supported IPVS schedulers: rr, wrr, lc, wlc, sed, nq, sh, dh, mh\n"],
    [["compare", "examples/scenarios/flagship.yaml"], "examples/scenarios/flagship.yaml: --modes: Required value: give --modes iptables,nftables,... or compare.modes in the scenario\n"],
    [["compare", "examples/scenarios/flagship.yaml", "--modes", "iptables,bpf"], "<args>: --modes: Unsupported value: \"bpf\": supported values: \"iptables\", \"nftables\", \"cilium\", \"cilium:<algorithm>\", \"ipvs\" or \"ipvs:<scheduler>\"\n"],
    [["run", "examples/scenarios/flagship.yaml", "--mode", "cilium:hash"], '<args>: --mode: Unsupported value: "cilium:hash": supported Cilium algorithms: random, maglev\n'],
    [["run", "examples/scenarios/flagship.yaml", "--duration", "soon"], "<args>: --duration: Invalid value: \"soon\": must be a duration like 250ms, 1.5s, 2m or 1m30s (a bare number is milliseconds)\n"],
    [["explain", "examples/scenarios/flagship.yaml", "--at", "1s", "--node", "node-9"], "<args>: --node: Unsupported value: \"node-9\": supported values: \"node-1\", \"node-2\", \"node-3\"\n"],
    [["run", "examples/scenarios/rolling-update.yaml", "--out-timeline", "/nonexistent-dir/x.csv", "--duration", "1s"], "<args>: cannot write /nonexistent-dir/x.csv: ENOENT\n"],
    [["run", "nope.yaml"], "nope.yaml: cannot read scenario file: ENOENT\n"],
    [["run", "examples/scenarios/flagship.yaml", "--mode", "iptables,cilium"], '<args>: --mode: Invalid value: "iptables,cilium": one mode; compare runs several\n'],
    [["sweep", "examples/scenarios/flagship.yaml", "--set", "clients[0].rate=1", "--seeds", "1,"], '<args>: --seeds: Invalid value: "": must be a number or a string\n'],
  ])("2 for bad usage: %j", async (args, stderr) => {
    const r = await cli(...args.map((a) => (a.startsWith("examples/") ? join(ROOT, a) : a)));
    expect(r.stderr.split("\n").filter((l) => !l.startsWith("warning: ")).join("\n")).toBe(stderr);
    expect(r.code).toBe(EXIT_BAD_INPUT);
  });

  it("progress: a line on stderr redrawn as virtual time advances, only when asked or on a terminal", async () => {
    let stderr = "";
    const io = { stdout: (): void => undefined, stderr: (s: string): void => void (stderr += s), interactive: true };
    expect(await runCli(["run", join(ROOT, "examples/scenarios/flagship.yaml"), "--duration", "2s"], io)).toBe(EXIT_OK);
    const warning = "warning: timeline[0] at 30 s is not before the end of the traffic (2 s): it does not run\n";
    expect(stderr.startsWith(warning)).toBe(true);
    const frames = stderr.slice(warning.length).split("\r").filter((f) => f !== "");
    expect(frames.length).toBeGreaterThan(10);
    expect(frames[0]).toMatch(/^\[#*\.*\] 0\.[0-9] s \/ 2\.0 s of virtual time$/);
    expect(frames[frames.length - 1]).toBe("[##############################] 2.0 s / 2.0 s of virtual time\n");
    stderr = "";
    await runCli(["run", join(ROOT, "examples/scenarios/flagship.yaml"), "--duration", "2s", "--no-progress"], io);
    expect(stderr).toBe(warning);
  });

  it("0 for --help of every command and --version", async () => {
    for (const args of [["--help"], ["check", "--help"], ["run", "--help"], ["compare", "--help"], ["explain", "--help"], ["sweep", "--help"], ["merge", "--help"], ["diagnose", "--help"], ["--version"]]) {
      const r = await cli(...args);
      expect(r.code).toBe(EXIT_OK);
      expect(r.stdout.length).toBeGreaterThan(0);
    }
    expect((await cli("--help")).stdout).toContain("Exit status: 0 ok, 1 an expectation of the scenario failed, 2 bad input or usage");
  });

  it("the built bin runs as a process and sets its exit status", async () => {
    const main = join(ROOT, "packages/cli/dist/main.js");
    expect(existsSync(main)).toBe(true);
    const ok = spawnSync(process.execPath, [main, "run", join(ROOT, "examples/scenarios/flagship.yaml"), "--duration", "1s", "--no-progress"], { encoding: "utf8" });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("outcomes");
    const bad = spawnSync(process.execPath, [main, "run", join(FIXTURES, "bad/not-modelled.yaml")], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
  });
});

/** Every malformed input in test-fixtures/bad, with the exact error lines (file:line:col: field path: ...). */
const BAD: Readonly<Record<string, string>> = {
  "api-version.yaml": 'bad/api-version.yaml:3:5: Deployment "api": apiVersion: Unsupported value: "apps/v1beta1": supported values: "apps/v1"',
  "bad-distribution.yaml": 'bad/bad-distribution.yaml:5:5: applications[0].serviceTime: Invalid value: "gaussian(5ms)": must be a duration (constant) or exponential(5ms), constant(1s), uniform(1s, 3s), lognormal(20ms, 10ms), empirical(1ms, 2ms, 9ms)',
  "bad-duration.yaml": 'bad/bad-duration.yaml:1:1: duration: Invalid value: "10 seconds": must be a duration like 250ms, 1.5s, 2m or 1m30s (a bare number is milliseconds)',
  "client-node.yaml": [
    'bad/client-node.yaml:6:5: clients[0].target: Not found: "http://api:80": no Service "api" in namespace "default" in the manifests',
    'bad/client-node.yaml:8:5: clients[0].node: Unsupported value: "node-7": supported values: "node-1", "node-2"',
  ].join("\n"),
  "deployment-selector.yaml": [
    'bad/deployment-selector.yaml:7:7: Deployment "api": spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    'bad/deployment-selector.yaml:10:21: Deployment "api": spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
  ].join("\n"),
  "expect-metric.yaml": [
    'bad/expect-metric.yaml:3:3: expect.errors: Unsupported field: "errors": supported fields: "started", "completed", "refused", "reset", "timedOut", "dropped", "failed", "failedRatio", "latency.mean", "latency.p50", "latency.p90", "latency.p99", "latency.p999", "latency.max"',
    "bad/expect-metric.yaml:4:3: expect.latency.p99: Required value: min or max",
    'bad/expect-metric.yaml:4:18: expect.latency.p99.max: Invalid value: "fast": must be a duration like 250ms, 1.5s, 2m or 1m30s (a bare number is milliseconds)',
  ].join("\n"),
  "not-modelled.yaml": 'bad/not-modelled.yaml:4:5: kind: Unsupported value: "NetworkPolicy": NetworkPolicy (networking.k8s.io/v1) is not yet modelled by kube-netsim; supported kinds: Deployment, EndpointSlice, Ingress, Namespace, Node, Pod, ReplicaSet, Service',
  "inline-manifest.yaml": [
    "bad/inline-manifest.yaml:7:7: Service \"API\": metadata.name: Invalid value: \"API\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    'bad/inline-manifest.yaml:10:11: Service "API": spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    'bad/inline-manifest.yaml:10:11: Service "API": spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
  ].join("\n"),
  "manifest-target-port.yaml": 'bad/manifests/bad-port.yaml:27:7: Service "api": spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
  "missing-manifest.yaml": 'bad/missing-manifest.yaml:3:5: manifests[0]: Invalid value: "does-not-exist.yaml": cannot read packages/cli/test-fixtures/bad/does-not-exist.yaml: ENOENT',
  "not-a-map.yaml": "bad/not-a-map.yaml:1:1: scenario: Invalid value: a scenario is a map with the keys seed, duration, settle, cluster, manifests, applications, clients, timeline, measure, expect, compare",
  "proxy-mode.yaml": 'bad/proxy-mode.yaml:4:5: cluster.kubeProxy.mode: Unsupported value: "ipvs:fastest": supported IPVS schedulers: rr, wrr, lc, wlc, sed, nq, sh, dh, mh',
  "scale-missing.yaml": 'bad/scale-missing.yaml:9:14: timeline[0].scale.deployment: Not found: "web": no Deployment "web" in namespace "default" in the manifests',
  "client-limits.yaml": [
    "bad/client-limits.yaml:3:38: clients[0].interarrival: Invalid value: 0: must have a mean > 0",
    "bad/client-limits.yaml:3:55: clients[0].connectTimeout: Invalid value: 0: must be > 0",
    "bad/client-limits.yaml:3:89: clients[0].connections: Forbidden: UDP has no connections; leave connections out",
    "bad/client-limits.yaml:4:80: clients[1].connections.idleTimeout: Invalid value: 0: must be > 0",
  ].join("\n"),
  "too-many-buckets.yaml": "bad/too-many-buckets.yaml:3:12: measure.bucket: Invalid value: 1 ms: 60000 buckets in the run; at most 10000, use a larger bucket",
  "delete-missing.yaml": 'bad/delete-missing.yaml:8:5: timeline[0] (at t=1000 ms): pods "api-0" not found',
  "names-missing.yaml": [
    'bad/names-missing.yaml:5:16: clients[1].target: Not found: "api.shop:80": no Service "api" in namespace "shop" in the manifests',
    'bad/names-missing.yaml:9:29: timeline[0].patch.name: Not found: "api-v2": no Service "api-v2" in namespace "default" in the manifests',
    'bad/names-missing.yaml:16:3: measure.service: Not found: "web": no Service "web" in namespace "default" in the manifests',
  ].join("\n"),
  "selector-number.yaml": [
    "bad/selector-number.yaml:3:17: applications[0].selector[version]: Invalid value: 2: must be a string (quote numbers and booleans)",
    "bad/selector-number.yaml:5:5: applications[0].concurrency: Invalid value: 0: must be an integer >= 1",
  ].join("\n"),
  "unknown-manifest-field.yaml": [
    'bad/manifests/typos.yaml:22:11: Deployment "api": spec.template.spec.containers[0].readinessprobe: Unsupported field: unknown field "spec.template.spec.containers[0].readinessprobe" (did you mean "readinessProbe"?)',
    'bad/manifests/typos.yaml:33:7: Service "api": spec.ports[0].targetport: Unsupported field: unknown field "spec.ports[0].targetport" (did you mean "targetPort"?)',
    'bad/unknown-manifest-field.yaml:14:9: EndpointSlice "extra": endpoints[0].node: Unsupported field: unknown field "endpoints[0].node"',
  ].join("\n"),
  "target-missing.yaml": 'bad/target-missing.yaml:5:5: clients[0].target: Not found: "http://web:80": no Service "web" in namespace "default" in the manifests',
  "two-actions.yaml": "bad/two-actions.yaml:3:5: timeline[0]: Forbidden: one action per entry, found scale, deletePod",
  "unknown-action.yaml": 'bad/unknown-action.yaml:7:5: timeline[1].reboot: Unsupported value: "reboot": unknown action; supported actions: scale, setImage, deletePod, apply, patch, stopClient, crashPod, hangPod, failNode, recoverNode, partitionNode, healPartition, drainNode, uncordonNode, loseZone, recoverZone, stallKubeProxy',
  "unknown-field.yaml": [
    "bad/unknown-field.yaml:4:5: clients[0].rate: Required value: requests per second (or give interarrival, or users for a closed loop)",
    'bad/unknown-field.yaml:6:5: clients[0].rat: Unsupported field: "rat": supported fields: "name", "target", "rate", "interarrival", "users", "thinkTime", "node", "namespace", "connectTimeout", "connections", "protocol", "start", "dns", "external", "service", "port", "sourceIP", "host", "path"',
  ].join("\n"),
  "unknown-kind.yaml": 'bad/unknown-kind.yaml:4:5: kind: Unsupported value: "Frobnicator": supported values: "Deployment", "EndpointSlice", "Ingress", "Namespace", "Node", "Pod", "ReplicaSet", "Service"',
  "yaml-syntax.yaml": "bad/yaml-syntax.yaml:5:1: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
};

/**
 * Fixtures whose error only shows in a full run, with the commands that do not run it:
 * pod names are made by the run (check does not run the timeline), and explain measures
 * only up to --at.
 */
const RUN_TIME_ONLY: Readonly<Record<string, readonly string[]>> = { "delete-missing.yaml": ["check"], "too-many-buckets.yaml": ["check", "explain"] };

describe("malformed scenarios and manifests (test-fixtures/bad): one line per error with file:line:col, exit status 2", () => {
  it("every fixture has an expected error", async () => {
    const files = readdirSync(join(FIXTURES, "bad")).filter((f) => f.endsWith(".yaml"));
    expect(files.sort()).toEqual(Object.keys(BAD).sort());
  });

  it.each(Object.entries(BAD))("%s", async (file, expected) => {
    for (const args of [["check"], ["run"], ["compare", "--modes", "iptables"], ["explain", "--at", "2s"], ["sweep", "--set", "seed=1,2", "--workers", "1"]]) {
      const r = await cli(args[0], join(FIXTURES, "bad", file), ...args.slice(1));
      if (RUN_TIME_ONLY[file]?.includes(args[0])) {
        expect(r.code).toBe(EXIT_OK);
        continue;
      }
      expect(r.code).toBe(EXIT_BAD_INPUT);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(expected.replaceAll(/^bad\//gm, "packages/cli/test-fixtures/bad/") + "\n");
    }
  });
});
