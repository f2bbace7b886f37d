import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import type { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { ChainError } from "./errors.ts";
import { readKeystoreEntries, toKeystoreEntry } from "./keys.ts";

/**
 * Adds a key to a Sui keystore file (created if absent, kept 0600, replaced atomically so a
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
  await mkdir(dirname(keystorePath), { recursive: true, mode: 0o700 });
  const temp = `${keystorePath}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(entries, null, 2)}\n`, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, keystorePath);
    await chmod(keystorePath, 0o600);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return true;
}
