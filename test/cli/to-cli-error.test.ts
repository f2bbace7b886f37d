import assert from "node:assert/strict";
import { test } from "node:test";
import { RpcError } from "@mysten/sui/grpc";
import { CliError } from "../../src/cli/errors.ts";
import { toCliError } from "../../src/cli/failures.ts";

test("a transport failure wrapped by the SDK (e.g. during simulation) is an unreachable chain", () => {
  const dropped = new RpcError("fetch failed", "INTERNAL");
  const wrapped = new Error("Transaction resolution failed", { cause: dropped });
  const error = toCliError(wrapped, { chainUrl: "http://127.0.0.1:9" });
  assert.ok(error instanceof CliError);
  assert.equal(error.code, "CHAIN_UNREACHABLE");
  assert.match(error.message, /http:\/\/127\.0\.0\.1:9 does not answer/);
});

test("a server's own INTERNAL answer is not taken for an unreachable chain", () => {
  const answer = new Error("simulation failed", {
    cause: new RpcError("invariant violated", "INTERNAL"),
  });
  const error = toCliError(answer, { chainUrl: "http://127.0.0.1:9" });
  assert.ok(!(error instanceof CliError) || error.code !== "CHAIN_UNREACHABLE");
});
