import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EXIT_BAD_INPUT, EXIT_EXPECTATION_FAILED, EXIT_OK, runCli } from "./cli.js";
import { diagnoseClient, dnsQueries } from "./diagnose.js";
import { runScenario } from "./runner.js";
import { loadScenarioFile } from "./scenario.js";

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
const upTo = (failing: string, layers: readonly string[] = LAYERS, notApplicable: readonly string[] = []): string[] => {
  const i = layers.indexOf(failing);
  const before = layers.slice(0, i).map((l) => `${notApplicable.includes(l) ? "n/a" : "ok"} ${l}`);
  return [...before, `FAIL ${failing}`, ...layers.slice(i + 1).map((l) => `skip ${l}`)];
};
const EXTERNAL = ["load-balancer", "health-check", "service", "selector", "ready", "endpointslice", "kube-proxy", "policy", "application"];
const INGRESS = ["load-balancer", "health-check", "controller", "ingress-rule", "service", "selector", "ready", "endpointslice", "application"];

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
      "unschedulable.yaml",
      "ready",
      "diagnosis: ready: none of the 2 matching pod(s) is Ready (2 Pending, not scheduled: 0/2 nodes are available: 2 Too many pods. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.): the EndpointSlice controller publishes them as not ready",
      [
        "on (unscheduled): Pending, not Ready, Unschedulable: 0/2 nodes are available: 2 Too many pods. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
        "250 refused",
      ],
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

