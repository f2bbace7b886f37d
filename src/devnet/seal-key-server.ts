// Seal's on-chain key-server registry as the devnet runs it: the `key_server` module of
// Seal's Move package, reduced to what a key server operator calls to register
// (`create_and_transfer_v1`) and what `@mysten/seal`'s client reads back — the `KeyServer`
// object and its version-1 dynamic field `KeyServerV1 { name, url, key_type, pk }`, at the
// object id Sui derives for a `u64` field name, so `client.core.getDynamicField` finds it.
import { bcs } from "@mysten/sui/bcs";
import { deriveDynamicFieldID, normalizeSuiAddress } from "@mysten/sui/utils";
import type { MoveFunction, MovePackage } from "./move-runtime.ts";

/** Where the devnet hosts Seal's key-server package ("seal" in ASCII). */
export const SEAL_PACKAGE_ID = normalizeSuiAddress("0x7365616c");

/** `key_server::KeyServer`: the object a key server's operator owns. */
export const KeyServerLayout = bcs.struct("KeyServer", {
  id: bcs.Address,
  first_version: bcs.u64(),
  last_version: bcs.u64(),
});

/** `key_server::KeyServerV1`, the value of the `u64` field `1`. */
export const KeyServerV1Layout = bcs.struct("KeyServerV1", {
  name: bcs.string(),
  url: bcs.string(),
  key_type: bcs.u8(),
  pk: bcs.byteVector(),
});

/** `key_type` of Boneh-Franklin IBE over BLS12-381, the only one Seal defines. */
const KEY_TYPE_BF_BLS12381 = 0;
/** A BLS12-381 G2 public key, compressed. */
const G2_PUBLIC_KEY_BYTES = 96;
const VERSION_1 = 1n;

/** Seal's `key_server` module: `create_and_transfer_v1(name, url, key_type, pk)`. */
export function sealKeyServerPackage(): MovePackage {
  const pure = (
    name: string,
    layout: typeof bcs.string | typeof bcs.u8 | typeof bcs.byteVector,
  ) => {
    const schema = layout();
    return { kind: "pure" as const, name, typeName: schema.name, layout: schema };
  };
  const createAndTransferV1: MoveFunction = {
    params: [
      pure("name", bcs.string),
      pure("url", bcs.string),
      pure("key_type", bcs.u8),
      pure("pk", bcs.byteVector),
    ],
    run: (ctx, args) => {
      const values = args.map((arg) => (arg.kind === "pure" ? arg.value : undefined));
      const [name, url, keyType, pk] = values as [string, string, number, Iterable<number>];
      const publicKey = Uint8Array.from(pk);
      // Seal's module aborts EInvalidKeyType / EInvalidKeyLength (codes 2 and 3 there).
      if (keyType !== KEY_TYPE_BF_BLS12381) ctx.abort("key_server", 2, "EInvalidKeyType");
      if (publicKey.length !== G2_PUBLIC_KEY_BYTES) ctx.abort("key_server", 3, "EInvalidKeyLength");
      const id = ctx.newId();
      ctx.createObject(
        id,
        `${SEAL_PACKAGE_ID}::key_server::KeyServer`,
        KeyServerLayout.serialize({
          id,
          first_version: VERSION_1,
          last_version: VERSION_1,
        }).toBytes(),
        { kind: "address", address: ctx.sender },
      );
      const nameBcs = bcs.u64().serialize(VERSION_1).toBytes();
      const fieldId = deriveDynamicFieldID(id, "u64", nameBcs);
      const value = KeyServerV1Layout.serialize({
        name,
        url,
        key_type: keyType,
        pk: publicKey,
      }).toBytes();
      ctx.createObject(
        fieldId,
        `0x2::dynamic_field::Field<u64, ${SEAL_PACKAGE_ID}::key_server::KeyServerV1>`,
        new Uint8Array([...bcs.Address.serialize(fieldId).toBytes(), ...nameBcs, ...value]),
        // Owned by the KeyServer object, as a dynamic field is.
        { kind: "address", address: id },
      );
      return undefined;
    },
  };
  return {
    id: SEAL_PACKAGE_ID,
    modules: { key_server: { create_and_transfer_v1: createAndTransferV1 } },
  };
}
