// Twins of move/tests/requests_tests.move.
import assert from "node:assert/strict";
import { describe } from "node:test";
import { bcs } from "@mysten/sui/bcs";
import {
  DEFAULT_CONFIG,
  EXPIRED_STATUS_CODE,
  K8sAPIRequestEvent,
  K8sAPIResultEvent,
  REQUEST_STATUS,
} from "../../src/protocol/index.ts";
import {
  arg,
  type CallArgs,
  expectAbort,
  GOLDEN_MS,
  golden,
  type Scenario,
  twin,
} from "./fixture.ts";

const FEE = 1_000_000n;
const utf8 = (text: string) => new TextEncoder().encode(text);

/** The accessors Move tests read a request with. */
const request = {
  exists: (s: Scenario, id: number) => s.view("requests::exists", [arg.u64(id)], bcs.bool()),
  status: (s: Scenario, id: number) => s.view("requests::status", [arg.u64(id)], bcs.u8()),
  requester: (s: Scenario, id: number) => s.view("requests::requester", [arg.u64(id)], bcs.Address),
  namespace: (s: Scenario, id: number) =>
    s.view("requests::request_namespace", [arg.u64(id)], bcs.string()),
  escrowedFee: (s: Scenario, id: number) =>
    s.view("requests::escrowed_fee", [arg.u64(id)], bcs.u64()),
  submittedAt: (s: Scenario, id: number) =>
    s.view("requests::submitted_at_ms", [arg.u64(id)], bcs.u64()),
};

const TIMEOUT_MS = Number(DEFAULT_CONFIG.requestTimeoutMs);

/**
 * `cancel_after`: `signer` cancels `requestId` `afterMs` after the golden timestamp (the
 * devnet clock, which stands still, is moved there first).
 */
function cancelAfter(s: Scenario, signer: Scenario["tenant"], requestId: bigint, afterMs: number) {
  s.devnet.clock.set(GOLDEN_MS + afterMs);
  return s.call(signer, "cancel", { request_id: requestId });
}

/** `submit_as_tenant`: tenant claims team-a and calls `submit` with `args`. */
async function submitAsTenant(s: Scenario, args: CallArgs) {
  const cap = await s.claim("team-a");
  return s.call(s.tenant, "submit", { cap, ...args });
}

/** `valid_submit`'s arguments. */
const validSubmit = {
  method: "PATCH",
  resource: "deployments.apps",
  namespace: "team-a",
  name: "web",
  payload: utf8("{}"),
  priority: 9,
  fee: FEE,
};

/** `submit_as_tenant` with `valid_submit`'s arguments but `overrides`. */
const submitting = (s: Scenario, overrides: CallArgs) =>
  submitAsTenant(s, { ...validSubmit, ...overrides });

/** The BCS `golden` holds for an event, re-addressed to this devnet's cluster and tenant. */
function goldenOnThisChain<T extends { cluster_id: string; requester: string }>(
  s: Scenario,
  value: T,
): T {
  return { ...value, cluster_id: s.clusterId, requester: s.tenant.toSuiAddress() };
}

