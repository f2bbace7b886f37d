import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Ed25519PublicKey } from "@mysten/sui/keypairs/ed25519";
import { openBox, sealBox, signingBytes } from "../../src/protocol/index.ts";
import { detectEnclave, EnclaveKeyError, loadDevEnclaveSigner } from "../../src/tee/index.ts";

describe("tee: dev enclave signer", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8s-daas-tee-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("creates a 0600 key file once, marked as a dev key, and reloads the same key", () => {
    const path = join(dir, "enclave.json");
    const first = loadDevEnclaveSigner(path);
    assert.equal(first.mode, "dev");
    assert.equal(first.publicKey.length, 32);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.match(readFileSync(path, "utf8"), /DEVELOPMENT ENCLAVE KEY/);
    const again = loadDevEnclaveSigner(path);
    assert.deepEqual(again.publicKey, first.publicKey);
    assert.equal(first.encryptionKey.publicKey.length, 32);
    assert.deepEqual(again.encryptionKey.publicKey, first.encryptionKey.publicKey);
  });

  it("keeps an X25519 encryption key beside the signing key, and gives one to an older file", () => {
    const path = join(dir, "older.json");
    const created = loadDevEnclaveSigner(path);
    // A file written before sealed payloads: the signing key only.
    const { encryptionPkcs8: _dropped, ...older } = JSON.parse(readFileSync(path, "utf8"));
    writeFileSync(path, JSON.stringify(older), { mode: 0o600 });
    const upgraded = loadDevEnclaveSigner(path);
    assert.deepEqual(upgraded.publicKey, created.publicKey, "the signing key is kept");
    assert.notDeepEqual(upgraded.encryptionKey.publicKey, created.encryptionKey.publicKey);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const reread = loadDevEnclaveSigner(path);
    assert.deepEqual(reread.encryptionKey.publicKey, upgraded.encryptionKey.publicKey);
    // The private half opens what is sealed to the public half, under one binding.
    const binding = { info: "test", aad: new Uint8Array([1]) };
    const box = sealBox(reread.encryptionKey.publicKey, new TextEncoder().encode("hi"), binding);
    assert.equal(new TextDecoder().decode(openBox(upgraded.encryptionKey, box, binding)), "hi");
  });

  it("refuses a file whose encryption key is not an x25519 key", () => {
    const path = join(dir, "bad-encryption.json");
    loadDevEnclaveSigner(path);
    const file = JSON.parse(readFileSync(path, "utf8"));
    writeFileSync(path, JSON.stringify({ ...file, encryptionPkcs8: file.pkcs8 }));
    assert.throws(
      () => loadDevEnclaveSigner(path),
      (error: unknown) => error instanceof EnclaveKeyError && error.code === "ENCLAVE_KEY_INVALID",
    );
  });

  it("signs IntentMessage bytes that verify as plain ed25519 (what the Move verifier checks)", async () => {
    const signer = loadDevEnclaveSigner(join(dir, "enclave.json"));
    const message = signingBytes("clusterState", 1_700_000_000_000n, {
      cluster_id: `0x${"ab".repeat(32)}`,
      sequence: 7n,
      node_count: 3n,
      ready_node_count: 3n,
      pod_count: 10n,
      running_pod_count: 9n,
      usage_summary: "cpu 40%",
    });
    const signature = await signer.sign(message);
    assert.equal(signature.length, 64);
    const publicKey = new Ed25519PublicKey(signer.publicKey);
    assert.equal(await publicKey.verify(message, signature), true);
    const tampered = Uint8Array.from(message);
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    assert.equal(await publicKey.verify(tampered, signature), false);
  });

  it("refuses a file that is not a dev enclave key, with a stable code", () => {
    const path = join(dir, "bogus.json");
    writeFileSync(path, JSON.stringify({ kind: "something-else" }));
    assert.throws(
      () => loadDevEnclaveSigner(path),
      (error: unknown) => error instanceof EnclaveKeyError && error.code === "ENCLAVE_KEY_INVALID",
    );
    writeFileSync(path, "{not json");
    assert.throws(
      () => loadDevEnclaveSigner(path),
      (error: unknown) =>
        error instanceof EnclaveKeyError && error.code === "ENCLAVE_KEY_UNREADABLE",
    );
  });

  it("reports a dev environment, with the reason, outside a Nitro Enclave", () => {
    const environment = detectEnclave(join(dir, "no-such-device"));
    assert.equal(environment.kind, "dev");
    assert.match(environment.kind === "dev" ? environment.reason : "", /not attested/);
  });
});
