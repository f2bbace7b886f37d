import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { Duplex } from "node:stream";
import type { KubeConfig } from "@kubernetes/client-node";
import { errorFromResponseText, K8sError } from "./errors.ts";
import { impersonatingConfig } from "./impersonation.ts";
import { tenantUser } from "./labels.ts";

/** The channel protocols kubectl 1.30+ speaks, newest first (v5 can close stdin). */
export const EXEC_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"] as const;

export interface PodExecOptions {
  /** For exec: the command and its arguments. Ignored by attach. */
  readonly command?: readonly string[];
  readonly container?: string;
  readonly stdin: boolean;
  readonly tty: boolean;
}

export interface UpgradedStream {
  readonly socket: Duplex;
  /** Bytes the server sent after its 101 answer, before the socket was handed over. */
  readonly head: Buffer;
  /** The channel protocol the API server chose. */
  readonly protocol: string;
}

/**
 * Opens `pods/exec` (or `pods/attach`) as the namespace's tenant ServiceAccount: a WebSocket
 * handshake with the API server using `protocols`, resolved with the upgraded socket. A
 * refusal (RBAC 403, a missing pod 404, a bad request) throws a `K8sError` with its status.
 */
export async function openPodExec(
  admin: KubeConfig,
  namespace: string,
  pod: string,
  subresource: "exec" | "attach",
  options: PodExecOptions,
  protocols: readonly string[] = EXEC_PROTOCOLS,
): Promise<UpgradedStream> {
  const query = podExecQuery(subresource, options);
  return upgradePodSubresource(admin, namespace, pod, subresource, query, protocols);
}

/** The API server's query for an exec or attach (the same over WebSocket and SPDY). */
export function podExecQuery(
  subresource: "exec" | "attach",
  options: PodExecOptions,
): URLSearchParams {
  const query = new URLSearchParams();
  if (subresource === "exec") for (const arg of options.command ?? []) query.append("command", arg);
  if (options.container) query.set("container", options.container);
  query.set("stdin", String(options.stdin));
  query.set("stdout", "true");
  query.set("stderr", String(!options.tty));
  query.set("tty", String(options.tty));
  return query;
}

/** The channel protocol of `pods/portforward` over a WebSocket (a data and an error channel per port). */
export const PORT_FORWARD_PROTOCOLS = ["v4.channel.k8s.io"] as const;

/** Opens `pods/portforward` to one port as the namespace's tenant ServiceAccount. */
export function openPodPortForward(
  admin: KubeConfig,
  namespace: string,
  pod: string,
  port: number,
): Promise<UpgradedStream> {
  const query = new URLSearchParams({ ports: String(port) });
  return upgradePodSubresource(admin, namespace, pod, "portforward", query, PORT_FORWARD_PROTOCOLS);
}

async function upgradePodSubresource(
  admin: KubeConfig,
  namespace: string,
  pod: string,
  subresource: string,
  query: URLSearchParams,
  protocols: readonly string[],
): Promise<UpgradedStream> {
  const key = randomBytes(16).toString("base64");
  const { response, socket, head } = await openPodUpgrade(
    admin,
    namespace,
    pod,
    subresource,
    query,
    "GET",
    {
      Upgrade: "websocket",
      "Sec-WebSocket-Version": "13",
      "Sec-WebSocket-Key": key,
      "Sec-WebSocket-Protocol": protocols.join(", "),
    },
  );
  const expected = createHash("sha1")
    .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
    .digest("base64");
  const protocol = String(response.headers["sec-websocket-protocol"] ?? "");
  if (response.headers["sec-websocket-accept"] !== expected || !protocols.includes(protocol)) {
    socket.destroy();
    throw new K8sError("K8S_RESPONSE_INVALID", `${subresource}: bad WebSocket handshake`);
  }
  return { socket, head, protocol };
}

/**
 * An upgrade request (`Connection: Upgrade` plus `headers`) to a pod subresource as the
 * namespace's tenant ServiceAccount, resolved with the 101 answer and its socket. Any other
 * answer throws a `K8sError` with its status (RBAC 403, a missing pod 404, a refused
 * protocol 400).
 */
export async function openPodUpgrade(
  admin: KubeConfig,
  namespace: string,
  pod: string,
  subresource: string,
  query: URLSearchParams,
  method: "GET" | "POST",
  headers: Readonly<Record<string, string | string[]>>,
): Promise<{ response: IncomingMessage; socket: Duplex; head: Buffer }> {
  const config = impersonatingConfig(admin, tenantUser(namespace));
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new K8sError("K8S_CONFIG_INVALID", "kubeconfig has no current cluster");
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/${subresource}`;
  const url = new URL(cluster.server.replace(/\/+$/, "") + path);
  url.search = query.toString();
  const request: RequestOptions = { method, headers: { Connection: "Upgrade", ...headers } };
  await config.applyToHTTPSOptions(request);
  delete request.agent;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, request);
    req.on("upgrade", (response: IncomingMessage, socket: Duplex, head: Buffer) =>
      resolve({ response, socket, head }),
    );
    req.on("response", (res: IncomingMessage) => {
      let text = "";
      res.on("data", (chunk: Buffer) => {
        if (text.length < 65_536) text += chunk.toString();
      });
      res.on("end", () => reject(errorFromResponseText(res.statusCode ?? 0, text)));
    });
    req.on("error", (error) =>
      reject(
        new K8sError("K8S_TRANSPORT", `${subresource} ${path}: ${error.message}`, { cause: error }),
      ),
    );
    req.end();
  });
}
