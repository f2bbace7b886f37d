// An AWS Nitro attestation document as the NSM device returns it: a COSE_Sign1 (RFC 9052)
// whose payload is a CBOR map (module_id, digest, timestamp, pcrs, certificate, cabundle,
// public_key, user_data, nonce). Parsing checks shapes only; `verifyNitroAttestation`
// checks the signature, the chain and the PCRs.
import { AttestationError } from "./attestation-error.ts";
import { type CborValue, decodeCbor, encodeCbor } from "./cbor.ts";

/** COSE algorithm id of ECDSA with SHA-384 on P-384, the one the NSM signs with. */
export const COSE_ES384 = -35;
const COSE_SIGN1_TAG = 18;
const PCR_BYTES = [32, 48, 64] as const;

export interface NitroAttestationDocument {
  moduleId: string;
  /** Milliseconds since the epoch, when the NSM made the document. */
  timestampMs: number;
  digest: string;
  /** PCR index → value (48 bytes for SHA384). */
  pcrs: ReadonlyMap<number, Uint8Array>;
  /** The signing certificate (DER). */
  certificate: Uint8Array;
  /** Root first, then intermediates (DER); the chain ends at `certificate`. */
  cabundle: readonly Uint8Array[];
  publicKey: Uint8Array | undefined;
  userData: Uint8Array | undefined;
  nonce: Uint8Array | undefined;
}

/** A parsed COSE_Sign1 with the bytes its signature covers. */
export interface ParsedAttestation {
  document: NitroAttestationDocument;
  /** The COSE `Sig_structure` bytes the signature is over. */
  signedBytes: Uint8Array;
  /** Raw r‖s (96 bytes for ES384). */
  signature: Uint8Array;
  algorithm: number;
}

const malformed = (message: string, cause?: unknown) =>
  new AttestationError(
    "ATTESTATION_MALFORMED",
    `not a Nitro attestation document: ${message}`,
    cause === undefined ? undefined : { cause },
  );

/** Parses the bytes of an attestation document (COSE_Sign1, tagged or not). */
export function parseNitroAttestation(bytes: Uint8Array): ParsedAttestation {
  let outer: CborValue;
  try {
    outer = decodeCbor(bytes);
  } catch (error) {
    throw malformed((error as Error).message, error);
  }
  if (isTagged(outer)) {
    if (outer.tag !== COSE_SIGN1_TAG) throw malformed(`CBOR tag ${outer.tag}, not COSE_Sign1`);
    outer = outer.value;
  }
  if (!Array.isArray(outer) || outer.length !== 4) throw malformed("not a COSE_Sign1 array");
  const [protectedBytes, , payload, signature] = outer;
  if (!(protectedBytes instanceof Uint8Array)) throw malformed("protected header is not bytes");
  if (!(payload instanceof Uint8Array)) throw malformed("payload is not bytes");
  if (!(signature instanceof Uint8Array)) throw malformed("signature is not bytes");
  const header = decodeNested(protectedBytes, "protected header");
  if (!(header instanceof Map)) throw malformed("protected header is not a map");
  const algorithm = header.get(1);
  if (typeof algorithm !== "number") throw malformed("protected header has no algorithm");
  const signedBytes = encodeCbor(["Signature1", protectedBytes, new Uint8Array(), payload]);
  return {
    document: readDocument(decodeNested(payload, "payload")),
    signedBytes,
    signature,
    algorithm,
  };
}

function decodeNested(bytes: Uint8Array, what: string): CborValue {
  try {
    return decodeCbor(bytes);
  } catch (error) {
    throw malformed(`${what}: ${(error as Error).message}`, error);
  }
}

function isTagged(value: CborValue): value is { tag: number; value: CborValue } {
  return (
    typeof value === "object" &&
    value !== null &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Map) &&
    !Array.isArray(value)
  );
}

function readDocument(payload: CborValue): NitroAttestationDocument {
  if (!(payload instanceof Map)) throw malformed("payload is not a map");
  const field = (name: string) => payload.get(name);
  const moduleId = field("module_id");
  const digest = field("digest");
  const timestamp = field("timestamp");
  const certificate = field("certificate");
  const cabundle = field("cabundle");
  const pcrs = field("pcrs");
  if (typeof moduleId !== "string" || moduleId === "") throw malformed("module_id missing");
  if (digest !== "SHA384") throw malformed(`digest ${String(digest)}, not SHA384`);
  if (typeof timestamp !== "number" || timestamp <= 0) throw malformed("timestamp missing");
  if (!(certificate instanceof Uint8Array) || certificate.length === 0) {
    throw malformed("certificate missing");
  }
  if (
    !Array.isArray(cabundle) ||
    cabundle.length === 0 ||
    !cabundle.every((c) => c instanceof Uint8Array && c.length > 0)
  ) {
    throw malformed("cabundle is not a list of certificates");
  }
  if (!(pcrs instanceof Map) || pcrs.size === 0 || pcrs.size > 32) {
    throw malformed("pcrs is not a map of 1..32 entries");
  }
  const pcrValues = new Map<number, Uint8Array>();
  for (const [index, value] of pcrs) {
    if (typeof index !== "number" || index < 0 || index >= 32) {
      throw malformed(`PCR index ${String(index)}`);
    }
    if (
      !(value instanceof Uint8Array) ||
      !(PCR_BYTES as readonly number[]).includes(value.length)
    ) {
      throw malformed(`PCR${index} is not 32, 48 or 64 bytes`);
    }
    pcrValues.set(index, value);
  }
  return {
    moduleId,
    timestampMs: timestamp,
    digest,
    pcrs: pcrValues,
    certificate,
    cabundle: cabundle as Uint8Array[],
    publicKey: optionalBytes(field("public_key"), "public_key", 1024),
    userData: optionalBytes(field("user_data"), "user_data", 512),
    nonce: optionalBytes(field("nonce"), "nonce", 512),
  };
}

/** Absent or null is `undefined`; AWS caps public_key at 1024 bytes, user_data and nonce at 512. */
function optionalBytes(value: CborValue, name: string, max: number): Uint8Array | undefined {
  if (value === undefined || value === null) return undefined;
  if (!(value instanceof Uint8Array) || value.length > max) {
    throw malformed(`${name} is not at most ${max} bytes`);
  }
  return value;
}

/** PCR0, PCR1, PCR2 (image, kernel+boot, application), the ones the chain pins. */
export function imagePcrs(document: NitroAttestationDocument): Uint8Array[] {
  return [0, 1, 2].map((index) => {
    const value = document.pcrs.get(index);
    if (!value) throw malformed(`PCR${index} missing`);
    return value;
  });
}
