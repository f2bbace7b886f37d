import type { Duplex } from "node:stream";
import { EXEC_PROTOCOLS, PORT_FORWARD_PROTOCOLS, type UpgradedStream } from "../../k8s/index.ts";
import { acceptKey, WebSocketPeer } from "../../shared/websocket.ts";
import { StreamError } from "./errors.ts";
import type { StreamLease } from "./limits.ts";
import type { StreamMetrics } from "./metrics.ts";
import { streamErrorFromUpstream } from "./upstream-errors.ts";

/** The client's upgrade request, as the bridge needs it. */
export interface ClientUpgrade {
  readonly socket: Duplex;
  readonly head: Buffer;
  readonly key: string;
  /** Protocols the client offered (`Sec-WebSocket-Protocol`). */
  readonly protocols: readonly string[];
}

/** Close codes for refusals: 4000 + the HTTP status, reason `CODE: message`. */
export function refuseUpgrade(
  client: ClientUpgrade,
  error: StreamError | { code: string; statusCode: number; message: string },
): void {
  const known: readonly string[] = [...EXEC_PROTOCOLS, ...PORT_FORWARD_PROTOCOLS];
  const protocol = client.protocols.find((p) => known.includes(p));
  completeHandshake(client, protocol);
  new WebSocketPeer(client.socket, "server").close(
    4000 + error.statusCode,
    `${error.code}: ${error.message}`,
  );
}

function completeHandshake(client: ClientUpgrade, protocol: string | undefined): void {
  client.socket.write(
    [
      "HTTP/1.1 101 Switching Protocols",
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Accept: ${acceptKey(client.key)}`,
      ...(protocol ? [`Sec-WebSocket-Protocol: ${protocol}`] : []),
      "",
      "",
    ].join("\r\n"),
  );
}

export interface ExecSession {
  /** Ends both sides (the control plane is stopping). */
  end(reason: string): void;
  /** Resolves when both sides are closed, with the bytes carried each way. */
  readonly done: Promise<{ toPod: number; fromPod: number }>;
}

/**
 * Bridges the client's WebSocket to the API server's exec/attach WebSocket, opened as the
 * tenant: messages (channel byte + data: stdin, stdout, stderr, the exit Status, resize) are
 * passed through unchanged both ways, output metered by the tenant's byte rate.
 */
export async function bridgeExec(
  kind: "exec" | "attach" | "portforward",
  what: string,
  supported: readonly string[],
  open: (protocols: readonly string[]) => Promise<UpgradedStream>,
  client: ClientUpgrade,
  lease: StreamLease,
  metrics: StreamMetrics | undefined,
): Promise<ExecSession> {
  const offered = supported.filter((p) => client.protocols.includes(p));
  if (offered.length === 0)
    throw new StreamError("STREAM_BAD_REQUEST", 400, `offer one of ${supported.join(", ")}`);
  const upstream = await open(offered).catch((error: unknown) => {
    throw streamErrorFromUpstream(error, what);
  });
  completeHandshake(client, upstream.protocol);
  const tenant = new WebSocketPeer(client.socket, "server", client.head);
  const api = new WebSocketPeer(upstream.socket, "client", upstream.head);
  let toPod = 0;
  let fromPod = 0;
  let pending = Promise.resolve();
  tenant.onMessage = (message) => {
    toPod += message.payload.length;
    api.send(message.payload, message.opcode);
  };
  api.onMessage = (message) => {
    // In order, each after the tenant's byte budget allows it.
    pending = pending.then(async () => {
      await lease.spend(message.payload.length);
      fromPod += message.payload.length;
      metrics?.bytes.inc({ kind: kind }, message.payload.length);
      tenant.send(message.payload, message.opcode);
    });
  };
  metrics?.open.inc({ kind: kind });
  const done = new Promise<{ toPod: number; fromPod: number }>((resolve) => {
    let closed = 0;
    const onClosed = (): void => {
      if (++closed < 2) return;
      metrics?.open.dec({ kind: kind });
      resolve({ toPod, fromPod });
    };
    api.onClose = (code, reason) => {
      pending.then(() => tenant.close(code === 1006 ? 1011 : code, reason)).finally(onClosed);
    };
    tenant.onClose = () => {
      api.close(1000, "client closed");
      onClosed();
    };
  });
  return {
    end: (reason) => {
      tenant.close(1001, reason);
      api.close(1001, reason);
    },
    done,
  };
}
