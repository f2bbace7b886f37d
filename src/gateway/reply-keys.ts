import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  openOutput,
  SealedPayloadError,
  sealedOutputOf,
  type X25519KeyPair,
  x25519KeyPairFromPkcs8,
  x25519Pkcs8,
} from "../protocol/index.ts";

import { GatewayError } from "./errors.ts";

/**
 * The one-time X25519 keys the CLI names in sealed requests, kept so `k8s-daas result` (and
 * `get`) can open the output the enclave sealed to them. One 0600 file per request, under
 * `<context's data dir>/reply-keys/<cluster id>/<request id>.key` (PKCS#8 DER): only this user on this
 * machine can read a request's full output.
 */
export class ReplyKeys {
  readonly #dir: string;

  constructor(connection: { clusterId: string; dataDir: string }) {
    this.#dir = join(connection.dataDir, "reply-keys", connection.clusterId);
  }

  path(requestId: bigint | string): string {
    return join(this.#dir, `${requestId}.key`);
  }

  save(requestId: bigint | string, key: X25519KeyPair): void {
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    const path = this.path(requestId);
    writeFileSync(path, x25519Pkcs8(key), { mode: 0o600 });
    chmodSync(path, 0o600);
  }

  load(requestId: bigint | string): X25519KeyPair | undefined {
    const path = this.path(requestId);
    if (!existsSync(path)) return undefined;
    try {
      return x25519KeyPairFromPkcs8(readFileSync(path));
    } catch (error) {
      throw new GatewayError("REPLY_KEY_UNREADABLE", `${path} holds no X25519 key`, {
        cause: error,
      });
    }
  }
}

/** A result document as nautilus-control serves it (`/v1/requests/:id/output`). */
export interface ResultDocument {
  statusCode: number;
  errorCode?: string;
  summary: string;
  output: unknown;
}

/**
 * The result of request `requestId` as its requester sees it: the served document, or — when
 * its output is sealed to the request's reply key — the document inside, opened with the key
 * kept for it. The served bytes (whose sha256 is on chain) are checked by the caller.
 */
export function openResult(
  keys: ReplyKeys,
  context: { clusterId: string; requestId: bigint },
  served: ResultDocument,
): { document: ResultDocument; sealed: boolean } {
  const sealed = sealedOutputOf(served.output);
  if (!sealed) return { document: served, sealed: false };
  const key = keys.load(context.requestId);
  if (!key) {
    throw new GatewayError(
      "REPLY_KEY_MISSING",
      `the output of request ${context.requestId} is sealed to a one-time key this machine does not hold (${keys.path(context.requestId)})`,
      { hint: "only the machine (and data dir) that sent the request can open its output" },
    );
  }
  try {
    const plain = openOutput(key, sealed, context);
    return { document: JSON.parse(Buffer.from(plain).toString("utf8")), sealed: true };
  } catch (error) {
    if (error instanceof SealedPayloadError) {
      throw new GatewayError(error.code, error.message, { cause: error });
    }
    throw new GatewayError("SEALED_OUTPUT_MALFORMED", "the opened output is not a JSON document", {
      cause: error,
    });
  }
}
