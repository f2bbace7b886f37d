// A Seal key server: the HTTP API `@mysten/seal`'s SealClient speaks (GET /v1/service,
// POST /v1/fetch_key), one master key, access decided by dry-running the requester's
// `seal_approve*` PTB on the chain. Written from the client's side of the protocol; for the
// local stack and tests (a production deployment uses Mysten's or a committee's servers).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { normalizeSuiAddress, toBase64 } from "@mysten/sui/utils";
import { KeyServerError } from "./errors.ts";
import { verifyFetchKeyRequest } from "./fetch-key-request.ts";
import { encryptToRequester, type SealMasterKey } from "./master-key.ts";
import type { PolicyEvaluator } from "./policy-evaluator.ts";

/** The API version this server speaks; the client needs at least 0.4.1. */
export const KEY_SERVER_VERSION = "0.5.0";
/** More ids than a client ever asks for at once: a bound on work per request. */
const MAX_IDS_PER_REQUEST = 64;
const MAX_BODY_BYTES = 256 * 1024;

export interface KeyServerOptions {
  masterKey: SealMasterKey;
  /**
   * The key server's object id on chain (`key_server::KeyServer`); a function when the
   * server registers itself after it listens (its URL goes on chain).
   */
  objectId: string | (() => string);
  policy: PolicyEvaluator;
  /** When set, only these packages' policies are served (a permissioned server). */
  allowedPackages?: readonly string[];
  host?: string;
  port?: number;
  now?: () => number;
  /** Told of every refusal (code and reason; never a key). */
  onRefusal?: (refusal: { code: string; message: string; user?: string }) => void;
}

export interface RunningKeyServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startKeyServer(options: KeyServerOptions): Promise<RunningKeyServer> {
  const host = options.host ?? "127.0.0.1";
  const objectId = () =>
    normalizeSuiAddress(
      typeof options.objectId === "string" ? options.objectId : options.objectId(),
    );
  const allowed = options.allowedPackages?.map((id) => normalizeSuiAddress(id));
  const now = options.now ?? Date.now;

  const fetchKey = async (body: unknown) => {
    const request = await verifyFetchKeyRequest(body, now());
    if (request.ids.length > MAX_IDS_PER_REQUEST) {
      throw new KeyServerError(
        "InvalidPTB",
        `at most ${MAX_IDS_PER_REQUEST} identities per request`,
      );
    }
    if (allowed && !allowed.includes(request.packageId)) {
      throw new KeyServerError(
        "UnsupportedPackageId",
        `package ${request.packageId} is not served here`,
      );
    }
    const verdict = await options.policy.evaluate(request.ptb, request.user);
    if (!verdict.approved) {
      options.onRefusal?.({ code: "NoAccess", message: verdict.reason, user: request.user });
      throw new KeyServerError("NoAccess", verdict.reason);
    }
    const packageBytes = Buffer.from(request.packageId.slice(2), "hex");
    return {
      decryption_keys: request.ids.map((id) => {
        const fullId = new Uint8Array([...packageBytes, ...id]);
        const [c0, c1] = encryptToRequester(
          options.masterKey.identityKey(fullId),
          request.encryptionKey,
        );
        return { id: [...fullId], encrypted_key: [toBase64(c0), toBase64(c1)] };
      }),
    };
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const refusal =
        error instanceof KeyServerError
          ? error
          : new KeyServerError("Failure", error instanceof Error ? error.message : String(error));
      if (!(error instanceof KeyServerError) || refusal.code !== "NoAccess") {
        options.onRefusal?.({ code: refusal.code, message: refusal.message });
      }
      reply(res, refusal.status, { error: refusal.code, message: refusal.message });
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://key-server");
    if (req.method === "GET" && url.pathname === "/v1/service") {
      const asked = url.searchParams.get("service_id");
      const id = objectId();
      if (asked !== null && normalizeSuiAddress(asked) !== id) {
        throw new KeyServerError("InvalidServiceId", `this server is ${id}`);
      }
      reply(res, 200, { service_id: id, pop: toBase64(options.masterKey.proofOfPossession(id)) });
      return;
    }
    if (req.method === "POST" && url.pathname === "/v1/fetch_key") {
      reply(res, 200, await fetchKey(await readJson(req)));
      return;
    }
    reply(res, 404, { error: "NotFound", message: `${req.method} ${url.pathname}` });
  };

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, port, close: () => closeServer(server) };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    "content-type": "application/json",
    "x-keyserver-version": KEY_SERVER_VERSION,
  });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw new KeyServerError("InvalidParameter", `the body exceeds ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new KeyServerError("InvalidParameter", "the body is not JSON");
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