describe("diagnose an external client: one fixture per failing layer", () => {
  it.each([
    [
      "lb-pending.yaml",
      "5s",
      EXTERNAL,
      "load-balancer",
      [],
      "diagnosis: load-balancer: Service default/api is pending (EXTERNAL-IP <pending>): status.loadBalancer.ingress is empty, the load balancer is not provisioned yet; clients have no address to connect to",
      ["cluster.loadBalancer.provisioningDelay: 60 s from the Service's creation", 'the client could not start: external client "web": target: Invalid value: "lb": Service "api" is pending (EXTERNAL-IP <pending>)'],
    ],
    [
      "lb-not-loadbalancer.yaml",
      "5s",
      EXTERNAL,
      "load-balancer",
      [],
      "diagnosis: load-balancer: Service default/api is of type NodePort, not LoadBalancer: no load balancer is provisioned for it",
      ["to fix: set spec.type: LoadBalancer, or call a node's NodePort (<nodeIP>:<nodePort>)"],
    ],
    [
      "health-check-fails.yaml",
      "5s",
      EXTERNAL,
      "health-check",
      [],
      "diagnosis: health-check: no node passes the load balancer's health check on healthCheckNodePort 32481 (every node answers 503: the Service has no ready endpoint at all, so no node has a local one): the load balancer fails open and spreads new connections over every node",
      [
        "the load balancer checks healthCheckNodePort 32481 (externalTrafficPolicy Local) on every node",
        "node-1: 503 (0 local endpoint(s)); the load balancer counts it unhealthy",
        "node-2: 503 (0 local endpoint(s)); the load balancer counts it unhealthy",
        "ready endpoints published for default/api: 0",
        "0 completed, 200 refused",
      ],
    ],
    [
      "nodeport-local.yaml",
      "5s",
      EXTERNAL,
      "policy",
      ["load-balancer", "health-check"],
      "diagnosis: policy: externalTrafficPolicy Local and no ready endpoint on node-1: the rules DROP the packets (the client times out)",
      [
        "the client calls node-1's NodePort 10.0.0.10:30080 directly: no load balancer",
        "node-1: rules for 10.0.0.10:30080/TCP: drop",
        "verdict for 10.0.0.10:30080/TCP on node-1: drop",
        "to fix: call a node that runs a ready pod (node-2)",
        "0 completed, 0 refused, 0 reset, 200 timedOut",
      ],
    ],
    [
      "nodeport-node-down.yaml",
      "5s",
      EXTERNAL,
      "kube-proxy",
      ["load-balancer", "health-check"],
      "diagnosis: kube-proxy: node-1 is down: the connections that enter by it are lost (the client times out)",
      ["node-1: failed (failNode): its kubelet and kube-proxy are gone and nothing answers on 10.0.0.10", "to fix: call another node (node-2)", "97 timedOut"],
    ],
    [
      "lb-stale-health.yaml",
      "10s",
      EXTERNAL,
      "policy",
      [],
      "diagnosis: policy: externalTrafficPolicy Local and no ready endpoint on node-2: the rules DROP the packets (the client times out); the load balancer still counts the node healthy (unhealthyThreshold not reached)",
      ["node-2: 503 (0 local endpoint(s)); the load balancer counts it healthy", "to fix: wait for the health check to take the node out (3 failed checks 8 s apart)", "97 timedOut"],
    ],
    [
      "ingress-no-rule.yaml",
      "5s",
      INGRESS,
      "ingress-rule",
      [],
      "diagnosis: ingress-rule: no Ingress rule matches host shop.example.com and path /admin: the controller answers 404 Not Found",
      ["default/shop: host shop.example.com path /api (Prefix) -> api:80, class nginx", "HTTP responses from the Ingress controller: 250 x 404"],
    ],
    [
      "ingress-not-synced.yaml",
      "3.5s",
      INGRESS,
      "ingress-rule",
      [],
      "diagnosis: ingress-rule: the controller has not synced the Ingress rule that matches host shop.example.com and path /api/items (default/shop: shop.example.com/api (Prefix)) yet: it answers 404 Not Found until its next sync",
      ["to fix: wait for the controller's next sync (--sync-rate-limit: cluster.ingressController.syncRateLimit)", "HTTP responses from the Ingress controller: 178 x 404\n"],
    ],
    [
      "ingress-other-class.yaml",
      "5s",
      INGRESS,
      "ingress-rule",
      [],
      "diagnosis: ingress-rule: no Ingress of class nginx matches host shop.example.com and path /api/items: Ingress default/shop does, but its ingressClassName traefik is another controller's; this one answers 404 Not Found",
      ["default/shop: host shop.example.com path /api (Prefix) -> api:80, class traefik", "to fix: set spec.ingressClassName: nginx on the Ingress"],
    ],
    [
      "ingress-backend-not-ready.yaml",
      "5s",
      INGRESS,
      "ready",
      [],
      "diagnosis: ready: none of the 2 matching pod(s) is Ready: the EndpointSlice controller publishes them as not ready; the Ingress controller has no upstream and answers 503 Service Temporarily Unavailable",
      ["host shop.example.com and path /api/items match default/shop: shop.example.com/api (Prefix) -> Service api port 80", "x 503\n"],
    ],
  ])("%s at %s", async (file, at, layers, layer, notApplicable, diagnosis, evidence) => {
    const r = await diagnose(join(DIR, file), "--client", "web", "--at", at);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(EXIT_EXPECTATION_FAILED);
    expect(statuses(r.stdout)).toEqual(upTo(layer, layers, notApplicable));
    expect(r.stdout.trimEnd().split("\n").pop()).toBe(diagnosis);
    for (const e of evidence) expect(r.stdout).toContain(e);
  });

  it("the Ingress of the not-synced fixture is served once the controller's next sync has applied it", async () => {
    const r = await diagnose(join(DIR, "ingress-not-synced.yaml"), "--client", "web", "--at", "5s");
    expect(r.code).toBe(EXIT_OK);
    expect(statuses(r.stdout)).toEqual(INGRESS.map((l) => `ok ${l}`));
    expect(r.stdout).toMatch(/HTTP responses from the Ingress controller: [0-9]+ x 200, [0-9]+ x 404\n/);
  });

  it("exit 0 when every layer is ok: the load balancer skips node-3, which has no api pod (examples/scenarios/external-lb.yaml)", async () => {
    const r = await diagnose(join(ROOT, "examples/scenarios/external-lb.yaml"), "--client", "internet", "--at", "10s");
    expect(r.code).toBe(EXIT_OK);
    expect(statuses(r.stdout)).toEqual(EXTERNAL.map((l) => `ok ${l}`));
    expect(r.stdout).toContain("the load balancer sends new connections to node-1, node-2 (2 of 3 node(s) pass its health check)");
    expect(r.stdout).toContain("node-3: 503 (0 local endpoint(s)); the load balancer counts it unhealthy");
    expect(r.stdout).toMatch(/requests ended so far: [0-9]+ completed, 0 refused, 0 reset, 0 timedOut, 0 dropped/);
  });

  it("the same scenario's client of node-3's NodePort: dropped there (externalTrafficPolicy Local)", async () => {
    const r = await diagnose(join(ROOT, "examples/scenarios/external-lb.yaml"), "--client", "nodeport-on-node-3", "--at", "10s");
    expect(r.code).toBe(EXIT_EXPECTATION_FAILED);
    expect(statuses(r.stdout)).toEqual(upTo("policy", EXTERNAL, ["load-balancer", "health-check"]));
    expect(r.stdout.trimEnd().split("\n").pop()).toBe("diagnosis: policy: externalTrafficPolicy Local and no ready endpoint on node-3: the rules DROP the packets (the client times out)");
  });

  it("externalTrafficPolicy Cluster: SNAT and a second hop are ok, not failures", async () => {
    const r = await diagnose(join(DIR, "nodeport-local.yaml"), "--client", "web", "--at", "5s");
    expect(r.code).toBe(EXIT_EXPECTATION_FAILED);
    const cluster = await diagnose(join(DIR, "nodeport-cluster.yaml"), "--client", "web", "--at", "5s");
    expect(cluster.stderr).toBe("");
    expect(cluster.code).toBe(EXIT_OK);
    expect(statuses(cluster.stdout)).toEqual(EXTERNAL.map((l) => `${l === "load-balancer" || l === "health-check" ? "n/a" : "ok"} ${l}`));
    expect(cluster.stdout).toContain("externalTrafficPolicy Cluster: the node of entry SNATs (the pods see its IP, not the client's) and may forward to an endpoint on another node");
    expect(cluster.stdout).toContain("node-1: 1 of 1 endpoint(s) on another node (a second hop)");
  });

  it.each([
    ["orders", "host shop.example.com and path /api/orders match default/shop: shop.example.com/api (Prefix) -> Service api port 80"],
    ["home", "host shop.example.com and path / match default/shop: shop.example.com/ (Prefix) -> Service web port http"],
  ])("exit 0 for Ingress client %s of examples/scenarios/ingress.yaml", async (client, rule) => {
    const r = await diagnose(join(ROOT, "examples/scenarios/ingress.yaml"), "--client", client, "--at", "5s");
    expect(r.code).toBe(EXIT_OK);
    expect(statuses(r.stdout)).toEqual(INGRESS.map((l) => `ok ${l}`));
    expect(r.stdout).toContain(rule);
    expect(r.stdout).toMatch(/HTTP responses from the Ingress controller: [0-9]+ x 200\n/);
  });
});

