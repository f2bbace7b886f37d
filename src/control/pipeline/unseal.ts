import type { RequestOutcome } from "../../k8s/operations.ts";
import {
  openRequestPayload,
  parseReplyKeyPayload,
  SEALED_OUTPUT_FIELD,
  SealedPayloadError,
  type SealedPayloadErrorCode,
  sealOutput,
  type X25519KeyPair,
} from "../../protocol/index.ts";
import type { TenantRequest } from "../tenant-request.ts";
import { outputJson, refusal } from "./outcome.ts";

/** What the unseal step needs: the enclave's encryption key and the cluster's rule. */
export interface SealingOptions {
  /** The enclave's X25519 key pair, the one registered on chain now. */
  encryptionKey: X25519KeyPair;
  /** `cluster::require_sealed`, as last read from the chain. */
  requireSealed: () => boolean;
}

/** A request ready for admission, and how its outcome is to be answered. */
export type Unsealed<T extends TenantRequest> =
  | {
      ok: true;
      /** The request with its payload in the clear (memory only: never stored, never logged). */
      request: T;
      /** Turns the outcome into what is stored, served and summarised on chain. */
      answer: (outcome: RequestOutcome) => RequestOutcome;
    }
  | { ok: false; refusal: RequestOutcome };

/** Status of each way a payload fails to open: the tenant's fault, not the control plane's. */
const UNSEAL_STATUS: Partial<Record<SealedPayloadErrorCode, number>> = {
  SEALED_PAYLOAD_MALFORMED: 400,
  SEALED_PAYLOAD_UNREADABLE: 403,
  // The payload was sealed to an enclave key that has since been rotated away: the client
  // re-seals to the key now on chain and submits again.
  SEALED_PAYLOAD_STALE_KEY: 409,
};

const SEALED_SUMMARY = "details are in the sealed output";
const WITHHELD = {
  withheld:
    "the request was sealed and named no reply key: its output stays inside the enclave, so it never reaches the chain or this API in the clear",
};

/**
 * The pipeline step before admission: opens a sealed payload with the enclave's encryption
 * key (the chain's `sealed` flag says which payloads are), refuses a plaintext one on a
 * cluster that requires sealing, and reads the reply key a request names. A payload that
 * does not open is a failed result with its stable code (`SEALED_PAYLOAD_*`), never an
 * exception. For a sealed request the answer keeps the payload's secrets off the record:
 * its full output is sealed to its reply key (or withheld without one), and a failure's
 * summary — which goes on chain and may quote the manifest — is replaced by its code.
 */
export function unsealRequest<T extends TenantRequest>(
  request: T,
  options: SealingOptions,
): Unsealed<T> {
  try {
    if (request.sealed === true) return openSealed(request, options.encryptionKey);
    return openPlain(request, options);
  } catch (error) {
    if (!(error instanceof SealedPayloadError)) throw error;
    return {
      ok: false,
      refusal: refusal(UNSEAL_STATUS[error.code] ?? 400, error.code, error.message),
    };
  }
}

function openSealed<T extends TenantRequest>(request: T, key: X25519KeyPair): Unsealed<T> {
  const { body, replyKey } = openRequestPayload(key, request.payload, {
    clusterId: request.clusterId,
    requester: request.requester,
    namespace: request.namespace,
    method: request.method,
    resource: request.resource,
    name: request.name,
  });
  return {
    ok: true,
    request: { ...request, payload: body },
    answer: (outcome) => {
      const kept = {
        statusCode: outcome.statusCode,
        ...(outcome.errorCode ? { errorCode: outcome.errorCode } : {}),
        summary: outcome.errorCode ? SEALED_SUMMARY : outcome.summary,
      };
      return {
        ...kept,
        output: replyKey ? sealedOutput(request, replyKey, outcome) : WITHHELD,
      };
    },
  };
}

function openPlain<T extends TenantRequest>(request: T, options: SealingOptions): Unsealed<T> {
  const replyKey =
    request.method === "GET" && request.payload.length > 0
      ? parseReplyKeyPayload(request.payload)
      : undefined;
  if (replyKey) {
    return {
      ok: true,
      request: { ...request, payload: new Uint8Array() },
      answer: (outcome) => ({ ...outcome, output: sealedOutput(request, replyKey, outcome) }),
    };
  }
  if (options.requireSealed() && request.payload.length > 0) {
    return {
      ok: false,
      refusal: refusal(
        403,
        "SEALING_REQUIRED",
        "this cluster requires request payloads sealed to the enclave's encryption key (requests::submit_sealed)",
      ),
    };
  }
  return { ok: true, request, answer: (outcome) => outcome };
}

/** The full result document, sealed to the reply key and bound to this request. */
function sealedOutput(
  request: TenantRequest,
  replyKey: Uint8Array,
  outcome: RequestOutcome,
): Record<string, string> {
  const sealed = sealOutput(replyKey, Buffer.from(outputJson(outcome), "utf8"), {
    clusterId: request.clusterId,
    requestId: request.requestId,
  });
  return { [SEALED_OUTPUT_FIELD]: Buffer.from(sealed).toString("base64") };
}
