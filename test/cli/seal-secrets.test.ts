// Seal-protected Secrets end to end with the real binary: `k8s-daas up` (devnet process,
// its Seal key server, nautilus-control, the shared kube-testenv cluster) and
// `k8s-daas secret create`. The enclave fetches the keys as its own address and writes the
// real Secret; the owner decrypts the blob too; another tenant is refused by the key server;
// a blob copied into another namespace is refused by the enclave; the devnet's ledger and
// events never hold the values, even when the manifest itself goes unsealed (--no-seal).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { createSuiClient, keypairFromKeystore } from "../../src/chain/index.ts";
import {
  EVENT_SCHEMAS,
  type EventName,
  eventType,
  SEALED_SECRET_ANNOTATION,
} from "../../src/protocol/index.ts";
import { SealedSecretOpener, SealedSecretsError, type SealSettings } from "../../src/seal/index.ts";
import { testCluster, uniqueNamespace } from "../helpers/cluster.ts";
import { chainPinnedFetch } from "../helpers/control-client.ts";
import { assertNoLeakInDatabase } from "../helpers/leaks.ts";
import { runCli, startUp, tempDataDir, type UpProcess } from "./harness.ts";

const PASSWORD = `seal-pw-${randomBytes(12).toString("hex")}`;
const CERT = `-----BEGIN KEY-----\n${randomBytes(24).toString("base64")}\n-----END KEY-----\n`;
const FORMS = [PASSWORD, CERT].flatMap((text) =>
  [text, Buffer.from(text).toString("base64")].map((form) => Buffer.from(form)),
);
const leaks = (bytes: Uint8Array) => FORMS.some((form) => Buffer.from(bytes).includes(form));

interface SecretManifest {
  metadata: { name: string; namespace: string; annotations: Record<string, string> };
}

