// Metering without a cluster: quantities, snapshots and the period store (a real SQLite
// file, reopened as a restarted process would).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { bcs } from "@mysten/sui/bcs";
import {
  BillingStore,
  type PeriodUsage,
  periodEndAfter,
  reportParts,
  type Snapshot,
  takeSnapshot,
} from "../../../src/control/billing/index.ts";
import { bytesOf, cpuMilliCores } from "../../../src/protocol/index.ts";

const dir = mkdtempSync(join(tmpdir(), "k8s-daas-billing-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("quantities", () => {
  it("reads CPU as milli-cores, rounding up", () => {
    assert.equal(cpuMilliCores("250m"), 250n);
    assert.equal(cpuMilliCores("1"), 1000n);
    assert.equal(cpuMilliCores("1.5"), 1500n);
    assert.equal(cpuMilliCores("0.0001"), 1n);
    assert.equal(cpuMilliCores("100u"), 1n);
    assert.equal(cpuMilliCores("2e3"), 2_000_000n);
  });

  it("reads memory and storage as bytes", () => {
    assert.equal(bytesOf("512Mi"), 536_870_912n);
    assert.equal(bytesOf("1Gi"), 1_073_741_824n);
    assert.equal(bytesOf("1G"), 1_000_000_000n);
    assert.equal(bytesOf("1.5Gi"), 1_610_612_736n);
    assert.equal(bytesOf("128974848"), 128_974_848n);
    assert.equal(bytesOf("129e6"), 129_000_000n);
    assert.equal(bytesOf("1500m"), 2n);
  });

  it("refuses what Kubernetes would refuse", () => {
    for (const bad of ["", "abc", "-1", "1Xi", "1.2.3", "Mi"]) {
      assert.throws(() => bytesOf(bad), { code: "BILLING_QUANTITY_INVALID" }, bad);
    }
  });
});

describe("snapshot", () => {
  const pod = (ns: string, node: string | undefined, phase: string, containers: object[]) => ({
    metadata: { namespace: ns, name: "p" },
    spec: { ...(node ? { nodeName: node } : {}), containers },
    status: { phase },
  });
  const container = (requests: object, limits: object = {}) => ({
    resources: { requests, limits },
  });

  it("sums requests of running pods per namespace and node, limits when requests are absent", () => {
    const snapshot = takeSnapshot(
      [
        pod("a", "n1", "Running", [container({ cpu: "250m", memory: "128Mi" })]),
        pod("a", "n2", "Running", [
          container({ cpu: "250m" }, { memory: "64Mi" }),
          container({}, { cpu: "1", memory: "1Gi" }),
        ]),
        pod("a", "n1", "Pending", [container({ cpu: "8" })]),
        pod("a", undefined, "Running", [container({ cpu: "8" })]),
        pod("kube-system", "n1", "Running", [container({ cpu: "8" })]),
      ],
      [
        {
          metadata: { namespace: "a", name: "data" },
          status: { phase: "Bound", capacity: { storage: "1Gi" } },
        },
        { metadata: { namespace: "a", name: "wait" }, status: { phase: "Pending" } },
      ],
      (ns) => ns === "a",
    );
    assert.equal(snapshot.pods, 2);
    assert.deepEqual(snapshot.namespaces.get("a"), {
      cpuMilliCores: 1500n,
      memoryBytes: 134_217_728n + 67_108_864n + 1_073_741_824n,
      storageBytes: 1_073_741_824n,
    });
    assert.deepEqual(snapshot.nodes.get("n1"), {
      cpuMilliCores: 250n,
      memoryBytes: 134_217_728n,
      storageBytes: 0n,
    });
    assert.equal(snapshot.nodes.get("n2")?.cpuMilliCores, 1250n);
    assert.equal(snapshot.nodes.has("kube-system"), false);
  });

  it("counts an unreadable quantity as zero and names it", () => {
    const snapshot = takeSnapshot(
      [pod("a", "n1", "Running", [container({ cpu: "lots", memory: "1Mi" })])],
      [],
      () => true,
    );
    assert.deepEqual(snapshot.invalid, ["a/p: lots"]);
    assert.equal(snapshot.namespaces.get("a")?.memoryBytes, 1_048_576n);
  });
});

