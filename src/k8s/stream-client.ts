import type { IncomingMessage } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { errorFromResponseText, K8sError } from "./errors.ts";

/** An error answer is read whole, up to this many bytes, to give its `Status`. */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * Opens a streaming GET on the API server (a pod's log with `follow`, a watch) and resolves
 * with the response once a 2xx status has arrived; the caller reads the body as it comes.
 * The KubeConfig supplies TLS, credentials and `Impersonate-User`, as for `KubeApiClient`,
 * whose fetch transport only gives whole bodies. An error status throws a `K8sError` with
 * the server's `Status`; no answer throws `K8S_TRANSPORT`; aborting `signal` destroys the
 * exchange (the caller's abort reason is rethrown untouched).
 */
export async function openApiStream(
  config: KubeConfig,
  path: string,
  query: Readonly<Record<string, string | undefined>>,
  signal?: AbortSignal,
): Promise<IncomingMessage> {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new K8sError("K8S_CONFIG_INVALID", "kubeconfig has no current cluster");
  const url = new URL(cluster.server.replace(/\/+$/, "") + path);
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  const options: RequestOptions = { method: "GET", headers: { Accept: "*/*" } };
  await config.applyToHTTPSOptions(options);
  // applyToHTTPSOptions also builds an agent for fetch; a plain request uses its own TLS
  // options, and a long-lived stream should not hold a pooled socket.
  delete options.agent;
  signal?.throwIfAborted();
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpsRequest(url, { ...options, signal }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 200 && status <= 299) return resolve(res);
      readErrorBody(res).then(
        (text) => reject(errorFromResponseText(status, text)),
        (error: unknown) => reject(transportError(path, error, signal)),
      );
    });
    req.on("error", (error) => reject(transportError(path, error, signal)));
    req.end();
  });
}

async function readErrorBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (size < MAX_ERROR_BODY) chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks).toString("utf8").slice(0, MAX_ERROR_BODY);
}

function transportError(path: string, error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  const message = error instanceof Error ? error.message : String(error);
  return new K8sError("K8S_TRANSPORT", `GET ${path}: ${message}`, { cause: error });
}
