/**
 * A Service whose selector matches no pods: no endpoints, so connections are refused.
 *
 * The Deployment's pods are labelled `app: api`, but the Service selects `app: api-v2`
 * (a typo, or a rename that missed the Service). The example walks what each component
 * does with that, then shows the client's view: every request is refused at once, by the
 * REJECT rule kube-proxy writes for a Service without endpoints
 * (pkg/proxy/iptables/proxier.go: "has no endpoints" -> REJECT).
 *
 * Run: `pnpm build && node examples/dist/service-no-endpoints.js`. Its output is checked
 * in as `examples/service-no-endpoints.out` and a test keeps the two equal.
 */
import { fileURLToPath } from "node:url";
import { exponential } from "@kube-netsim/core";
import type { Deployment, Service } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";

const deployment: Deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "api" },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "api" } },
    template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", ports: [{ containerPort: 8080 }] }] } },
  },
};

const service: Service = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "api" },
  spec: { selector: { app: "api-v2" }, ports: [{ port: 80, targetPort: 8080 }] },
};

/** Runs the example, printing each line with `print`. */
export function main(print: (line: string) => void = console.log): void {
  const sim = new Simulation({ seed: 8 });
  sim.apply([deployment, service]);
  sim.setApplication({ app: "api" }, { serviceTime: exponential(5) });
  sim.settle();
  const svc = sim.store.get("Service", "default", "api");
  const selector = Object.entries(svc?.spec.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(",");
  const running = sim.pods({ app: "api" });
  const matching = sim.pods(svc?.spec.selector ?? {});
  const slices = sim.store.list("EndpointSlice", "default").filter((s) => s.metadata.labels?.["kubernetes.io/service-name"] === "api");
  print(`1. Service api exists: ClusterIP ${svc?.spec.clusterIP}, port 80 -> 8080.`);
  print(`2. Its selector is ${selector}; the pods are labelled app=api (${running.length} running and ready).`);
  print(`3. Pods matching the selector: ${matching.length}.`);
  print(`4. The EndpointSlice controller still writes one slice, a placeholder: ${slices.map((s) => `${s.metadata.name} with ${s.endpoints.length} endpoints`).join(", ")}.`);
  print(`5. kube-proxy on every node programs a REJECT for the ClusterIP (iptables-save on node-1):`);
  for (const line of sim.kubeProxy("node-1").ruleset().split("\n")) if (line.includes("default/api has no endpoints")) print(`   ${line}`);
  sim.addClient({ name: "frontend", target: "http://api:80", rate: 100 });
  sim.runFor(10_000);
  sim.drain();
  const r = sim.results();
  print(`6. A client at 100 requests/s for 10 s: ${JSON.stringify(r.outcomes)}`);
  print(`   (REJECT answers with ICMP port unreachable: connect() fails with ECONNREFUSED at once,`);
  print(`   "connection refused", not a timeout.) Fix: make the selector match the pod labels.`);
  sim.apply([{ ...service, spec: { ...service.spec, selector: { app: "api" } } }]);
  sim.settle();
  sim.addClient({ name: "frontend-after-fix", target: "http://api:80", rate: 100 });
  sim.runFor(10_000);
  sim.drain();
  const after = sim.results().outcomes;
  print(`7. After fixing the selector, 10 s more: completed ${after.completed}, refused ${after.refused - r.outcomes.refused} more.`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
