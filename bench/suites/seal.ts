import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { claimNamespace, createClusterWithDevEnclave } from "../../src/chain/k8s-daas.ts";
import { openDevnet, SEAL_PACKAGE_ID } from "../../src/devnet/index.ts";
import {
  type LocalKeyServers,
  SealedSecretOpener,
  sealSecretData,
  startLocalKeyServers,
} from "../../src/seal/index.ts";
import { EnclaveSuiSigner, loadDevEnclaveSigner } from "../../src/tee/index.ts";
import { type Figure, percentile, type Suite } from "../report.ts";

/** Secrets encrypted and decrypted per configuration, one at a time. */
const SAMPLES = Number(process.env.BENCH_SEAL_SAMPLES ?? 20);
const DATA = { password: new TextEncoder().encode("correct horse battery staple") };

/**
 * What a Seal-protected Secret costs, on an in-process devnet with local key servers:
 * encrypting one (`secret create`'s client side) and the enclave decrypting it (a session
 * key kept between Secrets, one fetch_key round per key server, the policy simulated on
 * the devnet), with 1 of 1 and 2 of 3 servers.
 */
export const sealSuite: Suite = {
  name: "seal",
  description:
    "Seal-protected Secret: encrypt, and enclave decrypt p50 with 1 of 1 and 2 of 3 key servers",
  async run(): Promise<Figure[]> {
    const dir = mkdtempSync(join(tmpdir(), "k8s-daas-bench-seal-"));
    const devnet = await openDevnet({ dataDir: join(dir, "devnet") });
    const client = new SuiGrpcClient({ network: "localnet", transport: devnet.transport });
    const figures: Figure[] = [];
    try {
      const admin = Ed25519Keypair.generate();
      const tenant = Ed25519Keypair.generate();
      for (const key of [admin, tenant])
        await devnet.faucet(key.toSuiAddress(), 1_000_000_000_000n);
      const enclave = loadDevEnclaveSigner(join(dir, "enclave.json"));
      const { clusterId } = await createClusterWithDevEnclave(
        client,
        devnet.packageId,
        admin,
        enclave,
        "bench",
      );
      const claimId = await claimNamespace(client, devnet.packageId, clusterId, tenant, "bench");
      const target = { packageId: devnet.packageId, clusterId, namespace: "bench", claimId };
      for (const [count, threshold] of [
        [1, 1],
        [3, 2],
      ] as const) {
        let servers: LocalKeyServers | undefined;
        try {
          servers = await startLocalKeyServers({
            client,
            operator: admin,
            sealPackageId: SEAL_PACKAGE_ID,
            count,
            threshold,
          });
          const opener = new SealedSecretOpener(
            client,
            servers.settings,
            new EnclaveSuiSigner(enclave),
            devnet.packageId,
          );
          const encryptMs: number[] = [];
          const decryptMs: number[] = [];
          for (let i = 0; i < SAMPLES; i++) {
            let started = performance.now();
            const blob = await sealSecretData(client, servers.settings, target, DATA);
            encryptMs.push(performance.now() - started);
            started = performance.now();
            await opener.open(blob, target);
            decryptMs.push(performance.now() - started);
          }
          const of = `${threshold}of${count}`;
          figures.push(
            {
              suite: "seal",
              metric: `encrypt_p50_ms_${of}`,
              value: percentile(encryptMs, 50),
              unit: "ms",
            },
            {
              suite: "seal",
              metric: `enclave_decrypt_p50_ms_${of}`,
              value: percentile(decryptMs, 50),
              unit: "ms",
              note: `${SAMPLES} Secrets, each a new identity; fetch_key + IBE + AES-GCM`,
            },
          );
        } finally {
          await servers?.close();
        }
      }
    } finally {
      await devnet.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return figures;
  },
};
