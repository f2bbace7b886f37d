import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BillingStore, type PodItem, takeSnapshot } from "../../src/control/billing/index.ts";
import type { Figure, Suite } from "../report.ts";

const PODS = 10_000;
const NAMESPACES = 200;
const NODES = 50;
const SAMPLES = 20;

/** A pod list as the API server answers it (the fields metering reads, and a realistic rest). */
function podListBody(): string {
  const items = Array.from({ length: PODS }, (_, i) => ({
    metadata: {
      name: `web-${i}`,
      namespace: `tenant-${i % NAMESPACES}`,
      uid: `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`,
      labels: { app: "web", "k8s-daas.io/request-id": String(i) },
    },
    spec: {
      nodeName: `node-${i % NODES}`,
      containers: [
        {
          name: "web",
          image: "nginx:1.27",
          resources: {
            requests: { cpu: "250m", memory: "128Mi" },
            limits: { cpu: "500m", memory: "256Mi" },
          },
        },
      ],
    },
    status: { phase: "Running", podIP: `10.0.${i >> 8}.${i & 255}` },
  }));
  return JSON.stringify({ kind: "PodList", items });
}

/**
 * Milliseconds one metering sample costs per 1,000 running pods (parse the list, take the
 * snapshot, add it to the open period in billing.sqlite), against parsing the same list
 * alone (what any reader of the list pays), and the process RSS after metering 10,000
 * pods. In process, with a synthetic pod list: the API server's own listing cost is not in
 * it.
 */
export const billingSuite: Suite = {
  name: "billing",
  description: `metering sample of ${PODS} running pods (${NAMESPACES} namespaces, ${NODES} nodes) vs JSON.parse of the list`,
  async run(): Promise<Figure[]> {
    const dir = mkdtempSync(join(tmpdir(), "k8s-daas-bench-billing-"));
    const store = new BillingStore(join(dir, "billing.sqlite"));
    try {
      const body = podListBody();
      store.align({ reportedPeriods: 0n, lastPeriodEndMs: 0n }, 0, 3_600_000);
      let started = performance.now();
      for (let i = 0; i < SAMPLES; i++) JSON.parse(body);
      const parseMs = (performance.now() - started) / SAMPLES;

      started = performance.now();
      for (let i = 1; i <= SAMPLES; i++) {
        const pods = (JSON.parse(body) as { items: PodItem[] }).items;
        const snapshot = takeSnapshot(pods, [], () => true);
        store.accumulate(snapshot, i * 1_000, { periodMs: 3_600_000, maxGapMs: 30_000 });
      }
      const meterMs = (performance.now() - started) / SAMPLES;
      const rssMb = process.memoryUsage().rss / (1024 * 1024);
      const per1000 = (ms: number) => (ms * 1000) / PODS;
      return [
        {
          suite: "billing",
          metric: "meter_ms_per_1000_pods",
          value: Number(per1000(meterMs).toFixed(2)),
          unit: "ms",
          note: "parse + snapshot + SQLite accumulate, per sample",
        },
        {
          suite: "billing",
          metric: "baseline_parse_ms_per_1000_pods",
          value: Number(per1000(parseMs).toFixed(2)),
          unit: "ms",
          note: "JSON.parse of the same pod list",
        },
        {
          suite: "billing",
          metric: "bench_rss_mb_10000_pods",
          value: Number(rssMb.toFixed(0)),
          unit: "MB",
          note: "this bench process (40 parses of a 10,000-pod list, no forced GC), not the daemon",
        },
      ];
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
