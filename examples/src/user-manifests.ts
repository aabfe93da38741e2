/**
 * "Our" manifests, as a team using kube-netsim in its own test suite would keep them:
 * the `checkout` Deployment and Service, and a model of the application behind them.
 * `user-suite.test.ts` checks a claim about them with `@kube-netsim/testing`.
 *
 * The rollout settings under test: maxSurge 1, maxUnavailable 0, a 5 s preStop sleep,
 * 30 s of grace, and an application that finishes what it holds on SIGTERM.
 */
import type { Deployment, Service } from "@kube-netsim/model";
import type { ApplicationSpec, Workload } from "@kube-netsim/testing";

/** The Deployment, exactly as in our repository's manifests. */
export const checkoutDeployment: Deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "checkout", namespace: "default", labels: { app: "checkout" } },
  spec: {
    replicas: 4,
    selector: { matchLabels: { app: "checkout" } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: {
      metadata: { labels: { app: "checkout" } },
      spec: {
        terminationGracePeriodSeconds: 30,
        containers: [
          {
            name: "checkout",
            image: "registry.example.com/checkout:2.14.0",
            ports: [{ name: "http", containerPort: 8080 }],
            lifecycle: { preStop: { sleep: { seconds: 5 } } },
          },
        ],
      },
    },
  },
};

/** The Service in front of it. */
export const checkoutService: Service = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "checkout", namespace: "default" },
  spec: { selector: { app: "checkout" }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
};

/** What we know of the application: 8 requests at once per pod, ~4 ms each, drains on SIGTERM. */
export const checkoutApplication: ApplicationSpec = { concurrency: 8, meanServiceTimeMs: 4, onSigterm: "drain" };

/** The three together, as the kit's scenarios take them. */
export const checkout: Workload = { deployment: checkoutDeployment, service: checkoutService, application: checkoutApplication };
