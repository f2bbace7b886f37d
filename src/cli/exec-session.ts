import type { ControlWebSocket } from "../chain/control-transport.ts";
import { CliError, EXIT } from "./errors.ts";

/** Channels of the Kubernetes exec protocol (v4/v5.channel.k8s.io): one leading byte. */
const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, status: 3, resize: 4, close: 255 } as const;
export const EXEC_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

export interface ExecIo {
  readonly stdout: (data: Uint8Array) => void;
  readonly stderr: (data: Uint8Array) => void;
  /** Input to send (stdin), if any; its end closes the pod's stdin (v5). */
  readonly stdin?: AsyncIterable<Uint8Array | string>;
  /** The terminal size now, and a way to hear of changes (tty sessions). */
  readonly size?: () => { width: number; height: number };
  readonly onResize?: (listener: () => void) => () => void;
}

interface ExecStatus {
  status?: string;
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

/**
 * Runs one exec/attach session over a WebSocket to nautilus-control (which bridges it to the
 * pod as the tenant; opened by the pinned transport, `ControlApi.openWebSocket`) and
 * resolves with the remote command's exit code. A refusal (close code 4xxx with
 * `CODE: message`) throws a CliError with that code.
 */
export function runExecSession(socket: ControlWebSocket, io: ExecIo): Promise<number> {
  const { peer } = socket;
  return new Promise<number>((resolve, reject) => {
    let exitCode: number | undefined;
    let failure: CliError | undefined;
    let stopResize: (() => void) | undefined;
    const sendResize = (): void => {
      const size = io.size?.();
      if (!size || peer.closed) return;
      const body = new TextEncoder().encode(
        JSON.stringify({ Width: size.width, Height: size.height }),
      );
      peer.send(new Uint8Array([CHANNEL.resize, ...body]));
    };
    peer.onMessage = ({ payload }) => {
      const channel = payload[0];
      const body = payload.subarray(1);
      if (channel === CHANNEL.stdout) io.stdout(body);
      else if (channel === CHANNEL.stderr) io.stderr(body);
      else if (channel === CHANNEL.status) {
        const status = JSON.parse(new TextDecoder().decode(body)) as ExecStatus;
        exitCode = exitCodeOf(status);
        if (exitCode === undefined)
          failure = new CliError("EXEC_FAILED", status.message ?? "the command could not run");
      }
    };
    peer.onClose = (code, reason) => {
      stopResize?.();
      if (code >= 4000 && code < 5000) {
        const [errorCode, ...rest] = reason.split(": ");
        return reject(
          new CliError(
            errorCode || `HTTP_${code - 4000}`,
            `nautilus-control: ${rest.join(": ") || reason}`,
          ),
        );
      }
      if (failure) return reject(failure);
      if (exitCode !== undefined) return resolve(exitCode);
      reject(
        new CliError(
          "STREAM_INTERRUPTED",
          `the session ended without an exit status (${code} ${reason})`.trim(),
          {
            exitCode: EXIT.unavailable,
          },
        ),
      );
    };
    // The socket is open already (the upgrade succeeded): start the terminal and stdin.
    if (io.size) {
      sendResize();
      stopResize = io.onResize?.(sendResize);
    }
    if (io.stdin) pumpStdin(socket, io.stdin).catch(() => undefined);
  });
}

async function pumpStdin(
  socket: ControlWebSocket,
  input: AsyncIterable<Uint8Array | string>,
): Promise<void> {
  for await (const chunk of input) {
    if (socket.peer.closed) return;
    const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
    const frame = new Uint8Array(bytes.length + 1);
    frame[0] = CHANNEL.stdin;
    frame.set(bytes, 1);
    socket.peer.send(frame);
  }
  // v5 can tell the pod that stdin has ended (v4 cannot: the session then ends on its own).
  if (!socket.peer.closed && socket.protocol === "v5.channel.k8s.io")
    socket.peer.send(new Uint8Array([CHANNEL.close, CHANNEL.stdin]));
}

/**
 * `Success` → 0; `NonZeroExitCode` → the code in its causes (a kubelet); a failure whose
 * message ends in `exit status N` → N (KWOK's simulated exec words it so); else undefined.
 */
export function exitCodeOf(status: ExecStatus): number | undefined {
  if (status.status === "Success") return 0;
  const worded = /exit status (\d{1,3})$/.exec(status.message ?? "");
  if (status.reason !== "NonZeroExitCode" && worded?.[1]) return Number(worded[1]);
  if (status.reason === "NonZeroExitCode") {
    const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
    const code = Number(cause?.message);
    return Number.isInteger(code) ? code : 1;
  }
  return undefined;
}
