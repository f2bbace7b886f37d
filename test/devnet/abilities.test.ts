import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NamespaceCapObject, WorkerCapObject } from "../../src/protocol/objects.ts";
import { withScenario } from "../conformance/fixture.ts";

/**
 * Sui lets a PTB's TransferObjects move only objects with `store`. A NamespaceCap is `key`
 * only, so that it moves through `tenancy::transfer_namespace`, which keeps the on-chain
 * owner record right; a WorkerCap has `store` and may be handed over freely.
 */
describe("devnet: TransferObjects respects the store ability", () => {
  it("refuses to move a NamespaceCap (key only), leaving it with its holder", () =>
    withScenario(async (s) => {
      const cap = await s.claim("team-a");
      await assert.rejects(
        s.transact(s.tenant, (tx) => {
          tx.transferObjects([tx.object(cap)], s.other.toSuiAddress());
        }),
        /has no store ability/,
      );
      const { owner } = await s.object(cap, NamespaceCapObject);
      assert.deepEqual(owner, { $kind: "AddressOwner", AddressOwner: s.tenant.toSuiAddress() });
    }));

  it("moves a WorkerCap (key, store)", () =>
    withScenario(async (s) => {
      const cap = await s.registerWorker("node-1");
      await s.transact(s.workerOwner, (tx) => {
        tx.transferObjects([tx.object(cap)], s.other.toSuiAddress());
      });
      const { owner } = await s.object(cap, WorkerCapObject);
      assert.deepEqual(owner, { $kind: "AddressOwner", AddressOwner: s.other.toSuiAddress() });
    }));
});
