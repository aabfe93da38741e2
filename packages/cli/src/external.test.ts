import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "./cli.js";
import { runScenario } from "./runner.js";
import { loadScenarioFile, parseScenario } from "./scenario.js";
import { InputError } from "./source.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FILE = join(ROOT, "examples/scenarios/external-lb.yaml");

function problems(text: string): string[] {
  try {
    parseScenario(text, join(ROOT, "x.yaml"));
  } catch (e) {
    return (e as InputError).problems.map((p) => p.message);
  }
  return [];
}

describe("scenario files: loadBalancer, dns and external clients", () => {
  it("maps cluster.loadBalancer, cluster.dns and the clients' fields onto the facade's options", () => {
    const s = loadScenarioFile(FILE);
    expect(s.simulation.loadBalancer).toEqual({ provisioningDelay: 2000, healthCheck: { interval: 5000, healthyThreshold: 1, unhealthyThreshold: 2 } });
    expect(s.simulation.dns).toEqual({ replicas: 2, upstream: { "api.payments.example.com": ["198.51.100.20"] } });
    expect(s.clients[0]).toMatchObject({ name: "internet", external: true, target: "lb", service: "api", sourceIP: "203.0.113.7" });
    expect(s.clients[2].dns).toEqual({ resolver: "musl", cache: { kind: "fixed", ttl: 30, negativeTtl: 10 } });
  });

  it("runs: the load balancer's client completes, the NodePort of the node without a pod drops (Local), the DNS client resolves", () => {
    const run = runScenario(loadScenarioFile(FILE));
    const r = run.results;
    expect(r.inFlight).toBe(0);
    expect(r.external?.internet.sourceIPSeen).toEqual({ "203.0.113.7": r.external?.internet.byEntryAndEndpoint ? Object.values(r.external.internet.byEntryAndEndpoint).reduce((a, b) => a + b, 0) : 0 });
    const n3 = r.external?.["nodeport-on-node-3"].byEntryNode["node-3"];
    expect(n3?.connections).toBeGreaterThan(100);
    expect(n3?.dropped).toBe(n3?.connections);
    // The JVM cache (30 s) outlives the 20 s run: one lookup, then every request from the process's cache.
    expect(r.dns?.lookups).toBe(1);
    expect(r.outcomes.dnsFailed).toBe(0);
  });

  it.each([
    ["external field on a pod client", "duration: 1s\nclients: [{ name: c, target: 10.96.0.1:80, rate: 1, service: api }]\n", 'clients[0].service: Forbidden: only for external clients (external: true)'],
    ["dns on an external client", "duration: 1s\ncluster: { loadBalancer: true, dns: true }\nclients: [{ name: c, external: true, target: 10.0.0.10:30080, rate: 1, dns: true }]\n", "clients[0].dns: Forbidden: not for external clients"],
    ["lb without service", "duration: 1s\ncluster: { loadBalancer: true }\nclients: [{ name: c, external: true, target: lb, rate: 1 }]\n", "clients[0].service: Required value"],
    ["lb without a load balancer", "duration: 1s\nmanifests: [{ apiVersion: v1, kind: Service, metadata: { name: api }, spec: { type: LoadBalancer, ports: [{ port: 80 }] } }]\nclients: [{ name: c, external: true, target: lb, service: api, rate: 1 }]\n", 'clients[0].target: Forbidden: "lb" needs a load-balancer implementation; set cluster.loadBalancer: true'],
    ["dns client without cluster DNS", "duration: 1s\nclients: [{ name: c, target: 10.96.0.1:80, rate: 1, dns: true }]\n", "clients[0].dns: Forbidden: the cluster has no DNS; set cluster.dns: true"],
    ["bad cache", "duration: 1s\ncluster: { dns: true }\nclients: [{ name: c, target: 10.96.0.1:80, rate: 1, dns: { cache: weekly } }]\n", 'clients[0].dns.cache: Unsupported value: "weekly": supported values: "none", "ttl", "jvm", "forever"'],
    ["bad threshold", "duration: 1s\ncluster: { loadBalancer: { healthCheck: { healthyThreshold: 0 } } }\n", "cluster.loadBalancer.healthCheck.healthyThreshold: Invalid value: 0: must be an integer >= 1"],
    ["unknown service", "duration: 1s\ncluster: { loadBalancer: true }\nclients: [{ name: c, external: true, target: lb, service: nope, rate: 1 }]\n", 'clients[0].service: Not found: "nope"'],
  ])("%s is refused with its field path", (_name, text, message) => {
    expect(problems(text).some((m) => m.startsWith(message)), problems(text).join("\n")).toBe(true);
  });
});

describe("kube-netsim with external clients", () => {
  it("run prints the summary (exit 0); diagnose walks an external client's path (exit 0: every layer ok)", async () => {
    let stdout = "";
    let stderr = "";
    const io = { stdout: (s: string): void => void (stdout += s), stderr: (s: string): void => void (stderr += s) };
    expect(await runCli(["run", FILE, "--duration", "3s"], io)).toBe(0);
    expect(stdout).toContain("outcomes");
    stdout = "";
    expect(await runCli(["diagnose", FILE, "--client", "internet"], io)).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toContain("ok    load-balancer  Service default/api has load-balancer ingress IP ");
    expect(stdout.trimEnd().split("\n").pop()).toBe("diagnosis: every layer is ok");
  });
});
