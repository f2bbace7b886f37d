// The Seal identities `seal_policy::seal_approve` accepts (move/sources/seal_policy.move):
//
//   cluster id (32 bytes) || namespace length (1 byte) || namespace (UTF-8)
//     || claim (the NamespaceCap's id, 32 bytes) || nonce
//
// The prefix says what the secret belongs to, so the key servers (through the policy) and
// the enclave (before it writes a Secret) can both tell whose it is; the claim keeps a
// namespace claimed again by someone else from opening the old secrets; the nonce gives
// each secret a key of its own.
import { randomBytes } from "node:crypto";
import { fromHex, normalizeSuiAddress, toHex } from "@mysten/sui/utils";

const ID_BYTES = 32;
/** A namespace is a DNS-1123 label (at most 63 bytes); the length byte allows up to 255. */
const MAX_NAMESPACE_BYTES = 255;
const NONCE_BYTES = 16;

/** What a Seal identity protects. */
export interface SealIdentity {
  clusterId: string;
  namespace: string;
  /** The id of the NamespaceCap of the claim the secret belongs to. */
  claimId: string;
  nonce: Uint8Array;
}

export class SealIdentityError extends Error {
  readonly code = "SEAL_IDENTITY_INVALID";
  constructor(message: string) {
    super(message);
    this.name = "SealIdentityError";
  }
}

/** The identity bytes of a new secret of a claim of `namespace` in `clusterId` (a fresh nonce). */
export function newSealIdentity(clusterId: string, namespace: string, claimId: string): Uint8Array {
  return encodeSealIdentity({ clusterId, namespace, claimId, nonce: randomBytes(NONCE_BYTES) });
}

export function encodeSealIdentity(identity: SealIdentity): Uint8Array {
  const cluster = fromHex(normalizeSuiAddress(identity.clusterId));
  const namespace = new TextEncoder().encode(identity.namespace);
  if (namespace.length === 0 || namespace.length > MAX_NAMESPACE_BYTES) {
    throw new SealIdentityError(`namespace must be 1..=${MAX_NAMESPACE_BYTES} bytes`);
  }
  const claim = fromHex(normalizeSuiAddress(identity.claimId));
  const out = new Uint8Array(2 * ID_BYTES + 1 + namespace.length + identity.nonce.length);
  out.set(cluster);
  out[ID_BYTES] = namespace.length;
  out.set(namespace, ID_BYTES + 1);
  out.set(claim, ID_BYTES + 1 + namespace.length);
  out.set(identity.nonce, 2 * ID_BYTES + 1 + namespace.length);
  return out;
}

/** Reads an identity as `seal_approve` does; throws SealIdentityError where it would abort. */
export function decodeSealIdentity(bytes: Uint8Array): SealIdentity {
  if (bytes.length <= ID_BYTES) {
    throw new SealIdentityError("the identity is not longer than a cluster id");
  }
  const length = bytes[ID_BYTES] as number;
  const start = ID_BYTES + 1;
  if (length === 0 || bytes.length < start + length + ID_BYTES) {
    throw new SealIdentityError("the identity's namespace and claim run past its end");
  }
  let namespace: string;
  try {
    namespace = new TextDecoder("utf-8", { fatal: true }).decode(
      bytes.subarray(start, start + length),
    );
  } catch {
    throw new SealIdentityError("the identity's namespace is not UTF-8");
  }
  const claimStart = start + length;
  return {
    clusterId: normalizeSuiAddress(toHex(bytes.subarray(0, ID_BYTES))),
    namespace,
    claimId: normalizeSuiAddress(toHex(bytes.subarray(claimStart, claimStart + ID_BYTES))),
    nonce: bytes.slice(claimStart + ID_BYTES),
  };
}
