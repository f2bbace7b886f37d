import { createServer, type Server, type Socket } from "node:net";
import type { ControlWebSocket } from "../chain/control-transport.ts";

/** Channels of `pods/portforward` over a WebSocket for one port: data 0, error 1. */
const DATA = 0;
const ERROR = 1;
const PROTOCOL = "v4.channel.k8s.io";

export interface PortForwarder {
  /** The local port listened on (useful with 0). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1:`localPort`; each accepted connection gets its own WebSocket through
 * the control plane to the pod's port (`connect` signs a fresh request each time and opens
 * it over the pinned transport), and bytes
 * are carried both ways until either side ends.
 */
export async function startPortForward(
  localPort: number,
  connect: (protocols: readonly string[]) => Promise<ControlWebSocket>,
  report: (problem: string) => void,
): Promise<PortForwarder> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    bridge(socket, connect, report).catch((error: unknown) => {
      report(error instanceof Error ? error.message : String(error));
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(localPort, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : localPort,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function bridge(
  socket: Socket,
  connect: (protocols: readonly string[]) => Promise<ControlWebSocket>,
  report: (problem: string) => void,
): Promise<void> {
  socket.pause();
  const { peer } = await connect([PROTOCOL]);
  // The first message on each channel starts with the port (2 bytes, little-endian).
  const seenPort = new Set<number>();
  peer.onMessage = ({ payload }) => {
    const channel = payload[0] ?? -1;
    let body = payload.subarray(1);
    if (!seenPort.has(channel)) {
      seenPort.add(channel);
      body = body.subarray(2);
    }
    if (channel === DATA && body.length > 0) socket.write(body);
    else if (channel === ERROR && body.length > 0) report(new TextDecoder().decode(body));
  };
  peer.onClose = (code, reason) => {
    if (code >= 4000 && code < 5000) report(reason);
    socket.end();
  };
  socket.on("data", (chunk: Buffer) => {
    const frame = new Uint8Array(chunk.length + 1);
    frame[0] = DATA;
    frame.set(chunk, 1);
    peer.send(frame);
  });
  socket.on("end", () => peer.close(1000));
  socket.on("error", () => peer.close(1000));
  socket.resume();
}
