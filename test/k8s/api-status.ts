import assert from "node:assert/strict";
import { ApiException } from "@kubernetes/client-node";

/** The `message` of a Kubernetes Status body, whether client-node parsed it or not. */
function statusMessage(body: unknown): string {
  const parsed: unknown = typeof body === "string" ? safeJson(body) : body;
  if (parsed && typeof parsed === "object" && "message" in parsed) {
    return String(parsed.message);
  }
  return typeof body === "string" ? body : JSON.stringify(body);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Asserts that a client-node call fails with this HTTP status and a message matching `pattern`. */
export async function expectStatus(
  call: Promise<unknown>,
  status: number,
  pattern: RegExp,
): Promise<void> {
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof ApiException, `expected an ApiException, got ${String(error)}`);
    const message = statusMessage(error.body);
    assert.equal(error.code, status, `unexpected status; message: ${message}`);
    assert.match(message, pattern);
    return true;
  });
}
