import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { SignatureScheme } from "@mysten/sui/cryptography";
import {
  decodeSuiPrivateKey,
  SIGNATURE_FLAG_TO_SCHEME,
  SUI_PRIVATE_KEY_PREFIX,
} from "@mysten/sui/cryptography";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { normalizeSuiAddress } from "@mysten/sui/utils";
import { parse as parseYaml } from "yaml";
import { ChainError } from "./errors.ts";

// Error messages in this file name a source ("entry 3 of ~/.sui/…", "env SUI_PRIVATE_KEY")
// and never echo key material: a bad key is still a secret.

const ED25519_SECRET_KEY_BYTES = 32;
const ED25519_FLAG = 0x00;

export const DEFAULT_SUI_CONFIG_DIR = join(homedir(), ".sui", "sui_config");
export const DEFAULT_KEYSTORE_PATH = join(DEFAULT_SUI_CONFIG_DIR, "sui.keystore");
export const DEFAULT_CLIENT_CONFIG_PATH = join(DEFAULT_SUI_CONFIG_DIR, "client.yaml");
export const DEFAULT_KEY_ENV = "SUI_PRIVATE_KEY";

/**
 * An Ed25519Keypair that prints as its address. The SDK class keeps the secret in a plain
 * property, so `console.log(keypair)`, `util.inspect` or a JSON logger would write it out.
 */
export class RedactedEd25519Keypair extends Ed25519Keypair {
  static from(keypair: Ed25519Keypair): RedactedEd25519Keypair {
    if (keypair instanceof RedactedEd25519Keypair) return keypair;
    return new RedactedEd25519Keypair({
      publicKey: keypair.getPublicKey().toRawBytes(),
      secretKey: decodeSuiPrivateKey(keypair.getSecretKey()).secretKey,
    });
  }

