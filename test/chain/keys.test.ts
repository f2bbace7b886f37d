import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { inspect } from "node:util";
import { decodeSuiPrivateKey, encodeSuiPrivateKey } from "@mysten/sui/cryptography";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { isChainError } from "../../src/chain/errors.ts";
import {
  generateKeyIntoKeystore,
  keypairFromEnv,
  keypairFromKeystore,
  keypairFromKeystoreEntry,
  keypairFromSuiPrivateKey,
  parsePrivateKey,
  readActiveAddress,
  toKeystoreEntry,
} from "../../src/chain/keys.ts";

function secretOf(keypair: Ed25519Keypair): Uint8Array {
  return decodeSuiPrivateKey(keypair.getSecretKey()).secretKey;
}

/** A real keystore entry with an arbitrary scheme flag in front of a real secret. */
function entryWithFlag(flag: number, keypair = Ed25519Keypair.generate()): string {
  return Buffer.concat([Buffer.from([flag]), secretOf(keypair)]).toString("base64");
}

function rejectsWith(code: string, forbidden?: string) {
  return (error: unknown) =>
    isChainError(error) &&
    error.code === code &&
    (forbidden === undefined || !error.message.includes(forbidden));
}

describe("private key strings", () => {
  const keypair = Ed25519Keypair.generate();
  const bech32 = keypair.getSecretKey();

  it("loads a suiprivkey1… string to the same address", () => {
    assert.equal(keypairFromSuiPrivateKey(bech32).toSuiAddress(), keypair.toSuiAddress());
    assert.equal(parsePrivateKey(`  ${bech32}\n`).toSuiAddress(), keypair.toSuiAddress());
  });

  it("round-trips the keystore entry format", () => {
    const entry = toKeystoreEntry(keypair);
    assert.equal(Buffer.from(entry, "base64").length, 33);
    assert.equal(Buffer.from(entry, "base64")[0], 0);
    assert.equal(keypairFromKeystoreEntry(entry).toSuiAddress(), keypair.toSuiAddress());
    assert.equal(parsePrivateKey(entry).toSuiAddress(), keypair.toSuiAddress());
  });

  it("rejects a corrupted bech32 string without echoing it", () => {
    const last = bech32.at(-1) === "q" ? "p" : "q";
    const corrupted = `${bech32.slice(0, -1)}${last}`;
    assert.throws(
      () => keypairFromSuiPrivateKey(corrupted),
      rejectsWith("CHAIN_KEY_MALFORMED", corrupted),
    );
    assert.throws(() => keypairFromSuiPrivateKey("hello"), rejectsWith("CHAIN_KEY_MALFORMED"));
  });

  it("rejects keys of other schemes by name", () => {
    const secp = encodeSuiPrivateKey(secretOf(keypair), "Secp256k1");
    assert.throws(
      () => keypairFromSuiPrivateKey(secp),
      (error: unknown) =>
        rejectsWith("CHAIN_KEY_UNSUPPORTED_SCHEME")(error) && /Secp256k1/.test(String(error)),
    );
    assert.throws(
      () => keypairFromKeystoreEntry(entryWithFlag(2)),
      rejectsWith("CHAIN_KEY_UNSUPPORTED_SCHEME"),
    );
  });

  it("rejects an unknown scheme flag", () => {
    assert.throws(
      () => keypairFromKeystoreEntry(entryWithFlag(0x42)),
      rejectsWith("CHAIN_KEY_UNKNOWN_SCHEME"),
    );
  });

  it("rejects a secret of the wrong length and non-base64 entries", () => {
    const short = Buffer.concat([Buffer.from([0]), secretOf(keypair).subarray(0, 31)]).toString(
      "base64",
    );
    assert.throws(() => keypairFromKeystoreEntry(short), rejectsWith("CHAIN_KEY_MALFORMED"));
    assert.throws(
      () => keypairFromKeystoreEntry("not base64!"),
      rejectsWith("CHAIN_KEY_MALFORMED"),
    );
    assert.throws(() => keypairFromKeystoreEntry(""), rejectsWith("CHAIN_KEY_MALFORMED"));
  });

  it("reads a key from an environment variable", () => {
    const env = { SUI_PRIVATE_KEY: bech32, OTHER: toKeystoreEntry(keypair) };
    assert.equal(keypairFromEnv("SUI_PRIVATE_KEY", env).toSuiAddress(), keypair.toSuiAddress());
    assert.equal(keypairFromEnv("OTHER", env).toSuiAddress(), keypair.toSuiAddress());
    assert.throws(() => keypairFromEnv("MISSING", env), rejectsWith("CHAIN_KEY_ENV_MISSING"));
    assert.throws(
      () => keypairFromEnv("BAD", { BAD: "suiprivkey1zzzz" }),
      (error: unknown) =>
        rejectsWith("CHAIN_KEY_MALFORMED", "zzzz")(error) && /BAD/.test(String(error)),
    );
  });
});

