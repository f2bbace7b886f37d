import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { requestSuiFromFaucetV2 } from "@mysten/sui/faucet";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import type { Transaction } from "@mysten/sui/transactions";
import { createdObjectOfType, executeSigned } from "../../src/chain/k8s-daas.ts";
import { type DevnetProcess, startDevnetProcess } from "../../src/devnet/spawn.ts";
import { eventType, K8sAPIRequestEvent } from "../../src/protocol/index.ts";

describe("devnet as a separate process over HTTP", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "k8s-daas-devnet-"));
  let devnet: DevnetProcess | undefined;
  after(async () => {
    await devnet?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const connect = (url: string) => new SuiGrpcClient({ network: "localnet", baseUrl: url });

  const execute = async (
    client: SuiGrpcClient,
    signer: Ed25519Keypair,
    build: (tx: Transaction) => void,
  ) => (await executeSigned(client, signer, build)).objectTypes ?? {};
  const createdOfType = (types: Record<string, string>, suffix: string) =>
    createdObjectOfType({ objectTypes: types }, suffix);

  it("serves create_pod events by cursor across a restart with no duplicate and no gap", async () => {
    devnet = await startDevnetProcess(dataDir);
    const user = Ed25519Keypair.generate();
    await requestSuiFromFaucetV2({ host: devnet.url, recipient: user.toSuiAddress() });
    let client = connect(devnet.url);
    const target = (fn: string) => `${devnet?.packageId}::${fn}`;
    const cluster = createdOfType(
      await execute(client, user, (tx) => {
        tx.moveCall({
          target: target("cluster::create_cluster"),
          arguments: [tx.pure.string("proc")],
        });
      }),
      "::cluster::Cluster",
    );
    const cap = createdOfType(
      await execute(client, user, (tx) => {
        tx.moveCall({
          target: target("tenancy::claim_namespace"),
          arguments: [tx.object(cluster), tx.pure.string("team-p")],
        });
      }),
      "::tenancy::NamespaceCap",
    );
    const createPod = (name: string) =>
      execute(client, user, (tx) => {
        const [fee] = tx.splitCoins(tx.gas, [1_000_000n]);
        tx.moveCall({
          target: target("requests::create_pod"),
          arguments: [
            tx.object(cluster),
            tx.object(cap),
            tx.pure.string(name),
            tx.pure.string("team-p"),
            tx.pure.string("nginx:1.27"),
            tx.pure.u8(1),
            fee as never,
            tx.object.clock(),
          ],
        });
      });
    const filter = { eventType: eventType(devnet.packageId, "K8sAPIRequestEvent") };
    const names = (events: { bcs: Uint8Array }[]) =>
      events.map((event) => K8sAPIRequestEvent.parse(event.bcs).name);

    await createPod("pod-1");
    await createPod("pod-2");
    const first = await client.listEvents({ filter, limit: 1 });
    assert.deepEqual(names(first.events), ["pod-1"]);
    assert.ok(first.hasNextPage && first.endCursor);
    const cursor = first.endCursor;

    assert.equal(await devnet.stop(), 0, "devnet exits cleanly on Ctrl-C");
    devnet = await startDevnetProcess(dataDir);
    client = connect(devnet.url);
    await createPod("pod-3");

    const rest = await client.listEvents({ filter, after: cursor });
    assert.deepEqual(names(rest.events), ["pod-2", "pod-3"]);
    const ids = rest.events.map((event) => K8sAPIRequestEvent.parse(event.bcs).request_id);
    assert.deepEqual(ids, ["2", "3"], "request ids continue across the restart");
  });
});
