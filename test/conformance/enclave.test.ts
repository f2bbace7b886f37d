// Twins of move/tests/enclave_tests.move. The attested path (`register_attested_key`) is
// reached on chain only through `register_enclave` with a document from
// `load_nitro_attestation`: its twins send real attestation documents, signed by the
// fixture's test Nitro CA (the devnet trusts it in place of AWS's root), or the real AWS
// document of Nautilus' example enclave on a devnet that trusts the AWS root.
import assert from "node:assert/strict";
import { describe } from "node:test";
import { bcs } from "@mysten/sui/bcs";
import {
  ENCLAVE_KEY_KIND,
  EnclavePublicKeys,
  INSTALLED_ENCLAVE_KEY_KIND,
  REQUEST_STATUS,
} from "../../src/protocol/index.ts";
import { NAUTILUS_EXAMPLE, nautilusExampleDocument } from "../helpers/nautilus-example.ts";
import { arg, expectAbort, GOLDEN_MS, golden, type Scenario, twin } from "./fixture.ts";

const pcr = (fill: number) => new Uint8Array(48).fill(fill);
const bcsU8 = bcs.u8();
const bytesOf = (value: Iterable<number>) => [...value];

type RotationFields = {
  new_public_key?: Uint8Array;
  new_encryption_key?: Uint8Array;
  new_tls_key_sha256?: Uint8Array;
};

/**
 * `rotate_enclave_key` to the other golden key pair, signed by `golden::sig_rotation_s1()`
 * (or, with `signedFor`, signed for other rotation fields than the ones sent).
 */
async function rotateToOtherKey(
  s: Scenario,
  fields: RotationFields = {},
  signedFor: RotationFields = fields,
) {
  const other = {
    new_public_key: s.otherKey.getPublicKey().toRawBytes(),
    new_encryption_key: s.otherEncryptionKey.publicKey,
    new_tls_key_sha256: s.otherTlsKeySha256,
  };
  return s.call(s.admin, "rotate_enclave_key", {
    ...other,
    ...fields,
    ...(await s.signed("keyRotation", { ...other, ...signedFor }, { sequence: 1n })),
  });
}

/** The `EnclaveRegisteredEvent`s of a transaction, keys as byte arrays. */
function registeredEvents(s: Scenario, executed: Parameters<Scenario["eventsOf"]>[0]) {
  return s.eventsOf(executed, "EnclaveRegisteredEvent").map((event) => ({
    ...event,
    public_key: bytesOf(event.public_key),
    encryption_key: bytesOf(event.encryption_key),
    tls_key_sha256: bytesOf(event.tls_key_sha256),
  }));
}

/** `disable_after_dev_key`: the golden dev key, the golden pod, then dev enclaves off. */
async function disableAfterDevKey(s: Scenario) {
  await s.registerGoldenEnclave();
  await s.submitGoldenPod();
  return s.call(s.admin, "disable_dev_enclave");
}

/** `set_enclave_pcrs(pcr(1), pcr(2), pcr(3))`, then an attestation of `userData` for them. */
async function registerUserData(s: Scenario, userData: Uint8Array | undefined) {
  await s.call(s.admin, "set_enclave_pcrs", { pcr0: pcr(1), pcr1: pcr(2), pcr2: pcr(3) });
  return s.registerAttested({ pcrs: [pcr(1), pcr(2), pcr(3)], ...(userData ? { userData } : {}) });
}

const examplePcrs = () =>
  NAUTILUS_EXAMPLE.pcrs.map((hex) => new Uint8Array(Buffer.from(hex, "hex")));
/** Where the real document is valid, on a devnet trusting the AWS Nitro root. */
const REAL_DOCUMENT = { clockAt: NAUTILUS_EXAMPLE.clockMs, nitroRoot: "aws" } as const;

