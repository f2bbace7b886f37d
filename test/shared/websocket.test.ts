// WebSocketPeer over a real TCP connection: frames that arrive before the owner attaches its
// handlers (with the handshake's `head`, or in the same turn) are delivered, not dropped, and a
// close that came first is still reported — the exec session once lost a fast command's output
// and could wait for ever on a close it never heard.
import assert from "node:assert/strict";
import { connect, createServer, type Server, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { closePayload, encodeFrame, OPCODE, WebSocketPeer } from "../../src/shared/websocket.ts";

let server: Server;
let serverSide: Promise<Socket>;

async function pair(): Promise<{ client: Socket; server: Socket }> {
  let accept!: (socket: Socket) => void;
  serverSide = new Promise((resolve) => (accept = resolve));
  server.removeAllListeners("connection");
  server.on("connection", accept);
  const port = (server.address() as { port: number }).port;
  const client = connect(port, "127.0.0.1");
  await new Promise((resolve) => client.once("connect", resolve));
  return { client, server: await serverSide };
}

describe("shared: WebSocketPeer", () => {
  before(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  after(() => server.close());

  it("delivers frames that came with the handshake before onMessage was attached", async () => {
    const sockets = await pair();
    const head = Buffer.concat([
      encodeFrame(OPCODE.binary, new Uint8Array([1, 104, 105]), false),
      encodeFrame(OPCODE.binary, new Uint8Array([3, 123, 125]), false),
    ]);
    const peer = new WebSocketPeer(sockets.client, "client", head);
    // The owner attaches its handler a few turns later, as an awaiting caller does.
    await new Promise((resolve) => setImmediate(resolve));
    const received: number[][] = [];
    peer.onMessage = ({ payload }) => received.push([...payload]);
    assert.deepEqual(received, [
      [1, 104, 105],
      [3, 123, 125],
    ]);
    sockets.client.destroy();
    sockets.server.destroy();
  });

  it("reports a close that came before the handlers, after the messages before it", async () => {
    const sockets = await pair();
    const head = Buffer.concat([
      encodeFrame(OPCODE.binary, new Uint8Array([1, 7]), false),
      encodeFrame(OPCODE.close, closePayload(4403, "NAMESPACE_NOT_OWNED: no"), false),
    ]);
    const peer = new WebSocketPeer(sockets.client, "client", head);
    await new Promise((resolve) => setImmediate(resolve));
    const events: string[] = [];
    peer.onClose = (code, reason) => events.push(`close ${code} ${reason}`);
    assert.equal(events.length, 0, "the close waits for the message before it");
    peer.onMessage = ({ payload }) => events.push(`message ${[...payload].join(",")}`);
    assert.deepEqual(events, ["message 1,7", "close 4403 NAMESPACE_NOT_OWNED: no"]);
    peer.onClose = (code) => events.push(`again ${code}`);
    assert.equal(events.length, 2, "a close is reported once");
    sockets.server.destroy();
  });
});
