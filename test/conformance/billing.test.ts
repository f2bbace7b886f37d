// Twins of move/tests/billing_tests.move.
import assert from "node:assert/strict";
import { describe } from "node:test";
import { bcs } from "@mysten/sui/bcs";
import {
  ESCROW_ACTION,
  signingBytes,
  splitCollection,
  usageAt,
  usageValueMist,
} from "../../src/protocol/index.ts";
import { arg, expectAbort, GOLDEN_MS, golden, type Scenario, twin } from "./fixture.ts";

const MINUTE_MS = 60_000n;
const PRICES = golden.BILLING_PRICES;
const protocolPrices = {
  cpuCoreHourMist: PRICES.cpu_core_hour_mist,
  memoryGibHourMist: PRICES.memory_gib_hour_mist,
  storageGibHourMist: PRICES.storage_gib_hour_mist,
  treasuryShareBps: PRICES.treasury_share_bps,
};
/** The golden report's charge to team-a (see billing_tests.move). */
const CHARGE = 29_999_999n;

interface Setup {
  namespaceCap: string;
  /** node-1's and node-2's WorkerCaps. */
  workerCaps: [string, string];
}

/** `setup(escrow)`: golden enclave and prices, node-1 and node-2, team-a with `escrow` MIST. */
async function setup(s: Scenario, escrow: bigint): Promise<Setup> {
  await s.registerGoldenEnclave();
  await s.call(s.admin, "set_prices", PRICES);
  const workerCaps: [string, string] = [
    await s.registerWorker("node-1"),
    await s.registerWorker("node-2"),
  ];
  const namespaceCap = await s.claim("team-a");
  if (escrow > 0n) await deposit(s, namespaceCap, escrow);
  return { namespaceCap, workerCaps };
}

function deposit(s: Scenario, cap: string, amount: bigint) {
  return s.call(s.tenant, "deposit", { cap, payment: amount });
}

type ReportPayload = ReturnType<typeof golden.usageReportPayload>;

/** Signs `payload` as the golden enclave and submits it; `overrides` change the submitted arguments only. */
async function submitReport(
  s: Scenario,
  payload: ReportPayload,
  overrides: Record<string, unknown> = {},
) {
  const { cluster_id: _cluster, sequence, ...fields } = payload;
  const signature = await s.signed("usageReport", fields, { sequence });
  return s.call(s.admin, "report_usage", { ...fields, ...signature, ...overrides });
}

/** Golden report `period` signed with `sequence`. */
const report = (
  s: Scenario,
  period: 1n | 2n,
  sequence: bigint,
  overrides: Record<string, unknown> = {},
) => submitReport(s, golden.usageReportPayload(period, sequence), overrides);

/** Part `part` of golden report 1 (`usageReportPartPayload`), signed with `sequence`, submitted as one of `parts`. */
const reportPart = (
  s: Scenario,
  part: 0n | 1n,
  parts: bigint,
  sequence: bigint,
  overrides: Record<string, unknown> = {},
) => submitReport(s, golden.usageReportPartPayload(part, sequence), { parts, ...overrides });

const u64 = { parse: (bytes: Uint8Array) => BigInt(bcs.u64().parse(bytes)) };
const bool = { parse: (bytes: Uint8Array) => bcs.bool().parse(bytes) };
const escrowBalance = (s: Scenario) =>
  s.view("billing::escrow_balance_mist", [arg.string("team-a")], u64);
const escrowDebt = (s: Scenario) =>
  s.view("billing::escrow_debt_mist", [arg.string("team-a")], u64);
const suspended = (s: Scenario) => s.view("billing::is_suspended", [arg.string("team-a")], bool);
const earnings = (s: Scenario, nodeId: string) =>
  s.view("billing::earnings_mist", [arg.string(nodeId)], u64);
const treasury = async (s: Scenario) => BigInt((await s.cluster()).treasury);

