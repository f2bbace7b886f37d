// Seal key servers of our own, spoken to by `@mysten/seal`'s real SealClient: IBE keys on
// BLS12-381, session-key certificates, and access decided by simulating
// `seal_policy::seal_approve` on an in-process devnet. 2 of 3 servers, one of them stopped.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SEAL_PACKAGE_ID } from "../../src/devnet/index.ts";
import {
  type LocalKeyServers,
  SealedSecretOpener,
  SealedSecretsError,
  sealSecretData,
  startLocalKeyServers,
} from "../../src/seal/index.ts";
import { EnclaveSuiSigner, generateTlsKey } from "../../src/tee/index.ts";
import { begin, type Scenario } from "../conformance/fixture.ts";

const SECRET = "s3cr3t-Pa55w0rd!";

async function rejects(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(
      error instanceof SealedSecretsError,
      `expected SealedSecretsError, got ${String(error)}`,
    );
    assert.equal(error.code, code, error.message);
    return true;
  });
}

describe("seal: local key servers, 2 of 3", () => {
  let s: Scenario;
  let servers: LocalKeyServers;
  let blob: Uint8Array;
  let claimId: string;
  const refusals: { index: number; code: string }[] = [];

  before(async () => {
    s = await begin({ clockAt: Date.now() });
    await s.registerGoldenEnclave();
    claimId = await s.claim("team-a");
    await s.claim("team-b", s.other);
    servers = await startLocalKeyServers({
      client: s.client,
      operator: s.admin,
      sealPackageId: SEAL_PACKAGE_ID,
      count: 3,
      threshold: 2,
      allowedPackages: [s.packageId],
      onRefusal: (index, refusal) => refusals.push({ index, code: refusal.code }),
    });
    blob = await sealSecretData(
      s.client,
      servers.settings,
      { packageId: s.packageId, clusterId: s.clusterId, namespace: "team-a", claimId },
      { password: new TextEncoder().encode(SECRET) },
    );
  });

  after(async () => {
    await servers?.close();
    await s?.close();
  });

  const opener = (signer: ConstructorParameters<typeof SealedSecretOpener>[2]) =>
    new SealedSecretOpener(s.client, servers.settings, signer, s.packageId);
  const teamA = () => ({ clusterId: s.clusterId, namespace: "team-a" });
  const decoded = (data: Record<string, string>) =>
    Buffer.from(data.password ?? "", "base64").toString("utf8");

  it("listens on 127.0.0.1 and registers each server on chain with its URL", async () => {
    assert.equal(servers.servers.length, 3);
    for (const server of servers.servers) {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const { object } = await s.client.getObject({ objectId: server.objectId });
      assert.match(object.type, /::key_server::KeyServer$/);
    }
    assert.ok(!Buffer.from(blob).includes(Buffer.from(SECRET)), "the blob carries no plaintext");
  });

  it("the namespace's owner decrypts", async () => {
    assert.equal(decoded(await opener(s.tenant).open(blob, teamA())), SECRET);
  });

  it("the cluster's registered enclave decrypts, signing its session with the enclave key", async () => {
    const enclave = new EnclaveSuiSigner({
      mode: "dev",
      publicKey: s.enclaveKey.getPublicKey().toRawBytes(),
      encryptionKey: s.enclaveEncryptionKey,
      tlsKey: generateTlsKey(),
      sign: (message) => s.enclaveKey.sign(message),
    });
    assert.equal(enclave.toSuiAddress(), s.enclaveKey.toSuiAddress());
    assert.equal(decoded(await opener(enclave).open(blob, teamA())), SECRET);
  });

  it("another tenant is refused by the key servers (NoAccess → SEAL_NO_ACCESS)", async () => {
    const before = refusals.length;
    await rejects(opener(s.other).open(blob, teamA()), "SEAL_NO_ACCESS");
    assert.ok(
      refusals.slice(before).filter((refusal) => refusal.code === "NoAccess").length >= 2,
      "at least a threshold of servers refused",
    );
  });

  it("a blob of team-a offered as team-b's is refused before any key is asked for", async () => {
    const before = refusals.length;
    await rejects(
      opener(s.other).open(blob, { clusterId: s.clusterId, namespace: "team-b" }),
      "SEAL_BLOB_FOREIGN",
    );
    assert.equal(refusals.length, before);
  });

  it("a tampered blob is refused", async () => {
    const tampered = Uint8Array.from(blob);
    tampered[tampered.length - 5] = (tampered[tampered.length - 5] as number) ^ 0x01;
    await assert.rejects(opener(s.tenant).open(tampered, teamA()));
    await rejects(opener(s.tenant).open(new Uint8Array([1, 2, 3]), teamA()), "SEAL_BLOB_INVALID");
  });

  it("a namespace released and claimed again by another tenant does not open the old blob", async () => {
    const capId = await s.claim("team-c");
    const fresh = await sealSecretData(
      s.client,
      servers.settings,
      { packageId: s.packageId, clusterId: s.clusterId, namespace: "team-c", claimId: capId },
      { password: new TextEncoder().encode(SECRET) },
    );
    await s.call(s.tenant, "release_namespace", { cap: capId });
    await s.claim("team-c", s.other);
    const teamC = { clusterId: s.clusterId, namespace: "team-c" };
    await rejects(opener(s.other).open(fresh, teamC), "SEAL_NO_ACCESS");
    await rejects(opener(s.tenant).open(fresh, teamC), "SEAL_NO_ACCESS");
  });

  it("the enclave refuses a blob of an earlier claim when told the current one", async () => {
    await rejects(
      opener(s.tenant).open(blob, { ...teamA(), claimId: s.adminCapId }),
      "SEAL_BLOB_FOREIGN",
    );
  });

  it("with one server down, 2 of 3 still decrypt; with two down, decryption fails cleanly", async () => {
    await servers.servers[0]?.close();
    assert.equal(decoded(await opener(s.tenant).open(blob, teamA())), SECRET);
    await servers.servers[1]?.close();
    await rejects(opener(s.tenant).open(blob, teamA()), "SEAL_KEYS_UNAVAILABLE");
  });
});