describe("loaded keys never print their secret", () => {
  it("inspects and serializes as the address only", async () => {
    const original = Ed25519Keypair.generate();
    const loaded = keypairFromSuiPrivateKey(original.getSecretKey());
    const secretHex = Buffer.from(secretOf(original)).toString("hex");
    const printed = [
      inspect(loaded, { depth: 10 }),
      JSON.stringify(loaded),
      JSON.stringify({ signer: loaded }),
      inspect({ nested: { loaded } }, { depth: 10 }),
    ];
    for (const text of printed) {
      assert.ok(text.includes(original.toSuiAddress()), text);
      assert.ok(!text.includes(original.getSecretKey()), text);
      assert.ok(!text.includes(secretHex), text);
      assert.ok(!/secretKey/.test(text), text);
    }
    // Still a working signer for the SDK.
    const message = new TextEncoder().encode("hello");
    const { signature } = await loaded.signPersonalMessage(message);
    const { signature: expected } = await original.signPersonalMessage(message);
    assert.equal(signature, expected);
  });
});

describe("Sui CLI keystore", () => {
  let dir: string;
  const first = Ed25519Keypair.generate();
  const second = Ed25519Keypair.generate();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "chain-keys-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function writeCliConfig(activeAddress: string, entries: string[]) {
    const keystorePath = join(dir, "sui.keystore");
    const clientConfigPath = join(dir, "client.yaml");
    await writeFile(keystorePath, JSON.stringify(entries));
    await writeFile(
      clientConfigPath,
      `keystore:\n  File: ${keystorePath}\nenvs: []\nactive_env: local\nactive_address: "${activeAddress}"\n`,
    );
    return { keystorePath, clientConfigPath };
  }

  it("picks the active address from client.yaml", async () => {
    const paths = await writeCliConfig(second.toSuiAddress(), [
      entryWithFlag(1),
      toKeystoreEntry(first),
      toKeystoreEntry(second),
    ]);
    assert.equal(await readActiveAddress(paths.clientConfigPath), second.toSuiAddress());
    const loaded = await keypairFromKeystore(paths);
    assert.equal(loaded.toSuiAddress(), second.toSuiAddress());
  });

  it("picks an explicit address", async () => {
    const paths = await writeCliConfig(second.toSuiAddress(), [
      toKeystoreEntry(first),
      toKeystoreEntry(second),
    ]);
    const loaded = await keypairFromKeystore({ ...paths, address: first.toSuiAddress() });
    assert.equal(loaded.toSuiAddress(), first.toSuiAddress());
  });

  it("says so when the address is not in the keystore", async () => {
    const paths = await writeCliConfig(second.toSuiAddress(), [
      entryWithFlag(1),
      toKeystoreEntry(first),
    ]);
    await assert.rejects(
      keypairFromKeystore(paths),
      (error: unknown) =>
        rejectsWith("CHAIN_KEY_ADDRESS_NOT_IN_KEYSTORE")(error) &&
        /1 non-ED25519/.test(String(error)),
    );
  });

  it("reports a missing keystore, a malformed keystore and a malformed client.yaml", async () => {
    await assert.rejects(
      keypairFromKeystore({ keystorePath: join(dir, "nope"), address: first.toSuiAddress() }),
      rejectsWith("CHAIN_KEYSTORE_MISSING"),
    );
    const broken = join(dir, "broken.keystore");
    await writeFile(broken, "{not json");
    await assert.rejects(
      keypairFromKeystore({ keystorePath: broken, address: first.toSuiAddress() }),
      rejectsWith("CHAIN_KEYSTORE_MALFORMED"),
    );
    await writeFile(broken, JSON.stringify([1, 2]));
    await assert.rejects(
      keypairFromKeystore({ keystorePath: broken, address: first.toSuiAddress() }),
      rejectsWith("CHAIN_KEYSTORE_MALFORMED"),
    );
    const yamlPath = join(dir, "bad-client.yaml");
    await writeFile(yamlPath, "active_address: nope\n");
    await assert.rejects(readActiveAddress(yamlPath), rejectsWith("CHAIN_CLIENT_CONFIG_MALFORMED"));
    await writeFile(yamlPath, "active_address: [\n");
    await assert.rejects(readActiveAddress(yamlPath), rejectsWith("CHAIN_CLIENT_CONFIG_MALFORMED"));
  });

  it("names a bad entry by position, never by content", async () => {
    const bad = entryWithFlag(0x42);
    const paths = await writeCliConfig(first.toSuiAddress(), [toKeystoreEntry(second), bad]);
    await assert.rejects(
      keypairFromKeystore(paths),
      (error: unknown) =>
        rejectsWith("CHAIN_KEY_UNKNOWN_SCHEME", bad)(error) && /entry 1 of/.test(String(error)),
    );
  });

  it("generates keys into a new owner-only keystore and appends to it", async () => {
    const keystorePath = join(dir, "fresh", "sui.keystore");
    const one = await generateKeyIntoKeystore(keystorePath);
    const two = await generateKeyIntoKeystore(keystorePath);
    assert.notEqual(one.address, two.address);
    assert.equal((await stat(keystorePath)).mode & 0o777, 0o600);
    const entries = JSON.parse(await readFile(keystorePath, "utf8")) as string[];
    assert.equal(entries.length, 2);
    for (const generated of [one, two]) {
      const loaded = await keypairFromKeystore({ keystorePath, address: generated.address });
      assert.equal(loaded.toSuiAddress(), generated.address);
    }
  });
});
