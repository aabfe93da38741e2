/**
 * Shared pieces of the rollout examples (rollout-max-unavailable, rollout-keepalive,
 * rollout-data-planes): the `api` Deployment with its rollout settings, and a recorder
 * that watches a rollout as the API server shows it.
 */
import { isPodReady } from "@kube-netsim/controllers";
import type { Deployment, Pod } from "@kube-netsim/model";
import type { Simulation } from "@kube-netsim/scenario";

/** How the api pods are deployed. */
export interface ApiSettings {
  readonly replicas: number;
  /** `strategy.rollingUpdate.maxSurge`. */
  readonly maxSurge: number | string;
  /** `strategy.rollingUpdate.maxUnavailable`. */
  readonly maxUnavailable: number | string;
  /** `lifecycle.preStop.sleep.seconds`; 0 for no preStop hook. */
  readonly preStopSeconds: number;
}

/** The `api` Deployment (RollingUpdate, container port 8080, grace period 30 s) running `image`. */
export function apiDeployment(image: string, s: ApiSettings): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api" },
    spec: {
      replicas: s.replicas,
      selector: { matchLabels: { app: "api" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: s.maxSurge, maxUnavailable: s.maxUnavailable } },
      template: {
        metadata: { labels: { app: "api" } },
        spec: {
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: "api",
              image,
              ports: [{ name: "http", containerPort: 8080 }],
              ...(s.preStopSeconds > 0 ? { lifecycle: { preStop: { sleep: { seconds: s.preStopSeconds } } } } : {}),
            },
          ],
        },
      },
    },
  };
}

/** What a {@link RolloutRecorder} saw. */
export interface RolloutRecord {
  /** When the Deployment reported the rollout complete (every replica updated and available, old ReplicaSets at 0), ms after the start. */
  readonly completeAfter: number;
  /** When the last pod of the old template was deleted from the API server, ms after the start. */
  readonly lastOldPodGoneAfter: number;
  /** Most pods that were not terminating at once. */
  readonly maxActivePods: number;
  /** Most pods at once, terminating ones included. */
  readonly maxPods: number;
  /** Fewest pods that were Ready and not terminating at once. */
  readonly minReadyPods: number;
}

const active = (p: Pod): boolean => p.metadata.deletionTimestamp === undefined;

/**
 * Watches the api pods and the Deployment from `start` (0-delay watches: the state right
 * after each write the API server makes), for a rollout to image `image`.
 */
export class RolloutRecorder {
  private complete = NaN;
  private lastOld = NaN;
  private maxActive = 0;
  private maxAll = 0;
  private minReady = Infinity;

  constructor(
    private readonly sim: Simulation,
    private readonly image: string,
    private readonly start: number = sim.now,
  ) {
    const look = (): void => this.look();
    sim.store.watch("Pod", look, { delay: 0, initialList: false, name: "rollout-recorder" });
    sim.store.watch("Deployment", look, { delay: 0, initialList: false, name: "rollout-recorder" });
    this.look();
  }

  private look(): void {
    const pods = this.sim.pods({ app: "api" });
    this.maxAll = Math.max(this.maxAll, pods.length);
    this.maxActive = Math.max(this.maxActive, pods.filter(active).length);
    this.minReady = Math.min(this.minReady, pods.filter((p) => active(p) && isPodReady(p)).length);
    const since = this.sim.now - this.start;
    if (Number.isNaN(this.lastOld) && pods.every((p) => p.spec.containers[0].image === this.image)) this.lastOld = since;
    const d = this.sim.store.get("Deployment", "default", "api");
    const s = d?.status;
    const want = d?.spec.replicas ?? 1;
    if (Number.isNaN(this.complete) && d && s && d.spec.template.spec.containers[0].image === this.image) {
      if (s.observedGeneration === d.metadata.generation && s.updatedReplicas === want && s.replicas === want && s.availableReplicas === want) this.complete = since;
    }
  }

  /** What was seen so far. */
  record(): RolloutRecord {
    return { completeAfter: this.complete, lastOldPodGoneAfter: this.lastOld, maxActivePods: this.maxActive, maxPods: this.maxAll, minReadyPods: this.minReady };
  }
}

/** Right-aligns `x` in `n` characters. */
export const pad = (x: string | number, n: number): string => String(x).padStart(n);
/** Seconds with one decimal, e.g. `12.3 s`. */
export const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
