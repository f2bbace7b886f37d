// A devnet listening on 127.0.0.1 with one cluster whose dev enclave keys (signing,
// encryption, TLS key hash) are registered: for tests that run the CLI against a control
// plane served with that enclave's TLS key, so the CLI pins it from the chain as it does
// in production.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { createClusterWithDevEnclave } from "../../src/chain/index.ts";
import { type Devnet, openDevnet } from "../../src/devnet/index.ts";
import { type EnclaveSigner, loadDevEnclaveSigner } from "../../src/tee/index.ts";

export interface EnclaveChain {
  devnet: Devnet;
  /** `http://127.0.0.1:<port>` of the devnet, for `--network`. */
  url: string;
  client: SuiGrpcClient;
  packageId: string;
  clusterId: string;
  adminCapId: string;
  admin: Ed25519Keypair;
  enclave: EnclaveSigner;
  close(): Promise<void>;
}

export async function openEnclaveChain(): Promise<EnclaveChain> {
  const devnet = await openDevnet({ listen: { port: 0 } });
  const client = new SuiGrpcClient({ network: "localnet", transport: devnet.transport });
  const admin = Ed25519Keypair.generate();
  await devnet.faucet(admin.toSuiAddress(), 1_000_000_000_000n);
  const enclave = loadDevEnclaveSigner(
    join(mkdtempSync(join(tmpdir(), "k8s-daas-enclave-")), "enclave.json"),
  );
  const { clusterId, adminCapId } = await createClusterWithDevEnclave(
    client,
    devnet.packageId,
    admin,
    enclave,
    "tls",
  );
  return {
    devnet,
    url: devnet.url ?? "",
    client,
    packageId: devnet.packageId,
    clusterId,
    adminCapId,
    admin,
    enclave,
    close: () => devnet.close(),
  };
}
