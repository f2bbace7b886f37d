import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, it } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { requestSuiFromFaucetV2 } from "@mysten/sui/faucet";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { addCall, claimNamespace, createClusterWithDevEnclave } from "../../src/chain/k8s-daas.ts";
import { type DevnetProcess, startDevnetProcess } from "../../src/devnet/spawn.ts";
import { eventType, K8sAPIRequestEvent, K8sAPIResultEvent } from "../../src/protocol/index.ts";
import { loadDevEnclaveSigner } from "../../src/tee/index.ts";
import { testCluster } from "../helpers/cluster.ts";
import { spawnControlDaemon } from "../helpers/control-daemon.ts";
import { execute } from "../helpers/stack.ts";

const REQUESTS = 500;
// The tenant quota allows 100 ConfigMaps per namespace (one is kube-root-ca.crt).
const NAMESPACES = 8;
const PER_TX = 50;
const MAX_KILLS = 25;

/**
 * The control plane is SIGKILLed at random moments (during start-up, while executing, while
 * posting results) and restarted each time. Afterwards every request has exactly one result
 * on chain and exactly one effect in the cluster: its object exists once, stamped with its
 * request id and written by one server-side apply (a re-execution after a crash re-applies
 * the same object, which the API server treats as no change).
 */
describe("nautilus-control crash safety: SIGKILL at random points during 500 requests", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8s-daas-crash-"));
  let devnet: DevnetProcess;
  let child: ChildProcess | undefined;
  after(async () => {
    child?.kill("SIGKILL");
    await devnet?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let client: SuiGrpcClient;
  let clusterId = "";
  let kubeconfigPath = "";
  let core: CoreV1Api;
  const operator = Ed25519Keypair.generate();
  const tenant = Ed25519Keypair.generate();
  const namespaces = Array.from(
    { length: NAMESPACES },
    (_, i) => `crash-${i}-${Date.now().toString(36)}`,
  );
  const expected = new Map<string, { namespace: string; name: string }>();

  before(async () => {
    const cluster = await testCluster();
    kubeconfigPath = cluster.kubeconfigPath;
    core = cluster.kubeConfig().makeApiClient(CoreV1Api);
    devnet = await startDevnetProcess(join(dir, "devnet"));
    client = new SuiGrpcClient({ network: "localnet", baseUrl: devnet.url });
    const admin = Ed25519Keypair.generate();
    for (const key of [admin, operator, tenant]) {
      await requestSuiFromFaucetV2({ host: devnet.url, recipient: key.toSuiAddress() });
    }
    const enclave = loadDevEnclaveSigner(join(dir, "enclave.json"));
    ({ clusterId } = await createClusterWithDevEnclave(
      client,
      devnet.packageId,
      admin,
      enclave,
      "crash",
    ));
    const caps: string[] = [];
    for (const namespace of namespaces) {
      caps.push(await claimNamespace(client, devnet.packageId, clusterId, tenant, namespace));
    }
    for (let first = 0; first < REQUESTS; first += PER_TX) {
      const result = await execute(client, tenant, (tx) => {
        for (let i = first; i < first + PER_TX; i++) {
          const namespace = namespaces[i % NAMESPACES] ?? "";
          const name = `cm-${i}`;
          addCall(
            tx,
            devnet.packageId,
            "execute_k8s_api",
            {
              method: "POST",
              resource: "configmaps",
              namespace,
              name,
              payload: JSON.stringify({
                apiVersion: "v1",
                kind: "ConfigMap",
                metadata: { name },
                data: { i: String(i) },
              }),
              priority: i % 10,
            },
            { cluster: clusterId, cap: caps[i % NAMESPACES] ?? "" },
            1_000_000n,
          );
        }
      });
      for (const event of result.events ?? []) {
        if (!event.eventType.endsWith("::K8sAPIRequestEvent")) continue;
        const request = K8sAPIRequestEvent.parse(event.bcs);
        expected.set(request.request_id, { namespace: request.namespace, name: request.name });
      }
    }
    assert.equal(expected.size, REQUESTS);
  });

  async function results(): Promise<Map<string, string[]>> {
    const seen = new Map<string, string[]>();
    let after: string | null = null;
    do {
      const page = await client.listEvents({
        filter: { eventType: eventType(devnet.packageId, "K8sAPIResultEvent") },
        limit: 1000,
        ...(after ? { after } : {}),
      });
      for (const event of page.events) {
        const result = K8sAPIResultEvent.parse(event.bcs);
        if (result.cluster_id !== clusterId) continue;
        seen.set(result.request_id, [...(seen.get(result.request_id) ?? []), result.summary]);
      }
      after = page.hasNextPage ? page.endCursor : null;
    } while (after);
    return seen;
  }

  /** Request states as the control plane's inbox has them, for the failure message. */
  function inboxStates(): unknown {
    const db = new DatabaseSync(join(dir, "control", "inbox.sqlite"), { readOnly: true });
    try {
      return db
        .prepare(
          "SELECT state, COUNT(*) AS n, MIN(request_id) AS first FROM requests GROUP BY state",
        )
        .all();
    } finally {
      db.close();
    }
  }

  function startControl(): ChildProcess {
    return spawnControlDaemon({
      chainUrl: devnet.url,
      packageId: devnet.packageId,
      clusterId,
      kubeconfigPath,
      dir,
      operator,
    });
  }

  it("every request ends with exactly one result and one Kubernetes effect", async () => {
    let kills = 0;
    for (;;) {
      child = startControl();
      const done = (await results()).size;
      if (kills >= MAX_KILLS || done >= REQUESTS) break;
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 2_500));
      child.kill("SIGKILL");
      await once(child, "exit");
      kills++;
    }
    const deadline = Date.now() + 300_000;
    let seen = await results();
    while (seen.size < REQUESTS && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      seen = await results();
    }
    child?.kill("SIGTERM");
    if (child) await once(child, "exit");
    console.log(`# ${kills} SIGKILLs; ${seen.size} of ${REQUESTS} requests answered`);
    if (seen.size < REQUESTS) console.log(`# inbox: ${JSON.stringify(inboxStates())}`);

    const lost = [...expected.keys()].filter((id) => !seen.has(id));
    const duplicated = [...seen].filter(([, summaries]) => summaries.length !== 1);
    assert.deepEqual(lost, [], "lost requests");
    assert.deepEqual(duplicated, [], "requests answered twice");
    for (const [id, summaries] of seen)
      assert.match(summaries[0] ?? "", /^2\d\d /, `request ${id}`);

    for (const namespace of namespaces) {
      const maps = await core.listNamespacedConfigMap({ namespace });
      for (const map of maps.items.filter((m) => m.metadata?.name?.startsWith("cm-"))) {
        const id = map.metadata?.annotations?.["k8s-daas.io/request-id"];
        assert.ok(
          id && expected.get(id)?.name === map.metadata?.name,
          `${map.metadata?.name} carries its request id`,
        );
        const writes = (map.metadata?.managedFields ?? []).filter((f) => f.manager === "k8s-daas");
        assert.equal(writes.length, 1, `${map.metadata?.name} was written by one apply`);
        const i = map.metadata?.name?.slice(3);
        assert.deepEqual(map.data, { i }, `${map.metadata?.name} holds what its request asked for`);
      }
      const count = maps.items.filter((m) => m.metadata?.name?.startsWith("cm-")).length;
      const wanted = [...expected.values()].filter((e) => e.namespace === namespace).length;
      assert.equal(count, wanted, `${namespace} holds one ConfigMap per request`);
    }
  });
});
