// The key server's side of Seal's Boneh-Franklin IBE on BLS12-381, as `@mysten/seal`'s
// client expects it (its dist/kdf.mjs, ibe.mjs, elgamal.mjs and key-server.mjs, read to
// learn the scheme): the master public key is msk·G2; the key of an identity is
// msk·H(id) in G1 with H = hash-to-G1 of "SUI-SEAL-IBE-BLS12381-00" || full id; it travels
// ElGamal-encrypted to the requester's one-time G1 key; the proof of possession is a
// short BLS signature (G1) over "SUI-SEAL-IBE-BLS12381-POP-00" || pk || key server id.

import { fromHex, normalizeSuiAddress } from "@mysten/sui/utils";
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { bytesToNumberBE } from "@noble/curves/utils.js";

const IDENTITY_DST = new TextEncoder().encode("SUI-SEAL-IBE-BLS12381-00");
const POP_DST = new TextEncoder().encode("SUI-SEAL-IBE-BLS12381-POP-00");
const G1 = bls12_381.G1.Point;
const G2 = bls12_381.G2.Point;
const ORDER = bls12_381.fields.Fr.ORDER;

type G1Point = InstanceType<typeof G1>;

/** A key server's master key: a BLS12-381 scalar, never outside the key server. */
export class SealMasterKey {
  readonly #scalar: bigint;
  /** msk·G2, compressed (96 bytes): what the key server registers on chain. */
  readonly publicKey: Uint8Array;

  private constructor(scalar: bigint) {
    this.#scalar = scalar;
    this.publicKey = G2.BASE.multiply(scalar).toBytes();
  }

  static generate(): SealMasterKey {
    return SealMasterKey.fromBytes(bls12_381.utils.randomSecretKey());
  }

  /** A 32-byte big-endian scalar in [1, r). */
  static fromBytes(bytes: Uint8Array): SealMasterKey {
    const scalar = bytes.length === 32 ? bytesToNumberBE(bytes) : 0n;
    if (scalar <= 0n || scalar >= ORDER) throw new Error("not a BLS12-381 scalar");
    return new SealMasterKey(scalar);
  }

  toBytes(): Uint8Array {
    return fromHex(this.#scalar.toString(16).padStart(64, "0"));
  }

  /** The key of `fullId` (package id || inner id): msk·H(fullId) in G1. */
  identityKey(fullId: Uint8Array): G1Point {
    return hashIdentity(fullId).multiply(this.#scalar);
  }

  /** Proof that this server holds the key behind `publicKey`, bound to its object id. */
  proofOfPossession(keyServerId: string): Uint8Array {
    const message = concat(POP_DST, this.publicKey, fromHex(normalizeSuiAddress(keyServerId)));
    const hashed = bls12_381.shortSignatures.hash(message);
    return bls12_381.shortSignatures.sign(hashed, this.toBytes()).toBytes();
  }
}

export function hashIdentity(fullId: Uint8Array): G1Point {
  return G1.fromAffine(bls12_381.G1.hashToCurve(concat(IDENTITY_DST, fullId)).toAffine());
}

/**
 * ElGamal in G1 to the requester's one-time key `encryptionKey` (sk·G1): (r·G1, K + r·pk).
 * Only the holder of sk recovers K = c1 − sk·c0.
 */
export function encryptToRequester(
  key: G1Point,
  encryptionKey: Uint8Array,
): [Uint8Array, Uint8Array] {
  const requester = G1.fromBytes(encryptionKey);
  const r = bytesToNumberBE(bls12_381.utils.randomSecretKey());
  return [G1.BASE.multiply(r).toBytes(), key.add(requester.multiply(r)).toBytes()];
}

/**
 * The request names its one-time key twice, sk·G1 and sk·G2; equal discrete logs
 * (e(P1, G2) = e(G1, P2)) show the requester built them from one secret, as Seal checks.
 */
export function requesterKeysMatch(
  encryptionKey: Uint8Array,
  verificationKey: Uint8Array,
): boolean {
  try {
    // e(P1, G2)·e(−G1, P2) = 1, with one final exponentiation instead of two.
    const product = bls12_381.pairingBatch([
      { g1: G1.fromBytes(encryptionKey), g2: G2.BASE },
      { g1: G1.BASE.negate(), g2: G2.fromBytes(verificationKey) },
    ]);
    return bls12_381.fields.Fp12.eql(product, bls12_381.fields.Fp12.ONE);
  } catch {
    return false;
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
