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
  /** Detaches: the session is closed from this side and resolves `DETACHED`. */
  readonly detach?: AbortSignal;
}

/** What `runExecSession` resolves with when `detach` ended the session (attach's Ctrl-C). */
export const DETACHED = -1;

interface ExecStatus {
  status?: string;
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

/**
 * Runs one exec/attach session over a WebSocket to nautilus-control (which bridges it to the
 * pod as the tenant) and resolves with the remote command's exit code, or `DETACHED` when
 * `io.detach` fired first. A refusal (close code 4xxx with `CODE: message`) throws a
 * CliError with that code.
 */
export function runExecSession(
  url: string,
  headers: Record<string, string>,
  io: ExecIo,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const socket = new WebSocket(url, {
      protocols: EXEC_PROTOCOLS,
      headers,
    } as unknown as string[]);
    socket.binaryType = "arraybuffer";
    let exitCode: number | undefined;
    let failure: CliError | undefined;
    let stopResize: (() => void) | undefined;
    const onDetach = (): void => socket.close(1000, "detached");
    io.detach?.addEventListener("abort", onDetach, { once: true });
    const sendResize = (): void => {
      const size = io.size?.();
      if (!size || socket.readyState !== WebSocket.OPEN) return;
      const body = new TextEncoder().encode(
        JSON.stringify({ Width: size.width, Height: size.height }),
      );
      socket.send(new Uint8Array([CHANNEL.resize, ...body]));
    };
    socket.onopen = () => {
      if (io.size) {
        sendResize();
        stopResize = io.onResize?.(sendResize);
      }
      if (io.stdin) pumpStdin(socket, io.stdin).catch(() => undefined);
    };
    socket.onmessage = (event) => {
      const data = new Uint8Array(event.data as ArrayBuffer);
      const channel = data[0];
      const body = data.subarray(1);
      if (channel === CHANNEL.stdout) io.stdout(body);
      else if (channel === CHANNEL.stderr) io.stderr(body);
      else if (channel === CHANNEL.status) {
        const status = JSON.parse(new TextDecoder().decode(body)) as ExecStatus;
        exitCode = exitCodeOf(status);
        if (exitCode === undefined)
          failure = new CliError("EXEC_FAILED", status.message ?? "the command could not run");
      }
    };
    socket.onerror = () => {
      // The close event that follows says why.
    };
    socket.onclose = (event) => {
      stopResize?.();
      io.detach?.removeEventListener("abort", onDetach);
      if (io.detach?.aborted && exitCode === undefined && !failure) return resolve(DETACHED);
      if (event.code >= 4000 && event.code < 5000) {
        const [code, ...rest] = event.reason.split(": ");
        return reject(
          new CliError(
            code || `HTTP_${event.code - 4000}`,
            `nautilus-control: ${rest.join(": ") || event.reason}`,
          ),
        );
      }
      if (failure) return reject(failure);
      if (exitCode !== undefined) return resolve(exitCode);
      reject(
        new CliError(
          "STREAM_INTERRUPTED",
          `the session ended without an exit status (${event.code} ${event.reason})`.trim(),
          {
            exitCode: EXIT.unavailable,
          },
        ),
      );
    };
  });
}

async function pumpStdin(
  socket: WebSocket,
  input: AsyncIterable<Uint8Array | string>,
): Promise<void> {
  for await (const chunk of input) {
    if (socket.readyState !== WebSocket.OPEN) return;
    const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
    const frame = new Uint8Array(bytes.length + 1);
    frame[0] = CHANNEL.stdin;
    frame.set(bytes, 1);
    socket.send(frame);
  }
  // v5 can tell the pod that stdin has ended (v4 cannot: the session then ends on its own).
  if (socket.readyState === WebSocket.OPEN && socket.protocol === "v5.channel.k8s.io")
    socket.send(new Uint8Array([CHANNEL.close, CHANNEL.stdin]));
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
