import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requestSuiFromFaucetV2 } from "@mysten/sui/faucet";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { startDevnetProcess } from "../../src/devnet/spawn.ts";
import type { Figure, Suite } from "../report.ts";
import { openSession, submitPods } from "./k8s-daas-session.ts";

const SENDERS = 8;
const TX_PER_SENDER = 40;
const RPC_CALLS = 2_000;

/**
 * Transactions per second the devnet commits (create_pod, through the SDK over HTTP, 8
 * senders in parallel: simulate + sign + execute each), against the same transport's bare
 * round-trip rate (GetServiceInfo) as the ceiling.
 */
export const devnetSuite: Suite = {
  name: "devnet",
  description: `create_pod tx/s over HTTP (${SENDERS} senders × ${TX_PER_SENDER}) vs bare RPC/s`,
  async run(): Promise<Figure[]> {
    const dir = mkdtempSync(join(tmpdir(), "k8s-daas-bench-devnet-"));
    const devnet = await startDevnetProcess(dir);
    try {
      const client = new SuiGrpcClient({ network: "localnet", baseUrl: devnet.url });
      const senders = Array.from({ length: SENDERS }, () => Ed25519Keypair.generate());
      for (const sender of senders) {
        await requestSuiFromFaucetV2({ host: devnet.url, recipient: sender.toSuiAddress() });
      }
      const sessions = await Promise.all(
        senders.map((sender, i) => openSession(client, devnet.packageId, sender, `bench-${i}`)),
      );

      let started = performance.now();
      await Promise.all(
        senders.map(async (sender, i) => {
          const session = sessions[i];
          if (!session) return;
          for (let n = 0; n < TX_PER_SENDER; n++) await submitPods(session, sender, [`pod-${n}`]);
        }),
      );
      const txPerS = (SENDERS * TX_PER_SENDER) / ((performance.now() - started) / 1000);

      started = performance.now();
      await Promise.all(
        Array.from({ length: SENDERS }, async () => {
          for (let n = 0; n < RPC_CALLS / SENDERS; n++)
            await client.ledgerService.getServiceInfo({});
        }),
      );
      const rpcPerS = RPC_CALLS / ((performance.now() - started) / 1000);
      return [
        {
          suite: "devnet",
          metric: "tx_per_s",
          value: txPerS,
          unit: "tx/s",
          note: "create_pod, simulate+execute",
        },
        {
          suite: "devnet",
          metric: "baseline_rpc_per_s",
          value: rpcPerS,
          unit: "calls/s",
          note: "GetServiceInfo, same transport",
        },
      ];
    } finally {
      await devnet.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
