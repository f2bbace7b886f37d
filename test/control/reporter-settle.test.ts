// The reporter's recovery when the chain refuses a whole `complete` batch because one of its
// requests is already settled there: the abort names the command, so the reporter marks that
// request and posts the rest again as one batch, until it lands; each answered exactly once. Everything is real but
// Kubernetes (not needed: outcomes are recorded the way the pipeline records them): the
// devnet, BCS, ed25519 enclave signatures, the EnclavePoster and the Move aborts.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { KubeConfig } from "@kubernetes/client-node";
import { addCall, type SubmissionResult } from "../../src/chain/index.ts";
import { Reporter, type ReporterProblem } from "../../src/control/pipeline/index.ts";
import { eventType, K8sAPIResultEvent } from "../../src/protocol/index.ts";
import {
  completeFields,
  type EnclaveRig,
  openEnclaveRig,
  recordOutcome,
} from "../helpers/enclave-rig.ts";
import {
  execute,
  newTenant,
  openStack,
  resultsOf,
  type Stack,
  submitConfigMap,
} from "../helpers/stack.ts";

describe("reporter: a refused batch drops the settled request its abort names and posts the rest together", () => {
  let stack: Stack;
  let rig: EnclaveRig;
  before(async () => {
    // nautilus-control is never started here: the reporter under test runs on the rig.
    stack = await openStack(new KubeConfig());
    rig = await openEnclaveRig(stack);
  });
  after(async () => {
    rig?.close();
    await stack?.close();
  });

  it("reports the others once, marks the one completed earlier as settled and the cancelled one as cancelled", async () => {
    const tenant = await newTenant(stack, `settle-${Date.now().toString(36)}`);
    const ids: bigint[] = [];
    for (const name of ["a", "b", "c", "d"]) ids.push(await submitConfigMap(stack, tenant, name));
    const [first = 0n, completedEarlier = 0n, cancelled = 0n, last = 0n] = ids;
    await rig.ingestAll();
    const requests = rig.state.requests;
    for (const [index, id] of ids.entries()) {
      recordOutcome(requests, id, {
        statusCode: 201,
        summary: `configmap/${"abcd"[index]} created`,
        output: { kind: "ConfigMap" },
      });
    }
    assert.deepEqual(
      requests.inState(["done"]).map((r) => r.requestId),
      ids,
    );

    // An earlier run posted this result, then stopped before it could mark it reported.
    const earlierRequest = requests.get(completedEarlier);
    assert.ok(earlierRequest);
    const earlier = await rig.poster.post("complete", completeFields(earlierRequest));
    // The requester cancels this one after it ran, before its result went out: possible
    // only past the cluster's request timeout, here made 1 ms so it has passed.
    await execute(stack.client, stack.admin, (tx) =>
      addCall(
        tx,
        stack.packageId,
        "set_request_timeout",
        { timeout_ms: 1 },
        { cluster: stack.clusterId, cap: stack.adminCapId },
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    await execute(stack.client, tenant.key, (tx) =>
      addCall(
        tx,
        stack.packageId,
        "cancel",
        { request_id: cancelled },
        { cluster: stack.clusterId },
      ),
    );

    const posted: { ids: bigint[]; digest: string }[] = [];
    const problems: ReporterProblem[] = [];
    const reporter = new Reporter({
      requests,
      poster: rig.poster,
      clusterId: stack.clusterId,
      maxBatch: 32,
      onReported: (batch, digest) => posted.push({ ids: batch.map((r) => r.requestId), digest }),
      onProblem: (problem) => problems.push(problem),
    });
    assert.equal(await reporter.reportPending(), 4, "all four settled in one call");
    assert.deepEqual(problems, []);
    assert.equal(reporter.problem, undefined);
    // The two settled requests were dropped one refusal at a time (each abort names its
    // command); the two left went out together, in one transaction.
    assert.deepEqual(
      posted.map((p) => p.ids),
      [[first, last]],
    );

    assert.equal(requests.get(first)?.state, "reported");
    assert.equal(requests.get(first)?.reportDigest, posted[0]?.digest);
    assert.equal(requests.get(last)?.state, "reported");
    assert.equal(requests.get(last)?.reportDigest, posted[0]?.digest);
    assert.equal(requests.get(completedEarlier)?.state, "reported");
    assert.equal(requests.get(completedEarlier)?.reportDigest, "settled-on-chain");
    assert.equal(requests.get(cancelled)?.state, "cancelled");

    // On chain: one result for each answered request (for the settled one, the earlier
    // run's), none for the cancelled one.
    const sequences = async (id: bigint) => (await resultsOf(stack, id)).map((r) => r.sequence);
    assert.equal((await sequences(first)).length, 1);
    assert.equal((await sequences(last)).length, 1);
    assert.equal((await sequences(cancelled)).length, 0);
    assert.deepEqual(await sequences(completedEarlier), [resultSequenceIn(earlier, stack)]);

    // Nothing is left to post: another pass sends nothing.
    assert.equal(await reporter.reportPending(), 0);
    assert.equal(posted.length, 1);
  });
});

/** The sequence of the K8sAPIResultEvent a `complete` transaction emitted. */
function resultSequenceIn(submitted: SubmissionResult, stack: Stack): string {
  const type = eventType(stack.packageId, "K8sAPIResultEvent");
  const event = submitted.transaction?.events?.find((e) => e.eventType === type);
  assert.ok(event, "the earlier complete emitted a result event");
  return K8sAPIResultEvent.parse(event.bcs).sequence;
}
