// Pods whose logs (and exec) KWOK simulates, for the stream tests: every container reads the
// test cluster's one simulated CRI log (src/k8s/testenv/kwok-debugging.ts).

import { appendFile } from "node:fs/promises";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { Registry } from "prom-client";
import { type ControlTransport, controlTransport } from "../../src/chain/index.ts";
import { type ApiServer, startApiServer } from "../../src/control/http/server.ts";
import type { NamespaceClaim } from "../../src/control/inbox/index.ts";
import type { StreamsService } from "../../src/control/streams/index.ts";
import { clusterLayout, criLogLine } from "../../src/k8s/testenv/index.ts";
import { type EnclaveTlsKey, generateTlsKey, tlsServerCredentials } from "../../src/tee/index.ts";
import { testClusterDataDir } from "../helpers/cluster.ts";
import { eventually, provisionTenant, restrictedPodSpec } from "./executor-fixtures.ts";

/** Appends lines to the simulated container log every pod of the test cluster shows. */
export async function writeContainerLog(...lines: string[]): Promise<void> {
  const file = clusterLayout(testClusterDataDir).simulatedContainerLog;
  await appendFile(file, lines.map((line) => criLogLine(line)).join(""));
}

/** Creates a pod (as admin) and waits until KWOK has it Running. */
export async function runningPod(kc: KubeConfig, namespace: string, name: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedPod({
    namespace,
    body: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace },
      spec: restrictedPodSpec() as never,
    },
  });
  await eventually(`pod ${namespace}/${name} Running`, async () => {
    const pod = await core.readNamespacedPod({ namespace, name });
    return pod.status?.phase === "Running" ? true : undefined;
  });
}

/**
 * A provisioned tenant namespace, claimed for `holder` in `claims` (what the inbox would
 * hold), with a Running pod "web".
 */
export async function claimedNamespaceWithPod(
  kc: KubeConfig,
  prefix: string,
  holder: string,
  capId: string,
  claims: Map<string, NamespaceClaim>,
): Promise<string> {
  const namespace = await provisionTenant(kc, prefix);
  claims.set(namespace, { namespace, owner: holder, capId, released: false });
  await runningPod(kc, namespace, "web");
  return namespace;
}

/** nautilus-control's HTTP API serving `streams` alone (no request store), on a free port. */
export async function startStreamsApi(
  streams: StreamsService,
  registry: Registry,
  clusterId: string,
  tlsKey: EnclaveTlsKey = generateTlsKey(),
): Promise<ApiServer & { tlsKeySha256: Uint8Array; transport: ControlTransport }> {
  // Served over HTTPS (with `tlsKey`, as nautilus-control serves with the enclave's TLS key)
  // and reached over the pinned transport, as clients reach it.
  const tls = () => tlsServerCredentials(tlsKey, { dnsNames: [], ipAddresses: ["127.0.0.1"] });
  const api = await startApiServer(
    { requests: undefined as never, registry, readiness: [], info: {}, clusterId, streams, tls },
    { host: "127.0.0.1", port: 0 },
  );
  const transport = controlTransport({
    url: api.url,
    pin: { registeredTlsKeySha256: async () => tlsKey.spkiSha256 },
  });
  return { ...api, tlsKeySha256: tlsKey.spkiSha256, transport };
}

/**
 * Reads a stream until `predicate` holds for the text read by this call (or the stream
 * ends); resolves with that text. Leaves the stream open, unlike breaking a for-await loop.
 */
export function readUntil(
  stream: NodeJS.ReadableStream,
  predicate: (text: string) => boolean,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const finish = (): void => {
      stream.off("data", onData);
      stream.off("end", finish);
      stream.off("error", onError);
      stream.pause();
      resolve(text);
    };
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      if (predicate(text)) finish();
    };
    const onError = (error: Error): void => reject(error);
    stream.on("data", onData);
    stream.on("end", finish);
    stream.on("error", onError);
    stream.resume();
  });
}
