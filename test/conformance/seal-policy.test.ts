// Twins of move/tests/seal_policy_tests.move: `seal_policy::seal_approve` called in a PTB as
// a Seal key server's dry run would, simulated and then executed on the devnet.
import assert from "node:assert/strict";
import { describe } from "node:test";
import type { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { fromHex, normalizeSuiAddress } from "@mysten/sui/utils";
import { encodeSealIdentity } from "../../src/protocol/index.ts";
import { type Executed, expectAbort, type Scenario, twin } from "./fixture.ts";

/** The constants the Move tests write down, recomputed here by @mysten/sui. */
const GOLDEN_ENCLAVE_ADDRESS = "0x0881c07520943bbf13989b92892093c1b50672156fa5f873c22892701cb2e207";
const OTHER_KEY_ADDRESS = "0x48936240c871663e6ba416724158736101ccab29436f72ae3ae4c8fa1ce7e45f";

const NONCE = fromHex("0102030405");
const clusterBytes = (s: Scenario) => [...fromHex(normalizeSuiAddress(s.clusterId))];

function identity(clusterId: string, namespace: string, claimId: string): Uint8Array {
  return encodeSealIdentity({ clusterId, namespace, claimId, nonce: NONCE });
}

async function approve(s: Scenario, signer: Ed25519Keypair, id: Uint8Array): Promise<Executed> {
  await s.devnet.faucet(signer.toSuiAddress(), 1_000_000_000n);
  return s.transact(signer, (tx) => {
    tx.moveCall({
      target: `${s.packageId}::seal_policy::seal_approve`,
      arguments: [tx.pure.vector("u8", [...id]), tx.object(s.clusterId)],
    });
  });
}

/**
 * `team_a_with_enclave()` then `team_a_identity()`: the golden enclave registered, team-a
 * claimed by the tenant, and an identity of that claim.
 */
async function teamAWithEnclave(s: Scenario): Promise<{ id: Uint8Array; capId: string }> {
  await s.registerGoldenEnclave();
  const capId = await s.claim("team-a");
  return { id: identity(s.clusterId, "team-a", capId), capId };
}

describe("conformance: seal_policy", () => {
  twin("seal_policy_tests::the_namespace_owner_is_approved", async (s) => {
    const { id } = await teamAWithEnclave(s);
    const executed = await approve(s, s.tenant, id);
    assert.deepEqual(executed.events, [], "seal_approve emits nothing");
  });

  twin("seal_policy_tests::the_registered_enclave_is_approved", async (s) => {
    assert.equal(s.enclaveKey.toSuiAddress(), GOLDEN_ENCLAVE_ADDRESS);
    const { id } = await teamAWithEnclave(s);
    await approve(s, s.enclaveKey, id);
  });

  twin("seal_policy_tests::another_tenant_is_refused", async (s) => {
    const { id } = await teamAWithEnclave(s);
    await expectAbort(approve(s, s.other, id), "seal_policy", "ENoAccess");
  });

  twin("seal_policy_tests::an_unregistered_enclave_key_is_refused", async (s) => {
    assert.equal(s.otherKey.toSuiAddress(), OTHER_KEY_ADDRESS);
    const { id } = await teamAWithEnclave(s);
    await expectAbort(approve(s, s.otherKey, id), "seal_policy", "ENoAccess");
  });

  twin(
    "seal_policy_tests::the_enclave_address_is_refused_while_no_enclave_is_registered",
    async (s) => {
      const id = identity(s.clusterId, "team-a", await s.claim("team-a"));
      await expectAbort(approve(s, s.enclaveKey, id), "seal_policy", "ENoAccess");
    },
  );

  twin("seal_policy_tests::a_transferred_namespace_moves_access_to_the_new_holder", async (s) => {
    const { id, capId } = await teamAWithEnclave(s);
    await s.call(s.tenant, "transfer_namespace", { cap: capId, recipient: s.other.toSuiAddress() });
    await approve(s, s.other, id);
    await expectAbort(approve(s, s.tenant, id), "seal_policy", "ENoAccess");
  });

  twin("seal_policy_tests::a_released_namespace_refuses_its_former_owner", async (s) => {
    const { id, capId } = await teamAWithEnclave(s);
    await s.call(s.tenant, "release_namespace", { cap: capId });
    await expectAbort(approve(s, s.tenant, id), "seal_policy", "ENoAccess");
  });

  twin("seal_policy_tests::the_owner_of_another_namespace_is_refused", async (s) => {
    const { id } = await teamAWithEnclave(s);
    await s.claim("team-b", s.other);
    await expectAbort(approve(s, s.other, id), "seal_policy", "ENoAccess");
  });

  twin("seal_policy_tests::an_identity_of_another_cluster_is_refused", async (s) => {
    await teamAWithEnclave(s);
    const second = await s.createSecondCluster();
    const id = identity(second.clusterId, "team-a", second.clusterId);
    await expectAbort(approve(s, s.tenant, id), "seal_policy", "EWrongCluster");
  });

  twin("seal_policy_tests::an_identity_shorter_than_a_cluster_id_is_refused", async (s) => {
    await teamAWithEnclave(s);
    await expectAbort(approve(s, s.tenant, fromHex("0102")), "seal_policy", "EInvalidIdentity");
  });

  twin("seal_policy_tests::a_namespace_length_past_the_end_is_refused", async (s) => {
    await teamAWithEnclave(s);
    const id = new Uint8Array([...clusterBytes(s), 40, ...Buffer.from("team-a")]);
    await expectAbort(approve(s, s.tenant, id), "seal_policy", "EInvalidIdentity");
  });

  twin(
    "seal_policy_tests::a_namespace_claimed_again_does_not_open_the_previous_claims_secrets",
    async (s) => {
      const { id, capId } = await teamAWithEnclave(s);
      await s.call(s.tenant, "release_namespace", { cap: capId });
      await s.claim("team-a", s.other);
      await expectAbort(approve(s, s.other, id), "seal_policy", "EStaleClaim");
    },
  );

  twin(
    "seal_policy_tests::the_enclave_does_not_open_a_previous_claims_secrets_either",
    async (s) => {
      const { id, capId } = await teamAWithEnclave(s);
      await s.call(s.tenant, "release_namespace", { cap: capId });
      await s.claim("team-a");
      await expectAbort(approve(s, s.enclaveKey, id), "seal_policy", "EStaleClaim");
    },
  );

  twin("seal_policy_tests::an_identity_without_its_claim_is_refused", async (s) => {
    await teamAWithEnclave(s);
    const id = new Uint8Array([...clusterBytes(s), 6, ...Buffer.from("team-a"), 1, 2]);
    await expectAbort(approve(s, s.tenant, id), "seal_policy", "EInvalidIdentity");
  });

  twin("seal_policy_tests::a_namespace_that_is_not_utf8_is_refused", async (s) => {
    await teamAWithEnclave(s);
    const claim = fromHex(normalizeSuiAddress("0x1"));
    const id = new Uint8Array([...clusterBytes(s), 2, 0xff, 0xfe, ...claim]);
    await expectAbort(approve(s, s.tenant, id), "seal_policy", "EInvalidIdentity");
  });
});
