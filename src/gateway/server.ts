import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ChainWriter } from "./chain-writer.ts";
import { type ControlTarget, openControlRequest, readBody } from "./control-link.ts";
import { GatewayError } from "./errors.ts";
import { parseKubePath } from "./kube-path.ts";
import type { KubeSession } from "./kube-session.ts";
import { KubeRefusal, kubeStatus } from "./kube-status.ts";
import { objectFromProtobuf } from "./protobuf-objects.ts";
import { planWrite } from "./write-request.ts";

export interface GatewayServerOptions {
  /** 127.0.0.1 unless told otherwise: the proxy acts with the tenant's key. */
  address: string;
  port: number;
  control: ControlTarget;
  session: KubeSession;
  writer: ChainWriter;
  log: (line: string) => void;
}

/** Most bytes of one write's body the gateway reads (a payload is at most 16 KiB anyway). */
const MAX_BODY_BYTES = 1024 * 1024;
/** Request headers passed to the control plane on reads. */
const FORWARDED_REQUEST_HEADERS = ["accept", "user-agent", "content-type"];
/** Response headers passed back to the client. */
const FORWARDED_RESPONSE_HEADERS = [
  "content-type",
  "content-encoding",
  "cache-control",
  "audit-id",
  "warning",
  "x-kubernetes-pf-flowschema-uid",
];

/** The running proxy. */
export interface GatewayServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The tenant's local Kubernetes API endpoint. Reads (and the two self-reviews) are passed
 * to nautilus-control's /v2/kube API and streamed back; writes become on-chain requests
 * (`ChainWriter`), `?dryRun=All` ones go to /v2/kube-dry-run; upgrades (exec, attach,
 * port-forward) are piped to the control plane's WebSocket bridge.
 */