describe("conformance: enclave, the attested path", () => {
  twin("enclave_tests::set_pcrs_then_matching_attestation_registers_the_key", async (s) => {
    const executed = await registerUserData(s, s.goldenUserData());
    const cluster = await s.cluster();
    assert.deepEqual(bytesOf(cluster.pcrs[2] ?? []), bytesOf(pcr(3)));
    assert.deepEqual(
      bytesOf(cluster.enclave_public_key),
      bytesOf(s.enclaveKey.getPublicKey().toRawBytes()),
    );
    assert.deepEqual(
      bytesOf(cluster.enclave_encryption_key),
      bytesOf(s.enclaveEncryptionKey.publicKey),
    );
    assert.deepEqual(bytesOf(cluster.enclave_tls_key_sha256), bytesOf(s.enclaveTlsKeySha256));
    assert.equal(cluster.enclave_key_kind, INSTALLED_ENCLAVE_KEY_KIND.nitro);
    assert.deepEqual(
      registeredEvents(s, executed).map((event) => event.kind),
      [ENCLAVE_KEY_KIND.nitro],
    );
  });

  twin(
    "enclave_tests::an_attested_key_survives_disable_dev_enclave_and_rotates_as_attested",
    async (s) => {
      await s.submitGoldenPod();
      await registerUserData(s, s.goldenUserData());
      const disabled = await s.call(s.admin, "disable_dev_enclave");
      assert.deepEqual(
        bytesOf((await s.cluster()).enclave_public_key),
        bytesOf(s.enclaveKey.getPublicKey().toRawBytes()),
      );
      assert.deepEqual(s.eventsOf(disabled, "EnclaveKeyRemovedEvent"), []);
      await rotateToOtherKey(s);
      const cluster = await s.cluster();
      assert.deepEqual(
        bytesOf(cluster.enclave_public_key),
        bytesOf(s.otherKey.getPublicKey().toRawBytes()),
      );
      assert.equal(cluster.enclave_key_kind, INSTALLED_ENCLAVE_KEY_KIND.nitro);
    },
  );

  twin("enclave_tests::debug_mode_attestation_with_zero_pcrs_is_rejected", async (s) => {
    await s.call(s.admin, "set_enclave_pcrs", { pcr0: pcr(1), pcr1: pcr(2), pcr2: pcr(3) });
    await expectAbort(
      s.registerAttested({ pcrs: [pcr(0), pcr(0), pcr(0)], userData: s.goldenUserData() }),
      "enclave",
      "EInvalidPcrs",
    );
  });

  twin("enclave_tests::attestation_before_pcrs_are_configured_is_rejected", async (s) => {
    await expectAbort(
      s.registerAttested({ pcrs: [pcr(1), pcr(2), pcr(3)], userData: s.goldenUserData() }),
      "enclave",
      "EPcrsNotConfigured",
    );
  });

  twin("enclave_tests::attestation_with_other_pcrs_is_rejected", async (s) => {
    await s.call(s.admin, "set_enclave_pcrs", { pcr0: pcr(1), pcr1: pcr(2), pcr2: pcr(3) });
    await expectAbort(
      s.registerAttested({ pcrs: [pcr(1), pcr(2), pcr(4)], userData: s.goldenUserData() }),
      "enclave",
      "EPcrMismatch",
    );
    assert.deepEqual(bytesOf((await s.cluster()).enclave_public_key), []);
  });

  twin("enclave_tests::attestation_without_public_key_is_rejected", async (s) => {
    await s.call(s.admin, "set_enclave_pcrs", { pcr0: pcr(1), pcr1: pcr(2), pcr2: pcr(3) });
    await expectAbort(
      s.registerAttested({
        pcrs: [pcr(1), pcr(2), pcr(3)],
        publicKey: null,
        userData: s.goldenUserData(),
      }),
      "enclave",
      "EInvalidPublicKey",
    );
  });

  twin("enclave_tests::attestation_without_user_data_is_rejected", async (s) => {
    await expectAbort(registerUserData(s, undefined), "enclave", "EInvalidUserData");
  });

  twin("enclave_tests::attestation_user_data_naming_another_signing_key_is_rejected", async (s) => {
    await s.call(s.admin, "set_enclave_pcrs", { pcr0: pcr(1), pcr1: pcr(2), pcr2: pcr(3) });
    await expectAbort(
      s.registerAttested({
        pcrs: [pcr(1), pcr(2), pcr(3)],
        publicKey: s.otherKey.getPublicKey().toRawBytes(),
        userData: s.goldenUserData(),
      }),
      "enclave",
      "EInvalidUserData",
    );
  });

  twin("enclave_tests::attestation_user_data_cut_short_is_rejected", async (s) => {
    const userData = s.goldenUserData().subarray(0, -1);
    await expectAbort(registerUserData(s, userData), "enclave", "EInvalidUserData");
  });

  twin("enclave_tests::attestation_user_data_with_trailing_bytes_is_rejected", async (s) => {
    const userData = Buffer.concat([s.goldenUserData(), Buffer.of(0)]);
    await expectAbort(registerUserData(s, userData), "enclave", "EInvalidUserData");
  });

  twin("enclave_tests::user_data_with_a_multi_byte_length_is_rejected", async (s) => {
    const userData = Buffer.from(s.goldenUserData());
    userData[0] = 0x80;
    await expectAbort(registerUserData(s, userData), "enclave", "EInvalidUserData");
  });

  twin("enclave_tests::user_data_holding_only_the_signing_key_is_rejected", async (s) => {
    const userData = s.goldenUserData().subarray(0, 33);
    await expectAbort(registerUserData(s, userData), "enclave", "EInvalidUserData");
  });

  twin("enclave_tests::user_data_whose_length_bytes_lie_is_rejected", async (s) => {
    const userData = Buffer.from(s.goldenUserData());
    userData[0] = 31;
    await expectAbort(registerUserData(s, userData), "enclave", "EInvalidUserData");
  });

  twin("enclave_tests::the_example_enclaves_pcrs_register_keys_attested_beside_them", async (s) => {
    const [pcr0, pcr1, pcr2] = examplePcrs();
    await s.call(s.admin, "set_enclave_pcrs", { pcr0, pcr1, pcr2 });
    const executed = await s.registerAttested({
      pcrs: examplePcrs(),
      userData: s.goldenUserData(),
    });
    assert.equal(registeredEvents(s, executed).length, 1);
    const cluster = await s.cluster();
    assert.deepEqual(
      bytesOf(cluster.enclave_public_key),
      bytesOf(s.enclaveKey.getPublicKey().toRawBytes()),
    );
    assert.equal(cluster.enclave_key_kind, INSTALLED_ENCLAVE_KEY_KIND.nitro);
  });

  twin(
    "enclave_tests::the_example_document_itself_carries_no_user_data_and_is_refused",
    async (s) => {
      // The real AWS-signed document passes the devnet's load_nitro_attestation (chain to
      // the AWS root, signature, validity at its time), then register_enclave refuses it.
      const [pcr0, pcr1, pcr2] = examplePcrs();
      await s.call(s.admin, "set_enclave_pcrs", { pcr0, pcr1, pcr2 });
      await expectAbort(
        s.registerAttested({ document: nautilusExampleDocument() }),
        "enclave",
        "EInvalidUserData",
      );
    },
    REAL_DOCUMENT,
  );

  twin(
    "enclave_tests::the_example_document_is_refused_by_a_cluster_pinning_other_pcrs",
    async (s) => {
      const [pcr0, pcr1] = examplePcrs();
      await s.call(s.admin, "set_enclave_pcrs", { pcr0, pcr1, pcr2: pcr(3) });
      await expectAbort(
        s.registerAttested({ document: nautilusExampleDocument() }),
        "enclave",
        "EPcrMismatch",
      );
    },
    REAL_DOCUMENT,
  );
});

