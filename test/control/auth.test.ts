import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import {
  AuthError,
  EXPIRES_HEADER,
  MAX_VALIDITY_MS,
  SIGNATURE_HEADER,
  signedHeaders,
  verifiedAddress,
} from "../../src/control/http/auth.ts";

const asHeaders = (record: Record<string, string>) => ({
  get: (name: string) => record[name] ?? null,
});
const code = (expected: string) => (error: unknown) =>
  error instanceof AuthError && error.code === expected;

describe("control: signed API requests", () => {
  const key = Ed25519Keypair.generate();
  const now = 1_800_000_000_000;

  it("recovers the signer's address for the same method, path and expiry", async () => {
    const headers = await signedHeaders(key, "GET", "/v1/requests/7", 60_000, now);
    assert.equal(
      await verifiedAddress("GET", "/v1/requests/7", asHeaders(headers), now),
      key.toSuiAddress(),
    );
  });

  it("refuses a signature replayed on another path or method", async () => {
    const headers = await signedHeaders(key, "GET", "/v1/requests/7", 60_000, now);
    await assert.rejects(
      verifiedAddress("GET", "/v1/requests/8", asHeaders(headers), now),
      code("AUTH_INVALID"),
    );
    await assert.rejects(
      verifiedAddress("POST", "/v1/requests/7", asHeaders(headers), now),
      code("AUTH_INVALID"),
    );
  });

  it("refuses expired signatures, far-future expiries and missing headers", async () => {
    const headers = await signedHeaders(key, "GET", "/v1/requests", 1_000, now);
    await assert.rejects(
      verifiedAddress("GET", "/v1/requests", asHeaders(headers), now + 2_000),
      code("AUTH_EXPIRED"),
    );
    const far = { ...headers, [EXPIRES_HEADER]: String(now + MAX_VALIDITY_MS * 10) };
    await assert.rejects(
      verifiedAddress("GET", "/v1/requests", asHeaders(far), now),
      code("AUTH_INVALID"),
    );
    await assert.rejects(
      verifiedAddress("GET", "/v1/requests", asHeaders({}), now),
      code("AUTH_MISSING"),
    );
    const garbage = { [SIGNATURE_HEADER]: "AAAA", [EXPIRES_HEADER]: String(now + 1_000) };
    await assert.rejects(
      verifiedAddress("GET", "/v1/requests", asHeaders(garbage), now),
      code("AUTH_INVALID"),
    );
  });
});
