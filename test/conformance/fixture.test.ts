// The twins are only as honest as `expectAbort`: it must fail when the call succeeds or
// aborts with another constant, and it must see the abort both in simulation and on chain.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expectAbort, TwinAbortError, withScenario } from "./fixture.ts";

describe("conformance fixture", () => {
  it("expectAbort passes on the named abort only", () =>
    withScenario(async (s) => {
      const empty = () => s.call(s.admin, "create_cluster", { name: "" });
      await expectAbort(empty(), "cluster", "EInvalidClusterName");
      await assert.rejects(expectAbort(empty(), "cluster", "ENotAdmin"), /EInvalidClusterName/);
      await assert.rejects(
        expectAbort(
          s.call(s.admin, "create_cluster", { name: "ok" }),
          "cluster",
          "EInvalidClusterName",
        ),
        /but the call succeeded/,
      );
    }));

  it("an abort found by simulation also fails on chain, charging gas and changing nothing else", () =>
    withScenario(async (s) => {
      const before = await s.client.getBalance({ owner: s.admin.toSuiAddress() });
      const error = await s
        .call(s.admin, "withdraw_treasury", { amount: 1n, recipient: s.admin.toSuiAddress() })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(error instanceof TwinAbortError);
      assert.equal(error.constant, "EInsufficientTreasury");
      const after = await s.client.getBalance({ owner: s.admin.toSuiAddress() });
      assert.ok(
        BigInt(after.balance.balance) < BigInt(before.balance.balance),
        "the failed transaction paid gas",
      );
      assert.equal((await s.cluster()).treasury, "0");
    }));
});
