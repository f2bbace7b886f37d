// An API server that refuses WebSocket upgrades, as one before 1.30 refuses exec over a
// v5 WebSocket, or one without the PortForwardWebsockets gate refuses port-forward over one:
// a TLS front on 127.0.0.1 (with the test cluster's own serving certificate, so clients
// trust it as they trust the API server) that answers every WebSocket upgrade 400 and
// passes every other upgrade (SPDY) through to the real kube-testenv API server, with the
// admin's client certificate; the Impersonate-* headers pass unchanged, so the API server
// still authorizes as the tenant.

import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { createServer, request, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { KubeConfig } from "@kubernetes/client-node";
import { clusterLayout } from "../../src/k8s/testenv/index.ts";
import { testClusterDataDir } from "./cluster.ts";

export interface RefusingApiServer {
  /** An admin kubeconfig whose server is this front. */
  readonly kubeConfig: KubeConfig;
  /** WebSocket upgrades refused so far. */
  refused(): number;
  close(): Promise<void>;
}

export async function startWebSocketRefusingApiServer(
  admin: KubeConfig,
): Promise<RefusingApiServer> {
  const pki = clusterLayout(testClusterDataDir).pkiDir;
  const target = new URL(admin.getCurrentCluster()?.server ?? "");
  const user = admin.getCurrentUser();
  const credentials = {
    ca: readFileSync(join(pki, "ca.crt")),
    cert: user?.certFile
      ? readFileSync(user.certFile)
      : Buffer.from(user?.certData ?? "", "base64"),
    key: user?.keyFile ? readFileSync(user.keyFile) : Buffer.from(user?.keyData ?? "", "base64"),
  };
  let refused = 0;
  const sockets = new Set<Duplex>();
  const server: Server = createServer({
    cert: readFileSync(join(pki, "apiserver.crt")),
    key: readFileSync(join(pki, "apiserver.key")),
  });
  server.on("request", (_req, res) => {
    res.writeHead(404).end();
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    if (/websocket/i.test(String(req.headers.upgrade))) {
      refused++;
      const body = JSON.stringify({
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        message: "this API server takes no WebSocket for this subresource",
        reason: "BadRequest",
        code: 400,
      });
      socket.end(
        `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    const upstream = request({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: target.host },
      ...credentials,
    });
    upstream.on("upgrade", (res: IncomingMessage, upstreamSocket: Duplex, upstreamHead: Buffer) => {
      sockets.add(upstreamSocket);
      const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage}`];
      for (let i = 0; i < res.rawHeaders.length; i += 2)
        lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
      socket.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (upstreamHead.length > 0) socket.write(upstreamHead);
      if (head.length > 0) upstreamSocket.write(head);
      upstreamSocket.pipe(socket).on("error", () => undefined);
      socket.pipe(upstreamSocket).on("error", () => undefined);
      upstreamSocket.on("close", () => socket.destroy());
      socket.on("close", () => upstreamSocket.destroy());
    });
    upstream.on("response", (res: IncomingMessage) => {
      socket.write(`HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\nConnection: close\r\n\r\n`);
      res.pipe(socket);
    });
    upstream.on("error", () => socket.destroy());
    upstream.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(admin.exportConfig());
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error("the admin kubeconfig has no current cluster");
  kubeConfig.clusters = kubeConfig.clusters.map((c) =>
    c.name === cluster.name ? { ...c, server: `https://127.0.0.1:${port}` } : c,
  );
  return {
    kubeConfig,
    refused: () => refused,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