describe("diagnoseClient: external targets that reach nothing", () => {
  const scenario = loadScenarioFile(join(DIR, "nodeport-local.yaml"));
  const run = runScenario(scenario, { stopAt: 1_000 });
  const client = scenario.clients[0];

  it.each([
    [
      "a node IP and a port that is no Service's nodePort",
      "10.0.0.10:30081",
      "service",
      ["n/a load-balancer", "n/a health-check", "FAIL service"],
      "no Service of type NodePort or LoadBalancer has nodePort 30081: nothing is programmed for 10.0.0.10:30081 (the connections are lost)",
      "nodePorts: default/api 80/TCP nodePort 30080",
    ],
    [
      "an IP that is no node's, load balancer's or externalIP",
      "198.51.100.99:80",
      "load-balancer",
      ["FAIL load-balancer", "skip health-check", "skip service"],
      "198.51.100.99 is not a node's InternalIP, a load-balancer ingress IP or an externalIP of any Service: nothing in the cluster answers it",
      "node IPs: node-1 10.0.0.10, node-2 10.0.0.11",
    ],
  ])("%s", (_name, target, layer, first, summary, evidence) => {
    const checks = diagnoseClient(run.sim, { ...client, target });
    expect(checks.map((c) => c.layer)).toEqual(EXTERNAL);
    expect(checks.slice(0, 3).map((c) => `${c.status} ${c.layer}`)).toEqual(first);
    const failed = checks.find((c) => c.status === "FAIL");
    expect(failed?.layer).toBe(layer);
    expect(failed?.summary).toBe(summary);
    expect(failed?.evidence).toContain(evidence);
  });
});