const rates = (cpu: bigint, memory: bigint): Snapshot => ({
  namespaces: new Map([["a", { cpuMilliCores: cpu, memoryBytes: memory, storageBytes: 0n }]]),
  nodes: new Map([["n1", { cpuMilliCores: cpu, memoryBytes: memory, storageBytes: 0n }]]),
  pods: 1,
  invalid: [],
});
const RULES = { periodMs: 1_000, maxGapMs: 500 };

describe("period store", () => {
  it("lines periods up on a grid after now", () => {
    assert.equal(periodEndAfter(0, 0, 1_000), 1_000);
    assert.equal(periodEndAfter(0, 999, 1_000), 1_000);
    assert.equal(periodEndAfter(0, 1_000, 1_000), 2_000);
    assert.equal(periodEndAfter(0, 3_500, 1_000), 4_000);
  });

  it("splits samples at period ends, closes periods, and survives a reopen", () => {
    const path = join(dir, "split.sqlite");
    let store = new BillingStore(path);
    store.align({ reportedPeriods: 0n, lastPeriodEndMs: 0n }, 10_000, RULES.periodMs);
    assert.deepEqual(store.openPeriod(), {
      period: 1,
      startMs: 10_000,
      endMs: 11_000,
      state: "open",
    });
    assert.deepEqual(store.accumulate(rates(100n, 10n), 10_400, RULES), []);
    assert.deepEqual(store.accumulate(rates(100n, 10n), 10_800, RULES), []);
    // 10_800..11_000 to period 1, 11_000..11_300 to period 2.
    assert.deepEqual(store.accumulate(rates(100n, 10n), 11_300, RULES), [1]);
    store.close();
    store = new BillingStore(path);
    const [pending] = store.pending();
    assert.equal(pending?.period, 1);
    assert.deepEqual(pending?.namespaces.get("a"), {
      cpuMilliCoreMs: 100_000n,
      memoryByteMs: 10_000n,
      storageByteMs: 0n,
    });
    assert.deepEqual(store.usage(2).namespaces.get("a")?.cpuMilliCoreMs, 30_000n);
    // A sample after a long silence bills at most maxGapMs back: 11_600..12_000 to period
    // 2, 12_000..12_100 to period 3.
    assert.deepEqual(store.accumulate(rates(100n, 10n), 12_100, RULES), [2]);
    assert.equal(store.usage(2).namespaces.get("a")?.cpuMilliCoreMs, 30_000n + 40_000n);
    assert.equal(store.usage(3).namespaces.get("a")?.cpuMilliCoreMs, 10_000n);
    assert.deepEqual(reportParts(store.pending()[1] ?? assert.fail("period 2 pending")), [
      {
        period: 2n,
        period_start_ms: 11_000n,
        period_end_ms: 12_000n,
        part: 0n,
        parts: 1n,
        namespaces: ["a"],
        namespace_usage: [70_000n, 7_000n, 0n],
        node_ids: ["n1"],
        node_usage: [70_000n, 7_000n, 0n],
      },
    ]);
    store.close();
  });

  it("takes the chain's ledger as the truth: reported periods are marked, never posted again", () => {
    const path = join(dir, "ledger.sqlite");
    const store = new BillingStore(path);
    store.align({ reportedPeriods: 4n, lastPeriodEndMs: 50_000n }, 50_200, RULES.periodMs);
    assert.deepEqual(store.openPeriod(), {
      period: 5,
      startMs: 50_000,
      endMs: 51_000,
      state: "open",
    });
    store.accumulate(rates(1n, 1n), 50_600, RULES);
    store.accumulate(rates(1n, 1n), 51_100, RULES);
    store.accumulate(rates(1n, 1n), 52_050, RULES);
    assert.deepEqual(
      store.pending().map((p) => p.period),
      [5, 6],
    );
    // The process died after period 5 landed on chain but before it was marked.
    store.align({ reportedPeriods: 5n, lastPeriodEndMs: 51_000n }, 52_100, RULES.periodMs);
    assert.deepEqual(
      store.pending().map((p) => p.period),
      [6],
    );
    assert.equal(store.openPeriod()?.period, 7);
    // Period 6 half on chain (2 of its parts): those parts are never posted again.
    assert.equal(store.partsReported(6), 0);
    store.align(
      { reportedPeriods: 5n, lastPeriodEndMs: 51_000n, reportPartsDone: 2n },
      52_200,
      RULES.periodMs,
    );
    assert.equal(store.partsReported(6), 2);
    // A store behind the chain (restored data dir) starts over after the chain's last period.
    store.align({ reportedPeriods: 9n, lastPeriodEndMs: 60_000n }, 60_500, RULES.periodMs);
    assert.deepEqual(store.pending(), []);
    assert.deepEqual(store.openPeriod(), {
      period: 10,
      startMs: 60_000,
      endMs: 61_000,
      state: "open",
    });
    store.close();
  });

  it("splits a report that passes Sui's 16 KiB pure-argument limit into parts", () => {
    const usage = (i: number) => ({
      cpuMilliCoreMs: BigInt(1 + i) * 10n ** 12n,
      memoryByteMs: BigInt(i) * 10n ** 20n,
      storageByteMs: 0n,
    });
    const period: PeriodUsage = {
      period: 3,
      startMs: 1_000,
      endMs: 2_000,
      state: "closed",
      // 900 namespaces (long names), 400 nodes; one namespace that used nothing.
      namespaces: new Map([
        ...Array.from(
          { length: 900 },
          (_, i) => [`tenant-${String(i).padStart(4, "0")}-${"x".repeat(40)}`, usage(i)] as const,
        ),
        ["idle", { cpuMilliCoreMs: 0n, memoryByteMs: 0n, storageByteMs: 0n }] as const,
      ]),
      nodes: new Map(Array.from({ length: 400 }, (_, i) => [`node-${i}`, usage(i)] as const)),
    };
    const parts = reportParts(period);
    assert.ok(parts.length >= 3, `${parts.length} parts`);
    parts.forEach((part, i) => {
      assert.equal(part.part, BigInt(i));
      assert.equal(part.parts, BigInt(parts.length));
      assert.equal(part.period_start_ms, 1_000n);
      const sizes = [
        bcs.vector(bcs.string()).serialize(part.namespaces).toBytes().length,
        bcs.vector(bcs.u128()).serialize(part.namespace_usage).toBytes().length,
        bcs.vector(bcs.string()).serialize(part.node_ids).toBytes().length,
        bcs.vector(bcs.u128()).serialize(part.node_usage).toBytes().length,
      ];
      for (const size of sizes) assert.ok(size <= 16 * 1024, `part ${i}: ${size} bytes`);
      assert.equal(part.namespace_usage.length, part.namespaces.length * 3);
    });
    // Every entry that used something exactly once, in order; the idle one left out.
    const names = parts.flatMap((part) => part.namespaces);
    assert.deepEqual(
      names,
      [...period.namespaces.keys()].filter((name) => name !== "idle"),
    );
    assert.deepEqual(
      parts.flatMap((part) => part.node_ids),
      [...period.nodes.keys()],
    );
    assert.deepEqual(
      parts.flatMap((part) => part.namespace_usage),
      [...period.namespaces.values()]
        .filter((u) => u.cpuMilliCoreMs > 0n)
        .flatMap((u) => [u.cpuMilliCoreMs, u.memoryByteMs, u.storageByteMs]),
    );
    // A restarted process splits the same closed period the same way.
    assert.deepEqual(reportParts(period), parts);
    // An empty period is still reported (one part), so the ledger moves on.
    const empty = reportParts({ ...period, namespaces: new Map(), nodes: new Map() });
    assert.equal(empty.length, 1);
    assert.deepEqual(empty[0]?.namespaces, []);
  });

  it("remembers suspended namespaces across a reopen", () => {
    const path = join(dir, "suspended.sqlite");
    let store = new BillingStore(path);
    store.setSuspended("a", true, 1);
    store.setSuspended("b", true, 2);
    store.setSuspended("b", false, 3);
    store.close();
    store = new BillingStore(path);
    assert.deepEqual([...store.suspended()], ["a"]);
    store.close();
  });
});
