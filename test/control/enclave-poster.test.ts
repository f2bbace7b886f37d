// The EnclavePoster's re-signing: a signed call refused as stale (its sequence consumed by
// another signer of the same key, or its timestamp left behind by the chain's clock) is
// signed again with fresh values and lands exactly once; one that stays stale gives up with
// SIGNED_CALL_STALE and the reporter keeps the result for later. The faults are the chain's
// own: a second holder of the enclave key really posts between our read of last_sequence
// and our submission, and the devnet's clock really jumps. Kubernetes is not involved.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { KubeConfig } from "@kubernetes/client-node";
import { MoveAbortError, readClusterObject } from "../../src/chain/index.ts";
import { SignedCallError } from "../../src/control/enclave-poster.ts";
import { Reporter, type ReporterProblem } from "../../src/control/pipeline/index.ts";
import type { EnclaveSigner } from "../../src/tee/index.ts";
import {
  completeFields,
  type EnclaveRig,
  openEnclaveRig,
  recordOutcome,
} from "../helpers/enclave-rig.ts";
import { newTenant, openStack, resultsOf, type Stack, submitConfigMap } from "../helpers/stack.ts";

/** The stack's enclave key; `beforeSign` runs before each signature while it is set. */
interface HookedSigner extends EnclaveSigner {
  signatures: number;
  beforeSign: (() => Promise<void>) | undefined;
}

function hooked(signer: EnclaveSigner): HookedSigner {
  const hookedSigner: HookedSigner = {
    mode: signer.mode,
    publicKey: signer.publicKey,
    encryptionKey: signer.encryptionKey,
    tlsKey: signer.tlsKey,
    signatures: 0,
    beforeSign: undefined,
    async sign(message) {
      hookedSigner.signatures++;
      await hookedSigner.beforeSign?.();
      return signer.sign(message);
    },
  };
  return hookedSigner;
}