describe("conformance: billing", () => {
  twin("billing_tests::set_prices_stores_prices_and_emits_event", async (s) => {
    assert.equal(await s.view("billing::cpu_core_hour_mist", [], u64), 0n);
    const first = await s.call(s.admin, "set_prices", {
      cpu_core_hour_mist: 7n,
      memory_gib_hour_mist: 8n,
      storage_gib_hour_mist: 9n,
      treasury_share_bps: 10_000n,
    });
    assert.equal(await s.view("billing::cpu_core_hour_mist", [], u64), 7n);
    assert.equal(await s.view("billing::memory_gib_hour_mist", [], u64), 8n);
    assert.equal(await s.view("billing::storage_gib_hour_mist", [], u64), 9n);
    assert.equal(await s.view("billing::treasury_share_bps", [], u64), 10_000n);
    assert.deepEqual(s.eventsOf(first, "BillingPricesEvent"), [
      {
        cluster_id: s.clusterId,
        cpu_core_hour_mist: "7",
        memory_gib_hour_mist: "8",
        storage_gib_hour_mist: "9",
        treasury_share_bps: "10000",
      },
    ]);
    await s.call(s.admin, "set_prices", {
      cpu_core_hour_mist: 1n,
      memory_gib_hour_mist: 2n,
      storage_gib_hour_mist: 3n,
      treasury_share_bps: 0n,
    });
    assert.equal(await s.view("billing::cpu_core_hour_mist", [], u64), 1n);
  });

  twin("billing_tests::treasury_share_over_10000_bps_is_rejected", async (s) => {
    await expectAbort(
      s.call(s.admin, "set_prices", { ...PRICES, treasury_share_bps: 10_001n }),
      "billing",
      "EInvalidShare",
    );
  });

  twin("billing_tests::deposit_then_withdraw_returns_what_is_not_owed", async (s) => {
    const { namespaceCap } = await setup(s, 5_000n);
    await deposit(s, namespaceCap, 2_000n);
    assert.equal(await escrowBalance(s), 7_000n);
    const executed = await s.call(s.tenant, "withdraw", { cap: namespaceCap, amount: 7_000n });
    assert.equal(await escrowBalance(s), 0n);
    assert.deepEqual(await s.createdCoins(executed), [
      { owner: s.tenant.toSuiAddress(), value: 7_000n },
    ]);
    assert.equal(s.eventsOf(executed, "EscrowEvent")[0]?.action, ESCROW_ACTION.withdrawn);
  });

  twin("billing_tests::withdrawing_more_than_the_escrow_holds_is_rejected", async (s) => {
    const { namespaceCap } = await setup(s, 5_000n);
    await expectAbort(
      s.call(s.tenant, "withdraw", { cap: namespaceCap, amount: 5_001n }),
      "billing",
      "EInsufficientEscrow",
    );
  });

  twin(
    "billing_tests::usage_report_charges_the_escrow_credits_workers_and_keeps_the_treasury_share",
    async (s) => {
      await setup(s, 100_000_000n);
      const executed = await report(s, 1n, 1n);
      assert.equal(await escrowBalance(s), 100_000_000n - CHARGE);
      assert.equal(await suspended(s), false);
      assert.equal(await earnings(s, "node-1"), 19_058_823n);
      assert.equal(await earnings(s, "node-2"), 7_941_176n);
      assert.equal(await treasury(s), 3_000_000n);
      assert.equal(await s.view("billing::reported_periods", [], u64), 1n);
      assert.equal(
        await s.view("billing::last_period_end_ms", [], u64),
        golden.TIMESTAMP_MS - MINUTE_MS,
      );
      assert.equal(executed.events.length, 4);
      assert.deepEqual(s.eventsOf(executed, "UsageReportedEvent"), [
        {
          cluster_id: s.clusterId,
          period: "1",
          period_start_ms: String(golden.TIMESTAMP_MS - 2n * MINUTE_MS),
          period_end_ms: String(golden.TIMESTAMP_MS - MINUTE_MS),
          billed_mist: String(CHARGE),
          collected_mist: String(CHARGE),
          workers_mist: "26999999",
          treasury_mist: "3000000",
          sequence: "1",
        },
      ]);
      // The protocol's arithmetic (what clients show) agrees with the chain's.
      const payload = golden.usageReportPayload(1n, 1n);
      assert.equal(usageValueMist(protocolPrices, usageAt(payload.namespace_usage, 0)), CHARGE);
      const values = [0, 1].map((i) =>
        usageValueMist(protocolPrices, usageAt(payload.node_usage, i)),
      );
      assert.deepEqual(splitCollection(CHARGE, PRICES.treasury_share_bps, values).workerShares, [
        19_058_823n,
        7_941_176n,
      ]);
    },
  );

  twin("billing_tests::contiguous_next_period_is_charged_too", async (s) => {
    await setup(s, 100_000_000n);
    await report(s, 1n, 1n);
    await report(s, 2n, 2n);
    assert.equal(await escrowBalance(s), 100_000_000n - 2n * CHARGE);
    assert.equal(await earnings(s, "node-1"), 2n * 19_058_823n);
    assert.equal(await s.view("billing::reported_periods", [], u64), 2n);
    assert.equal(await treasury(s), 6_000_000n);
  });

  twin("billing_tests::escrow_that_cannot_pay_is_suspended_and_a_top_up_resumes_it", async (s) => {
    const { namespaceCap } = await setup(s, 10_000_000n);
    const executed = await report(s, 1n, 1n);
    assert.equal(executed.events.length, 5);
    assert.deepEqual(
      s.eventsOf(executed, "EscrowEvent").map((event) => event.action),
      [ESCROW_ACTION.charged, ESCROW_ACTION.suspended],
    );
    assert.equal(await suspended(s), true);
    assert.equal(await escrowBalance(s), 0n);
    assert.equal(await escrowDebt(s), CHARGE - 10_000_000n);
    assert.equal(await earnings(s, "node-1"), 6_352_941n);
    assert.equal(await earnings(s, "node-2"), 2_647_058n);
    assert.equal(await treasury(s), 1_000_001n);
    await deposit(s, namespaceCap, 1n);
    assert.equal(await suspended(s), true);
    const topUp = await deposit(s, namespaceCap, CHARGE - 10_000_000n - 1n + 500n);
    assert.deepEqual(
      s.eventsOf(topUp, "EscrowEvent").map((event) => event.action),
      [ESCROW_ACTION.deposited, ESCROW_ACTION.resumed],
    );
    assert.equal(await suspended(s), false);
    assert.equal(await escrowDebt(s), 0n);
    assert.equal(await escrowBalance(s), 500n);
    assert.equal(await treasury(s), 1_000_001n + CHARGE - 10_000_000n);
  });

  twin("billing_tests::worker_claims_its_earnings", async (s) => {
    const { workerCaps } = await setup(s, 100_000_000n);
    await report(s, 1n, 1n);
    const expected = await earnings(s, "node-2");
    assert.ok(expected > 0n);
    const executed = await s.call(s.workerOwner, "claim_earnings", { cap: workerCaps[1] });
    assert.equal(await earnings(s, "node-2"), 0n);
    assert.deepEqual(await s.createdCoins(executed), [
      { owner: s.workerOwner.toSuiAddress(), value: expected },
    ]);
  });

  twin("billing_tests::claiming_without_earnings_is_rejected", async (s) => {
    const { workerCaps } = await setup(s, 0n);
    await expectAbort(
      s.call(s.workerOwner, "claim_earnings", { cap: workerCaps[1] }),
      "billing",
      "ENothingToClaim",
    );
  });

  twin("billing_tests::claiming_with_another_clusters_worker_cap_is_rejected", async (s) => {
    const second = await s.createSecondCluster();
    const cap = await s.registerWorker("node-1", second.clusterId);
    await expectAbort(
      s.call(s.workerOwner, "claim_earnings", { cap }),
      "billing",
      "EWrongWorkerCap",
    );
  });

  twin("billing_tests::a_period_is_reported_once", async (s) => {
    await setup(s, 100_000_000n);
    await report(s, 1n, 1n);
    await expectAbort(report(s, 1n, 2n), "billing", "EPeriodOutOfOrder");
  });

  twin("billing_tests::the_first_report_is_period_1", async (s) => {
    await setup(s, 100_000_000n);
    await expectAbort(report(s, 2n, 1n), "billing", "EPeriodOutOfOrder");
  });

  twin("billing_tests::a_gap_between_periods_is_rejected", async (s) => {
    await setup(s, 100_000_000n);
    await report(s, 1n, 1n);
    await expectAbort(
      report(s, 2n, 2n, { period_start_ms: golden.TIMESTAMP_MS - MINUTE_MS + 1n }),
      "billing",
      "EPeriodNotContiguous",
    );
  });

  twin("billing_tests::an_empty_period_is_rejected", async (s) => {
    await setup(s, 100_000_000n);
    const end = golden.TIMESTAMP_MS - MINUTE_MS;
    await expectAbort(report(s, 1n, 1n, { period_start_ms: end }), "billing", "EInvalidPeriod");
  });

  twin("billing_tests::a_period_ending_after_the_clock_is_rejected", async (s) => {
    await setup(s, 100_000_000n);
    const end = golden.TIMESTAMP_MS + 1n;
    await expectAbort(
      report(s, 1n, 1n, { period_start_ms: end - MINUTE_MS, period_end_ms: end }),
      "billing",
      "EInvalidPeriod",
    );
  });

  twin("billing_tests::usage_without_three_values_per_namespace_is_rejected", async (s) => {
    await setup(s, 100_000_000n);
    await expectAbort(
      report(s, 1n, 1n, { namespace_usage: [1n, 2n] }),
      "billing",
      "EUsageLengthMismatch",
    );
  });

  twin("billing_tests::a_report_with_tampered_usage_is_rejected", async (s) => {
    await setup(s, 100_000_000n);
    const usage = [...golden.usageReportPayload(1n, 1n).namespace_usage];
    usage[0] = 1n;
    await expectAbort(
      report(s, 1n, 1n, { namespace_usage: usage }),
      "enclave",
      "EInvalidSignature",
    );
  });

  twin("billing_tests::usage_report_message_bytes_match_golden_vector", async (s) => {
    const payload = golden.usageReportPayload(1n, 1n);
    const bytes = await s.view(
      "messages::usage_report",
      [
        bcs.Address.serialize(payload.cluster_id).toBytes(),
        bcs.u64().serialize(payload.sequence).toBytes(),
        bcs.u64().serialize(payload.period).toBytes(),
        bcs.u64().serialize(payload.period_start_ms).toBytes(),
        bcs.u64().serialize(payload.period_end_ms).toBytes(),
        bcs.u64().serialize(payload.part).toBytes(),
        bcs.u64().serialize(payload.parts).toBytes(),
        bcs.vector(bcs.string()).serialize(payload.namespaces).toBytes(),
        bcs.vector(bcs.u128()).serialize(payload.namespace_usage).toBytes(),
        bcs.vector(bcs.string()).serialize(payload.node_ids).toBytes(),
        bcs.vector(bcs.u128()).serialize(payload.node_usage).toBytes(),
      ],
      { parse: (value: Uint8Array) => Buffer.from(value).toString("hex") },
      { onCluster: false },
    );
    assert.equal(bytes, golden.goldenVectors().usage_report_payload_bcs);
    assert.equal(
      Buffer.from(signingBytes("usageReport", GOLDEN_MS, payload)).toString("hex"),
      golden.goldenVectors().usage_report_intent_message_bcs,
    );
    const intent = await s.view(
      "messages::intent_usage_report",
      [],
      { parse: (value: Uint8Array) => bcs.u8().parse(value) },
      { onCluster: false },
    );
    assert.equal(intent, 6);
  });

  twin("billing_tests::a_report_in_two_parts_charges_and_credits_as_one", async (s) => {
    await setup(s, 100_000_000n);
    const first = await reportPart(s, 0n, 2n, 1n);
    assert.equal(first.events.length, 1);
    assert.equal(await escrowBalance(s), 100_000_000n - CHARGE);
    assert.equal(await s.view("billing::reported_periods", [], u64), 0n);
    assert.equal(await s.view("billing::report_parts_done", [], u64), 1n);
    assert.equal(await earnings(s, "node-1"), 0n);
    assert.equal(await treasury(s), 0n);
    const last = await reportPart(s, 1n, 2n, 2n);
    assert.equal(last.events.length, 3);
    assert.equal(await earnings(s, "node-1"), 19_058_823n);
    assert.equal(await earnings(s, "node-2"), 7_941_176n);
    assert.equal(await treasury(s), 3_000_000n);
    assert.equal(await s.view("billing::reported_periods", [], u64), 1n);
    assert.equal(
      await s.view("billing::last_period_end_ms", [], u64),
      golden.TIMESTAMP_MS - MINUTE_MS,
    );
    assert.equal(await s.view("billing::report_parts_done", [], u64), 0n);
    assert.deepEqual(
      s
        .eventsOf(last, "UsageReportedEvent")
        .map((event) => [
          event.billed_mist,
          event.collected_mist,
          event.workers_mist,
          event.treasury_mist,
          event.sequence,
        ]),
      [[String(CHARGE), String(CHARGE), "26999999", "3000000", "2"]],
    );
  });

  twin("billing_tests::a_part_is_reported_once", async (s) => {
    await setup(s, 100_000_000n);
    await reportPart(s, 0n, 2n, 1n);
    await expectAbort(reportPart(s, 0n, 2n, 2n), "billing", "EPartOutOfOrder");
  });

  twin("billing_tests::the_first_part_is_part_0", async (s) => {
    await setup(s, 100_000_000n);
    await expectAbort(reportPart(s, 1n, 2n, 1n), "billing", "EPartOutOfOrder");
  });

  twin("billing_tests::a_part_with_another_part_count_is_rejected", async (s) => {
    await setup(s, 100_000_000n);
    await reportPart(s, 0n, 2n, 1n);
    await expectAbort(reportPart(s, 1n, 3n, 2n), "billing", "EPartMismatch");
  });

  twin("billing_tests::a_part_with_other_bounds_is_rejected", async (s) => {
    await setup(s, 100_000_000n);
    await reportPart(s, 0n, 2n, 1n);
    await expectAbort(
      reportPart(s, 1n, 2n, 2n, {
        period_start_ms: golden.TIMESTAMP_MS - 2n * MINUTE_MS + 1n,
      }),
      "billing",
      "EPartMismatch",
    );
  });

  twin("billing_tests::a_part_index_not_below_the_count_is_rejected", async (s) => {
    await setup(s, 100_000_000n);
    await expectAbort(reportPart(s, 1n, 1n, 1n), "billing", "EInvalidPart");
  });

  twin("billing_tests::the_next_period_waits_for_the_last_part", async (s) => {
    await setup(s, 100_000_000n);
    await reportPart(s, 0n, 2n, 1n);
    await expectAbort(report(s, 2n, 2n), "billing", "EPeriodOutOfOrder");
  });

  twin("billing_tests::a_part_signed_as_another_part_is_rejected", async (s) => {
    await setup(s, 100_000_000n);
    // Part 0's usage under a signature over the whole report (parts 1).
    const { cluster_id: _c, sequence: _s, ...whole } = golden.usageReportPayload(1n, 1n);
    const signature = await s.signed("usageReport", whole, { sequence: 1n });
    const { cluster_id: _c2, sequence: _s2, ...part } = golden.usageReportPartPayload(0n, 1n);
    await expectAbort(
      s.call(s.admin, "report_usage", { ...part, ...signature }),
      "enclave",
      "EInvalidSignature",
    );
  });
});
