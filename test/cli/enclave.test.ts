// The operator's Nautilus path end to end, through the real `k8s-daas` binary against a
// devnet process: pin PCRs, register an enclave from its attestation document (as
// /get_attestation serves it), see refusals with stable codes, turn dev enclaves off. No
// Nitro hardware here: the devnet and the CLI trust a test CA's root (`--nitro-root`).
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type DevnetProcess, startDevnetProcess } from "../../src/devnet/spawn.ts";
import { encodeEnclaveUserData } from "../../src/protocol/index.ts";
import { createTestNitroCa } from "../helpers/nitro-ca.ts";
import { runCli, tempDataDir } from "./harness.ts";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const pcr = (fill: number) => new Uint8Array(48).fill(fill);

async function faucet(url: string, recipient: string): Promise<void> {
  const response = await fetch(`${url}/v2/gas`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ FixedAmountRequest: { recipient } }),
  });
  assert.equal(response.status, 200, await response.text());
}

test("cluster enclave: set-pcrs, register --attestation, refusals with stable codes, disable-dev", async () => {
  const dir = tempDataDir("k8s-daas-enclave-");
  // The devnet's clock follows the wall clock: the CA is valid around now.
  const now = Date.now();
  const ca = createTestNitroCa(now - 3_600_000, now + 3_600_000);
  const rootFile = join(dir, "root.pem");
  writeFileSync(rootFile, ca.rootPem);
  let chain: DevnetProcess | undefined;
  try {
    chain = await startDevnetProcess(join(dir, "chain"), 0, ["--nitro-root", rootFile]);
    const env = { K8S_DAAS_CONFIG: join(dir, "config.json") };
    const keystore = join(dir, "operator.keystore");
    const created = await runCli(["keys", "new", "--keystore", keystore, "-o", "json"], { env });
    assert.equal(created.code, 0, created.stderr);
    const { address } = JSON.parse(created.stdout) as { address: string };
    await faucet(chain.url, address);
    const connection = [
      "--network",
      chain.url,
      "--package-id",
      chain.packageId,
      "--keystore",
      keystore,
      "--address",
      address,
    ];
    const made = await runCli(
      [
        "cluster",
        "create",
        ...connection,
        "--enclave-key-file",
        join(dir, "dev-key.json"),
        "--allow-dev-enclave",
        "-o",
        "json",
      ],
      { env },
    );
    assert.equal(made.code, 0, made.stderr);
    const { clusterId } = JSON.parse(made.stdout) as { clusterId: string };
    const cli = (...args: string[]) =>
      runCli(["cluster", "enclave", ...args, ...connection, "--cluster-id", clusterId], { env });
    const status = async () => {
      const shown = await runCli(
        ["cluster", "status", ...connection, "--cluster-id", clusterId, "-o", "json"],
        { env },
      );
      assert.equal(shown.code, 0, shown.stderr);
      return (
        JSON.parse(shown.stdout) as {
          enclave: { publicKey: string; keyKind: string; devAllowed: boolean };
        }
      ).enclave;
    };
    assert.equal((await status()).keyKind, "dev");

    // The document nautilus-control's /get_attestation would serve.
    const enclaveKeys = {
      public_key: new Uint8Array(32).fill(0x5a),
      encryption_key: new Uint8Array(32).fill(0x6b),
      tls_key_sha256: new Uint8Array(32).fill(0x7c),
    };
    /** What the enclave's NSM attests: its signing key, and all its keys as `user_data`. */
    const attestedFields = {
      publicKey: enclaveKeys.public_key,
      userData: encodeEnclaveUserData(enclaveKeys),
    };
    const attestationFile = (name: string, pcrs: Uint8Array[], bytes?: Uint8Array) => {
      const path = join(dir, name);
      const document = bytes ?? ca.document({ pcrs, timestampMs: now, ...attestedFields });
      writeFileSync(path, JSON.stringify({ attestation: hex(document) }));
      return path;
    };
    const good = attestationFile("good.json", [pcr(1), pcr(2), pcr(3)]);
    const root = ["--nitro-root", rootFile];

    const early = await cli("register", "--attestation", good, ...root);
    assert.equal(early.code, 1);
    assert.match(early.stderr, /^error\[EPcrsNotConfigured\]: the cluster has no pinned PCRs yet/m);

    const badPcr = await cli("set-pcrs", hex(pcr(1)), hex(pcr(2)), "abcd");
    assert.equal(badPcr.code, 2);
    assert.match(badPcr.stderr, /PCR2 must be 96 hex digits/);
    const zeroPcr = await cli("set-pcrs", hex(pcr(1)), hex(pcr(2)), hex(pcr(0)));
    assert.equal(zeroPcr.code, 2);
    assert.match(zeroPcr.stderr, /PCR2 is all zero/);

    const pinned = await cli(
      "set-pcrs",
      hex(pcr(1)),
      `0x${hex(pcr(2))}`,
      hex(pcr(3)),
      "-o",
      "json",
    );
    assert.equal(pinned.code, 0, pinned.stderr);
    assert.equal((JSON.parse(pinned.stdout) as { pcr1: string }).pcr1, hex(pcr(2)));

    // Another image: refused before any gas is paid, naming the PCR that differs.
    const otherImage = attestationFile("other.json", [pcr(1), pcr(2), pcr(4)]);
    const mismatch = await cli("register", "--attestation", otherImage, ...root);
    assert.equal(mismatch.code, 1);
    assert.match(
      mismatch.stderr,
      /^error\[ATTESTATION_PCR_MISMATCH\]: the attestation is refused: PCR2 is 0404/m,
    );

    const document = ca.document({
      pcrs: [pcr(1), pcr(2), pcr(3)],
      timestampMs: now,
      ...attestedFields,
    });
    const tampered = Buffer.from(document);
    tampered[tampered.length - 5] = (tampered[tampered.length - 5] as number) ^ 0xff;
    const forged = await cli(
      "register",
      "--attestation",
      attestationFile("tampered.json", [], tampered),
      ...root,
    );
    assert.equal(forged.code, 1);
    assert.match(forged.stderr, /^error\[ATTESTATION_SIGNATURE_INVALID\]/m);

    // Without the test root the CLI trusts only AWS's.
    const untrusted = await cli("register", "--attestation", good);
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stderr, /^error\[ATTESTATION_CHAIN_INVALID\]/m);

    const checked = await cli("verify", "--attestation", good, ...root, "-o", "json");
    assert.equal(checked.code, 0, checked.stderr);
    assert.equal(
      (JSON.parse(checked.stdout) as { publicKey: string }).publicKey,
      hex(enclaveKeys.public_key),
    );

    const registered = await cli("register", "--attestation", good, ...root, "-o", "json");
    assert.equal(registered.code, 0, registered.stderr);
    const result = JSON.parse(registered.stdout) as {
      publicKey: string;
      encryptionKey: string;
      tlsKeySha256: string;
      tx: string;
    };
    assert.equal(result.encryptionKey, hex(enclaveKeys.encryption_key));
    assert.equal(result.tlsKeySha256, hex(enclaveKeys.tls_key_sha256));
    assert.deepEqual(await status(), {
      publicKey: hex(enclaveKeys.public_key),
      encryptionKey: hex(enclaveKeys.encryption_key),
      tlsKeySha256: hex(enclaveKeys.tls_key_sha256),
      keyKind: "attested",
      devAllowed: true,
      lastSequence: "0",
    });

    const unconfirmed = await cli("disable-dev");
    assert.equal(unconfirmed.code, 2);
    assert.match(unconfirmed.stderr, /permanent/);
    const disabled = await cli("disable-dev", "--yes");
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.match(disabled.stdout, /the attested key 5a5a/);
    const after = await status();
    assert.equal(after.keyKind, "attested");
    assert.equal(after.devAllowed, false);
  } finally {
    await chain?.stop();
  }
});
