import type { Server, ServerResponse } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

/** A listening HTTP(S) server of the control plane: its URL and a close that drops connections. */
export interface ListeningServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Listens on `host:port` (port 0 picks a free one); rejects if the address is taken.
 * `scheme` is what the URL says (`https` for a TLS server).
 */
export async function listenOn(
  server: Server | HttpsServer,
  listen: { host: string; port: number },
  scheme: "http" | "https" = "http",
): Promise<ListeningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://${listen.host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Answers with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(`${JSON.stringify(body)}\n`);
}
