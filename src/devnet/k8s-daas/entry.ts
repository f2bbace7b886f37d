import { bcs } from "@mysten/sui/bcs";
import { normalizeStructTag } from "@mysten/sui/utils";
import {
  abortCode,
  CALLS,
  type CallName,
  type MoveModule,
  NITRO_ATTESTATION_DOCUMENT_TYPE,
} from "../../protocol/index.ts";
import { ClusterObject, objectType } from "../../protocol/objects.ts";
import type {
  MoveArg,
  MoveCallContext,
  MoveFunction,
  MoveParam,
  ObjectArg,
} from "../move-runtime.ts";
import { CLOCK_TYPE, CoinLayout, SUI_COIN_TYPE } from "../objects.ts";

export type ClusterValue = ReturnType<typeof ClusterObject.parse>;

/** Named access to a call's arguments, in the order `src/protocol` declares them. */
export interface CallArgs {
  string(name: string): string;
  bytes(name: string): Uint8Array;
  u64(name: string): bigint;
  /** A `vector<String>`. */
  strings(name: string): string[];
  /** A `vector<u64>` or `vector<u128>`. */
  bigints(name: string): bigint[];
  number(name: string): number;
  bool(name: string): boolean;
  address(name: string): string;
  object(name: string): ObjectArg;
  /** The BCS of a struct value argument (a NitroAttestationDocument). */
  value(name: string): Uint8Array;
}

export interface CallScope {
  ctx: MoveCallContext;
  args: CallArgs;
  /**
   * Aborts with `module`'s named constant, with the code from the protocol's table.
   * `inFunction` names the Move function that asserts it when that is not the called one
   * (a shared check such as `cluster::assert_admin`), so the location matches the chain's.
   */
  fail(module: MoveModule, name: string, inFunction?: string): never;
}

/**
 * Declares a devnet implementation of one of the package's functions. Parameters come from
 * `src/protocol`'s call table, so the devnet checks arguments exactly as the chain would.
 * `run` returns the BCS of the function's return value, if it has one (later commands of
 * the PTB and simulation see it, as on chain).
 */
export function entry(
  packageId: string,
  name: CallName,
  // biome-ignore lint/suspicious/noConfusingVoidType: most functions return nothing
  run: (scope: CallScope) => Uint8Array | void,
): MoveFunction {
  const descriptor = CALLS[name];
  const params: MoveParam[] = descriptor.params.map((param): MoveParam => {
    switch (param.kind) {
      case "pure":
        return { kind: "pure", name: param.name, typeName: param.bcs.name, layout: param.bcs };
      case "object":
        return {
          kind: "object",
          name: param.name,
          type: normalizeStructTag(objectType(packageId, param.type)),
          mode: param.pass,
        };
      case "coin":
        return { kind: "object", name: param.name, type: SUI_COIN_TYPE, mode: "value" };
      case "clock":
        return { kind: "object", name: param.name, type: CLOCK_TYPE, mode: "ref" };
      default:
        // `attestation`: the NitroAttestationDocument an earlier command returned.
        return { kind: "value", name: param.name, type: NITRO_ATTESTATION_DOCUMENT_TYPE };
    }
  });
  return {
    params,
    run: (ctx, values) => {
      const byName = new Map<string, MoveArg>();
      params.forEach((param, index) => {
        const value = values[index];
        if (value) byName.set(param.name, value);
      });
      const pure = (key: string): unknown => {
        const value = byName.get(key);
        if (value?.kind !== "pure") throw new Error(`${name}: ${key} is not a pure argument`);
        return value.value;
      };
      const args: CallArgs = {
        string: (key) => pure(key) as string,
        bytes: (key) => Uint8Array.from(pure(key) as Iterable<number>),
        u64: (key) => BigInt(pure(key) as string),
        strings: (key) => [...(pure(key) as Iterable<string>)],
        bigints: (key) => [...(pure(key) as Iterable<string | number>)].map(BigInt),
        number: (key) => Number(pure(key)),
        bool: (key) => pure(key) === true,
        address: (key) => pure(key) as string,
        object: (key) => {
          const value = byName.get(key);
          if (value?.kind !== "object") throw new Error(`${name}: ${key} is not an object`);
          return value;
        },
        value: (key) => {
          const value = byName.get(key);
          if (value?.kind !== "value") throw new Error(`${name}: ${key} is not a struct value`);
          return value.bytes;
        },
      };
      const fail = (module: MoveModule, constant: string, inFunction?: string): never =>
        ctx.abort(module, abortCode(module, constant).code, constant, inFunction);
      const returned = run({ ctx, args, fail });
      return returned ? [{ kind: "pure", bytes: returned }] : undefined;
    },
  };
}

export function readCluster(arg: ObjectArg): ClusterValue {
  return ClusterObject.parse(arg.contents());
}

export function writeCluster(arg: ObjectArg, cluster: ClusterValue): void {
  arg.setContents(ClusterObject.serialize(cluster).toBytes());
}

/** `coin::value` then `coin::into_balance`: the coin leaves storage, its value stays. */
export function takeCoin(coin: ObjectArg): bigint {
  const value = BigInt(CoinLayout.parse(coin.contents()).balance);
  coin.delete();
  return value;
}

export function coinValue(coin: ObjectArg): bigint {
  return BigInt(CoinLayout.parse(coin.contents()).balance);
}

/** Dynamic-field names: the key struct's type and its BCS, so kinds never collide. */
export function fieldName(keyType: string, keyBcs: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(`${keyType}:`);
  const out = new Uint8Array(prefix.length + keyBcs.length);
  out.set(prefix);
  out.set(keyBcs, prefix.length);
  return out;
}

export const requestKey = (requestId: bigint) =>
  fieldName("requests::RequestKey", bcs.u64().serialize(requestId).toBytes());
export const namespaceKey = (namespace: string) =>
  fieldName("tenancy::NamespaceKey", bcs.string().serialize(namespace).toBytes());
export const workerKey = (nodeId: string) =>
  fieldName("workers::WorkerKey", bcs.string().serialize(nodeId).toBytes());
export const billingPricesKey = () => fieldName("billing::PricesKey", new Uint8Array([0]));
export const billingLedgerKey = () => fieldName("billing::LedgerKey", new Uint8Array([0]));
export const billingPendingKey = () => fieldName("billing::PendingKey", new Uint8Array([0]));
export const escrowKey = (namespace: string) =>
  fieldName("billing::EscrowKey", bcs.string().serialize(namespace).toBytes());
export const earningsKey = (nodeId: string) =>
  fieldName("billing::EarningsKey", bcs.string().serialize(nodeId).toBytes());

export { ed25519Verify } from "../signatures.ts";

/** UTF-8 byte length, which is what Move's `String::length` counts. */
export function byteLength(value: string): number {
  return Buffer.byteLength(value, "utf8");
}
