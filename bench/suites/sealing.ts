import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import pino from "pino";
import {
  addCall,
  claimNamespace,
  createClusterWithDevEnclave,
  executeSigned,
} from "../../src/chain/k8s-daas.ts";
import { defaultConfig, resolveConfig } from "../../src/control/config.ts";
import { startNautilusControl } from "../../src/control/nautilus-control.ts";
import { unsealRequest } from "../../src/control/pipeline/unseal.ts";
import { openDevnet } from "../../src/devnet/index.ts";
import { startCluster } from "../../src/k8s/testenv/index.ts";
import { repoRoot } from "../../src/k8s/testenv/paths.ts";
import {
  decodeEvent,
  generateX25519KeyPair,
  K8sAPIRequestEvent,
  requestIdsOf,
  sealRequestPayload,
} from "../../src/protocol/index.ts";
import { loadDevEnclaveSigner } from "../../src/tee/index.ts";
import { type Figure, percentile, type Suite } from "../report.ts";

/** How long each in-process rate is measured. */
const RATE_MS = 2_000;
/** Requests of each kind (plain, sealed) for the latency figure, alternated one at a time. */
const LATENCY_REQUESTS = Number(process.env.BENCH_SEALING_REQUESTS ?? 40);
const CLUSTER_ID = `0x${"c1".repeat(32)}`;
const REQUESTER = `0x${"7e".repeat(32)}`;

const secretManifest = (name: string) =>
  new TextEncoder().encode(
    JSON.stringify({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name },
      stringData: { password: "correct horse battery staple", token: "x".repeat(96) },
    }),
  );

/**
 * What sealing costs. Enclave side, in process: opening a sealed request (BCS decode of the
 * event, X25519 + HKDF + AES-GCM open) beside decoding the same request sent in plaintext,
 * and sealing an output to a reply key. End to end, on the devnet, nautilus-control and
 * kube-testenv: a Secret created with `submit_sealed` (sealed by the client, opened by the
 * enclave, output sealed back) beside the same Secret sent in plaintext, one at a time,
 * from the tenant's submit to the result confirmed on chain.
 */
export const sealingSuite: Suite = {
  name: "sealing",
  description: "sealed payload open/s beside plain decode; added p50 latency of a sealed request",
  async run(): Promise<Figure[]> {
    return [...enclaveSide(), ...(await endToEnd())];
  },
};

function enclaveSide(): Figure[] {
  const enclave = generateX25519KeyPair();
  const reply = generateX25519KeyPair();
  const binding = {
    clusterId: CLUSTER_ID,
    requester: REQUESTER,
    namespace: "team-a",
    method: "POST",
    resource: "secrets",
    name: "db",
  };
  const body = secretManifest("db");
  const event = (payload: Uint8Array, sealed: boolean) =>
    K8sAPIRequestEvent.serialize({
      cluster_id: CLUSTER_ID,
      request_id: 1n,
      ...binding,
      payload,
      priority: 5,
      requester: REQUESTER,
      fee_mist: 1_000_000n,
      timestamp_ms: 1_700_000_000_000n,
      sealed,
    }).toBytes();
  const type = `${CLUSTER_ID}::events::K8sAPIRequestEvent`;
  const plainEvent = event(body, false);
  const sealedEvent = event(
    sealRequestPayload(enclave.publicKey, { body, replyKey: reply.publicKey }, binding),
    true,
  );
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const sealing = { encryptionKey: enclave, requireSealed: () => false };
  const asRequest = (bcs: Uint8Array) => {
    const decoded = decodeEvent(type, bcs);
    if (decoded.name !== "K8sAPIRequestEvent") throw new Error("not a request event");
    const e = decoded.value;
    return {
      requestId: 1n,
      clusterId: CLUSTER_ID,
      method: e.method,
      resource: e.resource,
      namespace: e.namespace,
      name: e.name,
      payload: Uint8Array.from(e.payload),
      sealed: e.sealed,
      priority: e.priority,
      requester: e.requester,
    };
  };

  const plainRate = ratePerSecond(() => {
    decoder.decode(asRequest(plainEvent).payload);
  });
  let opened: ReturnType<typeof unsealRequest> | undefined;
  const openRate = ratePerSecond(() => {
    opened = unsealRequest(asRequest(sealedEvent), sealing);
    if (!opened.ok) throw new Error(opened.refusal.summary);
    decoder.decode(opened.request.payload);
  });
  const output = {
    statusCode: 201,
    summary: "secret/db created",
    output: { kind: "Secret", data: { password: "x".repeat(1500) } },
  };
  const sealOutputRate = ratePerSecond(() => {
    if (opened?.ok) opened.answer(output);
  });
  return [
    {
      suite: "sealing",
      metric: "open_per_s",
      value: openRate,
      unit: "req/s",
      note: `decode + open a sealed ${body.length}-byte Secret (enclave side, 1 core)`,
    },
    {
      suite: "sealing",
      metric: "plain_decode_per_s",
      value: plainRate,
      unit: "req/s",
      note: "baseline: decode the same request sent in plaintext",
    },
    {
      suite: "sealing",
      metric: "open_us",
      value: 1e6 / openRate - 1e6 / plainRate,
      unit: "us",
      note: "added per request by opening",
    },
    {
      suite: "sealing",
      metric: "seal_output_per_s",
      value: sealOutputRate,
      unit: "outputs/s",
      note: "seal a 1.6 KB result to the reply key",
    },
  ];
}

