/**
 * Service type ExternalName: a DNS alias, nothing else.
 *
 * An ExternalName Service `payments` points at `api.payments.example.com`. It has no
 * ClusterIP, no EndpointSlice and no kube-proxy rule: CoreDNS answers
 * `payments.default.svc.cluster.local` with a CNAME to the external name and follows it
 * through the upstream resolver (`forward . /etc/resolv.conf`), so the pod gets the
 * external address and connects there directly.
 *
 * Run: `pnpm build && node examples/dist/service-externalname.js`. Its output is checked
 * in as `examples/service-externalname.out` and a test keeps the two equal.
 */
import { fileURLToPath } from "node:url";
import type { Service } from "@kube-netsim/model";
import { Simulation } from "@kube-netsim/scenario";

const service: Service = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "payments" },
  spec: { type: "ExternalName", externalName: "api.payments.example.com" },
};

/** Runs the example, printing each line with `print`. */
export function main(print: (line: string) => void = console.log): void {
  const sim = new Simulation({ seed: 1, dns: { upstream: { "api.payments.example.com": ["198.51.100.20"] } } });
  sim.apply([service]);
  sim.settle();
  const svc = sim.store.get("Service", "default", "payments");
  const slices = sim.store.list("EndpointSlice", "default").filter((s) => s.metadata.labels?.["kubernetes.io/service-name"] === "payments");
  const rules = sim.kubeProxy("node-1").ruleset().split("\n").filter((l) => l.includes("default/payments"));
  print(`Service payments: type ExternalName -> ${svc?.spec.externalName}`);
  print(`  clusterIP: ${svc?.spec.clusterIP ?? "(none)"}; EndpointSlices: ${slices.length}; kube-proxy rules on node-1: ${rules.length}`);
  const r = sim.resolve("payments");
  print(`getaddrinfo("payments") from a pod in default (glibc, ndots 5):`);
  for (const q of r.queries) print(`  ${q.qtype.padEnd(4)} ${q.qname}  ${q.result}`);
  print(`  -> ${r.outcome} ${r.addresses.join(", ")} (answered as ${r.answeredName}, TTL ${r.ttl} s, ${r.latency.toFixed(1)} ms)`);
  print(`The first search domain already answers: CoreDNS returns the CNAME and the upstream's`);
  print(`A record for it in one reply. The pod then connects to 198.51.100.20 itself; no Service`);
  print(`IP, no load balancing, no port mapping (ports of an ExternalName Service are ignored).`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
