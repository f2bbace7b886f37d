import { type ClientRequest, request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Signer } from "@mysten/sui/cryptography";
import { signedHeaders } from "../control/http/auth.ts";
import { GatewayError } from "./errors.ts";

/** Where nautilus-control is and who the gateway speaks for. */
export interface ControlTarget {
  /** The control plane's base URL (`http://127.0.0.1:8080`). */
  url: string;
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
  const url = new URL(call.pathAndQuery, target.url);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return send(url, { method: call.method, headers: call.headers ?? {} });
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
      reject(
        new GatewayError(
          "CONTROL_UNREACHABLE",
          `nautilus-control does not answer at ${target.url} (${error.message})`,
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
    url: new URL(pathAndQuery, target.url).href,
  });
}
