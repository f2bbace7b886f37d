import type { KubeConfig } from "@kubernetes/client-node";
import { type ChannelSession, HeldChannelEvents } from "./channel-session.ts";
import { K8sError } from "./errors.ts";
import { openPodUpgrade, type PodExecOptions, podExecQuery } from "./pod-exec.ts";
import { SpdyConnection, type SpdyStream } from "./spdy.ts";

// exec, attach and port-forward over SPDY/3.1, as kubectl does where the API server takes no
// WebSocket for them (before 1.30 for exec/attach; port-forward without the
// PortForwardWebsockets gate). Streams are opened the way kubectl opens them (a `streamtype`
// header each), and presented as the same channel messages the WebSocket protocols carry
// (`ChannelSession`), so the tenant's side cannot tell.

/** The exec protocol asked for over SPDY: its error stream carries the final Status as JSON. */
const EXEC_STREAM_PROTOCOL = "v4.channel.k8s.io";
const PORT_FORWARD_STREAM_PROTOCOL = "portforward.k8s.io";
const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, status: 3, resize: 4, close: 255 } as const;

async function upgradeSpdy(
  admin: KubeConfig,
  namespace: string,
  pod: string,
  subresource: string,
  query: URLSearchParams,
  protocol: string,
): Promise<SpdyConnection> {
  const { response, socket, head } = await openPodUpgrade(
    admin,
    namespace,
    pod,
    subresource,
    query,
    "POST",
    { Upgrade: "SPDY/3.1", "X-Stream-Protocol-Version": protocol },
  );
  const agreed = response.headers["x-stream-protocol-version"];
  if (String(response.headers.upgrade ?? "").toLowerCase() !== "spdy/3.1" || agreed !== protocol) {
    socket.destroy();
    throw new K8sError(
      "K8S_RESPONSE_INVALID",
      `${subresource}: the SPDY upgrade agreed on ${String(agreed ?? "no protocol")}`,
    );
  }
  return new SpdyConnection(socket, head);
}

/**
 * Opens `pods/exec` (or `attach`) over SPDY as the namespace's tenant ServiceAccount. The
 * session speaks v5.channel.k8s.io when `protocols` offers it (stdin can be closed), else v4.
 */
export async function openPodExecSpdy(
  admin: KubeConfig,
  namespace: string,
  pod: string,
  subresource: "exec" | "attach",
  options: PodExecOptions,
  protocols: readonly string[],
): Promise<ChannelSession> {
  const query = podExecQuery(subresource, options);
  const connection = await upgradeSpdy(
    admin,
    namespace,
    pod,
    subresource,
    query,
    EXEC_STREAM_PROTOCOL,
  );
  const protocol = protocols.includes("v5.channel.k8s.io")
    ? "v5.channel.k8s.io"
    : "v4.channel.k8s.io";
  const session = new SpdyChannelSession(connection, protocol);
  try {
    // The order kubectl uses; the server waits for exactly the streams the query implies.
    const error = await connection.openStream({ streamtype: "error" });
    const stdin = options.stdin ? await connection.openStream({ streamtype: "stdin" }) : undefined;
    const stdout = await connection.openStream({ streamtype: "stdout" });
    const stderr = options.tty ? undefined : await connection.openStream({ streamtype: "stderr" });
    const resize = options.tty ? await connection.openStream({ streamtype: "resize" }) : undefined;
    session.relay(stdout, CHANNEL.stdout);
    if (stderr) session.relay(stderr, CHANNEL.stderr);
    // The Status comes whole, at the end: one message once the error stream ends.
    const status: Buffer[] = [];
    error.onData = (data) => status.push(data);
    error.onEnd = () => {
      if (status.length > 0) session.deliver(CHANNEL.status, Buffer.concat(status));
    };
    session.toPod = (channel, data) => {
      if (channel === CHANNEL.stdin) stdin?.write(data);
      else if (channel === CHANNEL.resize) resize?.write(data);
      else if (channel === CHANNEL.close && data[0] === CHANNEL.stdin) stdin?.end();
    };
  } catch (error) {
    connection.close("could not open the exec streams");
    throw error;
  }
  return session;
}

/**
 * Opens `pods/portforward` to one port over SPDY as the namespace's tenant ServiceAccount:
 * an error and a data stream for request 0, presented as v4.channel.k8s.io port-forward
 * channels (data 0, errors 1; each starts with the port, as the API server's WebSocket does).
 */
export async function openPodPortForwardSpdy(
  admin: KubeConfig,
  namespace: string,
  pod: string,
  port: number,
): Promise<ChannelSession> {
  const connection = await upgradeSpdy(
    admin,
    namespace,
    pod,
    "portforward",
    new URLSearchParams(),
    PORT_FORWARD_STREAM_PROTOCOL,
  );
  const session = new SpdyChannelSession(connection, "v4.channel.k8s.io");
  const headers = { port: String(port), requestid: "0" };
  try {
    const error = await connection.openStream({ streamtype: "error", ...headers });
    // Nothing is ever written to the error stream (kubectl half-closes it at once too).
    error.end();
    const data = await connection.openStream({ streamtype: "data", ...headers });
    const portPrefix = Buffer.alloc(2);
    portPrefix.writeUInt16LE(port);
    session.deliver(0, portPrefix);
    session.deliver(1, portPrefix);
    session.relay(data, 0);
    error.onData = (text) => session.deliver(1, text);
    // The pod's side of the connection ended: so does the session.
    data.onEnd = () => session.finish();
    session.toPod = (channel, bytes) => {
      if (channel === 0) data.write(bytes);
    };
    session.onTenantClose = () => data.end();
  } catch (error) {
    connection.close("could not open the port-forward streams");
    throw error;
  }
  return session;
}

/** Channel messages over a `SpdyConnection`; the adapters above wire the streams. */
class SpdyChannelSession extends HeldChannelEvents implements ChannelSession {
  readonly protocol: string;
  readonly transport = "spdy" as const;
  readonly #connection: SpdyConnection;
  #closed = false;
  /** Where a message toward the pod goes, by channel. */
  toPod: (channel: number, data: Buffer) => void = () => {};
  /** Called before the session is closed from the tenant's side. */
  onTenantClose: () => void = () => {};

  constructor(connection: SpdyConnection, protocol: string) {
    super();
    this.#connection = connection;
    this.protocol = protocol;
    // The server closing the connection after its streams is how a session normally ends.
    connection.onClose = (reason) =>
      this.#ended(CLEAN_ENDS.has(reason) ? 1000 : 1011, CLEAN_ENDS.has(reason) ? "" : reason);
  }

  relay(stream: SpdyStream, channel: number): void {
    stream.onData = (data) => this.deliver(channel, data);
  }

  deliver(channel: number, data: Buffer): void {
    if (!this.#closed) this.emitMessage(Buffer.concat([Buffer.from([channel]), data]));
  }

  send(message: Buffer): void {
    if (this.#closed || message.length === 0) return;
    this.toPod(message[0] ?? 0, message.subarray(1));
  }

  /** The pod's side is done (a port-forward's data stream ended). */
  finish(): void {
    this.#connection.close("finished");
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.onTenantClose();
    this.#ended(code, reason);
    this.#connection.close(reason);
  }

  #ended(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.emitClose(code, reason);
  }
}

const CLEAN_ENDS = new Set(["connection closed", "the server ended the session", "finished"]);
