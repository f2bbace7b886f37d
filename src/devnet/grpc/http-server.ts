import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ListeningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export type FetchHandler = (request: Request) => Promise<Response>;

/**
 * Serves a Fetch-style handler over HTTP/1.1 for clients in other processes. Binds to
 * 127.0.0.1 unless told otherwise: the devnet mints coins and has no authentication.
 */
export async function listen(
  handler: FetchHandler,
  options: { host?: string; port?: number } = {},
): Promise<ListeningServer> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer((req, res) => {
    serve(handler, host, req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`devnet: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  // Long-lived subscription streams must not be cut by Node's default request timeouts.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, port, close: () => closeServer(server) };
}

async function serve(
  handler: FetchHandler,
  host: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method === "OPTIONS") {
    res.writeHead(204, corsHeaders());
    res.end();
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
  }
  const request = new Request(`http://${host}${req.url ?? "/"}`, {
    method: req.method ?? "GET",
    headers,
    body: req.method === "POST" ? Buffer.concat(chunks) : null,
    signal: abort.signal,
  });
  const response = await handler(request);
  res.writeHead(response.status, {
    ...Object.fromEntries(response.headers),
    ...corsHeaders(),
  });
  res.flushHeaders();
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  abort.signal.addEventListener("abort", () => void reader.cancel().catch(() => {}), {
    once: true,
  });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    res.write(value);
  }
  res.end();
}

function corsHeaders(): Record<string, string> {
  return {
    "access-control-allow-origin": "*",
    "access-control-allow-headers": "*",
    "access-control-expose-headers": "grpc-status, grpc-message",
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
