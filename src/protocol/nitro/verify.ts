// Verifies a Nitro attestation document the way `0x2::nitro_attestation::
// load_nitro_attestation` does on chain, plus what `enclave::register_enclave` then checks:
// the COSE_Sign1 signature (ES384) by the document's certificate, that certificate's chain
// up to the trusted root (the AWS Nitro root unless a test gives its own), every
// certificate valid at the given time, PCR0..2 not those of a debug enclave, equal to the
// expected ones when given, and the enclave keys in `user_data` (BCS `EnclavePublicKeys`
// naming the document's `public_key`).
import { createHash, verify, X509Certificate } from "node:crypto";
import { LIMITS } from "../constants.ts";
import { decodeEnclaveUserData, type EnclavePublicKeysValue } from "../enclave-user-data.ts";
import { AttestationError } from "./attestation-error.ts";
import {
  COSE_ES384,
  imagePcrs,
  type NitroAttestationDocument,
  parseNitroAttestation,
} from "./document.ts";
import { AWS_NITRO_ROOT_PEM } from "./root.ts";

export interface VerifyOptions {
  /** The time certificates must be valid at (ms since the epoch): the chain's clock. */
  nowMs: number;
  /** PEM of the trust anchor; the AWS Nitro root when omitted (tests pass their own). */
  rootPem?: string;
  /** PCR0, PCR1, PCR2 the document must carry (as pinned with `set-pcrs`). */
  expectedPcrs?: readonly Uint8Array[];
}

export interface VerifiedAttestation {
  document: NitroAttestationDocument;
  /** PCR0, PCR1, PCR2. */
  pcrs: Uint8Array[];
  /** The enclave keys from `user_data` (BCS `EnclavePublicKeys`). */
  keys: EnclavePublicKeysValue;
}

/**
 * What `load_nitro_attestation` checks: the document parses, its chain leads to the root,
 * every certificate is valid at `nowMs`, and its signature verifies. Throws an
 * AttestationError (stable `code`) on the first failed check.
 */
export function verifyNitroDocument(
  bytes: Uint8Array,
  options: Pick<VerifyOptions, "nowMs" | "rootPem">,
): NitroAttestationDocument {
  const parsed = parseNitroAttestation(bytes);
  const { document } = parsed;
  const leaf = verifyChain(document, options.rootPem ?? AWS_NITRO_ROOT_PEM, options.nowMs);
  if (parsed.algorithm !== COSE_ES384) {
    throw new AttestationError(
      "ATTESTATION_SIGNATURE_INVALID",
      `COSE algorithm ${parsed.algorithm}, not ES384 (${COSE_ES384})`,
    );
  }
  const signatureOk = verify(
    "sha384",
    parsed.signedBytes,
    { key: leaf.publicKey, dsaEncoding: "ieee-p1363" },
    parsed.signature,
  );
  if (!signatureOk) {
    throw new AttestationError(
      "ATTESTATION_SIGNATURE_INVALID",
      "the document's signature does not verify with its certificate",
    );
  }
  return document;
}

/**
 * `verifyNitroDocument`, then what `enclave::register_enclave` checks: PCR0..2 not those of
 * a debug enclave, equal to `expectedPcrs` when given, and the enclave keys in `user_data`.
 */
export function verifyNitroAttestation(
  bytes: Uint8Array,
  options: VerifyOptions,
): VerifiedAttestation {
  const document = verifyNitroDocument(bytes, options);
  const pcrs = imagePcrs(document);
  if (pcrs.every((pcr) => pcr.every((byte) => byte === 0))) {
    throw new AttestationError(
      "ATTESTATION_DEBUG_MODE",
      "PCR0..PCR2 are all zero: the enclave runs in debug mode",
    );
  }
  if (options.expectedPcrs) checkPcrs(pcrs, options.expectedPcrs);
  const keys = attestedKeys(document);
  return { document, pcrs, keys };
}

/**
 * `enclave::register_attested_key` and `install_key`: a `public_key`, `user_data` that is
 * BCS `EnclavePublicKeys` naming it, and each value 32 bytes.
 */
