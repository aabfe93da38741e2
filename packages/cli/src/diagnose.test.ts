import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EXIT_BAD_INPUT, EXIT_EXPECTATION_FAILED, EXIT_OK, runCli } from "./cli.js";
import { dnsQueries } from "./diagnose.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const DIR = join(ROOT, "packages/cli/test-fixtures/diagnose");

async function diagnose(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["diagnose", ...args], { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout: stdout.replaceAll(ROOT, ""), stderr };
}

/** The status column of each layer, in order. */
function statuses(out: string): string[] {
  return [...out.matchAll(/^ {2}(ok|FAIL|skip|n\/a) +([a-z-]+) /gm)].map((m) => `${m[1]} ${m[2]}`);
}

const LAYERS = ["dns", "service", "selector", "ready", "endpointslice", "kube-proxy", "policy", "application"];
const upTo = (failing: string): string[] => {
  const i = LAYERS.indexOf(failing);
  return [...LAYERS.slice(0, i).map((l) => `ok ${l}`), `FAIL ${failing}`, ...LAYERS.slice(i + 1).map((l) => `skip ${l}`)];
};

describe("dns queries of a ClusterFirst pod (pkg/kubelet/network/dns/dns.go: search list, ndots 5)", () => {
  it.each([
    ["api", "default", ["api.default.svc.cluster.local", "api.svc.cluster.local", "api.cluster.local", "api"]],
    ["api.shop", "default", ["api.shop.default.svc.cluster.local", "api.shop.svc.cluster.local", "api.shop.cluster.local", "api.shop"]],
    ["api.shop.svc.cluster.local", "default", ["api.shop.svc.cluster.local.default.svc.cluster.local", "api.shop.svc.cluster.local.svc.cluster.local", "api.shop.svc.cluster.local.cluster.local", "api.shop.svc.cluster.local"]],
    ["a.b.c.d.e.f", "default", ["a.b.c.d.e.f", "a.b.c.d.e.f.default.svc.cluster.local", "a.b.c.d.e.f.svc.cluster.local", "a.b.c.d.e.f.cluster.local"]],
    ["api.shop.svc.cluster.local.", "default", ["api.shop.svc.cluster.local"]],
  ])("%s from namespace %s", (host, ns, queries) => {
    expect(dnsQueries(host, ns)).toEqual(queries);
  });
});

describe("diagnose: one fixture per failing layer", () => {
  it.each([
    [
      "typo.yaml",
      "dns",
      'diagnosis: dns: apii does not resolve (NXDOMAIN for every name tried): did you mean "api"?',
      ["apii.default.svc.cluster.local: NXDOMAIN", "apii.svc.cluster.local: NXDOMAIN", "apii.cluster.local: NXDOMAIN", "Services in namespace default: api"],
    ],
    ["no-pods-match.yaml", "selector", "diagnosis: selector: no pod in namespace default matches the selector app=api-v2", ["pod labels in default: app=api,pod-template-hash=", "250 refused"]],
    [
      "not-ready.yaml",
      "ready",
      "diagnosis: ready: none of the 2 matching pod(s) is Ready: the EndpointSlice controller publishes them as not ready",
      ["on node-1: Running, not Ready", "on node-2: Running, not Ready", "250 refused"],
    ],
    [
      "not-synced.yaml",
      "kube-proxy",
      "diagnosis: kube-proxy: kube-proxy on node-1 has not synced the EndpointSlices yet: 2 endpoint(s) missing (verdict reject)",
      ["programmed ready endpoints: (none)", "API server's ready endpoints: 10.244.", "250 refused"],
    ],
    [
      "local-policy.yaml",
      "policy",
      "diagnosis: policy: internalTrafficPolicy Local and no ready endpoint on node-1: the rules DROP the packets (the client times out)",
      ["ready endpoints are on node-2", "verdict for 10.", "200 timedOut"],
    ],
    [
      "no-application.yaml",
      "application",
      "diagnosis: application: 2 endpoint pod(s) have no application listening: connections to them are refused",
      ["10.96.0.50 is an IP address (no lookup); it is the ClusterIP of Service default/api", "no application model matches its labels", "250 refused"],
    ],
  ])("%s fails at %s", async (file, layer, diagnosis, evidence) => {
    const r = await diagnose(join(DIR, file), "--client", "web", "--at", "5s");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(EXIT_EXPECTATION_FAILED);
    expect(statuses(r.stdout)).toEqual(upTo(layer));
    expect(r.stdout.trimEnd().split("\n").pop()).toBe(diagnosis);
    for (const e of evidence) expect(r.stdout).toContain(e);
  });

  it("the flagship 10 ms after the delete: the EndpointSlice still publishes the deleted pod", async () => {
    const r = await diagnose(join(ROOT, "examples/scenarios/flagship.yaml"), "--client", "frontend", "--at", "30.01s");
    expect(r.code).toBe(EXIT_EXPECTATION_FAILED);
    expect(statuses(r.stdout)).toEqual(upTo("endpointslice"));
    expect(r.stdout).toContain("10.244.0.2:8080 is published ready but no Ready pod has that IP (deleted or terminating)");
  });

  it("exit 0 when every layer is ok (the flagship before the delete)", async () => {
    const r = await diagnose(join(ROOT, "examples/scenarios/flagship.yaml"), "--client", "frontend", "--at", "10s");
    expect(r.code).toBe(EXIT_OK);
    expect(statuses(r.stdout)).toEqual(LAYERS.map((l) => `ok ${l}`));
    expect(r.stdout).toMatch(/requests ended so far: [0-9]+ completed, 0 refused, 0 reset, 0 timedOut, 0 dropped/);
    expect(r.stdout.trimEnd().split("\n").pop()).toBe("diagnosis: every layer is ok");
  });

  it("a Service without a selector: selector and readiness do not apply", async () => {
    const r = await diagnose(join(ROOT, "packages/cli/test-fixtures/nodes-and-slices.yaml"), "--client", "old-app", "--at", "1s");
    expect(r.code).toBe(EXIT_OK);
    expect(statuses(r.stdout).slice(2, 4)).toEqual(["n/a selector", "n/a ready"]);
  });

  it.each([
    [["--client", "nobody"], '<args>: --client: Unsupported value: "nobody": supported values: "web"\n'],
    [["--client", "web", "--at", "soon"], '<args>: --at: Invalid value: "soon": must be a duration like 250ms, 1.5s, 2m or 1m30s (a bare number is milliseconds)\n'],
  ])("2 for bad arguments: %j", async (args, stderr) => {
    const r = await diagnose(join(DIR, "local-policy.yaml"), ...args);
    expect(r.stderr).toBe(stderr);
    expect(r.code).toBe(EXIT_BAD_INPUT);
  });
});
