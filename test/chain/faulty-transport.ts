// Network faults in front of the real devnet transport: a call fails before it reaches the
// node, reaches it but loses its answer, or a stream goes silent. Everything that does get
// through is answered by the real devnet.
import type { RpcTransport } from "@mysten/sui/grpc";
import { RpcError } from "@mysten/sui/grpc";

type Unary = ReturnType<RpcTransport["unary"]>;
type Streaming = ReturnType<RpcTransport["serverStreaming"]>;

/** "stall": silent until cancelled; "deaf": silent, and deaf to cancelling too. */
export type StreamFault = "stall" | "deaf" | RpcError;

export interface Faults {
  /** Fail this call before it is sent. */
  before?: (method: string) => RpcError | undefined;
  /** Unary: send it, let the node execute it, then lose the answer. */
  loseResponse?: (method: string) => RpcError | undefined;
  /** Server streaming: fail it, or let it hang silently until cancelled. */
  stream?: (method: string) => StreamFault | undefined;
  /** Server streaming: pass this many frames through, then break the stream with `error`. */
  resetAfter?: (method: string) => { frames: number; error: RpcError } | undefined;
}

export function unavailable(what = "injected fault"): RpcError {
  return new RpcError(what, "UNAVAILABLE");
}

function rejected<T>(error: unknown): Promise<T> {
  const promise = Promise.reject(error);
  promise.catch(() => undefined);
  return promise as Promise<T>;
}

/** A unary call that never left: every promise rejects with `error`. */
function failedUnary(
  method: Parameters<RpcTransport["unary"]>[0],
  input: object,
  error: unknown,
): Unary {
  const failure = rejected<never>(error);
  const call = {
    method,
    requestHeaders: {},
    request: input,
    headers: failure,
    response: failure,
    status: failure,
    trailers: failure,
    promiseFinished: () => failure,
    // biome-ignore lint/suspicious/noThenProperty: protobuf-ts calls are thenable, like this one
    then: (onFulfilled?: (value: never) => unknown, onRejected?: (reason: unknown) => unknown) =>
      failure.then(onFulfilled, onRejected),
  };
  return call as unknown as Unary;
}

/**
 * Server frames that never come (stall, until `signal` aborts; deaf, ever) or that fail at
 * once.
 */
function faultyFrames(fault: StreamFault, signal: AbortSignal | undefined): AsyncIterable<never> {
  return {
    async *[Symbol.asyncIterator]() {
      if (fault === "deaf") await new Promise<never>(() => undefined);
      if (fault !== "stall") throw fault;
      await new Promise<void>((_resolve, reject) => {
        const cancel = () => reject(new RpcError("cancelled", "CANCELLED"));
        if (signal?.aborted) cancel();
        signal?.addEventListener("abort", cancel, { once: true });
      });
    },
  };
}

/** The real frames, until `count` went through; then the stream breaks. */
function cutAfter<T>(frames: AsyncIterable<T>, count: number, error: RpcError): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      let passed = 0;
      for await (const frame of frames) {
        if (passed === count) throw error;
        passed += 1;
        yield frame;
      }
    },
  };
}

export function faultyTransport(inner: RpcTransport, faults: Faults): RpcTransport {
  return {
    mergeOptions: (options) => inner.mergeOptions(options),
    unary(method, input, options) {
      const early = faults.before?.(method.name);
      // Not forwarded at all: the in-process devnet would still run a pre-aborted call.
      if (early !== undefined) return failedUnary(method, input, early) as never;
      const call = inner.unary(method, input, options);
      const lost = faults.loseResponse?.(method.name);
      if (lost === undefined) return call;
      // Wait for the node to finish, then pretend the answer was lost on the way back.
      const after = call.response.then(
        () => Promise.reject(lost),
        () => Promise.reject(lost),
      );
      after.catch(() => undefined);
      return Object.create(call, {
        response: { value: after },
        status: { value: after },
        trailers: { value: after },
      }) as never;
    },
    serverStreaming(method, input, options) {
      const fault = faults.before?.(method.name) ?? faults.stream?.(method.name);
      const reset = fault === undefined ? faults.resetAfter?.(method.name) : undefined;
      if (reset !== undefined) {
        const call = inner.serverStreaming(method, input, options);
        return Object.create(call, {
          responses: { value: cutAfter(call.responses, reset.frames, reset.error) },
        }) as never;
      }
      if (fault === undefined) return inner.serverStreaming(method, input, options);
      const silent = fault === "stall" || fault === "deaf";
      const status = silent ? new Promise<never>(() => undefined) : rejected<never>(fault);
      const call = {
        method,
        requestHeaders: {},
        request: input,
        headers: silent ? Promise.resolve({}) : rejected(fault),
        responses: faultyFrames(fault, options.abort),
        status,
        trailers: status,
        promiseFinished: () => status,
        // biome-ignore lint/suspicious/noThenProperty: protobuf-ts calls are thenable, like this one
        then: (
          onFulfilled?: (value: never) => unknown,
          onRejected?: (reason: unknown) => unknown,
        ) => status.then(onFulfilled, onRejected),
      };
      return call as unknown as Streaming as never;
    },
    clientStreaming: (method, options) => inner.clientStreaming(method, options),
    duplex: (method, options) => inner.duplex(method, options),
  };
}