  toJSON(): { scheme: "ED25519"; address: string } {
    return { scheme: "ED25519", address: this.toSuiAddress() };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Ed25519Keypair(${this.toSuiAddress()})`;
  }
}

/** The shared core of the bech32 and keystore formats, after the scheme flag is read. */
function ed25519FromSecret(
  scheme: SignatureScheme | undefined,
  secret: Uint8Array,
  source: string,
): Ed25519Keypair {
  if (scheme === undefined) {
    throw new ChainError("CHAIN_KEY_UNKNOWN_SCHEME", `${source}: unknown signature scheme flag`);
  }
  if (scheme !== "ED25519") {
    throw new ChainError(
      "CHAIN_KEY_UNSUPPORTED_SCHEME",
      `${source}: ${scheme} keys are not supported, only ED25519`,
    );
  }
  if (secret.length !== ED25519_SECRET_KEY_BYTES) {
    throw new ChainError(
      "CHAIN_KEY_MALFORMED",
      `${source}: an ED25519 secret key has ${ED25519_SECRET_KEY_BYTES} bytes, got ${secret.length}`,
    );
  }
  return RedactedEd25519Keypair.from(Ed25519Keypair.fromSecretKey(secret));
}

function schemeOfFlag(flag: number): SignatureScheme | undefined {
  return SIGNATURE_FLAG_TO_SCHEME[flag as keyof typeof SIGNATURE_FLAG_TO_SCHEME];
}

/** Parses a `suiprivkey1…` bech32 string (what `sui keytool export` prints). */
export function keypairFromSuiPrivateKey(text: string, source = "private key"): Ed25519Keypair {
  const value = text.trim();
  if (!value.startsWith(`${SUI_PRIVATE_KEY_PREFIX}1`)) {
    throw new ChainError(
      "CHAIN_KEY_MALFORMED",
      `${source}: expected a ${SUI_PRIVATE_KEY_PREFIX}1… string`,
    );
  }
  let decoded: ReturnType<typeof decodeSuiPrivateKey>;
  try {
    decoded = decodeSuiPrivateKey(value);
  } catch {
    // The decoder's message may quote the input; do not chain it as a cause.
    throw new ChainError(
      "CHAIN_KEY_MALFORMED",
      `${source}: not valid bech32 (bad checksum or characters)`,
    );
  }
  return ed25519FromSecret(decoded.scheme, decoded.secretKey, source);
}

/** Parses one Sui keystore entry: base64 of `flag || secret`. */
export function keypairFromKeystoreEntry(entry: string, source = "keystore entry"): Ed25519Keypair {
  const value = entry.trim();
  if (value === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) {
    throw new ChainError("CHAIN_KEY_MALFORMED", `${source}: not base64`);
  }
  const bytes = Buffer.from(value, "base64");
  const flag = bytes[0];
  if (flag === undefined) throw new ChainError("CHAIN_KEY_MALFORMED", `${source}: empty key`);
  return ed25519FromSecret(schemeOfFlag(flag), bytes.subarray(1), source);
}

/** Accepts either format, as found in an environment variable or a file. */
export function parsePrivateKey(text: string, source = "private key"): Ed25519Keypair {
  return text.trim().startsWith(SUI_PRIVATE_KEY_PREFIX)
    ? keypairFromSuiPrivateKey(text, source)
    : keypairFromKeystoreEntry(text, source);
}

export function keypairFromEnv(
  name: string = DEFAULT_KEY_ENV,
  env: NodeJS.ProcessEnv = process.env,
): Ed25519Keypair {
  const value = env[name];
  if (value === undefined || value.trim() === "") {
    throw new ChainError("CHAIN_KEY_ENV_MISSING", `environment variable ${name} is not set`);
  }
  return parsePrivateKey(value, `environment variable ${name}`);
}

async function readTextFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") {
      throw new ChainError("CHAIN_KEYSTORE_MISSING", `${what} not found: ${path}`, { cause });
    }
    throw new ChainError("CHAIN_KEYSTORE_MALFORMED", `${what} unreadable: ${path}`, { cause });
  }
}

/** The raw entries of a Sui CLI keystore file (a JSON array of base64 strings). */
export async function readKeystoreEntries(path: string = DEFAULT_KEYSTORE_PATH): Promise<string[]> {
  const text = await readTextFile(path, "keystore");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ChainError("CHAIN_KEYSTORE_MALFORMED", `keystore ${path} is not JSON`);
  }
  if (!Array.isArray(parsed) || !parsed.every((entry) => typeof entry === "string")) {
    throw new ChainError(
      "CHAIN_KEYSTORE_MALFORMED",
      `keystore ${path} is not a JSON array of strings`,
    );
  }
  return parsed;
}

/** `active_address` from the Sui CLI's client.yaml, normalized. */
export async function readActiveAddress(
  path: string = DEFAULT_CLIENT_CONFIG_PATH,
): Promise<string> {
  const text = await readTextFile(path, "client config");
  let config: unknown;
  try {
    config = parseYaml(text);
  } catch {
    throw new ChainError("CHAIN_CLIENT_CONFIG_MALFORMED", `client config ${path} is not YAML`);
  }
  const active =
    typeof config === "object" && config !== null
      ? (config as Record<string, unknown>).active_address
      : undefined;
  if (typeof active !== "string" || !/^0x[0-9a-fA-F]{1,64}$/.test(active)) {
    throw new ChainError(
      "CHAIN_CLIENT_CONFIG_MALFORMED",
      `client config ${path} has no valid active_address`,
    );
  }
  return normalizeSuiAddress(active);
}

export interface KeystoreSelection {
  keystorePath?: string;
  /** Defaults to `active_address` from `clientConfigPath`. */
  address?: string;
  clientConfigPath?: string;
}

/**
 * The Ed25519 key for `address` (or the CLI's active address) from a Sui keystore.
 * Entries of other schemes are skipped: they cannot be the address we sign for.
 */
export async function keypairFromKeystore(
  selection: KeystoreSelection = {},
): Promise<Ed25519Keypair> {
  const keystorePath = selection.keystorePath ?? DEFAULT_KEYSTORE_PATH;
  const address = normalizeSuiAddress(
    selection.address ?? (await readActiveAddress(selection.clientConfigPath)),
  );
  const entries = await readKeystoreEntries(keystorePath);
  let otherSchemes = 0;
  for (const [index, entry] of entries.entries()) {
    let keypair: Ed25519Keypair;
    try {
      keypair = keypairFromKeystoreEntry(entry, `entry ${index} of ${keystorePath}`);
    } catch (error) {
      if (error instanceof ChainError && error.code === "CHAIN_KEY_UNSUPPORTED_SCHEME") {
        otherSchemes += 1;
        continue;
      }
      throw error;
    }
    if (keypair.toSuiAddress() === address) return keypair;
  }
  const note = otherSchemes > 0 ? ` (${otherSchemes} non-ED25519 entries were skipped)` : "";
  throw new ChainError(
    "CHAIN_KEY_ADDRESS_NOT_IN_KEYSTORE",
    `no ED25519 key for ${address} in ${keystorePath}${note}`,
  );
}

/** The keystore entry format: base64(flag || secret). */
export function toKeystoreEntry(keypair: Ed25519Keypair): string {
  const { secretKey } = decodeSuiPrivateKey(keypair.getSecretKey());
  return Buffer.concat([Buffer.from([ED25519_FLAG]), secretKey]).toString("base64");
}

/**
 * Generates a key and appends it to a keystore file (created if absent), which stays
 * readable by its owner only. The write is atomic (temp file + rename), so a crash never
 * leaves a half-written keystore that loses the other keys.
 */
export async function generateKeyIntoKeystore(
  keystorePath: string = DEFAULT_KEYSTORE_PATH,
): Promise<{ address: string; keypair: RedactedEd25519Keypair }> {
  const keypair = RedactedEd25519Keypair.from(Ed25519Keypair.generate());
  await appendToKeystore(keystorePath, keypair);
  return { address: keypair.toSuiAddress(), keypair };
}

/**
 * Adds a key to a keystore file (created if absent, kept 0600, replaced atomically so a
 * crash never loses the other keys). Returns false when the key was already there.
 */
export async function appendToKeystore(
  keystorePath: string,
  keypair: Ed25519Keypair,
): Promise<boolean> {
  let entries: string[] = [];
  try {
    entries = await readKeystoreEntries(keystorePath);
  } catch (error) {
    if (!(error instanceof ChainError && error.code === "CHAIN_KEYSTORE_MISSING")) throw error;
  }
  const entry = toKeystoreEntry(keypair);
  if (entries.includes(entry)) return false;
  entries.push(entry);
  await writeOwnerOnly(keystorePath, `${JSON.stringify(entries, null, 2)}\n`);
  return true;
}

async function writeOwnerOnly(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  // Created 0600 from the first byte: chmod after writing would leave a window.
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
    await chmod(path, 0o600);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
