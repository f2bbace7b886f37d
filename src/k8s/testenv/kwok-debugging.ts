import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { ClusterLayout } from "./paths.ts";

/**
 * KWOK's simulated kubelet endpoints. The API server reaches a node's kubelet at the node's
 * InternalIP and `daemonEndpoints.kubeletEndpoint.Port`; KWOK serves `containerLogs`,
 * `exec`, `attach` and `portForward` for every node it simulates on its own server (HTTPS
 * beside HTTP on the same port), and answers them from these ClusterLogs / ClusterExec /
 * ClusterAttach objects (loaded from a config file, no CRDs needed):
 *
 * - logs: every container of every pod reads one CRI-format file in the data dir
 *   (`simulatedContainerLog`); tests append lines to it (`criLogLine`) to see `-f` stream.
 * - exec: runs the command on this machine, in an empty work directory of the data dir — the
 *   API server's exec protocol is genuine, the "container" is the host (loopback-only test
 *   cluster, never production).
 * - attach: reads the same log file.
 * - port-forward: every port of every pod is an echo (`cat` on the forwarded stream).
 */
export function kwokDebuggingConfig(layout: ClusterLayout): string {
  const log = JSON.stringify(layout.simulatedContainerLog);
  const workDir = JSON.stringify(layout.simulatedExecDir);
  return `apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata:
  name: kube-testenv-logs
spec:
  logs:
    - logsFile: ${log}
      previousLogsFile: ${log}
      follow: true
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterExec
metadata:
  name: kube-testenv-exec
spec:
  execs:
    - local:
        workDir: ${workDir}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterAttach
metadata:
  name: kube-testenv-attach
spec:
  attaches:
    - logsFile: ${log}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterPortForward
metadata:
  name: kube-testenv-port-forward
spec:
  forwards:
    - command: ["cat"]
`;
}

/** Writes the config, an empty container log and the exec work directory. */
export async function prepareKwokDebugging(layout: ClusterLayout): Promise<void> {
  await mkdir(dirname(layout.kwokDebuggingConfig), { recursive: true });
  await mkdir(layout.simulatedExecDir, { recursive: true });
  await writeFile(layout.kwokDebuggingConfig, kwokDebuggingConfig(layout));
  await writeFile(layout.simulatedContainerLog, "");
}

/** One line in the CRI log format the kubelet (and KWOK) read: `<RFC3339Nano> stdout F <text>`. */
export function criLogLine(
  text: string,
  stream: "stdout" | "stderr" = "stdout",
  at = new Date(),
): string {
  return `${at.toISOString()} ${stream} F ${text}\n`;
}
