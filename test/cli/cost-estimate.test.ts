// The cost a deploy/apply prints before submitting, and the run-out `billing` projects: the meter's own rule (`podRates`) times
// replicas and claim sizes, at the chain's rounding. The same pods, as the API server
// reports them running, give the meter's snapshot the same rates.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { projectRunOut } from "../../src/cli/commands/billing.ts";
import { costLines, estimateCosts, objectRates } from "../../src/cli/cost-estimate.ts";
import { parseManifests } from "../../src/cli/manifests.ts";
import { takeSnapshot, type UsageDocument } from "../../src/control/billing/index.ts";
import type { BillingPrices } from "../../src/protocol/index.ts";

const prices: BillingPrices = {
  cpuCoreHourMist: 1_500_000_000n,
  memoryGibHourMist: 400_000_000n,
  storageGibHourMist: 100_000_000n,
  treasuryShareBps: 1_000n,
};

const MANIFESTS = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx
          resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {cpu: "1", memory: 1Gi}}
        - name: sidecar
          image: busybox
          resources: {limits: {cpu: 500m, memory: 64Mi}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {resources: {requests: {storage: 10Gi}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  template:
    spec:
      containers: [{name: db, image: postgres}]
  volumeClaimTemplates:
    - metadata: {name: pg}
      spec: {resources: {requests: {storage: 5Gi}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: b}
`;

describe("cost estimate", () => {
  const objects = parseManifests(MANIFESTS, "test.yaml").map((object) => ({
    kind: object.resource.kind,
    label: object.label,
    object: object.object,
  }));

  it("prices requests, limits when requests are absent, replicas and claims", () => {
    const costs = estimateCosts(prices, objects);
    assert.deepEqual(
      costs.map((cost) => cost.label),
      ["deployment/web", "persistentvolumeclaim/data", "statefulset/db"],
      "the ConfigMap holds nothing billed",
    );
    const [web, data, db] = costs;
    // Per pod: 250m + 500m (the sidecar's limit) CPU, 256Mi + 64Mi memory.
    assert.deepEqual(web?.rates, {
      cpuMilliCores: 3n * 750n,
      memoryBytes: 3n * 320n * 2n ** 20n,
      storageBytes: 0n,
    });
    // 2.25 cores × 1.5 SUI + 0.9375 GiB × 0.4 SUI.
    assert.equal(web?.hourlyMist, 3_375_000_000n + 375_000_000n);
    assert.equal(data?.hourlyMist, 1_000_000_000n);
    // No resources named: admission's default request (100m, 128Mi) per pod; 5Gi per replica.
    assert.deepEqual(db?.rates, {
      cpuMilliCores: 200n,
      memoryBytes: 256n * 2n ** 20n,
      storageBytes: 10n * 2n ** 30n,
    });
    assert.equal(db?.hourlyMist, 300_000_000n + 100_000_000n + 1_000_000_000n);
    const lines = costLines(costs);
    assert.equal(lines[0], "hourly cost of what this adds: 6.15 SUI/hour at the cluster's prices");
    assert.match(lines[1] ?? "", /deployment\/web: 3\.75 SUI\/hour \(3 pods, 2250m CPU/);
  });

  it("matches what the meter counts for the same pods running", () => {
    const web = objects[0];
    assert.ok(web);
    const template = (web.object.spec as { template: { spec: unknown } }).template;
    const running = [0, 1, 2].map((i) => ({
      metadata: { namespace: "t", name: `web-${i}` },
      spec: { ...(template.spec as object), nodeName: "n1" },
      status: { phase: "Running" },
    }));
    const snapshot = takeSnapshot(running, [], () => true);
    assert.deepEqual(snapshot.namespaces.get("t"), objectRates("Deployment", web.object)?.rates);
  });

  it("counts a CronJob's run while it runs, and unreadable sizes as nothing", () => {
    const cron = objectRates("CronJob", {
      spec: {
        jobTemplate: {
          spec: {
            parallelism: 2,
            template: { spec: { containers: [{ resources: { requests: { cpu: "1" } } }] } },
          },
        },
      },
    });
    assert.equal(cron?.note, "while a run runs");
    assert.equal(cron?.rates.cpuMilliCores, 2000n);
    // Memory unnamed: admission's default request.
    assert.equal(cron?.rates.memoryBytes, 2n * 128n * 2n ** 20n);
    const claim = objectRates("PersistentVolumeClaim", {
      spec: { resources: { requests: { storage: "lots" } } },
    });
    assert.equal(claim?.rates.storageBytes, 0n);
    assert.deepEqual(costLines([]), []);
  });
});

describe("projected run-out", () => {
  const usage = (hourlyMist: bigint, chargeSoFarMist: bigint) =>
    ({ hourlyMist: String(hourlyMist), chargeSoFarMist: String(chargeSoFarMist) }) as UsageDocument;

  it("at what runs now: the balance less what the open period owes, at the hourly cost", () => {
    assert.deepEqual(projectRunOut(1_000n, usage(100n, 400n), undefined), {
      ms: 6n * 3_600_000n,
      basis: "running-now",
    });
    assert.deepEqual(projectRunOut(100n, usage(100n, 400n), undefined), {
      ms: 0n,
      basis: "running-now",
    });
  });

  it("at the last period's rate when nothing runs now or the control plane is not asked", () => {
    const last = { amountMist: 50n, periodMs: 60_000n };
    assert.deepEqual(projectRunOut(500n, undefined, last), {
      ms: 600_000n,
      basis: "last-period",
    });
    assert.deepEqual(projectRunOut(500n, usage(0n, 0n), last), {
      ms: 600_000n,
      basis: "last-period",
    });
    assert.equal(projectRunOut(500n, undefined, undefined), undefined);
  });
});