/** Calls `work` for RATE_MS and returns calls per second. */
function ratePerSecond(work: () => void): number {
  for (let i = 0; i < 200; i++) work(); // warm up
  const started = performance.now();
  let calls = 0;
  while (performance.now() - started < RATE_MS) {
    for (let i = 0; i < 50; i++) work();
    calls += 50;
  }
  return calls / ((performance.now() - started) / 1000);
}

async function endToEnd(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), "k8s-daas-bench-sealing-"));
  const cluster = await startCluster({
    dataDir: join(repoRoot, ".data", "bench-cluster"),
    nodes: 3,
  });
  const devnet = await openDevnet({ dataDir: join(dir, "devnet") });
  const client = new SuiGrpcClient({ network: "localnet", transport: devnet.transport });
  let control: Awaited<ReturnType<typeof startNautilusControl>> | undefined;
  try {
    const [admin, operator, tenant] = [0, 1, 2].map(() => Ed25519Keypair.generate());
    for (const key of [admin, operator, tenant])
      await devnet.faucet(key?.toSuiAddress() ?? "", 1_000_000_000_000n);
    if (!admin || !operator || !tenant) throw new Error("keys");
    const enclave = loadDevEnclaveSigner(join(dir, "enclave.json"));
    const { clusterId } = await createClusterWithDevEnclave(
      client,
      devnet.packageId,
      admin,
      enclave,
      "bench",
    );
    const stamp = Date.now().toString(36);
    const plainNs = `seal-plain-${stamp}`;
    const sealedNs = `seal-sealed-${stamp}`;
    const caps = {
      [plainNs]: await claimNamespace(client, devnet.packageId, clusterId, tenant, plainNs),
      [sealedNs]: await claimNamespace(client, devnet.packageId, clusterId, tenant, sealedNs),
    };
    control = await startNautilusControl(
      resolveConfig(defaultConfig(join(dir, "control")), {
        packageId: devnet.packageId,
        clusterId,
        listenPort: 0,
        reconcileIntervalMs: 3_600_000,
        logLevel: "error",
      }),
      {
        client,
        kubeConfig: cluster.kubeConfig(),
        operator,
        enclave,
        log: pino({ level: "error" }, pino.destination(2)),
      },
    );
    const requests = control.state.requests;
    /** Submit → result confirmed on chain (the inbox marks it reported), in ms. */
    const timed = async (sealed: boolean, name: string): Promise<number> => {
      const namespace = sealed ? sealedNs : plainNs;
      const started = performance.now();
      const body = secretManifest(name);
      const values = sealed
        ? {
            method: "POST",
            resource: "secrets",
            name,
            sealed_payload: sealRequestPayload(
              enclave.encryptionKey.publicKey,
              { body, replyKey: generateX25519KeyPair().publicKey },
              {
                clusterId,
                requester: tenant.toSuiAddress(),
                namespace,
                method: "POST",
                resource: "secrets",
                name,
              },
            ),
          }
        : { method: "POST", resource: "secrets", name, payload: body };
      const result = await executeSigned(client, tenant, (tx) =>
        addCall(
          tx,
          devnet.packageId,
          sealed ? "submit_sealed" : "submit",
          { namespace, priority: 5, ...values },
          { cluster: clusterId, cap: caps[namespace] ?? "" },
          1_000_000n,
        ),
      );
      const [id] = requestIdsOf(result.events);
      if (id === undefined) throw new Error("no request event");
      for (;;) {
        const request = requests.get(id);
        if (request?.state === "reported") {
          if ((request.outcome?.statusCode ?? 500) >= 300)
            throw new Error(`bench request failed: ${request.outcome?.summary}`);
          return performance.now() - started;
        }
        await sleep(2);
      }
    };
    // Provisioning a namespace is a one-time cost: one request in each first.
    await timed(false, "warm");
    await timed(true, "warm");
    const plain: number[] = [];
    const sealed: number[] = [];
    for (let i = 0; i < LATENCY_REQUESTS; i++) {
      plain.push(await timed(false, `s-${i}`));
      sealed.push(await timed(true, `s-${i}`));
    }
    const plainP50 = percentile(plain, 50);
    const sealedP50 = percentile(sealed, 50);
    return [
      {
        suite: "sealing",
        metric: "sealed_p50_ms",
        value: sealedP50,
        unit: "ms",
        note: `submit → result on chain, ${LATENCY_REQUESTS} sealed Secrets one at a time`,
      },
      {
        suite: "sealing",
        metric: "plain_p50_ms",
        value: plainP50,
        unit: "ms",
        note: "baseline: the same Secrets in plaintext",
      },
      {
        suite: "sealing",
        metric: "p50_added_ms",
        value: sealedP50 - plainP50,
        unit: "ms",
        note: "added p50 latency of a sealed request",
      },
    ];
  } finally {
    await control?.stop();
    await devnet.close();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
