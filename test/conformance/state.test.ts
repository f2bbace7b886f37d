// Twins of move/tests/state_tests.move.
import assert from "node:assert/strict";
import { describe } from "node:test";
import { ClusterStateEvent } from "../../src/protocol/index.ts";
import { expectAbort, GOLDEN_MS, golden, type Scenario, twin } from "./fixture.ts";

/**
 * `report`: reports 3 nodes (`readyNodeCount` ready), 10 pods (8 running) and
 * `usageSummary`, with `golden::sig_state_s1()` (signed over 2 ready nodes and the golden
 * summary); on success the report is published once with sequence 1.
 */
async function report(s: Scenario, readyNodeCount: bigint, usageSummary: string) {
  await s.registerGoldenEnclave();
  const counts = { node_count: 3n, pod_count: 10n, running_pod_count: 8n };
  const signature = await s.signed(
    "clusterState",
    { ...counts, ready_node_count: 2n, usage_summary: golden.USAGE_SUMMARY },
    { sequence: 1n },
  );
  const executed = await s.call(s.admin, "report_cluster_state", {
    ...counts,
    ready_node_count: readyNodeCount,
    usage_summary: usageSummary,
    ...signature,
  });
  assert.equal((await s.cluster()).last_sequence, "1");
  const expected = ClusterStateEvent.serialize({
    cluster_id: s.clusterId,
    ...counts,
    ready_node_count: readyNodeCount,
    usage_summary: usageSummary,
    sequence: 1n,
    timestamp_ms: GOLDEN_MS,
  }).toBytes();
  assert.deepEqual(s.eventBytes(executed, "ClusterStateEvent"), [expected]);
}

describe("conformance: state", () => {
  twin("state_tests::signed_state_report_is_published", async (s) => {
    await report(s, 2n, golden.USAGE_SUMMARY);
  });

  twin("state_tests::a_report_other_than_signed_is_rejected", async (s) => {
    await expectAbort(report(s, 1n, golden.USAGE_SUMMARY), "enclave", "EInvalidSignature");
  });

  twin("state_tests::more_ready_nodes_than_nodes_is_rejected", async (s) => {
    await expectAbort(report(s, 4n, golden.USAGE_SUMMARY), "state", "EInconsistentCounts");
  });

  twin("state_tests::usage_summary_over_1024_bytes_is_rejected", async (s) => {
    await expectAbort(report(s, 2n, "u".repeat(1025)), "state", "ESummaryTooLong");
  });
});
