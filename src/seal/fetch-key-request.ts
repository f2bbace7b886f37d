// A `POST /v1/fetch_key` body as `@mysten/seal`'s client sends it (key-server.mjs's
// fetchKeysForAllIds, session-key.mjs): validated once here, with every signature checked,
// before the access policy is evaluated.
import { bcs } from "@mysten/sui/bcs";
import { Ed25519PublicKey } from "@mysten/sui/keypairs/ed25519";
import { fromBase64, isValidSuiAddress, normalizeSuiAddress } from "@mysten/sui/utils";
import { verifyPersonalMessageSignature } from "@mysten/sui/verify";
import { KeyServerError } from "./errors.ts";
import { requesterKeysMatch } from "./master-key.ts";

/** Seal's longest session: 30 minutes. */
const MAX_TTL_MIN = 30;
/** A certificate may be dated this far in the future (the requester's clock runs ahead). */
const CLOCK_SKEW_MS = 30_000;
const SEAL_APPROVE_PREFIX = "seal_approve";

/** What the session key signs for each request (session-key.mjs's RequestFormat). */
const RequestFormat = bcs.struct("RequestFormat", {
  ptb: bcs.byteVector(),
  encKey: bcs.byteVector(),
  encVerificationKey: bcs.byteVector(),
});

/** A fetch_key request whose signatures hold. */
export interface VerifiedFetchKey {
  /** The address the session key speaks for: the dry run's sender. */
  user: string;
  /** The package of every `seal_approve*` call, as the ids are namespaced by it. */
  packageId: string;
  /** Inner identities, in call order. */
  ids: Uint8Array[];
  /** BCS of the ProgrammableTransaction (no TransactionKind tag). */
  ptb: Uint8Array;
  /** The requester's one-time ElGamal key in G1. */
  encryptionKey: Uint8Array;
}

interface Certificate {
  user: string;
  session_vk: string;
  creation_time: number;
  ttl_min: number;
  signature: string;
  mvr_name?: string;
}

export async function verifyFetchKeyRequest(
  body: unknown,
  nowMs: number,
): Promise<VerifiedFetchKey> {
  if (!isRecord(body))
    throw new KeyServerError("InvalidParameter", "the body is not a JSON object");
  const ptb = base64Field(body, "ptb");
  const encryptionKey = base64Field(body, "enc_key");
  const verificationKey = base64Field(body, "enc_verification_key");
  const requestSignature = base64Field(body, "request_signature");
  const certificate = readCertificate(body.certificate);
  const { packageId, ids } = sealApproveCalls(ptb);

  if (certificate.ttl_min < 1 || certificate.ttl_min > MAX_TTL_MIN) {
    throw new KeyServerError("InvalidCertificate", `ttl_min must be 1..=${MAX_TTL_MIN}`);
  }
  const expiresAt = certificate.creation_time + certificate.ttl_min * 60_000;
  if (certificate.creation_time > nowMs + CLOCK_SKEW_MS || nowMs >= expiresAt) {
    throw new KeyServerError(
      "InvalidCertificate",
      "the session key has expired or is not valid yet",
    );
  }
  const sessionKeyBytes = decodeBase64(certificate.session_vk, "certificate.session_vk");
  let sessionKey: Ed25519PublicKey;
  try {
    sessionKey = new Ed25519PublicKey(sessionKeyBytes);
  } catch {
    throw new KeyServerError("InvalidParameter", "certificate.session_vk is not an ed25519 key");
  }
  const message = new TextEncoder().encode(
    `Accessing keys of package ${certificate.mvr_name ?? packageId} for ${certificate.ttl_min} mins from ${utcMinute(certificate.creation_time)}, session key ${certificate.session_vk}`,
  );
  try {
    await verifyPersonalMessageSignature(message, certificate.signature, {
      address: certificate.user,
    });
  } catch {
    throw new KeyServerError(
      "InvalidSignature",
      "the user's signature on the session key does not verify",
    );
  }
  const signed = RequestFormat.serialize({
    ptb,
    encKey: encryptionKey,
    encVerificationKey: verificationKey,
  }).toBytes();
  if (!(await sessionKey.verify(signed, requestSignature))) {
    throw new KeyServerError(
      "InvalidSessionSignature",
      "the request is not signed by the session key",
    );
  }
  if (!requesterKeysMatch(encryptionKey, verificationKey)) {
    throw new KeyServerError(
      "InvalidParameter",
      "enc_key and enc_verification_key do not share a secret",
    );
  }
  return { user: normalizeSuiAddress(certificate.user), packageId, ids, ptb, encryptionKey };
}