describe("conformance: enclave", () => {
  twin("enclave_tests::any_all_zero_pcr_is_rejected", async (s) => {
    await expectAbort(
      s.call(s.admin, "set_enclave_pcrs", { pcr0: pcr(1), pcr1: pcr(2), pcr2: pcr(0) }),
      "enclave",
      "EInvalidPcrs",
    );
  });

  twin("enclave_tests::all_zero_pcrs_are_rejected", async (s) => {
    await expectAbort(
      s.call(s.admin, "set_enclave_pcrs", { pcr0: pcr(0), pcr1: pcr(0), pcr2: pcr(0) }),
      "enclave",
      "EInvalidPcrs",
    );
  });

  twin("enclave_tests::pcrs_of_wrong_length_are_rejected", async (s) => {
    await expectAbort(
      s.call(s.admin, "set_enclave_pcrs", {
        pcr0: pcr(1),
        pcr1: pcr(2),
        pcr2: new Uint8Array([1]),
      }),
      "enclave",
      "EInvalidPcrs",
    );
  });

  twin("enclave_tests::dev_enclave_registers_a_bare_key", async (s) => {
    const executed = await s.registerGoldenEnclave();
    const publicKey = s.enclaveKey.getPublicKey().toRawBytes();
    assert.deepEqual(bytesOf((await s.cluster()).enclave_public_key), bytesOf(publicKey));
    assert.equal(
      await s.view("cluster::enclave_key_kind", [], bcsU8),
      INSTALLED_ENCLAVE_KEY_KIND.dev,
    );
    assert.deepEqual(registeredEvents(s, executed), [
      {
        cluster_id: s.clusterId,
        public_key: bytesOf(publicKey),
        kind: ENCLAVE_KEY_KIND.dev,
        encryption_key: bytesOf(s.enclaveEncryptionKey.publicKey),
        tls_key_sha256: bytesOf(s.enclaveTlsKeySha256),
      },
    ]);
  });

  twin("enclave_tests::dev_registration_publishes_the_encryption_key", async (s) => {
    const executed = await s.registerGoldenEnclave();
    const encryptionKey = bytesOf(s.enclaveEncryptionKey.publicKey);
    assert.deepEqual(bytesOf((await s.cluster()).enclave_encryption_key), encryptionKey);
    assert.deepEqual(
      bytesOf(await s.view("cluster::enclave_encryption_key", [], bcs.byteVector())),
      encryptionKey,
    );
    const [event] = s.eventsOf(executed, "EnclaveRegisteredEvent");
    assert.deepEqual(event && bytesOf(event.encryption_key), encryptionKey);
    assert.equal(event?.kind, ENCLAVE_KEY_KIND.dev);
  });

  twin("enclave_tests::dev_enclave_encryption_key_must_be_32_bytes", async (s) => {
    await expectAbort(
      s.call(s.admin, "register_dev_enclave", {
        public_key: s.enclaveKey.getPublicKey().toRawBytes(),
        encryption_key: new Uint8Array([1, 2]),
        tls_key_sha256: s.enclaveTlsKeySha256,
      }),
      "enclave",
      "EInvalidEncryptionKey",
    );
    assert.deepEqual(bytesOf((await s.cluster()).enclave_public_key), []);
  });

  twin("enclave_tests::rotation_publishes_the_new_encryption_key", async (s) => {
    await s.registerGoldenEnclave();
    const executed = await rotateToOtherKey(s);
    const encryptionKey = bytesOf(s.otherEncryptionKey.publicKey);
    assert.deepEqual(bytesOf((await s.cluster()).enclave_encryption_key), encryptionKey);
    const [event] = s.eventsOf(executed, "EnclaveRegisteredEvent");
    assert.deepEqual(event && bytesOf(event.encryption_key), encryptionKey);
    assert.equal(event?.kind, ENCLAVE_KEY_KIND.rotation);
  });

  twin("enclave_tests::rotation_to_a_short_encryption_key_is_rejected", async (s) => {
    await s.registerGoldenEnclave();
    await expectAbort(
      rotateToOtherKey(s, { new_encryption_key: golden.SHORT_ENCRYPTION_KEY }),
      "enclave",
      "EInvalidEncryptionKey",
    );
  });

  twin("enclave_tests::rotation_signature_covers_the_encryption_key", async (s) => {
    await s.registerGoldenEnclave();
    await expectAbort(
      rotateToOtherKey(
        s,
        { new_encryption_key: s.enclaveEncryptionKey.publicKey },
        { new_encryption_key: s.otherEncryptionKey.publicKey },
      ),
      "enclave",
      "EInvalidSignature",
    );
    assert.deepEqual(
      bytesOf((await s.cluster()).enclave_encryption_key),
      bytesOf(s.enclaveEncryptionKey.publicKey),
    );
  });

  twin("enclave_tests::dev_enclave_key_must_be_32_bytes", async (s) => {
    await expectAbort(
      s.call(s.admin, "register_dev_enclave", {
        public_key: new Uint8Array([1, 2]),
        encryption_key: s.enclaveEncryptionKey.publicKey,
        tls_key_sha256: s.enclaveTlsKeySha256,
      }),
      "enclave",
      "EInvalidPublicKey",
    );
  });

  twin("enclave_tests::dev_enclave_is_refused_after_the_flag_is_off", async (s) => {
    const executed = await s.call(s.admin, "disable_dev_enclave");
    assert.equal((await s.cluster()).allow_dev_enclave, false);
    assert.deepEqual(s.eventsOf(executed, "EnclaveConfigEvent"), [
      { cluster_id: s.clusterId, pcrs: [], allow_dev_enclave: false },
    ]);
    // No key was installed: nothing to remove.
    assert.deepEqual(s.eventsOf(executed, "EnclaveKeyRemovedEvent"), []);
    await expectAbort(s.registerGoldenEnclave(), "enclave", "EDevEnclaveDisabled");
  });

  twin("enclave_tests::disable_dev_enclave_removes_an_installed_dev_key", async (s) => {
    await s.registerGoldenEnclave();
    const executed = await s.call(s.admin, "disable_dev_enclave");
    const cluster = await s.cluster();
    assert.deepEqual(bytesOf(cluster.enclave_public_key), []);
    assert.deepEqual(bytesOf(cluster.enclave_encryption_key), []);
    assert.deepEqual(bytesOf(cluster.enclave_tls_key_sha256), []);
    // The kind of the removed key is kept, so its rotation is refused as dev.
    assert.equal(cluster.enclave_key_kind, INSTALLED_ENCLAVE_KEY_KIND.dev);
    const removed = s.eventsOf(executed, "EnclaveKeyRemovedEvent");
    assert.deepEqual(
      removed.map((event) => ({ ...event, public_key: bytesOf(event.public_key) })),
      [
        {
          cluster_id: s.clusterId,
          public_key: bytesOf(s.enclaveKey.getPublicKey().toRawBytes()),
          kind: INSTALLED_ENCLAVE_KEY_KIND.dev,
        },
      ],
    );
    assert.equal(s.eventsOf(executed, "EnclaveConfigEvent").length, 1);
  });

  twin("enclave_tests::a_removed_dev_key_signs_nothing", async (s) => {
    await disableAfterDevKey(s);
    await expectAbort(s.completeGolden(1n, 1n), "enclave", "ENoEnclaveKey");
  });

  twin("enclave_tests::a_dev_key_cannot_be_rotated_past_disable_dev_enclave", async (s) => {
    await disableAfterDevKey(s);
    await expectAbort(rotateToOtherKey(s), "enclave", "EDevEnclaveDisabled");
    assert.deepEqual(bytesOf((await s.cluster()).enclave_public_key), []);
  });

  twin("enclave_tests::a_rotated_dev_key_stays_dev_and_is_removed_by_disable", async (s) => {
    await s.registerGoldenEnclave();
    await rotateToOtherKey(s);
    let cluster = await s.cluster();
    assert.deepEqual(
      bytesOf(cluster.enclave_public_key),
      bytesOf(s.otherKey.getPublicKey().toRawBytes()),
    );
    assert.equal(cluster.enclave_key_kind, INSTALLED_ENCLAVE_KEY_KIND.dev);
    await s.call(s.admin, "disable_dev_enclave");
    cluster = await s.cluster();
    assert.deepEqual(bytesOf(cluster.enclave_public_key), []);
  });

  twin("enclave_tests::dev_enclave_needs_this_clusters_admin_cap", async (s) => {
    const second = await s.createSecondCluster();
    await expectAbort(
      s.call(s.other, "register_dev_enclave", {
        cap: second.adminCapId,
        public_key: s.enclaveKey.getPublicKey().toRawBytes(),
        encryption_key: s.enclaveEncryptionKey.publicKey,
        tls_key_sha256: s.enclaveTlsKeySha256,
      }),
      "cluster",
      "ENotAdmin",
    );
  });

  twin("enclave_tests::rotation_signed_by_the_current_key_installs_the_new_key", async (s) => {
    await s.registerGoldenEnclave();
    await s.submitGoldenPod();
    const newKey = s.otherKey.getPublicKey().toRawBytes();
    const executed = await rotateToOtherKey(s);
    const cluster = await s.cluster();
    assert.deepEqual(bytesOf(cluster.enclave_public_key), bytesOf(newKey));
    assert.equal(cluster.last_sequence, "1");
    assert.deepEqual(registeredEvents(s, executed), [
      {
        cluster_id: s.clusterId,
        public_key: bytesOf(newKey),
        kind: ENCLAVE_KEY_KIND.rotation,
        encryption_key: bytesOf(s.otherEncryptionKey.publicKey),
        tls_key_sha256: bytesOf(s.otherTlsKeySha256),
      },
    ]);
    // The new key now answers requests.
    await s.completeGolden(1n, 2n, { signedAs: { key: s.otherKey } });
    assert.equal(await s.view("requests::status", [arg.u64(1)], bcsU8), REQUEST_STATUS.completed);
  });

  twin("enclave_tests::old_key_is_useless_after_rotation", async (s) => {
    await s.registerGoldenEnclave();
    await s.submitGoldenPod();
    await rotateToOtherKey(s);
    await expectAbort(s.completeGolden(1n, 1n), "enclave", "EInvalidSignature");
  });

  twin("enclave_tests::signed_message_without_registered_key_is_rejected", async (s) => {
    await s.submitGoldenPod();
    await expectAbort(s.completeGolden(1n, 1n), "enclave", "ENoEnclaveKey");
  });

  twin("enclave_tests::signature_by_another_key_is_rejected", async (s) => {
    await s.registerGoldenEnclave();
    await s.submitGoldenPod();
    await expectAbort(
      s.completeGolden(1n, 1n, { signedAs: { key: s.otherKey } }),
      "enclave",
      "EInvalidSignature",
    );
  });

  twin("enclave_tests::signature_for_another_intent_is_rejected", async (s) => {
    await s.registerGoldenEnclave();
    await s.submitGoldenPod();
    // `golden::sig_state_s1()`: the enclave's signature over a state report.
    const stateSignature = await s.signed(
      "clusterState",
      {
        node_count: 3n,
        ready_node_count: 2n,
        pod_count: 10n,
        running_pod_count: 8n,
        usage_summary: golden.USAGE_SUMMARY,
      },
      { sequence: 1n },
    );
    await expectAbort(
      s.call(s.admin, "complete", {
        request_id: 1n,
        status_code: 201,
        output_sha256: golden.OUTPUT_SHA256,
        summary: golden.RESULT_SUMMARY,
        ...stateSignature,
      }),
      "enclave",
      "EInvalidSignature",
    );
  });

  twin("enclave_tests::tampered_fields_break_the_signature", async (s) => {
    await s.registerGoldenEnclave();
    await s.submitGoldenPod();
    const signature = await s.signed(
      "requestResult",
      {
        request_id: 1n,
        status_code: 201,
        output_sha256: golden.OUTPUT_SHA256,
        summary: golden.RESULT_SUMMARY,
      },
      { sequence: 1n },
    );
    // Same signature, but the status code says 500 instead of the signed 201.
    await expectAbort(
      s.call(s.admin, "complete", {
        request_id: 1n,
        status_code: 500,
        output_sha256: golden.OUTPUT_SHA256,
        summary: golden.RESULT_SUMMARY,
        ...signature,
      }),
      "enclave",
      "EInvalidSignature",
    );
  });

  twin("enclave_tests::stale_timestamp_is_rejected", async (s) => {
    await s.registerGoldenEnclave();
    await s.submitGoldenPod();
    const window = Number((await s.cluster()).config.signature_window_ms);
    await expectAbort(
      s.completeGolden(1n, 1n, { timestampMs: GOLDEN_MS - window - 1 }),
      "enclave",
      "ETimestampOutOfWindow",
    );
  });

  // The Move test sets the clock to golden - window - 1 before completing a message signed
  // at golden; the devnet's clock never runs backwards, so it starts there and the setup
  // happens at that (earlier) time.
  twin(
    "enclave_tests::future_timestamp_is_rejected",
    async (s) => {
      await s.registerGoldenEnclave();
      await s.submitGoldenPod();
      await expectAbort(s.completeGolden(1n, 1n), "enclave", "ETimestampOutOfWindow");
    },
    { clockAt: GOLDEN_MS - 300_000 - 1 },
  );

  twin("enclave_tests::timestamp_at_the_window_edge_is_accepted", async (s) => {
    await s.registerGoldenEnclave();
    await s.submitGoldenPod();
    s.devnet.clock.set(GOLDEN_MS + Number((await s.cluster()).config.signature_window_ms));
    await s.completeGolden(1n, 1n);
    assert.equal(await s.view("requests::status", [arg.u64(1)], bcsU8), REQUEST_STATUS.completed);
  });

  twin("enclave_tests::reused_sequence_is_rejected", async (s) => {
    await s.registerGoldenEnclave();
    await s.submitGoldenPod();
    await s.submitGoldenPodAgain();
    await s.completeGolden(1n, 1n);
    // A validly signed result for request 2, but with the sequence already used.
    await expectAbort(s.completeGolden(2n, 1n), "enclave", "ESequenceReplay");
  });

  twin("enclave_tests::increasing_sequences_are_accepted", async (s) => {
    await s.registerGoldenEnclave();
    await s.submitGoldenPod();
    await s.submitGoldenPodAgain();
    await s.completeGolden(1n, 1n);
    await s.completeGolden(2n, 2n);
    assert.equal((await s.cluster()).last_sequence, "2");
  });

  // Move calls the package-internal verifier directly with an extreme timestamp; a twin
  // reaches it through `complete`, with a message validly signed at that timestamp.
  twin("enclave_tests::a_timestamp_near_u64_max_does_not_overflow", async (s) => {
    await s.registerGoldenEnclave();
    await s.submitGoldenPod();
    await expectAbort(
      s.completeGolden(1n, 1n, { timestampMs: 18_446_744_073_709_551_615n }),
      "enclave",
      "ETimestampOutOfWindow",
    );
  });

  twin("enclave_tests::dev_registration_publishes_the_tls_key_hash", async (s) => {
    const executed = await s.registerGoldenEnclave();
    const hash = bytesOf(s.enclaveTlsKeySha256);
    assert.deepEqual(bytesOf((await s.cluster()).enclave_tls_key_sha256), hash);
    assert.deepEqual(
      bytesOf(await s.view("cluster::enclave_tls_key_sha256", [], bcs.byteVector())),
      hash,
    );
    const [event] = s.eventsOf(executed, "EnclaveRegisteredEvent");
    assert.deepEqual(event && bytesOf(event.tls_key_sha256), hash);
  });

  twin("enclave_tests::dev_enclave_tls_key_hash_must_be_32_bytes", async (s) => {
    await expectAbort(
      s.call(s.admin, "register_dev_enclave", {
        public_key: s.enclaveKey.getPublicKey().toRawBytes(),
        encryption_key: s.enclaveEncryptionKey.publicKey,
        tls_key_sha256: new Uint8Array([1, 2]),
      }),
      "enclave",
      "EInvalidTlsKeyHash",
    );
    assert.deepEqual(bytesOf((await s.cluster()).enclave_public_key), []);
  });

  twin("enclave_tests::rotation_to_a_short_tls_key_hash_is_rejected", async (s) => {
    await s.registerGoldenEnclave();
    await expectAbort(
      rotateToOtherKey(s, { new_tls_key_sha256: golden.SHORT_TLS_KEY_HASH }),
      "enclave",
      "EInvalidTlsKeyHash",
    );
  });

  twin("enclave_tests::rotation_signature_covers_the_tls_key_hash", async (s) => {
    await s.registerGoldenEnclave();
    await expectAbort(
      rotateToOtherKey(
        s,
        { new_tls_key_sha256: s.enclaveTlsKeySha256 },
        { new_tls_key_sha256: s.otherTlsKeySha256 },
      ),
      "enclave",
      "EInvalidSignature",
    );
    assert.deepEqual(
      bytesOf((await s.cluster()).enclave_tls_key_sha256),
      bytesOf(s.enclaveTlsKeySha256),
    );
  });

  twin(
    "enclave_tests::disable_dev_enclave_removes_the_tls_key_hash_with_the_dev_key",
    async (s) => {
      await s.registerGoldenEnclave();
      await s.call(s.admin, "disable_dev_enclave");
      assert.deepEqual(bytesOf((await s.cluster()).enclave_tls_key_sha256), []);
    },
  );

  twin("enclave_tests::the_user_data_layout_is_the_bcs_of_enclave_public_keys", async (s) => {
    // The package's own constructor, run by the devnet as a full node runs it in a dry run.
    const userData = await s.view(
      "messages::enclave_public_keys",
      [
        arg.bytes(s.enclaveKey.getPublicKey().toRawBytes()),
        arg.bytes(s.enclaveEncryptionKey.publicKey),
        arg.bytes(s.enclaveTlsKeySha256),
      ],
      { parse: (bytes: Uint8Array) => Buffer.from(bytes).toString("hex") },
      { onCluster: false },
    );
    assert.equal(userData, golden.goldenVectors().enclave_user_data);
    assert.deepEqual(
      [...EnclavePublicKeys.parse(Buffer.from(userData, "hex")).tls_key_sha256],
      [...s.enclaveTlsKeySha256],
    );
  });
});
