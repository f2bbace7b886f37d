import { createServer } from "node:net";

/**
 * Asks the kernel for a free TCP port on 127.0.0.1. The port is released before the
 * component binds it, so a collision is possible but rare; startup then fails loudly.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolvePort(address.port);
        else reject(new Error("no port assigned"));
      });
    });
  });
}
