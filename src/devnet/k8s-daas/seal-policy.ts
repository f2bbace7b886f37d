import { bcs } from "@mysten/sui/bcs";
import { Ed25519PublicKey } from "@mysten/sui/keypairs/ed25519";
import { normalizeStructTag, normalizeSuiAddress } from "@mysten/sui/utils";
import {
  abortCode,
  decodeSealIdentity,
  NamespaceRecord,
  objectType,
  SealIdentityError,
} from "../../protocol/index.ts";
import type { MoveCallContext, MoveFunction } from "../move-runtime.ts";
import { namespaceKey, readCluster } from "./entry.ts";

/**
 * `seal_policy::seal_approve(id, &Cluster, &TxContext)`: returns nothing when the sender may
 * have the keys of Seal identity `id`, aborts otherwise. Key servers run it in simulation
 * (as Seal's key servers dry-run it on a full node); it changes nothing.
 */
export function sealPolicyModule(packageId: string): Record<string, MoveFunction> {
  const fail = (ctx: MoveCallContext, name: string, inFunction: string): never =>
    ctx.abort("seal_policy", abortCode("seal_policy", name).code, name, inFunction);
  return {
    seal_approve: {
      params: [
        { kind: "pure", name: "id", typeName: "vector<u8>", layout: bcs.byteVector() },
        {
          kind: "object",
          name: "cluster",
          type: normalizeStructTag(objectType(packageId, "Cluster")),
          mode: "ref",
        },
      ],
      run: (ctx, args) => {
        const [idArg, clusterArg] = args;
        if (idArg?.kind !== "pure" || clusterArg?.kind !== "object") {
          throw new Error("seal_approve: expected (vector<u8>, &Cluster)");
        }
        const cluster = readCluster(clusterArg);
        const id = Uint8Array.from(idArg.value as Iterable<number>);
        // In the order the Move function checks: length, cluster, then the namespace.
        if (id.length <= 32) return fail(ctx, "EInvalidIdentity", "protected_claim");
        if (!sameCluster(id, cluster.id)) return fail(ctx, "EWrongCluster", "protected_claim");
        let identity: ReturnType<typeof decodeSealIdentity>;
        try {
          identity = decodeSealIdentity(id);
        } catch (error) {
          if (!(error instanceof SealIdentityError)) throw error;
          return fail(ctx, "EInvalidIdentity", "protected_claim");
        }
        const record = ctx.getField(cluster.id, namespaceKey(identity.namespace));
        if (record === undefined) return fail(ctx, "ENoAccess", "assert_access");
        const claim = NamespaceRecord.parse(record);
        if (normalizeSuiAddress(claim.cap_id) !== identity.claimId) {
          return fail(ctx, "EStaleClaim", "assert_access");
        }
        const sender = normalizeSuiAddress(ctx.sender);
        const isOwner = normalizeSuiAddress(claim.owner) === sender;
        if (!isOwner && enclaveAddress(cluster.enclave_public_key) !== sender) {
          fail(ctx, "ENoAccess", "assert_access");
        }
        return undefined;
      },
    },
  };
}

function sameCluster(id: Uint8Array, clusterId: string): boolean {
  return (
    Buffer.from(id.subarray(0, 32)).toString("hex") === normalizeSuiAddress(clusterId).slice(2)
  );
}

/** blake2b256(0x00 || key): the Sui address of the registered ed25519 key, if there is one. */
function enclaveAddress(publicKey: Iterable<number>): string | undefined {
  const bytes = Uint8Array.from(publicKey);
  return bytes.length === 32 ? new Ed25519PublicKey(bytes).toSuiAddress() : undefined;
}
