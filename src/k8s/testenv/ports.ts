import { createServer, type Server } from "node:net";

function listenOnLoopback(): Promise<Server> {
  return new Promise((resolveServer, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => resolveServer(server));
  });
}

/**
 * Asks the kernel for `count` distinct free TCP ports on 127.0.0.1, holding them all open
 * until every one is known so none is handed out twice. They are released before the
 * components bind them, so a collision with another program is possible but rare; the
 * component then exits and startup fails loudly naming it.
 */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listenOnLoopback());
    return servers.map((server) => {
      const address = server.address();
      if (!address || typeof address !== "object") throw new Error("no port assigned");
      return address.port;
    });
  } finally {
    await Promise.all(
      servers.map((server) => new Promise<void>((done) => server.close(() => done()))),
    );
  }
}
