// Billing events of one cluster as the chain has them, and the invariant the crash tests
// check: every period reported once, in order, contiguous, and charged once.
import assert from "node:assert/strict";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import {
  ESCROW_ACTION,
  EVENT_SCHEMAS,
  type EventName,
  eventType,
} from "../../../src/protocol/index.ts";

type Parsed<N extends EventName> = ReturnType<(typeof EVENT_SCHEMAS)[N]["parse"]>;

/** Every `name` event of `clusterId`, oldest first. */
export async function clusterEvents<N extends EventName>(
  client: SuiGrpcClient,
  packageId: string,
  clusterId: string,
  name: N,
): Promise<Parsed<N>[]> {
  const found: Parsed<N>[] = [];
  let after: string | null = null;
  do {
    const page = await client.listEvents({
      filter: { eventType: eventType(packageId, name) },
      limit: 500,
      ...(after ? { after } : {}),
    });
    for (const event of page.events) {
      const value = EVENT_SCHEMAS[name].parse(event.bcs) as Parsed<N>;
      if ((value as { cluster_id: string }).cluster_id === clusterId) found.push(value);
    }
    after = page.hasNextPage ? page.endCursor : null;
  } while (after);
  return found;
}

/**
 * Asserts that periods 1..n were each reported once, contiguous, and each charged at most
 * once per namespace; returns how many periods and the total charged.
 */
export async function assertEveryPeriodOnce(
  client: SuiGrpcClient,
  packageId: string,
  clusterId: string,
): Promise<{ periods: number; chargedMist: bigint }> {
  const reports = await clusterEvents(client, packageId, clusterId, "UsageReportedEvent");
  const periods = reports.map((report) => Number(report.period));
  assert.deepEqual(
    periods,
    periods.map((_, i) => i + 1),
    "every period once, in order",
  );
  reports.slice(1).forEach((report, i) => {
    assert.equal(report.period_start_ms, reports[i]?.period_end_ms, "contiguous periods");
  });
  const charges = (await clusterEvents(client, packageId, clusterId, "EscrowEvent")).filter(
    (event) => event.action === ESCROW_ACTION.charged,
  );
  const keys = charges.map((charge) => `${charge.namespace}:${charge.period}`);
  assert.deepEqual(keys, [...new Set(keys)], "no period charged twice");
  return {
    periods: periods.length,
    chargedMist: charges.reduce((sum, charge) => sum + BigInt(charge.amount_mist), 0n),
  };
}
