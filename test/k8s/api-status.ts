import assert from "node:assert/strict";
import { ApiException } from "@kubernetes/client-node";

/** Asserts that a client-node call fails with this HTTP status and a message matching `pattern`. */
export async function expectStatus(
  call: Promise<unknown>,
  status: number,
  pattern: RegExp,
): Promise<void> {
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof ApiException, `expected an ApiException, got ${String(error)}`);
    assert.equal(error.code, status, `unexpected status; body: ${JSON.stringify(error.body)}`);
    const body = typeof error.body === "string" ? error.body : JSON.stringify(error.body);
    assert.match(body, pattern);
    return true;
  });
}
