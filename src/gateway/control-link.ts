import type { ClientRequest, IncomingMessage } from "node:http";
import type { Signer } from "@mysten/sui/cryptography";
import type { ControlTransport } from "../chain/control-transport.ts";
import { isChainError } from "../chain/errors.ts";
import { signedHeaders } from "../control/http/auth.ts";
import { GatewayError } from "./errors.ts";

/** Where nautilus-control is and who the gateway speaks for. */
export interface ControlTarget {
  /**
   * The pinned connection to the control plane (HTTPS whose key must hash to the TLS key hash
   * the cluster's enclave registered on chain; plain HTTP only when allowed explicitly).
   */
  transport: ControlTransport;
  clusterId: string;
  signer: Signer;
}

export interface ControlCall {
  method: string;
  /** Path and query, as sent (`/v2/kube/api/v1/namespaces/a/pods?watch=true`). */
  pathAndQuery: string;
  headers?: Record<string, string | string[]>;
}

/**
 * THE way the gateway reaches nautilus-control: every call (reads, watches, upgrades, dry
 * runs, result outputs, session tokens) opens its connection here, so the transport (TLS,
 * a pinned key) is decided in one place. Returns the request unsent: the caller writes its
 * body and listens for `response` (or `upgrade`).
 */
export function openControlRequest(target: ControlTarget, call: ControlCall): ClientRequest {
  return target.transport.open(call.pathAndQuery, {
    method: call.method,
    headers: call.headers ?? {},
  });
}

/** Sends `call` with `body` and resolves with the response (its body still to read). */
export function controlCall(
  target: ControlTarget,
  call: ControlCall,
  body?: Buffer,
  signal?: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = openControlRequest(target, call);
    const abort = () => request.destroy(new Error("the client went away"));
    signal?.addEventListener("abort", abort, { once: true });
    request.on("response", (response) => {
      signal?.removeEventListener("abort", abort);
      resolve(response);
    });
    request.on("error", (error) => {
      signal?.removeEventListener("abort", abort);
      // A transport refusal (a key not on chain) keeps its own code, as the CLI's ControlApi
      // does: it is not an outage.
      const refusal = isChainError(error) && error.code.startsWith("CONTROL_");
      reject(
        new GatewayError(
          refusal ? error.code : "CONTROL_UNREACHABLE",
          refusal
            ? error.message
            : `nautilus-control does not answer at ${target.transport.url} (${error.message})`,
          { kind: "unavailable", cause: error },
        ),
      );
    });
    request.end(body);
  });
}

/** Reads a whole response body. */
export async function readBody(response: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Headers signed by the tenant's key for one call (`/v2/` paths sign the query too). */
export function signedFor(
  target: ControlTarget,
  method: string,
  pathAndQuery: string,
): Promise<Record<string, string>> {
  return signedHeaders(target.signer, {
    clusterId: target.clusterId,
    method,
    url: new URL(pathAndQuery, target.transport.url).href,
  });
}
