import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bcs } from "@mysten/sui/bcs";
import { arg, TwinAbortError, withScenario } from "../conformance/fixture.ts";

/**
 * The chain locates an abort in the Move function whose `assert!` failed, which for shared
 * checks is not the called function (`claim_namespace` aborts in
 * `cluster::assert_not_paused`). The devnet reports the same location.
 */
async function locationOf(attempt: Promise<unknown>): Promise<string> {
  const error = await attempt.then(
    () => assert.fail("expected an abort"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof TwinAbortError, String(error));
  return `${error.module}::${error.functionName}::${error.constant}`;
}

const GET_PODS = {
  resource: "pods",
  namespace: "team-a",
  name: "",
  priority: 0,
  fee: 1_000_000n,
};

describe("devnet: abort locations are the asserting Move functions", () => {
  it("shared checks abort in cluster, tenancy, enclave and requests helpers", () =>
    withScenario(async (s) => {
      const second = await s.createSecondCluster();
      assert.equal(
        await locationOf(s.call(s.other, "pause", { cap: second.adminCapId })),
        "cluster::assert_admin::ENotAdmin",
      );
      const foreign = s.created(
        await s.call(s.other, "claim_namespace", {
          cluster: second.clusterId,
          namespace: "team-a",
        }),
        "NamespaceCap",
      );
      assert.equal(
        await locationOf(s.call(s.other, "release_namespace", { cap: foreign })),
        "tenancy::assert_cap::EWrongCluster",
      );
      assert.equal(
        await locationOf(s.call(s.tenant, "submit_get", { ...GET_PODS, priority: 10 })),
        "requests::record_request::EInvalidPriority",
      );
      assert.equal(
        await locationOf(s.call(s.admin, "cancel", { request_id: 9n })),
        "requests::borrow_pending_mut::ERequestNotFound",
      );
      assert.equal(
        await locationOf(s.view("requests::status", [arg.u64(9)], bcs.u8())),
        "requests::borrow::ERequestNotFound",
      );
      await s.call(s.tenant, "submit_get", GET_PODS);
      assert.equal(
        await locationOf(s.completeGolden(1n, 1n)),
        "enclave::verify_enclave_message::ENoEnclaveKey",
      );
      await s.call(s.admin, "pause");
      assert.equal(await locationOf(s.claim("team-b")), "cluster::assert_not_paused::EPaused");
    }));

  it("checks of the called function abort in it", () =>
    withScenario(async (s) => {
      assert.equal(
        await locationOf(s.claim("kube-system")),
        "tenancy::claim_namespace::ENamespaceReserved",
      );
      const podManifest = (image: string) =>
        s.view(
          "requests::pod_manifest",
          [arg.string("web"), arg.string("ns"), arg.string(image)],
          bcs.byteVector(),
          {
            onCluster: false,
          },
        );
      assert.equal(await locationOf(podManifest("a b")), "requests::pod_manifest::EInvalidImage");
      const cap = await s.claim("team-a");
      const sealed = {
        cap,
        method: "POST",
        resource: "secrets",
        namespace: "team-b",
        name: "db",
        sealed_payload: new Uint8Array([1]),
        priority: 0,
        fee: 1_000_000n,
      };
      assert.equal(
        await locationOf(s.call(s.tenant, "submit_sealed", sealed)),
        "requests::submit_sealed::ENamespaceMismatch",
      );
      assert.equal(
        await locationOf(
          s.call(s.tenant, "submit_sealed", {
            ...sealed,
            namespace: "team-a",
            sealed_payload: new Uint8Array(),
          }),
        ),
        "requests::record_request::EEmptySealedPayload",
      );
    }));
});
