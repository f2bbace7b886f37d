// Twins of move/tests/tenancy_tests.move.
import assert from "node:assert/strict";
import { describe } from "node:test";
import { bcs } from "@mysten/sui/bcs";
import { NAMESPACE_ACTION } from "../../src/protocol/index.ts";
import { NamespaceCapObject } from "../../src/protocol/objects.ts";
import { arg, expectAbort, type Scenario, twin } from "./fixture.ts";

const isClaimed = (s: Scenario, namespace: string) =>
  s.view("tenancy::is_claimed", [arg.string(namespace)], bcs.bool());
const ownerOf = (s: Scenario, namespace: string) =>
  s.view("tenancy::owner", [arg.string(namespace)], bcs.Address);

describe("conformance: tenancy", () => {
  twin("tenancy_tests::claim_gives_the_sender_a_cap_and_records_the_owner", async (s) => {
    const executed = await s.call(s.tenant, "claim_namespace", { namespace: "team-a" });
    const capId = s.created(executed, "NamespaceCap");
    const cap = await s.object(capId, NamespaceCapObject);
    assert.deepEqual(cap.value, { id: capId, cluster_id: s.clusterId, namespace: "team-a" });
    assert.deepEqual(cap.owner, { $kind: "AddressOwner", AddressOwner: s.tenant.toSuiAddress() });
    assert.equal(await isClaimed(s, "team-a"), true);
    assert.equal(await ownerOf(s, "team-a"), s.tenant.toSuiAddress());
    assert.equal(await isClaimed(s, "team-b"), false);
    const action = (name: string) =>
      s.view(`events::namespace_${name}`, [], bcs.u8(), { onCluster: false });
    assert.deepEqual(
      [await action("claimed"), await action("transferred"), await action("released")],
      [0, 1, 2],
    );
    assert.deepEqual(s.eventsOf(executed, "NamespaceEvent"), [
      {
        cluster_id: s.clusterId,
        namespace: "team-a",
        cap_id: capId,
        owner: s.tenant.toSuiAddress(),
        action: NAMESPACE_ACTION.claimed,
      },
    ]);
  });

  twin("tenancy_tests::namespace_must_be_a_dns_label", async (s) => {
    await expectAbort(s.claim("Team_A"), "tenancy", "EInvalidNamespace");
  });

  twin("tenancy_tests::namespace_cannot_end_with_a_dash", async (s) => {
    await expectAbort(s.claim("team-"), "tenancy", "EInvalidNamespace");
  });

  twin("tenancy_tests::kube_prefixed_namespaces_are_reserved", async (s) => {
    await expectAbort(s.claim("kube-system"), "tenancy", "ENamespaceReserved");
  });

  twin("tenancy_tests::default_namespace_is_reserved", async (s) => {
    await expectAbort(s.claim("default"), "tenancy", "ENamespaceReserved");
  });

  twin("tenancy_tests::a_claimed_namespace_cannot_be_claimed_again", async (s) => {
    await s.claim("team-a");
    await expectAbort(s.claim("team-a", s.other), "tenancy", "ENamespaceTaken");
  });

  twin("tenancy_tests::transfer_moves_the_cap_and_the_owner_record", async (s) => {
    const capId = await s.claim("team-a");
    const recipient = s.other.toSuiAddress();
    const executed = await s.call(s.tenant, "transfer_namespace", { cap: capId, recipient });
    assert.equal(await ownerOf(s, "team-a"), recipient);
    const moved = await s.object(capId, NamespaceCapObject);
    assert.equal(moved.value.namespace, "team-a");
    assert.deepEqual(moved.owner, { $kind: "AddressOwner", AddressOwner: recipient });
    assert.deepEqual(s.eventsOf(executed, "NamespaceEvent"), [
      {
        cluster_id: s.clusterId,
        namespace: "team-a",
        cap_id: capId,
        owner: recipient,
        action: NAMESPACE_ACTION.transferred,
      },
    ]);
  });

  twin("tenancy_tests::release_frees_the_name_for_a_new_claim", async (s) => {
    const capId = await s.claim("team-a");
    const executed = await s.call(s.tenant, "release_namespace", { cap: capId });
    assert.equal(await isClaimed(s, "team-a"), false);
    assert.equal(await s.exists(capId), false);
    assert.deepEqual(s.eventsOf(executed, "NamespaceEvent"), [
      {
        cluster_id: s.clusterId,
        namespace: "team-a",
        cap_id: capId,
        owner: s.tenant.toSuiAddress(),
        action: NAMESPACE_ACTION.released,
      },
    ]);
    await s.claim("team-a");
    assert.equal(await isClaimed(s, "team-a"), true);
  });

  twin("tenancy_tests::a_cap_from_another_cluster_is_refused", async (s) => {
    const second = await s.createSecondCluster();
    const executed = await s.call(s.other, "claim_namespace", {
      cluster: second.clusterId,
      namespace: "team-a",
    });
    const foreign = s.created(executed, "NamespaceCap");
    await expectAbort(
      s.call(s.other, "release_namespace", { cap: foreign }),
      "tenancy",
      "EWrongCluster",
    );
  });

  twin("tenancy_tests::owner_of_an_unclaimed_namespace_aborts", async (s) => {
    await expectAbort(ownerOf(s, "team-z"), "tenancy", "ENamespaceNotClaimed");
  });
});
