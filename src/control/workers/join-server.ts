import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type ListeningServer, listenOn, sendJson } from "../http/serve.ts";
import { WorkerControlError } from "./errors.ts";

/** What a simulated worker sends to join: its node id and the token from its credential. */
export interface JoinRequest {
  nodeId: string;
  token: string;
}

export interface JoinAnswer {
  node: string;
  created: boolean;
}

export type JoinHandler = (request: JoinRequest) => Promise<JoinAnswer>;

export type JoinServer = ListeningServer;

export const JOIN_PATH = "/v1/workers/join";
const MAX_BODY_BYTES = 4096;

const STATUS: Record<string, number> = {
  WORKERS_JOIN_BAD_REQUEST: 400,
  WORKERS_JOIN_TOKEN_INVALID: 401,
  WORKERS_JOIN_NOT_ACTIVE: 409,
  WORKERS_NODE_NOT_BOUND: 409,
};

/**
 * The join endpoint: `POST /v1/workers/join {nodeId, token}`. A simulated worker has no
 * kubelet to run a TLS bootstrap with, so it presents the bootstrap token here instead and
 * the control plane creates its (KWOK) Node for it. Knowing the token proves the worker
 * opened its credential, which only its x25519 key can do. Real workers never call this:
 * `k3s agent --token` presents the same token to the API server.
 */
export async function startJoinServer(
  handler: JoinHandler,
  listen: { host: string; port: number },
): Promise<JoinServer> {
  const server = createServer((req, res) => {
    serve(handler, req, res).catch((error: unknown) => {
      const code = error instanceof WorkerControlError ? error.code : "INTERNAL";
      sendJson(res, STATUS[code] ?? 500, {
        error: code,
        message: error instanceof Error ? error.message : String(error),
      });
    });
  });
  return listenOn(server, listen);
}

async function serve(handler: JoinHandler, req: IncomingMessage, res: ServerResponse) {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (path !== JOIN_PATH)
    return sendJson(res, 404, { error: "NOT_FOUND", message: `no route ${path}` });
  if (req.method !== "POST")
    return sendJson(res, 405, { error: "METHOD_NOT_ALLOWED", message: "only POST is served" });
  const request = parseJoinRequest(await readBody(req));
  const answer = await handler(request);
  sendJson(res, answer.created ? 201 : 200, answer);
}

function badRequest(message: string): WorkerControlError {
  return new WorkerControlError("WORKERS_JOIN_BAD_REQUEST", message);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw badRequest(`a join request is at most ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseJoinRequest(text: string): JoinRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest("the join request is not JSON");
  }
  const { nodeId, token } = (value ?? {}) as Partial<JoinRequest>;
  if (typeof nodeId !== "string" || typeof token !== "string")
    throw badRequest("a join request needs nodeId and token strings");
  return { nodeId, token };
}