describe("cli: Seal-protected Secrets", () => {
  let dataDir: string;
  let stack: UpProcess;
  let core: CoreV1Api;
  let settings: SealSettings;
  const namespace = uniqueNamespace("sealsec");
  const second = uniqueNamespace("sealsec2");
  const cli = (...args: string[]) => runCli(args, { env: stack.env });
  const blobOf = (manifest: SecretManifest) =>
    new Uint8Array(
      Buffer.from(manifest.metadata.annotations[SEALED_SECRET_ANNOTATION] ?? "", "base64"),
    );
  let dryRun: SecretManifest;

  before(async () => {
    const cluster = await testCluster();
    core = cluster.kubeConfig().makeApiClient(CoreV1Api);
    dataDir = tempDataDir();
    stack = await startUp(dataDir, cluster.kubeconfigPath);
    for (const ns of [namespace, second]) {
      const claim = await cli("namespace", "claim", ns);
      assert.equal(claim.code, 0, claim.stderr);
    }
    // Reached as clients reach it: over HTTPS pinned to the enclave's TLS key on chain.
    const control = chainPinnedFetch(
      stack.ready.controlUrl,
      createSuiClient(stack.ready.network),
      stack.ready.clusterId,
    );
    const health = (await (await control("/healthz")).json()) as Record<string, string>;
    assert.ok(health.sealKeyServers, "up names its Seal key server to the control plane");
    settings = {
      keyServers: health.sealKeyServers.split(",").map((objectId) => ({ objectId })),
      threshold: Number(health.sealThreshold),
    };
    assert.equal(settings.threshold, 1);
  });

  after(async () => {
    if (stack?.child.exitCode === null) await stack.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("secret create: the enclave decrypts inside and writes the real Secret", async () => {
    const certFile = join(dataDir, "tls.key");
    writeFileSync(certFile, CERT);
    const created = await cli(
      "secret",
      "create",
      "db",
      "--from-literal",
      `password=${PASSWORD}`,
      "--from-file",
      `tls.key=${certFile}`,
      "-n",
      namespace,
      "-o",
      "json",
    );
    assert.equal(created.code, 0, created.stderr);
    const [outcome] = JSON.parse(created.stdout) as { statusCode: number; sealed: boolean }[];
    assert.equal(outcome?.statusCode, 201);
    const secret = await core.readNamespacedSecret({ namespace, name: "db" });
    assert.equal(Buffer.from(secret.data?.password ?? "", "base64").toString(), PASSWORD);
    assert.equal(Buffer.from(secret.data?.["tls.key"] ?? "", "base64").toString(), CERT);
    assert.equal(
      secret.metadata?.annotations?.[SEALED_SECRET_ANNOTATION],
      undefined,
      "the blob is not kept on the applied Secret",
    );
  });

  it("--no-seal: the manifest goes on chain in the clear, the values never do; ledger and events scanned", async () => {
    const created = await cli(
      "secret",
      "create",
      "api",
      "--from-literal",
      `password=${PASSWORD}`,
      "-n",
      namespace,
      "--no-seal",
    );
    assert.equal(created.code, 0, created.stderr);
    assert.doesNotMatch(created.stderr, /warning/, "a Seal blob is nothing to warn about");
    const secret = await core.readNamespacedSecret({ namespace, name: "api" });
    assert.equal(Buffer.from(secret.data?.password ?? "", "base64").toString(), PASSWORD);

    const client = createSuiClient(stack.ready.network);
    let events = 0;
    let blobSeen = false;
    for (const name of Object.keys(EVENT_SCHEMAS) as EventName[]) {
      let cursor: string | null = null;
      do {
        const page = await client.listEvents({
          filter: { eventType: eventType(stack.ready.packageId, name) },
          limit: 200,
          ...(cursor ? { after: cursor } : {}),
        });
        for (const event of page.events) {
          events++;
          assert.equal(leaks(event.bcs), false, `a ${name} holds the secret`);
          if (Buffer.from(event.bcs).includes(Buffer.from(SEALED_SECRET_ANNOTATION))) {
            blobSeen = true;
          }
        }
        cursor = page.hasNextPage ? page.endCursor : null;
      } while (cursor);
    }
    assert.ok(events >= 4, `read ${events} events`);
    assert.ok(blobSeen, "the unsealed manifest with its Seal blob is in an event: the scan saw it");
    const ledgerDir = join(dataDir, "devnet");
    assertNoLeakInDatabase(join(ledgerDir, "ledger.sqlite"), leaks);
    for (const file of readdirSync(ledgerDir).filter((name) => name.startsWith("ledger.sqlite"))) {
      assert.equal(leaks(readFileSync(join(ledgerDir, file))), false, `${file} holds the secret`);
    }
    assertNoLeakInDatabase(join(dataDir, "control", "inbox.sqlite"), leaks);
    assert.equal(leaks(readFileSync(join(dataDir, "logs", "control.log"))), false);
  });

  it("the owner decrypts the blob; another tenant is refused by the key server", async () => {
    const made = await cli(
      "secret",
      "create",
      "cache",
      "--from-literal",
      `password=${PASSWORD}`,
      "-n",
      namespace,
      "--dry-run",
    );
    assert.equal(made.code, 0, made.stderr);
    dryRun = JSON.parse(made.stdout) as SecretManifest;
    assert.equal(leaks(Buffer.from(made.stdout)), false, "the dry run prints ciphertext only");
    const client = createSuiClient(stack.ready.network);
    const owner = await keypairFromKeystore({
      keystorePath: join(stack.ready.suiConfigDir, "sui.keystore"),
      address: stack.ready.tenant,
    });
    const open = (signer: Ed25519Keypair) =>
      new SealedSecretOpener(client, settings, signer, stack.ready.packageId).open(blobOf(dryRun), {
        clusterId: stack.ready.clusterId,
        namespace,
      });
    const data = await open(owner);
    assert.equal(Buffer.from(data.password ?? "", "base64").toString(), PASSWORD);
    // The same through the CLI, as the context's tenant key.
    const file = join(dataDir, "cache-dry-run.json");
    writeFileSync(file, made.stdout);
    const revealed = await cli("secret", "reveal", "-f", file, "-o", "json");
    assert.equal(revealed.code, 0, revealed.stderr);
    const shown = JSON.parse(revealed.stdout) as {
      namespace: string;
      data: Record<string, string>;
    };
    assert.equal(shown.namespace, namespace);
    assert.equal(Buffer.from(shown.data.password ?? "", "base64").toString(), PASSWORD);
    const table = await cli("secret", "reveal", "-f", file);
    assert.match(table.stdout, new RegExp(`^password\\s+${PASSWORD}$`, "m"));
    await assert.rejects(open(Ed25519Keypair.generate()), (error: unknown) => {
      assert.ok(error instanceof SealedSecretsError);
      assert.equal(error.code, "SEAL_NO_ACCESS");
      return true;
    });
  });

  it("k8s-daas apply of a manifest that references a Seal blob; the same blob in another namespace is refused", async () => {
    const file = join(dataDir, "cache.json");
    writeFileSync(file, JSON.stringify(dryRun));
    const applied = await cli("apply", "-f", file, "-n", namespace);
    assert.equal(applied.code, 0, applied.stderr);
    const secret = await core.readNamespacedSecret({ namespace, name: "cache" });
    assert.equal(Buffer.from(secret.data?.password ?? "", "base64").toString(), PASSWORD);

    // The enclave may decrypt every namespace's secrets: it must not write one into another.
    const copied = { ...dryRun, metadata: { ...dryRun.metadata, namespace: second } };
    const copyFile = join(dataDir, "copied.json");
    writeFileSync(copyFile, JSON.stringify(copied));
    const refused = await cli("apply", "-f", copyFile, "-n", second, "-o", "json");
    assert.equal(refused.code, 1, refused.stderr);
    const [outcome] = JSON.parse(refused.stdout) as { statusCode: number; errorCode: string }[];
    assert.equal(outcome?.errorCode, "SEAL_BLOB_FOREIGN");
    assert.equal(outcome?.statusCode, 403);
    await assert.rejects(core.readNamespacedSecret({ namespace: second, name: "cache" }));
  });
});
