import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import {
  generateWorkerEncryptionKey,
  type WorkerEncryptionKey,
  workerEncryptionKeyFromPkcs8,
} from "../protocol/join-credential.ts";
import { WorkerError } from "./errors.ts";

const KEY_KIND = "k8s-daas-worker-encryption-key";

/**
 * The worker's x25519 key, kept in a 0600 file (PKCS#8, base64) and created on first use.
 * Its public half is registered on chain; the control plane seals the join credential to it.
 */
export function loadOrCreateWorkerKey(path: string): WorkerEncryptionKey {
  if (existsSync(path)) {
    try {
      const file = JSON.parse(readFileSync(path, "utf8")) as { kind?: string; pkcs8?: string };
      if (file.kind !== KEY_KIND || typeof file.pkcs8 !== "string") throw new Error("wrong kind");
      return workerEncryptionKeyFromPkcs8(Buffer.from(file.pkcs8, "base64"));
    } catch (error) {
      throw new WorkerError("WORKER_KEY_UNREADABLE", `${path} is not a worker key file`, {
        cause: error,
      });
    }
  }
  const key = generateWorkerEncryptionKey();
  mkdirSync(dirname(path), { recursive: true });
  const pkcs8 = key.privateKey.export({ format: "der", type: "pkcs8" }).toString("base64");
  writeFileSync(path, `${JSON.stringify({ kind: KEY_KIND, pkcs8 }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return key;
}
