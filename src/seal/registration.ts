// A key server's operator registers it on chain (Seal's `key_server::create_and_transfer_v1`):
// clients find its URL and public key from its object id, as `@mysten/seal` does.
import type { Signer } from "@mysten/sui/cryptography";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { Transaction } from "@mysten/sui/transactions";

/** `key_type` of Boneh-Franklin IBE over BLS12-381. */
const KEY_TYPE_BF_BLS12381 = 0;

export class KeyServerRegistrationError extends Error {
  readonly code = "SEAL_KEY_SERVER_REGISTRATION_FAILED";
  constructor(message: string) {
    super(message);
    this.name = "KeyServerRegistrationError";
  }
}

/** Registers a key server; returns its `KeyServer` object id. */
export async function registerKeyServer(
  client: SuiGrpcClient,
  operator: Signer,
  server: { sealPackageId: string; name: string; url: string; publicKey: Uint8Array },
): Promise<string> {
  const tx = new Transaction();
  tx.setSender(operator.toSuiAddress());
  tx.moveCall({
    target: `${server.sealPackageId}::key_server::create_and_transfer_v1`,
    arguments: [
      tx.pure.string(server.name),
      tx.pure.string(server.url),
      tx.pure.u8(KEY_TYPE_BF_BLS12381),
      tx.pure.vector("u8", [...server.publicKey]),
    ],
  });
  const result = await client.signAndExecuteTransaction({
    transaction: tx,
    signer: operator,
    include: { effects: true, objectTypes: true },
  });
  if (result.$kind === "FailedTransaction") {
    throw new KeyServerRegistrationError(
      `registering key server ${server.name} failed: ${result.FailedTransaction.status.error?.message ?? "unknown"}`,
    );
  }
  const types = result.Transaction.objectTypes ?? {};
  const created = (result.Transaction.effects?.changedObjects ?? []).find(
    (change) =>
      change.idOperation === "Created" &&
      types[change.objectId]?.endsWith("::key_server::KeyServer"),
  );
  if (!created)
    throw new KeyServerRegistrationError("the registration created no KeyServer object");
  await client.waitForTransaction({ digest: result.Transaction.digest });
  return created.objectId;
}
