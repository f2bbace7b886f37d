import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SuiClientTypes } from "@mysten/sui/client";
import { GrpcStatusCode, RpcError } from "@mysten/sui/grpc";
import { MoveAbortError, toExecutionError } from "../../src/chain/move-abort.ts";
import { isResumableReadError, isTransientTransportError } from "../../src/chain/rpc-errors.ts";

const abort: SuiClientTypes.ExecutionError = {
  $kind: "MoveAbort",
  message: "MoveAbort in requests::complete",
  MoveAbort: {
    abortCode: "7",
    location: { package: "0x42", module: "requests", functionName: "complete", function: 3 },
    cleverError: { constantName: "EFromNode" },
  },
};

describe("toExecutionError", () => {
  it("carries module, function, code and the caller's constant name", () => {
    const error = toExecutionError(abort, {
      digest: "D1",
      lookup: (where) =>
        where.module === "requests" && where.abortCode === 7n ? "EAlreadyCompleted" : undefined,
    });
    assert.ok(error instanceof MoveAbortError);
    assert.equal(error.code, "CHAIN_MOVE_ABORT");
    assert.equal(error.module, "requests");
    assert.equal(error.functionName, "complete");
    assert.equal(error.abortCode, 7n);
    assert.equal(error.constantName, "EAlreadyCompleted");
    assert.equal(error.digest, "D1");
    assert.match(error.message, /Move abort 7 \(EAlreadyCompleted\) at requests::complete in D1/);
  });

  it("falls back to the node's clever-error name", () => {
    const error = toExecutionError(abort, { digest: undefined, lookup: () => undefined });
    assert.ok(error instanceof MoveAbortError);
    assert.equal(error.constantName, "EFromNode");
    assert.match(error.message, /in simulation/);
  });

  it("codes other failures as CHAIN_EXECUTION_FAILED", () => {
    const error = toExecutionError(
      { $kind: "Unknown", Unknown: null, message: "InsufficientGas" },
      { digest: "D2", lookup: undefined },
    );
    assert.equal(error.code, "CHAIN_EXECUTION_FAILED");
    assert.match(error.message, /InsufficientGas/);
  });
});

describe("rpc error classification", () => {
  const rpc = (code: GrpcStatusCode) => new RpcError("x", GrpcStatusCode[code]);

  it("retries writes on unavailability only", () => {
    assert.equal(isTransientTransportError(rpc(GrpcStatusCode.UNAVAILABLE)), true);
    assert.equal(isTransientTransportError(rpc(GrpcStatusCode.DEADLINE_EXCEEDED)), true);
    assert.equal(isTransientTransportError(rpc(GrpcStatusCode.INTERNAL)), false);
    assert.equal(isTransientTransportError(rpc(GrpcStatusCode.INVALID_ARGUMENT)), false);
    assert.equal(isTransientTransportError(new TypeError("fetch failed")), true);
    assert.equal(isTransientTransportError(new Error("boom")), false);
  });

  it("retries a write whose connection dropped, as the gRPC-web transport reports it", () => {
    // grpc-web wraps fetch()'s TypeError into RpcError INTERNAL with fetch's message.
    assert.equal(isTransientTransportError(new RpcError("fetch failed", "INTERNAL")), true);
    const reset = new RpcError("request failed", "INTERNAL");
    Object.assign(reset, { cause: new Error("read ECONNRESET") });
    assert.equal(isTransientTransportError(reset), true);
    // A server's own INTERNAL answer is not a transport failure.
    assert.equal(isTransientTransportError(new RpcError("invariant violated", "INTERNAL")), false);
  });

  it("lets readers resume after stream resets too", () => {
    assert.equal(isResumableReadError(rpc(GrpcStatusCode.INTERNAL)), true);
    assert.equal(isResumableReadError(rpc(GrpcStatusCode.UNAVAILABLE)), true);
    assert.equal(isResumableReadError(rpc(GrpcStatusCode.INVALID_ARGUMENT)), false);
    assert.equal(isResumableReadError(rpc(GrpcStatusCode.PERMISSION_DENIED)), false);
  });
});
