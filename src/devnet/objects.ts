import { createHash } from "node:crypto";
import { bcs } from "@mysten/sui/bcs";
import { normalizeStructTag, normalizeSuiAddress, toBase58 } from "@mysten/sui/utils";

/** Who owns an object, in the shapes the devnet supports. */
export type ObjectOwner =
  | { kind: "address"; address: string }
  | { kind: "shared"; initialVersion: number }
  | { kind: "immutable" };

/** One object at one version, as stored. `contents` is the Move struct's BCS. */
export interface StoredObject {
  id: string;
  version: number;
  digest: string;
  owner: ObjectOwner;
  type: string;
  contents: Uint8Array;
  previousTransaction: string;
}

/** Types are kept in normalized form (full-length addresses) everywhere in the devnet. */
export const SUI_COIN_TYPE = normalizeStructTag("0x2::coin::Coin<0x2::sui::SUI>");
export const CLOCK_OBJECT_ID = normalizeSuiAddress("0x6");
export const CLOCK_TYPE = normalizeStructTag("0x2::clock::Clock");

/** `Coin<T> { id: UID, balance: Balance<T> }` */
export const CoinLayout = bcs.struct("Coin", { id: bcs.Address, balance: bcs.u64() });

/** `Clock { id: UID, timestamp_ms: u64 }` */
export const ClockLayout = bcs.struct("Clock", { id: bcs.Address, timestamp_ms: bcs.u64() });

export function coinBalance(object: StoredObject): bigint {
  return BigInt(CoinLayout.parse(object.contents).balance);
}

export function coinContents(id: string, balance: bigint): Uint8Array {
  return CoinLayout.serialize({ id, balance }).toBytes();
}

/**
 * Object digests only need to be unique per (id, version, contents, owner) here; the devnet
 * does not claim Sui's exact object hashing.
 */
export function objectDigest(object: Omit<StoredObject, "digest" | "previousTransaction">): string {
  const hash = createHash("sha256")
    .update(`${object.id}:${object.version}:${object.type}:${JSON.stringify(object.owner)}:`)
    .update(object.contents)
    .digest();
  return toBase58(hash);
}

/**
 * Like Sui, new object ids derive from the transaction digest and a creation counter, so
 * they are deterministic for a given transaction (the hash function differs from Sui's).
 */
export function deriveObjectId(txDigest: string, creationIndex: number): string {
  const hash = createHash("sha256").update(`object-id:${txDigest}:${creationIndex}`).digest("hex");
  return normalizeSuiAddress(hash);
}
