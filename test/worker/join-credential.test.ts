import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  generateWorkerEncryptionKey,
  JOIN_CREDENTIAL_VERSION,
  type JoinCredential,
  loadOrCreateWorkerKey,
  openJoinCredential,
  sealJoinCredential,
} from "../../src/worker/index.ts";

const credential: JoinCredential = {
  v: 1,
  server: "https://127.0.0.1:6443",
  token: "abcdef.0123456789abcdef",
  joinUrl: "http://127.0.0.1:8081/v1/workers/join",
  expiresAtMs: 1_900_000_000_000,
};
const context = { clusterId: `0x${"ab".repeat(32)}`, nodeId: "worker-1" };

test("a sealed credential opens with the worker's key and nothing else", () => {
  const worker = generateWorkerEncryptionKey();
  const other = generateWorkerEncryptionKey();
  const sealed = sealJoinCredential(worker.publicKey, credential, context);
  assert.equal(sealed[0], JOIN_CREDENTIAL_VERSION, "version byte first");
  assert.ok(sealed.length <= 4096, "fits activate_worker's 4096-byte limit");
  assert.ok(!Buffer.from(sealed).includes(Buffer.from(credential.token)), "token not in clear");
  assert.deepEqual(openJoinCredential(worker, sealed, context), credential);
  assert.throws(() => openJoinCredential(other, sealed, context), {
    code: "JOIN_CREDENTIAL_UNREADABLE",
  });
});

test("a credential copied to another worker or cluster does not open", () => {
  const worker = generateWorkerEncryptionKey();
  const sealed = sealJoinCredential(worker.publicKey, credential, context);
  assert.throws(() => openJoinCredential(worker, sealed, { ...context, nodeId: "worker-2" }), {
    code: "JOIN_CREDENTIAL_UNREADABLE",
  });
  assert.throws(
    () => openJoinCredential(worker, sealed, { ...context, clusterId: `0x${"cd".repeat(32)}` }),
    { code: "JOIN_CREDENTIAL_UNREADABLE" },
  );
});

test("tampered, truncated or unknown-version credentials are refused with a code", () => {
  const worker = generateWorkerEncryptionKey();
  const sealed = sealJoinCredential(worker.publicKey, credential, context);
  const flipped = Uint8Array.from(sealed);
  flipped[50] = (flipped[50] ?? 0) ^ 1;
  assert.throws(() => openJoinCredential(worker, flipped, context), {
    code: "JOIN_CREDENTIAL_UNREADABLE",
  });
  assert.throws(() => openJoinCredential(worker, sealed.subarray(0, 40), context), {
    code: "JOIN_CREDENTIAL_MALFORMED",
  });
  const future = Uint8Array.from(sealed);
  future[0] = 2;
  assert.throws(() => openJoinCredential(worker, future, context), {
    code: "JOIN_CREDENTIAL_MALFORMED",
  });
  assert.throws(() => sealJoinCredential(new Uint8Array(31), credential, context), {
    code: "JOIN_CREDENTIAL_MALFORMED",
  });
});

test("sealing the same credential twice gives different bytes (fresh ephemeral key)", () => {
  const worker = generateWorkerEncryptionKey();
  const a = sealJoinCredential(worker.publicKey, credential, context);
  const b = sealJoinCredential(worker.publicKey, credential, context);
  assert.notDeepEqual(a, b);
});

test("the worker key file is created 0600 and read back", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8s-daas-worker-key-"));
  try {
    const path = join(dir, "worker-key.json");
    const created = loadOrCreateWorkerKey(path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const loaded = loadOrCreateWorkerKey(path);
    assert.deepEqual(loaded.publicKey, created.publicKey);
    assert.equal(created.publicKey.length, 32);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
