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

function identity(clusterId: string, namespace: string, nonce = NONCE): Uint8Array {
  return encodeSealIdentity({ clusterId, namespace, nonce });
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

/** `team_a_with_enclave()`: the golden enclave registered and team-a held by the tenant. */
async function teamAWithEnclave(s: Scenario): Promise<void> {
  await s.registerGoldenEnclave();
  await s.claim("team-a");
}

describe("conformance: seal_policy", () => {
  twin("seal_policy_tests::the_namespace_owner_is_approved", async (s) => {
    await teamAWithEnclave(s);
    const executed = await approve(s, s.tenant, identity(s.clusterId, "team-a"));
    assert.deepEqual(executed.events, [], "seal_approve emits nothing");
  });

  twin("seal_policy_tests::the_registered_enclave_is_approved", async (s) => {
    assert.equal(s.enclaveKey.toSuiAddress(), GOLDEN_ENCLAVE_ADDRESS);
    await teamAWithEnclave(s);
    await approve(s, s.enclaveKey, identity(s.clusterId, "team-a"));
  });

  twin("seal_policy_tests::another_tenant_is_refused", async (s) => {
    await teamAWithEnclave(s);
    await expectAbort(
      approve(s, s.other, identity(s.clusterId, "team-a")),
      "seal_policy",
      "ENoAccess",
    );
  });

  twin("seal_policy_tests::an_unregistered_enclave_key_is_refused", async (s) => {
    assert.equal(s.otherKey.toSuiAddress(), OTHER_KEY_ADDRESS);
    await teamAWithEnclave(s);
    await expectAbort(
      approve(s, s.otherKey, identity(s.clusterId, "team-a")),
      "seal_policy",
      "ENoAccess",
    );
  });

  twin(
    "seal_policy_tests::the_enclave_address_is_refused_while_no_enclave_is_registered",
    async (s) => {
      await s.claim("team-a");
      await expectAbort(
        approve(s, s.enclaveKey, identity(s.clusterId, "team-a")),
        "seal_policy",
        "ENoAccess",
      );
    },
  );

  twin("seal_policy_tests::a_transferred_namespace_moves_access_to_the_new_holder", async (s) => {
    await s.registerGoldenEnclave();
    const capId = await s.claim("team-a");
    await s.call(s.tenant, "transfer_namespace", { cap: capId, recipient: s.other.toSuiAddress() });
    await approve(s, s.other, identity(s.clusterId, "team-a"));
    await expectAbort(
      approve(s, s.tenant, identity(s.clusterId, "team-a")),
      "seal_policy",
      "ENoAccess",
    );
  });

  twin("seal_policy_tests::a_released_namespace_refuses_its_former_owner", async (s) => {
    await s.registerGoldenEnclave();
    const capId = await s.claim("team-a");
    await s.call(s.tenant, "release_namespace", { cap: capId });
    await expectAbort(
      approve(s, s.tenant, identity(s.clusterId, "team-a")),
      "seal_policy",
      "ENoAccess",
    );
  });

  twin("seal_policy_tests::the_owner_of_another_namespace_is_refused", async (s) => {
    await teamAWithEnclave(s);
    await s.claim("team-b", s.other);
    await expectAbort(
      approve(s, s.other, identity(s.clusterId, "team-a")),
      "seal_policy",
      "ENoAccess",
    );
  });

  twin("seal_policy_tests::an_identity_of_another_cluster_is_refused", async (s) => {
    await teamAWithEnclave(s);
    const second = await s.createSecondCluster();
    await expectAbort(
      approve(s, s.tenant, identity(second.clusterId, "team-a")),
      "seal_policy",
      "EWrongCluster",
    );
  });

  twin("seal_policy_tests::an_identity_shorter_than_a_cluster_id_is_refused", async (s) => {
    await teamAWithEnclave(s);
    await expectAbort(approve(s, s.tenant, fromHex("0102")), "seal_policy", "EInvalidIdentity");
  });

  twin("seal_policy_tests::a_namespace_length_past_the_end_is_refused", async (s) => {
    await teamAWithEnclave(s);
    const id = new Uint8Array([
      ...fromHex(normalizeSuiAddress(s.clusterId)),
      40,
      ...Buffer.from("team-a"),
    ]);
    await expectAbort(approve(s, s.tenant, id), "seal_policy", "EInvalidIdentity");
  });

  twin("seal_policy_tests::a_namespace_that_is_not_utf8_is_refused", async (s) => {
    await teamAWithEnclave(s);
    const id = new Uint8Array([...fromHex(normalizeSuiAddress(s.clusterId)), 2, 0xff, 0xfe]);
    await expectAbort(approve(s, s.tenant, id), "seal_policy", "EInvalidIdentity");
  });
});