describe("conformance: requests", () => {
  twin("requests_tests::submit_escrows_the_fee_and_hands_out_increasing_ids", async (s) => {
    const capId = await s.claim("team-a");
    const first = { ...validSubmit, cap: capId };
    assert.equal(await s.returnOf(s.tenant, "submit", first, bcs.u64()), "1");
    await s.call(s.tenant, "submit", first);
    const second = {
      cap: capId,
      method: "DELETE",
      resource: "pods",
      namespace: "team-a",
      name: "web",
      payload: new Uint8Array(),
      priority: 0,
      fee: 3_000_000n,
    };
    assert.equal(await s.returnOf(s.tenant, "submit", second, bcs.u64()), "2");
    await s.call(s.tenant, "submit", second);
    assert.equal(await request.exists(s, 2), true);
    assert.equal(await request.status(s, 2), REQUEST_STATUS.pending);
    assert.equal(await request.requester(s, 2), s.tenant.toSuiAddress());
    assert.equal(await request.namespace(s, 2), "team-a");
    assert.equal(await request.escrowedFee(s, 2), "3000000");
    assert.equal(await request.submittedAt(s, 2), String(GOLDEN_MS));
    assert.equal((await s.cluster()).next_request_id, "3");
  });

  twin("requests_tests::submit_get_needs_no_namespace_cap", async (s) => {
    const args = { resource: "pods", namespace: "team-a", name: "", priority: 3, fee: FEE };
    assert.equal(await s.returnOf(s.other, "submit_get", args, bcs.u64()), "1");
    const executed = await s.call(s.other, "submit_get", args);
    assert.equal(await request.requester(s, 1), s.other.toSuiAddress());
    assert.equal(s.eventsOf(executed, "K8sAPIRequestEvent").length, 1);
  });

  twin("requests_tests::submit_get_checks_the_namespace", async (s) => {
    await expectAbort(
      s.call(s.admin, "submit_get", {
        resource: "pods",
        namespace: "Team",
        name: "",
        priority: 3,
        fee: FEE,
      }),
      "requests",
      "EInvalidNamespace",
    );
  });

  twin("requests_tests::execute_k8s_api_submits_the_string_payload", async (s) => {
    const cap = await s.claim("team-a");
    const executed = await s.call(s.tenant, "execute_k8s_api", {
      cap,
      method: "PUT",
      resource: "configmaps",
      namespace: "team-a",
      name: "cfg",
      payload: "kind: ConfigMap",
      priority: 4,
      fee: FEE,
    });
    assert.equal(await request.status(s, 1), REQUEST_STATUS.pending);
    const expected = K8sAPIRequestEvent.serialize({
      cluster_id: s.clusterId,
      request_id: 1n,
      method: "PUT",
      resource: "configmaps",
      namespace: "team-a",
      name: "cfg",
      payload: utf8("kind: ConfigMap"),
      priority: 4,
      requester: s.tenant.toSuiAddress(),
      fee_mist: FEE,
      timestamp_ms: GOLDEN_MS,
      sealed: false,
    }).toBytes();
    assert.deepEqual(s.eventBytes(executed, "K8sAPIRequestEvent"), [expected]);
  });

  twin("requests_tests::create_pod_emits_the_golden_request_event", async (s) => {
    const { executed } = await s.submitGoldenPod();
    const expected = K8sAPIRequestEvent.serialize(goldenOnThisChain(s, golden.requestEvent));
    assert.deepEqual(s.eventBytes(executed, "K8sAPIRequestEvent"), [expected.toBytes()]);
  });

  twin("requests_tests::deploy_pods_batch_posts_a_deployment_manifest", async (s) => {
    const cap = await s.claim("team-a");
    const executed = await s.call(s.tenant, "deploy_pods_batch", {
      cap,
      deployment_name: "api",
      namespace: "team-a",
      image: "nginx:1.27",
      replicas: 3,
      priority: 2,
      fee: FEE,
    });
    const expected = K8sAPIRequestEvent.serialize({
      cluster_id: s.clusterId,
      request_id: 1n,
      method: "POST",
      resource: "deployments",
      namespace: "team-a",
      name: "api",
      payload: utf8(golden.DEPLOYMENT_MANIFEST),
      priority: 2,
      requester: s.tenant.toSuiAddress(),
      fee_mist: FEE,
      timestamp_ms: GOLDEN_MS,
      sealed: false,
    }).toBytes();
    assert.deepEqual(s.eventBytes(executed, "K8sAPIRequestEvent"), [expected]);
    const manifest = await s.view(
      "requests::deployment_manifest",
      [
        arg.string("api"),
        arg.string("team-a"),
        arg.string("nginx:1.27"),
        bcs.u32().serialize(3).toBytes(),
      ],
      bcs.byteVector(),
      { onCluster: false },
    );
    assert.deepEqual(manifest, utf8(golden.DEPLOYMENT_MANIFEST));
  });

  twin("requests_tests::create_pod_rejects_an_image_that_could_break_the_json", async (s) => {
    const cap = await s.claim("team-a");
    await expectAbort(
      s.call(s.tenant, "create_pod", {
        cap,
        pod_name: "web",
        namespace: "team-a",
        image: 'x","privileged":true',
        priority: 5,
        fee: FEE,
      }),
      "requests",
      "EInvalidImage",
    );
  });

  twin("requests_tests::deploy_pods_batch_rejects_zero_replicas", async (s) => {
    const cap = await s.claim("team-a");
    await expectAbort(
      s.call(s.tenant, "deploy_pods_batch", {
        cap,
        deployment_name: "api",
        namespace: "team-a",
        image: "nginx",
        replicas: 0,
        priority: 2,
        fee: FEE,
      }),
      "requests",
      "EInvalidReplicas",
    );
  });

  const get = { method: "GET", resource: "pods", name: "", payload: new Uint8Array(), priority: 0 };

  twin("requests_tests::unknown_method_is_rejected", async (s) => {
    await expectAbort(submitting(s, { ...get, method: "get" }), "requests", "EInvalidMethod");
  });

  twin("requests_tests::bad_resource_is_rejected", async (s) => {
    await expectAbort(submitting(s, { ...get, resource: "Pods" }), "requests", "EInvalidResource");
  });

  twin("requests_tests::bad_object_name_is_rejected", async (s) => {
    await expectAbort(submitting(s, { ...get, name: "Web_1" }), "requests", "EInvalidObjectName");
  });

  twin("requests_tests::payload_over_the_configured_limit_is_rejected", async (s) => {
    await s.call(s.admin, "set_max_payload_bytes", { max_bytes: 4n });
    await expectAbort(
      submitting(s, {
        method: "POST",
        resource: "pods",
        name: "web",
        payload: utf8("12345"),
        priority: 0,
      }),
      "requests",
      "EPayloadTooLarge",
    );
  });

  twin("requests_tests::priority_above_nine_is_rejected", async (s) => {
    await expectAbort(submitting(s, { ...get, priority: 10 }), "requests", "EInvalidPriority");
  });

  twin("requests_tests::fee_below_the_configured_fee_is_rejected", async (s) => {
    await expectAbort(submitting(s, { ...get, fee: 999_999n }), "requests", "EInsufficientFee");
  });

  twin("requests_tests::writing_into_a_namespace_the_cap_does_not_grant_is_rejected", async (s) => {
    await expectAbort(
      submitting(s, {
        method: "DELETE",
        resource: "pods",
        namespace: "team-b",
        payload: new Uint8Array(),
        priority: 0,
      }),
      "requests",
      "ENamespaceMismatch",
    );
  });

  twin("requests_tests::submissions_stop_while_paused", async (s) => {
    await s.claim("team-a");
    await s.call(s.admin, "pause");
    await expectAbort(
      s.call(s.other, "submit_get", {
        resource: "pods",
        namespace: "team-a",
        name: "",
        priority: 3,
        fee: FEE,
      }),
      "cluster",
      "EPaused",
    );
  });

  twin("requests_tests::cancel_refunds_the_requester", async (s) => {
    await submitting(s, {});
    const executed = await cancelAfter(s, s.tenant, 1n, TIMEOUT_MS);
    assert.equal(await s.view("cluster::request_timeout_ms", [], bcs.u64()), String(TIMEOUT_MS));
    assert.equal(await request.status(s, 1), REQUEST_STATUS.cancelled);
    assert.equal(await request.escrowedFee(s, 1), "0");
    const tenant = s.tenant.toSuiAddress();
    assert.deepEqual(await s.createdCoins(executed), [{ owner: tenant, value: FEE }]);
    assert.deepEqual(s.eventsOf(executed, "K8sAPIRequestCancelledEvent"), [
      { cluster_id: s.clusterId, request_id: "1", requester: tenant, refund_mist: String(FEE) },
    ]);
  });

  twin("requests_tests::a_cancel_in_the_submitting_transaction_is_refused", async (s) => {
    const cap = await s.claim("team-a");
    await expectAbort(
      s.transact(s.tenant, (tx) => {
        s.moveCall(tx, "submit", {
          ...validSubmit,
          cap,
          method: "POST",
          resource: "configmaps",
          name: "cfg",
          priority: 0,
        });
        // The id `submit` returns is 1 (the first request of the cluster).
        s.moveCall(tx, "cancel", { request_id: 1n });
      }),
      "requests",
      "ECancelTooEarly",
    );
    assert.equal(await request.exists(s, 1), false, "the whole transaction was reverted");
  });

  twin("requests_tests::a_cancel_one_ms_before_the_timeout_is_refused", async (s) => {
    await submitting(s, {});
    await expectAbort(cancelAfter(s, s.tenant, 1n, TIMEOUT_MS - 1), "requests", "ECancelTooEarly");
    assert.equal(await request.status(s, 1), REQUEST_STATUS.pending);
  });

  twin("requests_tests::the_cancel_timeout_is_the_clusters_request_timeout", async (s) => {
    const executed = await s.call(s.admin, "set_request_timeout", { timeout_ms: 5_000n });
    assert.equal(s.eventsOf(executed, "ClusterConfigEvent")[0]?.request_timeout_ms, "5000");
    await submitting(s, {});
    await cancelAfter(s, s.tenant, 1n, 5_000);
    assert.equal(await request.status(s, 1), REQUEST_STATUS.cancelled);
  });

  twin("requests_tests::a_huge_request_timeout_does_not_overflow", async (s) => {
    await s.call(s.admin, "set_request_timeout", { timeout_ms: 18_446_744_073_709_551_615n });
    await submitting(s, {});
    await expectAbort(cancelAfter(s, s.tenant, 1n, TIMEOUT_MS), "requests", "ECancelTooEarly");
  });

  twin("requests_tests::only_the_requester_may_cancel", async (s) => {
    await submitting(s, {});
    await expectAbort(cancelAfter(s, s.other, 1n, TIMEOUT_MS), "requests", "ENotRequester");
  });

  twin("requests_tests::cancelling_an_unknown_request_aborts", async (s) => {
    await expectAbort(cancelAfter(s, s.admin, 42n, TIMEOUT_MS), "requests", "ERequestNotFound");
  });

  twin("requests_tests::complete_moves_the_fee_to_the_treasury_and_emits_the_result", async (s) => {
    await s.registerGoldenEnclave();
    await s.submitGoldenPod();
    const executed = await s.completeGolden(1n, 1n);
    assert.equal(await request.status(s, 1), REQUEST_STATUS.completed);
    assert.equal(await request.escrowedFee(s, 1), "0");
    const cluster = await s.cluster();
    assert.equal(cluster.treasury, String(FEE));
    assert.equal(cluster.last_sequence, "1");
    const expected = K8sAPIResultEvent.serialize(goldenOnThisChain(s, golden.resultEvent));
    assert.deepEqual(s.eventBytes(executed, "K8sAPIResultEvent"), [expected.toBytes()]);
  });

  twin("requests_tests::a_second_completion_aborts", async (s) => {
    await s.registerGoldenEnclave();
    await s.submitGoldenPod();
    await s.completeGolden(1n, 1n);
    await expectAbort(s.completeGolden(1n, 1n), "requests", "EAlreadyCompleted");
  });

  twin("requests_tests::a_completed_request_cannot_be_cancelled", async (s) => {
    await s.registerGoldenEnclave();
    await s.submitGoldenPod();
    await s.completeGolden(1n, 1n);
    await expectAbort(
      s.call(s.tenant, "cancel", { request_id: 1n }),
      "requests",
      "EAlreadyCompleted",
    );
    assert.equal((await s.cluster()).treasury, String(FEE), "the fee stays paid");
  });

  twin("requests_tests::a_cancelled_request_cannot_be_completed", async (s) => {
    await s.registerGoldenEnclave();
    await s.submitGoldenPod();
    await cancelAfter(s, s.tenant, 1n, TIMEOUT_MS);
    // Signed now, so only the cancellation can stop it.
    await expectAbort(
      s.completeGolden(1n, 1n, { timestampMs: GOLDEN_MS + TIMEOUT_MS }),
      "requests",
      "ERequestCancelled",
    );
  });

  twin("requests_tests::an_expired_result_refunds_the_requester", async (s) => {
    await s.registerGoldenEnclave();
    await s.submitGoldenPod();
    assert.equal(
      await s.view("requests::expired_status_code", [], bcs.u16(), { onCluster: false }),
      EXPIRED_STATUS_CODE,
    );
    const expired = {
      request_id: 1n,
      status_code: EXPIRED_STATUS_CODE,
      output_sha256: golden.OUTPUT_SHA256,
      summary: golden.EXPIRED_SUMMARY,
    };
    const executed = await s.call(s.admin, "complete", {
      ...expired,
      ...(await s.signed("requestResult", expired, { sequence: 1n })),
    });
    assert.equal(await request.status(s, 1), REQUEST_STATUS.completed);
    assert.equal(await request.escrowedFee(s, 1), "0");
    const cluster = await s.cluster();
    assert.equal(cluster.treasury, "0");
    assert.equal(cluster.last_sequence, "1");
    const tenant = s.tenant.toSuiAddress();
    assert.deepEqual(await s.createdCoins(executed), [{ owner: tenant, value: FEE }]);
    const expected = K8sAPIResultEvent.serialize({
      cluster_id: s.clusterId,
      ...expired,
      requester: tenant,
      sequence: 1n,
      timestamp_ms: GOLDEN_MS,
    }).toBytes();
    assert.deepEqual(s.eventBytes(executed, "K8sAPIResultEvent"), [expected]);
  });

  twin("requests_tests::completing_an_unknown_request_aborts", async (s) => {
    await s.registerGoldenEnclave();
    await expectAbort(s.completeGolden(1n, 1n), "requests", "ERequestNotFound");
  });

  /** `complete` of request 1 with the golden sig_result_r1_s1 but `overrides`. */
  async function completeWith(s: Scenario, overrides: CallArgs) {
    const goldenResult = {
      request_id: 1n,
      status_code: 201,
      output_sha256: golden.OUTPUT_SHA256,
      summary: golden.RESULT_SUMMARY,
    };
    const signature = await s.signed("requestResult", goldenResult, { sequence: 1n });
    return s.call(s.admin, "complete", { ...goldenResult, ...signature, ...overrides });
  }

  twin("requests_tests::output_digest_must_be_32_bytes", async (s) => {
    await s.registerGoldenEnclave();
    await s.submitGoldenPod();
    await expectAbort(
      completeWith(s, { output_sha256: new Uint8Array([0xab, 0xab]) }),
      "requests",
      "EInvalidDigest",
    );
  });

  twin("requests_tests::summary_over_256_bytes_is_rejected", async (s) => {
    await s.registerGoldenEnclave();
    await s.submitGoldenPod();
    await expectAbort(completeWith(s, { summary: "s".repeat(257) }), "requests", "ESummaryTooLong");
  });

  twin("requests_tests::reading_an_unknown_request_aborts", async (s) => {
    await expectAbort(request.status(s, 7), "requests", "ERequestNotFound");
  });
  /** `require_sealing`: the admin makes the cluster require sealed payloads. */
  const requireSealing = (s: Scenario) => s.call(s.admin, "set_require_sealed", { required: true });

  /** `submit_sealed_as_tenant` (tenant holds team-a): `secrets/db`, priority 5, default fee. */
  const submitSealedAsTenant = (
    s: Scenario,
    cap: string,
    method: string,
    namespace: string,
    sealedPayload: Uint8Array,
  ) =>
    s.call(s.tenant, "submit_sealed", {
      cap,
      method,
      resource: "secrets",
      namespace,
      name: "db",
      sealed_payload: sealedPayload,
      priority: 5,
      fee: FEE,
    });

  const SEALED_BYTES = new Uint8Array([0x01, 0xc0, 0xff, 0xee]);

  twin("requests_tests::submit_sealed_marks_the_event_sealed", async (s) => {
    const cap = await s.claim("team-a");
    const executed = await submitSealedAsTenant(s, cap, "POST", "team-a", SEALED_BYTES);
    const expected = K8sAPIRequestEvent.serialize({
      cluster_id: s.clusterId,
      request_id: 1n,
      method: "POST",
      resource: "secrets",
      namespace: "team-a",
      name: "db",
      payload: SEALED_BYTES,
      priority: 5,
      requester: s.tenant.toSuiAddress(),
      fee_mist: FEE,
      timestamp_ms: GOLDEN_MS,
      sealed: true,
    }).toBytes();
    assert.deepEqual(s.eventBytes(executed, "K8sAPIRequestEvent"), [expected]);
  });

  twin("requests_tests::submit_sealed_refuses_an_empty_payload", async (s) => {
    const cap = await s.claim("team-a");
    await expectAbort(
      submitSealedAsTenant(s, cap, "GET", "team-a", new Uint8Array()),
      "requests",
      "EEmptySealedPayload",
    );
  });

  twin("requests_tests::submit_sealed_checks_the_namespace_of_the_cap", async (s) => {
    const cap = await s.claim("team-a");
    await expectAbort(
      submitSealedAsTenant(s, cap, "POST", "team-b", SEALED_BYTES),
      "requests",
      "ENamespaceMismatch",
    );
  });

  twin("requests_tests::a_cluster_that_requires_sealing_refuses_a_plaintext_payload", async (s) => {
    await requireSealing(s);
    await expectAbort(submitting(s, {}), "requests", "EPayloadNotSealed");
    assert.equal(await request.exists(s, 1), false);
  });

  twin("requests_tests::create_pod_is_refused_when_sealing_is_required", async (s) => {
    await requireSealing(s);
    await expectAbort(s.submitGoldenPod(), "requests", "EPayloadNotSealed");
  });

  twin(
    "requests_tests::a_cluster_that_requires_sealing_takes_sealed_payloads_and_empty_ones",
    async (s) => {
      await requireSealing(s);
      const cap = await s.claim("team-a");
      await submitSealedAsTenant(s, cap, "POST", "team-a", SEALED_BYTES);
      await s.call(s.tenant, "submit", {
        ...validSubmit,
        cap,
        method: "DELETE",
        resource: "pods",
        payload: new Uint8Array(),
        priority: 0,
      });
      await s.call(s.tenant, "submit_get", {
        resource: "pods",
        namespace: "team-a",
        name: "",
        priority: 0,
        fee: FEE,
      });
      assert.equal(await request.exists(s, 3), true);
    },
  );
});