/**
 * Seal's rule for the PTB: only calls to `seal_approve*` functions of one package, each
 * with its identity as the first argument, a pure `vector<u8>` input.
 */
function sealApproveCalls(ptbBytes: Uint8Array): { packageId: string; ids: Uint8Array[] } {
  let ptb: ReturnType<typeof bcs.ProgrammableTransaction.parse>;
  try {
    ptb = bcs.ProgrammableTransaction.parse(ptbBytes);
  } catch {
    throw new KeyServerError("InvalidPTB", "ptb is not a BCS ProgrammableTransaction");
  }
  if (ptb.commands.length === 0) throw new KeyServerError("InvalidPTB", "the PTB has no commands");
  let packageId: string | undefined;
  const ids: Uint8Array[] = [];
  for (const command of ptb.commands) {
    const call = command.MoveCall;
    if (!call?.function.startsWith(SEAL_APPROVE_PREFIX)) {
      throw new KeyServerError("InvalidPTB", "every command must call a seal_approve* function");
    }
    const callPackage = normalizeSuiAddress(call.package);
    if (packageId !== undefined && packageId !== callPackage) {
      throw new KeyServerError("InvalidPTB", "all seal_approve calls must be of one package");
    }
    packageId = callPackage;
    const first = call.arguments[0];
    const input = first?.Input !== undefined ? ptb.inputs[first.Input] : undefined;
    if (!input?.Pure) {
      throw new KeyServerError(
        "InvalidPTB",
        "the first argument of seal_approve must be a pure identity",
      );
    }
    try {
      ids.push(Uint8Array.from(bcs.byteVector().parse(fromBase64(input.Pure.bytes))));
    } catch {
      throw new KeyServerError("InvalidPTB", "the identity is not a BCS vector<u8>");
    }
  }
  return { packageId: packageId as string, ids };
}

/** "YYYY-MM-DD HH:MM:SS UTC", as the client formats the session's start. */
function utcMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

function readCertificate(value: unknown): Certificate {
  if (!isRecord(value)) throw new KeyServerError("InvalidParameter", "certificate is missing");
  const { user, session_vk, creation_time, ttl_min, signature, mvr_name } = value;
  if (typeof user !== "string" || !isValidSuiAddress(user)) {
    throw new KeyServerError("InvalidParameter", "certificate.user is not a Sui address");
  }
  if (typeof session_vk !== "string" || typeof signature !== "string") {
    throw new KeyServerError(
      "InvalidParameter",
      "certificate.session_vk and signature must be strings",
    );
  }
  if (!Number.isSafeInteger(creation_time) || !Number.isSafeInteger(ttl_min)) {
    throw new KeyServerError(
      "InvalidParameter",
      "certificate.creation_time and ttl_min must be integers",
    );
  }
  if (mvr_name !== undefined && mvr_name !== null) {
    throw new KeyServerError("InvalidParameter", "this key server resolves no MVR names");
  }
  return {
    user,
    session_vk,
    creation_time: creation_time as number,
    ttl_min: ttl_min as number,
    signature,
  };
}

function base64Field(body: Record<string, unknown>, name: string): Uint8Array {
  const value = body[name];
  if (typeof value !== "string") throw new KeyServerError("InvalidParameter", `${name} is missing`);
  return decodeBase64(value, name);
}

function decodeBase64(value: string, name: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw new KeyServerError("InvalidParameter", `${name} is not base64`);
  }
  return fromBase64(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
