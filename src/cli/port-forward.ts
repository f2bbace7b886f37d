import { createServer, type Server, type Socket } from "node:net";

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
 * the control plane to the pod's port (`connect` signs a fresh request each time), and bytes
 * are carried both ways until either side ends.
 */
export async function startPortForward(
  localPort: number,
  connect: () => Promise<{ url: string; headers: Record<string, string> }>,
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
  connect: () => Promise<{ url: string; headers: Record<string, string> }>,
  report: (problem: string) => void,
): Promise<void> {
  socket.pause();
  const { url, headers } = await connect();
  const ws = new WebSocket(url, { protocols: [PROTOCOL], headers } as unknown as string[]);
  ws.binaryType = "arraybuffer";
  // The first message on each channel starts with the port (2 bytes, little-endian).
  const seenPort = new Set<number>();
  ws.onopen = () => {
    socket.on("data", (chunk: Buffer) => {
      const frame = new Uint8Array(chunk.length + 1);
      frame[0] = DATA;
      frame.set(chunk, 1);
      ws.send(frame);
    });
    socket.on("end", () => ws.close(1000));
    socket.resume();
  };
  ws.onmessage = (event) => {
    const data = new Uint8Array(event.data as ArrayBuffer);
    const channel = data[0] ?? -1;
    let body = data.subarray(1);
    if (!seenPort.has(channel)) {
      seenPort.add(channel);
      body = body.subarray(2);
    }
    if (channel === DATA && body.length > 0) socket.write(body);
    else if (channel === ERROR && body.length > 0) report(new TextDecoder().decode(body));
  };
  ws.onclose = (event) => {
    if (event.code >= 4000 && event.code < 5000) report(event.reason);
    socket.end();
  };
  ws.onerror = () => {
    // The close event that follows ends the connection.
  };
  socket.on("error", () => ws.close(1000));
}