function attestedKeys(document: NitroAttestationDocument): EnclavePublicKeysValue {
  const { publicKey, userData } = document;
  if (publicKey === undefined) return refuse("the document carries no public_key");
  if (userData === undefined)
    return refuse("the document carries no user_data (the enclave's keys)");
  const keys = decodeEnclaveUserData(userData);
  if (!keys) return refuse("user_data is not BCS EnclavePublicKeys (three byte vectors)");
  if (!Buffer.from(keys.public_key).equals(Buffer.from(publicKey)))
    refuse("user_data names another signing key than the document's public_key");
  const sizes: [keyof EnclavePublicKeysValue, number][] = [
    ["public_key", LIMITS.enclavePublicKeyBytes],
    ["encryption_key", LIMITS.enclaveEncryptionKeyBytes],
    ["tls_key_sha256", LIMITS.enclaveTlsKeyHashBytes],
  ];
  for (const [field, bytes] of sizes) {
    if (keys[field].length !== bytes)
      refuse(`user_data's ${field} is ${keys[field].length} bytes, not ${bytes}`);
  }
  return keys;
}

function refuse(why: string): never {
  throw new AttestationError("ATTESTATION_KEYS_INVALID", why);
}

/** Hex of each PCR that differs, so an operator sees which image part changed. */
function checkPcrs(actual: readonly Uint8Array[], expected: readonly Uint8Array[]): void {
  const differing = expected.flatMap((want, index) => {
    const got = actual[index];
    return got && Buffer.from(got).equals(want)
      ? []
      : [
          `PCR${index} is ${got ? Buffer.from(got).toString("hex") : "missing"}, expected ${Buffer.from(want).toString("hex")}`,
        ];
  });
  if (differing.length > 0) {
    throw new AttestationError("ATTESTATION_PCR_MISMATCH", differing.join("; "));
  }
}

/**
 * cabundle[0] must be the trusted root itself; each following certificate, then the
 * document's own, must be signed by the one before, which must be a CA; all valid at `nowMs`.
 * Returns the document's certificate.
 */
function verifyChain(
  document: NitroAttestationDocument,
  rootPem: string,
  nowMs: number,
): X509Certificate {
  const root = new X509Certificate(rootPem);
  const chain = [...document.cabundle, document.certificate].map((der, index) => {
    try {
      return new X509Certificate(der);
    } catch (error) {
      throw new AttestationError(
        "ATTESTATION_MALFORMED",
        `certificate ${index} of the chain is not X.509 DER`,
        { cause: error },
      );
    }
  });
  const [first] = chain;
  if (!first || !Buffer.from(first.raw).equals(root.raw)) {
    throw new AttestationError(
      "ATTESTATION_CHAIN_INVALID",
      `the chain starts at ${first ? fingerprint(first) : "nothing"}, not at the trusted root ${fingerprint(root)}`,
    );
  }
  chain.forEach((certificate, index) => {
    const issuer = chain[index - 1];
    if (issuer) {
      if (!issuer.ca || !certificate.checkIssued(issuer) || !certificate.verify(issuer.publicKey)) {
        throw new AttestationError(
          "ATTESTATION_CHAIN_INVALID",
          `certificate ${index} (${certificate.subject.replaceAll("\n", ", ")}) is not signed by the CA before it`,
        );
      }
    }
    if (nowMs < certificate.validFromDate.getTime() || nowMs > certificate.validToDate.getTime()) {
      throw new AttestationError(
        "ATTESTATION_EXPIRED",
        `certificate ${index} is valid ${certificate.validFromDate.toISOString()} to ${certificate.validToDate.toISOString()}, not at ${new Date(nowMs).toISOString()}`,
      );
    }
  });
  return chain[chain.length - 1] as X509Certificate;
}

function fingerprint(certificate: X509Certificate): string {
  return `sha256:${createHash("sha256").update(certificate.raw).digest("hex")}`;
}
