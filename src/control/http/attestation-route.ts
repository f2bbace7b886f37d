import type { ServerResponse } from "node:http";
import { sendJson } from "./serve.ts";

/** Asks the NSM for a fresh attestation document of the enclave's keys. */
export type Attest = (nonce?: Uint8Array) => Promise<Uint8Array>;

/** AWS caps an attestation request's nonce at 512 bytes. */
const MAX_NONCE_BYTES = 512;

/**
 * `GET /get_attestation[?nonce=HEX]`, as Mysten's Nautilus template serves it:
 * `{"attestation": "<hex of the COSE_Sign1 document>"}`, whose `user_data` holds the
 * enclave's keys (BCS `EnclavePublicKeys`); `k8s-daas cluster enclave register
 * --attestation FILE` takes that JSON as it is. Without Nitro (a dev key) there is nothing
 * to attest: 404 NOT_ATTESTED, so no one mistakes a dev key for an attested one.
 */
export async function serveAttestation(
  attest: Attest | undefined,
  url: URL,
  res: ServerResponse,
): Promise<void> {
  if (!attest) {
    return sendJson(res, 404, {
      error: "NOT_ATTESTED",
      message:
        "this control plane signs with a DEV enclave key, outside a Nitro Enclave: there is no attestation",
    });
  }
  const nonceHex = url.searchParams.get("nonce");
  if (
    nonceHex !== null &&
    (!/^([0-9a-fA-F]{2})+$/.test(nonceHex) || nonceHex.length > MAX_NONCE_BYTES * 2)
  ) {
    return sendJson(res, 400, {
      error: "NONCE_INVALID",
      message: `nonce must be 1..${MAX_NONCE_BYTES} bytes of hex`,
    });
  }
  try {
    const document = await attest(
      nonceHex === null ? undefined : new Uint8Array(Buffer.from(nonceHex, "hex")),
    );
    return sendJson(res, 200, { attestation: Buffer.from(document).toString("hex") });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return sendJson(res, 503, {
      error: typeof code === "string" ? code : "NSM_UNAVAILABLE",
      message: error instanceof Error ? error.message : String(error),
    });
  }
}