describe("enclave poster: stale signatures are signed again", () => {
  let stack: Stack;
  let signer: HookedSigner;
  /** The poster under test. */
  let ours: EnclaveRig;
  /** Another process holding the same enclave key, with its own sequence counter. */
  let other: EnclaveRig;
  let tenant: Awaited<ReturnType<typeof newTenant>>;

  before(async () => {
    stack = await openStack(new KubeConfig()); // nautilus-control is never started here
    signer = hooked(stack.enclave);
    ours = await openEnclaveRig(stack, { signer });
    other = await openEnclaveRig(stack);
    tenant = await newTenant(stack, `poster-${Date.now().toString(36)}`);
  });
  after(async () => {
    ours?.close();
    other?.close();
    await stack?.close();
  });

  /** A request executed (outcome recorded) in `rig`'s inbox. */
  async function doneRequest(rig: EnclaveRig, name: string) {
    const id = await submitConfigMap(stack, tenant, name);
    await rig.ingestAll();
    recordOutcome(rig.state.requests, id, {
      statusCode: 201,
      summary: `configmap/${name} created`,
      output: null,
    });
    const request = rig.state.requests.get(id);
    assert.equal(request?.state, "done");
    assert.ok(request);
    return request;
  }

  const lastSequence = async () =>
    BigInt((await readClusterObject(stack.client, stack.clusterId)).last_sequence);

  it("re-signs after another signer consumed the reserved sequence; the call lands once", async () => {
    const mine = await doneRequest(ours, "mine");
    const theirs = await doneRequest(other, "theirs");
    const last = await lastSequence();
    signer.signatures = 0;
    // Between our read of last_sequence and our submission, the other holder's call lands
    // with the very sequence we reserved.
    signer.beforeSign = async () => {
      signer.beforeSign = undefined;
      await other.poster.post("complete", completeFields(theirs));
    };

    const posted = await ours.poster.post("complete", completeFields(mine));
    ours.state.requests.markReported(mine.requestId, posted.digest);
    other.state.requests.markReported(theirs.requestId, "posted by the other holder");
    assert.equal(signer.signatures, 2, "signed once, refused as a replay, signed once more");
    const theirResults = await resultsOf(stack, theirs.requestId);
    const myResults = await resultsOf(stack, mine.requestId);
    assert.deepEqual(
      theirResults.map((r) => r.sequence),
      [String(last + 1n)],
    );
    assert.deepEqual(
      myResults.map((r) => r.sequence),
      [String(last + 2n)],
      "exactly one result, with a fresh sequence",
    );
    assert.equal(await lastSequence(), last + 2n);
  });

  it("re-signs a timestamp the chain's clock left outside the signature window", async () => {
    const mine = await doneRequest(ours, "late");
    const { config } = await readClusterObject(stack.client, stack.clusterId);
    const jumpMs = Number(config.signature_window_ms) + 60_000;
    const before = stack.devnet.clock.now();
    signer.signatures = 0;
    // The payload's timestamp was read from the chain; the chain's clock then jumps past
    // the window before the transaction executes.
    signer.beforeSign = async () => {
      signer.beforeSign = undefined;
      stack.devnet.clock.advance(jumpMs);
    };

    const posted = await ours.poster.post("complete", completeFields(mine));
    ours.state.requests.markReported(mine.requestId, posted.digest);
    assert.equal(signer.signatures, 2);
    const results = await resultsOf(stack, mine.requestId);
    assert.equal(results.length, 1);
    assert.ok(
      Number(results[0]?.timestamp_ms) >= before + jumpMs,
      "signed with the chain's new time",
    );
  });

  it("gives up with SIGNED_CALL_STALE when every fresh signature is overtaken; the reporter keeps the result and posts it once the chain lets it", async () => {
    const mine = await doneRequest(ours, "overtaken");
    // Before each of our signatures another holder's call lands with the sequence we
    // reserved: no fresh signature can win.
    let interferences = 0;
    signer.beforeSign = async () => {
      interferences++;
      await other.poster.post("report_cluster_state", {
        node_count: 0n,
        ready_node_count: 0n,
        pod_count: 0n,
        running_pod_count: 0n,
        usage_summary: `interference ${interferences}`,
      });
    };
    signer.signatures = 0;
    await assert.rejects(ours.poster.post("complete", completeFields(mine)), (error) => {
      assert.ok(error instanceof SignedCallError);
      assert.equal(error.code, "SIGNED_CALL_STALE");
      assert.ok(error.cause instanceof MoveAbortError);
      assert.equal(error.cause.constantName, "ESequenceReplay");
      return true;
    });
    assert.equal(signer.signatures, 5, "five fresh signatures, then it gives up");
    assert.deepEqual(await resultsOf(stack, mine.requestId), []);

    const problems: ReporterProblem[] = [];
    const reported: bigint[] = [];
    const reporter = new Reporter({
      requests: ours.state.requests,
      poster: ours.poster,
      clusterId: stack.clusterId,
      onReported: (batch) => reported.push(...batch.map((r) => r.requestId)),
      onProblem: (problem) => problems.push(problem),
    });
    assert.equal(await reporter.reportPending(), 0);
    assert.equal(reporter.problem?.code, "REPORT_FAILED");
    assert.match(reporter.problem?.message ?? "", /kept being refused as stale/);
    assert.deepEqual(
      problems.map((p) => p.code),
      ["REPORT_FAILED"],
    );
    assert.equal(ours.state.requests.get(mine.requestId)?.state, "done", "kept for later");

    // The other signer stops: the next pass posts the result, once, and clears the problem.
    signer.beforeSign = undefined;
    assert.equal(await reporter.reportPending(), 1);
    assert.equal(reporter.problem, undefined);
    assert.deepEqual(reported, [mine.requestId]);
    assert.equal((await resultsOf(stack, mine.requestId)).length, 1);
    assert.equal(ours.state.requests.get(mine.requestId)?.state, "reported");
  });
});
