import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requestSuiFromFaucetV2 } from "@mysten/sui/faucet";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { followEvents } from "../../src/chain/index.ts";
import { openControlState } from "../../src/control/inbox/index.ts";
import { startDevnetProcess } from "../../src/devnet/spawn.ts";
import { eventType } from "../../src/protocol/index.ts";
import type { Figure, Suite } from "../report.ts";
import { openSession, submitPods } from "./k8s-daas-session.ts";

const EVENTS = 5_000;
const PODS_PER_TX = 100;
const PAGE = 500;

/**
 * Events per second the follower decodes and durably records (each page committed to a
 * file-backed inbox with its cursor, in one SQLite transaction), against reading the same
 * pages with plain `listEvents` and doing nothing with them.
 */
export const chainSuite: Suite = {
  name: "chain",
  description: `follower: ${EVENTS} K8sAPIRequestEvents decoded + committed vs bare listEvents paging`,
  async run(): Promise<Figure[]> {
    const dir = mkdtempSync(join(tmpdir(), "k8s-daas-bench-chain-"));
    const devnet = await startDevnetProcess(join(dir, "devnet"));
    try {
      const client = new SuiGrpcClient({ network: "localnet", baseUrl: devnet.url });
      const tenant = Ed25519Keypair.generate();
      await requestSuiFromFaucetV2({ host: devnet.url, recipient: tenant.toSuiAddress() });
      await requestSuiFromFaucetV2({ host: devnet.url, recipient: tenant.toSuiAddress() });
      const session = await openSession(client, devnet.packageId, tenant, "bench");
      for (let first = 0; first < EVENTS; first += PODS_PER_TX) {
        const names = Array.from({ length: PODS_PER_TX }, (_, i) => `pod-${first + i}`);
        await submitPods(session, tenant, names);
      }
      const type = eventType(devnet.packageId, "K8sAPIRequestEvent");

      let started = performance.now();
      let read = 0;
      let after: string | null = null;
      do {
        const page = await client.listEvents({
          filter: { eventType: type },
          limit: PAGE,
          ...(after ? { after } : {}),
        });
        read += page.events.length;
        after = page.hasNextPage ? page.endCursor : null;
      } while (after);
      const bareSeconds = (performance.now() - started) / 1000;
      if (read !== EVENTS) throw new Error(`bare paging read ${read} events, expected ${EVENTS}`);

      const { inbox, requests } = openControlState(join(dir, "inbox.sqlite"), {
        clusterId: session.clusterId,
      });
      const done = new AbortController();
      let recorded = 0;
      started = performance.now();
      await followEvents(
        {
          client,
          eventTypes: [type],
          cursor: null,
          pageSize: PAGE,
          useSubscription: false,
          // The inbox decodes each event once, at its boundary; decoding here too would be waste.
          decode: () => undefined,
          onBatch: async (events, cursor) => {
            inbox.ingest(events, cursor);
            recorded += events.length;
            if (recorded >= EVENTS) done.abort();
          },
        },
        done.signal,
      ).catch((error: unknown) => {
        if (!done.signal.aborted) throw error;
      });
      const followSeconds = (performance.now() - started) / 1000;
      if (requests.inState(["queued"]).length !== EVENTS)
        throw new Error("the inbox did not record every event");
      inbox.close();
      return [
        {
          suite: "chain",
          metric: "follower_events_per_s",
          value: EVENTS / followSeconds,
          unit: "events/s",
          note: "decoded + committed to SQLite with cursor",
        },
        {
          suite: "chain",
          metric: "baseline_list_events_per_s",
          value: EVENTS / bareSeconds,
          unit: "events/s",
          note: "listEvents paging only",
        },
      ];
    } finally {
      await devnet.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
