import type { IncomingMessage } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { K8sError } from "./errors.ts";

export interface ApiExchange {
  readonly method: "GET" | "POST";
  /** Path and query as the API server takes them (`/api/v1/namespaces/a/pods?watch=1`). */
  readonly pathAndQuery: string;
  /** Request headers passed on (Accept, Content-Type); credentials come from the config. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  readonly signal?: AbortSignal;
}

/**
 * One raw HTTP exchange with the API server, resolved with its response whatever the
 * status: the kubectl gateway passes answers on as they are (status, content type, body
 * streamed as it comes — a watch stays open). The KubeConfig supplies TLS, credentials and
 * `Impersonate-User`. No answer at all throws `K8S_TRANSPORT`; aborting `signal` destroys
 * the exchange (its reason is rethrown untouched).
 */
export async function openApiExchange(
  config: KubeConfig,
  exchange: ApiExchange,
): Promise<IncomingMessage> {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new K8sError("K8S_CONFIG_INVALID", "kubeconfig has no current cluster");
  const url = new URL(cluster.server.replace(/\/+$/, "") + exchange.pathAndQuery);
  const options: RequestOptions = {
    method: exchange.method,
    headers: {
      ...exchange.headers,
      ...(exchange.body ? { "content-length": String(exchange.body.length) } : {}),
    },
  };
  await config.applyToHTTPSOptions(options);
  // A long-lived watch should not hold a pooled socket (as openApiStream).
  delete options.agent;
  exchange.signal?.throwIfAborted();
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpsRequest(url, { ...options, signal: exchange.signal }, resolve);
    req.on("error", (error) => {
      if (exchange.signal?.aborted) return reject(exchange.signal.reason);
      reject(
        new K8sError("K8S_TRANSPORT", `${exchange.method} ${url.pathname}: ${error.message}`, {
          cause: error,
        }),
      );
    });
    req.end(exchange.body);
  });
}
