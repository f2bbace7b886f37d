// Pods whose logs (and exec) KWOK simulates, for the stream tests: every container reads the
// test cluster's one simulated CRI log (src/k8s/testenv/kwok-debugging.ts).

import { appendFile } from "node:fs/promises";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { clusterLayout, criLogLine } from "../../src/k8s/testenv/index.ts";
import { testClusterDataDir } from "../helpers/cluster.ts";
import { eventually, restrictedPodSpec } from "./executor-fixtures.ts";

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
