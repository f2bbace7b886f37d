// Twins of move/tests/cluster_tests.move.
import assert from "node:assert/strict";
import { describe } from "node:test";
import { bcs } from "@mysten/sui/bcs";
import { DEFAULT_CONFIG, INSTALLED_ENCLAVE_KEY_KIND } from "../../src/protocol/index.ts";
import { AdminCapObject } from "../../src/protocol/objects.ts";
import { expectAbort, type Scenario, twin } from "./fixture.ts";

/** The ClusterConfigEvent of a setter call must report the cluster's new config. */
async function assertConfigEvent(s: Scenario, executed: Parameters<Scenario["eventsOf"]>[0]) {
  const cluster = await s.cluster();
  assert.deepEqual(s.eventsOf(executed, "ClusterConfigEvent"), [
    { cluster_id: s.clusterId, ...cluster.config, paused: cluster.paused },
  ]);
}

describe("conformance: cluster", () => {
  twin(
    "cluster_tests::create_cluster_shares_cluster_with_defaults_and_sends_admin_cap",
    async (s) => {
      const cluster = await s.cluster();
      const cap = await s.object(s.adminCapId, AdminCapObject);
      assert.equal(cap.value.cluster_id, s.clusterId);
      assert.deepEqual(cap.owner, { $kind: "AddressOwner", AddressOwner: s.admin.toSuiAddress() });
      assert.deepEqual(
        {
          ...cluster,
          enclave_public_key: [...cluster.enclave_public_key],
          enclave_encryption_key: [...cluster.enclave_encryption_key],
          enclave_tls_key_sha256: [...cluster.enclave_tls_key_sha256],
        },
        {
          id: s.clusterId,
          name: "prod",
          admin: s.admin.toSuiAddress(),
          config: {
            request_fee_mist: String(DEFAULT_CONFIG.requestFeeMist),
            min_worker_stake_mist: String(DEFAULT_CONFIG.minWorkerStakeMist),
            heartbeat_period_ms: String(DEFAULT_CONFIG.heartbeatPeriodMs),
            unbonding_period_ms: String(DEFAULT_CONFIG.unbondingPeriodMs),
            max_payload_bytes: String(DEFAULT_CONFIG.maxPayloadBytes),
            signature_window_ms: String(DEFAULT_CONFIG.signatureWindowMs),
            request_timeout_ms: String(DEFAULT_CONFIG.requestTimeoutMs),
            require_sealed: DEFAULT_CONFIG.requireSealed,
          },
          paused: false,
          treasury: "0",
          allow_dev_enclave: true,
          pcrs: [],
          enclave_public_key: [],
          enclave_encryption_key: [],
          enclave_tls_key_sha256: [],
          enclave_key_kind: INSTALLED_ENCLAVE_KEY_KIND.nitro,
          last_sequence: "0",
          next_request_id: "1",
        },
      );
    },
  );

  twin("cluster_tests::create_cluster_rejects_empty_name", async (s) => {
    await expectAbort(
      s.call(s.admin, "create_cluster", { name: "" }),
      "cluster",
      "EInvalidClusterName",
    );
  });

  twin("cluster_tests::create_cluster_rejects_name_over_63_bytes", async (s) => {
    const name = "a".repeat(64);
    await expectAbort(
      s.call(s.admin, "create_cluster", { name }),
      "cluster",
      "EInvalidClusterName",
    );
  });

  twin("cluster_tests::admin_setters_update_every_config_value", async (s) => {
    const setters = [
      ["set_request_fee", "fee_mist", 0n],
      ["set_min_worker_stake", "stake_mist", 5n],
      ["set_heartbeat_period", "period_ms", 7n],
      ["set_unbonding_period", "period_ms", 0n],
      ["set_max_payload_bytes", "max_bytes", 1024n],
      ["set_signature_window", "window_ms", 9n],
      ["set_request_timeout", "timeout_ms", 11n],
    ] as const;
    for (const [name, param, value] of setters) {
      await assertConfigEvent(s, await s.call(s.admin, name, { [param]: value }));
    }
    assert.deepEqual((await s.cluster()).config, {
      request_fee_mist: "0",
      min_worker_stake_mist: "5",
      heartbeat_period_ms: "7",
      unbonding_period_ms: "0",
      max_payload_bytes: "1024",
      signature_window_ms: "9",
      request_timeout_ms: "11",
      require_sealed: false,
    });
  });

  twin("cluster_tests::set_min_worker_stake_rejects_zero", async (s) => {
    await expectAbort(
      s.call(s.admin, "set_min_worker_stake", { stake_mist: 0n }),
      "cluster",
      "EInvalidConfig",
    );
  });

  twin("cluster_tests::set_heartbeat_period_rejects_zero", async (s) => {
    await expectAbort(
      s.call(s.admin, "set_heartbeat_period", { period_ms: 0n }),
      "cluster",
      "EInvalidConfig",
    );
  });

  twin(
    "cluster_tests::set_max_payload_bytes_rejects_more_than_a_pure_argument_holds",
    async (s) => {
      await expectAbort(
        s.call(s.admin, "set_max_payload_bytes", { max_bytes: 16_385n }),
        "cluster",
        "EInvalidConfig",
      );
    },
  );

  twin("cluster_tests::set_signature_window_rejects_zero", async (s) => {
    await expectAbort(
      s.call(s.admin, "set_signature_window", { window_ms: 0n }),
      "cluster",
      "EInvalidConfig",
    );
  });

  twin("cluster_tests::set_request_timeout_rejects_zero", async (s) => {
    await expectAbort(
      s.call(s.admin, "set_request_timeout", { timeout_ms: 0n }),
      "cluster",
      "EInvalidConfig",
    );
  });

  twin("cluster_tests::set_require_sealed_toggles_and_emits_the_config", async (s) => {
    const executed = await s.call(s.admin, "set_require_sealed", { required: true });
    assert.equal((await s.cluster()).config.require_sealed, true);
    assert.equal(await s.view("cluster::require_sealed", [], bcs.bool()), true);
    await assertConfigEvent(s, executed);
    await s.call(s.admin, "set_require_sealed", { required: false });
    assert.equal((await s.cluster()).config.require_sealed, false);
  });

  twin("cluster_tests::set_require_sealed_needs_this_clusters_admin_cap", async (s) => {
    const second = await s.createSecondCluster();
    await expectAbort(
      s.call(s.other, "set_require_sealed", { cap: second.adminCapId, required: true }),
      "cluster",
      "ENotAdmin",
    );
    assert.equal((await s.cluster()).config.require_sealed, false);
  });

  twin("cluster_tests::admin_cap_of_another_cluster_is_refused", async (s) => {
    const second = await s.createSecondCluster();
    await expectAbort(
      s.call(s.other, "set_request_fee", { cap: second.adminCapId, fee_mist: 0n }),
      "cluster",
      "ENotAdmin",
    );
  });

  twin("cluster_tests::pause_and_unpause_toggle_and_are_idempotent", async (s) => {
    for (const name of ["pause", "pause"] as const) {
      const executed = await s.call(s.admin, name);
      assert.equal(s.eventsOf(executed, "ClusterConfigEvent")[0]?.paused, true);
    }
    assert.equal((await s.cluster()).paused, true);
    for (const name of ["unpause", "unpause"] as const) {
      const executed = await s.call(s.admin, name);
      assert.equal(s.eventsOf(executed, "ClusterConfigEvent")[0]?.paused, false);
    }
    assert.equal((await s.cluster()).paused, false);
  });

  twin("cluster_tests::paused_cluster_refuses_new_work", async (s) => {
    await s.call(s.admin, "pause");
    await expectAbort(
      s.call(s.admin, "claim_namespace", { namespace: "team-a" }),
      "cluster",
      "EPaused",
    );
  });

  twin("cluster_tests::withdraw_treasury_pays_the_recipient", async (s) => {
    // Move deposits 1_000 MIST with a package-internal call; here a completed request
    // paying a 1_000 MIST fee fills the treasury.
    await s.registerGoldenEnclave();
    await s.call(s.admin, "set_request_fee", { fee_mist: 1_000n });
    await s.call(s.tenant, "submit_get", {
      resource: "pods",
      namespace: "team-a",
      name: "",
      priority: 0,
      fee: 1_000n,
    });
    await s.completeGolden(1n, 1n);
    assert.equal((await s.cluster()).treasury, "1000");
    const recipient = s.other.toSuiAddress();
    const executed = await s.call(s.admin, "withdraw_treasury", { amount: 600n, recipient });
    assert.equal((await s.cluster()).treasury, "400");
    assert.deepEqual(await s.createdCoins(executed), [{ owner: recipient, value: 600n }]);
    assert.deepEqual(s.eventsOf(executed, "TreasuryWithdrawnEvent"), [
      { cluster_id: s.clusterId, amount: "600", recipient },
    ]);
  });

  twin("cluster_tests::withdraw_treasury_cannot_overdraw", async (s) => {
    await expectAbort(
      s.call(s.admin, "withdraw_treasury", { amount: 1n, recipient: s.admin.toSuiAddress() }),
      "cluster",
      "EInsufficientTreasury",
    );
  });
});