export async function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const sockets = new Set<Socket | Duplex>();
  const server: Server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      answerError(options, response, error);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("upgrade", (request, socket, head) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    void forwardUpgrade(options, request, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.address, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.address.includes(":") ? `[${options.address}]` : options.address;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

async function handle(
  options: GatewayServerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const method = request.method ?? "GET";
  const target = request.url ?? "/";
  const url = new URL(target, "http://gateway");
  const path = parseKubePath(url.pathname);
  if (method === "GET" || method === "HEAD") {
    await forwardRead(options, request, response, method, undefined);
    return;
  }
  const body = await readLimited(request);
  if (method === "POST" && path.kind === "review") {
    if (request.headers["content-type"]?.includes("protobuf")) {
      const json = Buffer.from(JSON.stringify(objectFromProtobuf(body)));
      await forwardRead(options, request, response, method, json, {
        "content-type": "application/json",
        accept: "application/json",
      });
      return;
    }
    await forwardRead(options, request, response, method, body);
    return;
  }
  if (path.kind === "cluster-scoped") {
    throw new KubeRefusal(
      403,
      "KUBE_CLUSTER_SCOPED",
      `${method} on ${path.plural}${path.group ? `.${path.group}` : ""} outside a namespace: tenants write only inside the namespaces they hold`,
    );
  }
  if (path.kind === "forbidden-resource") {
    throw new KubeRefusal(
      403,
      "KUBE_RESOURCE_FORBIDDEN",
      `${path.plural}${path.group ? `.${path.group}` : ""} is not a kind tenants may write (RBAC, service accounts and cluster objects belong to the cluster)`,
    );
  }
  if (path.kind !== "namespaced") {
    throw new KubeRefusal(
      405,
      "KUBE_METHOD_NOT_ALLOWED",
      `${method} ${url.pathname} is not a write this gateway knows`,
    );
  }
  // Whose namespace it is comes first: the most useful answer to a write elsewhere.
  await options.writer.capFor(path.namespace);
  const planned = planWrite(
    method,
    path,
    url.searchParams,
    request.headers["content-type"] ?? "application/json",
    body,
  );
  if (planned.dryRun) {
    const dryRunBody = Buffer.from(
      JSON.stringify({
        method: planned.method,
        resource: planned.resource,
        namespace: planned.namespace,
        name: planned.name,
        payload: planned.envelope,
      }),
    );
    const answer = await options.session.send(
      {
        method: "POST",
        pathAndQuery: "/v2/kube-dry-run",
        headers: { "content-type": "application/json" },
      },
      dryRunBody,
    );
    await relay(answer.statusCode, answer.headers, answer.body, response);
    return;
  }
  const stop = new AbortController();
  response.on("close", () => {
    if (!response.writableFinished) stop.abort(new Error("the client went away"));
  });
  const answer = await options.writer.write(planned, stop.signal);
  sendJson(response, answer.statusCode, answer.body, {
    "x-k8s-daas-request-id": answer.requestId,
    "x-k8s-daas-result-tx": answer.resultTx,
  });
}

/** A read (or review) passed to /v2/kube and streamed back as it comes. */
async function forwardRead(
  options: GatewayServerOptions,
  request: IncomingMessage,
  response: ServerResponse,
  method: string,
  body: Buffer | undefined,
  overrides: Record<string, string> = {},
): Promise<void> {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers[name];
    if (typeof value === "string") headers[name] = value;
  }
  Object.assign(headers, overrides);
  const stop = new AbortController();
  response.on("close", () => stop.abort());
  const answer = await options.session.send(
    { method, pathAndQuery: `/v2/kube${request.url ?? "/"}`, headers },
    body,
    stop.signal,
  );
  response.on("close", () => answer.body.destroy());
  await relay(answer.statusCode, answer.headers, answer.body, response);
}

async function relay(
  statusCode: number,
  headers: IncomingMessage["headers"],
  body: NodeJS.ReadableStream,
  response: ServerResponse,
): Promise<void> {
  const out: OutgoingHttpHeaders = {};
  for (const name of FORWARDED_RESPONSE_HEADERS) {
    const value = headers[name];
    if (value !== undefined) out[name] = value;
  }
  response.writeHead(statusCode, out);
  response.flushHeaders();
  try {
    await pipeline(body, response);
  } catch {
    // The client closed a watch, or the control plane ended it: either way it is over.
  }
}

/** exec, attach and port-forward: the upgrade piped to the control plane's bridge. */
async function forwardUpgrade(
  options: GatewayServerOptions,
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  socket.on("error", () => socket.destroy());
  try {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined || name === "host" || name === "authorization") continue;
      headers[name] = value;
    }
    headers.authorization = await options.session.authorization();
    const upstream = openControlRequest(options.control, {
      method: request.method ?? "GET",
      pathAndQuery: `/v2/kube${request.url ?? "/"}`,
      headers,
    });
    upstream.on("upgrade", (answer, upstreamSocket, upstreamHead) => {
      const lines = [`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage ?? ""}`];
      for (let i = 0; i < answer.rawHeaders.length; i += 2) {
        lines.push(`${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}`);
      }
      socket.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (upstreamHead.length > 0) socket.write(upstreamHead);
      if (head.length > 0) upstreamSocket.write(head);
      upstreamSocket.on("error", () => socket.destroy());
      upstreamSocket.pipe(socket);
      socket.pipe(upstreamSocket);
      socket.on("close", () => upstreamSocket.destroy());
      upstreamSocket.on("close", () => socket.destroy());
    });
    upstream.on("response", async (answer) => {
      const text = await readBody(answer);
      socket.end(
        `HTTP/1.1 ${answer.statusCode} ${answer.statusMessage ?? ""}\r\ncontent-type: ${answer.headers["content-type"] ?? "application/json"}\r\ncontent-length: ${text.length}\r\nconnection: close\r\n\r\n${text.toString("latin1")}`,
        "latin1",
      );
    });
    upstream.on("error", (error) => {
      options.log(`upgrade ${request.url}: ${error.message}`);
      writeStatusToSocket(socket, kubeStatus(502, "CONTROL_UNREACHABLE", error.message));
    });
    upstream.end();
  } catch (error) {
    writeStatusToSocket(socket, kubeStatus(502, "CONTROL_UNREACHABLE", (error as Error).message));
  }
}

function writeStatusToSocket(socket: Duplex, status: ReturnType<typeof kubeStatus>): void {
  const text = JSON.stringify(status);
  socket.end(
    `HTTP/1.1 ${status.code} ${status.reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
}

async function readLimited(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new KubeRefusal(
        413,
        "KUBE_PAYLOAD_TOO_LARGE",
        `the request body is over ${MAX_BODY_BYTES} bytes; on-chain payloads are at most 16 KiB`,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function sendJson(
  response: ServerResponse,
  statusCode: number,
  body: unknown,
  extra: OutgoingHttpHeaders = {},
): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(statusCode, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...extra,
  });
  response.end(text);
}

/** Every failure becomes a `Status`: a refusal with its code, anything else a 5xx. */
function answerError(
  options: GatewayServerOptions,
  response: ServerResponse,
  error: unknown,
): void {
  if (error instanceof KubeRefusal) {
    sendJson(response, error.httpStatus, error.toStatus());
    return;
  }
  if (error instanceof GatewayError) {
    const status = error.kind === "unavailable" ? 503 : error.kind === "usage" ? 400 : 502;
    options.log(`error[${error.code}]: ${error.message}`);
    sendJson(response, status, kubeStatus(status, error.code, error.message));
    return;
  }
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  options.log(`error: ${message}`);
  sendJson(
    response,
    500,
    kubeStatus(
      500,
      typeof code === "string" && /^[A-Z][A-Z0-9_]+$/.test(code) ? code : "GATEWAY_INTERNAL",
      message,
    ),
  );
}
