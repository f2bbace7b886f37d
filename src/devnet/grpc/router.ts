import {
  contentTypeOf,
  decodeRequestBody,
  encodeMessageFrame,
  encodeTrailerFrame,
  formatOf,
  type GrpcWebFormat,
} from "./framing.ts";
import { GrpcStatusCode, GrpcStatusError, unimplemented } from "./status.ts";

/** The part of a generated protobuf-ts message type the router needs. */
interface MessageCodec {
  fromBinary(bytes: Uint8Array): object;
  toBinary(message: never): Uint8Array;
}

/** The part of a generated protobuf-ts `ServiceType` the router needs. */
export interface ServiceDescriptor {
  readonly typeName: string;
  readonly methods: readonly {
    readonly name: string;
    readonly serverStreaming?: boolean;
    readonly I: MessageCodec;
    readonly O: MessageCodec;
  }[];
}

export interface CallContext {
  /** Aborted when the client goes away (stream cancelled, connection closed). */
  signal: AbortSignal;
}

/**
 * Handlers take the method's own request type; `never` lets a handler declare it, since the
 * router only ever passes what the method's generated type decoded.
 */
export type UnaryHandler = (input: never, ctx: CallContext) => object | Promise<object>;
export type StreamHandler = (input: never, ctx: CallContext) => AsyncIterable<object>;

interface Route {
  input: MessageCodec;
  output: { toBinary(message: object): Uint8Array };
  unary?: UnaryHandler;
  stream?: StreamHandler;
}

/**
 * Maps `/<package.Service>/<Method>` to handlers, decoding and encoding messages with the
 * SDK's own generated protobuf types, so the devnet speaks exactly the schema the client does.
 * Every method of a registered service that has no handler answers UNIMPLEMENTED by name.
 */
export class GrpcWebRouter {
  readonly #routes = new Map<string, Route>();
  readonly #known = new Set<string>();

  /** Registers the handlers of one service; `handlers` is keyed by method name. */
  service(
    service: ServiceDescriptor,
    handlers: Record<string, UnaryHandler | StreamHandler | undefined>,
  ): this {
    for (const method of service.methods) {
      const path = `/${service.typeName}/${method.name}`;
      this.#known.add(path);
      const handler = handlers[method.name];
      if (!handler) continue;
      const route: Route = {
        input: method.I,
        output: method.O as unknown as Route["output"],
      };
      if (method.serverStreaming) route.stream = handler as StreamHandler;
      else route.unary = handler as UnaryHandler;
      this.#routes.set(path, route);
    }
    for (const name of Object.keys(handlers)) {
      if (!service.methods.some((m) => m.name === name)) {
        throw new Error(`${service.typeName} has no method ${name}`);
      }
    }
    return this;
  }

  /** Serves one gRPC-web call as a Fetch API exchange. */
  async handle(request: Request): Promise<Response> {
    const format = formatOf(request.headers.get("content-type"));
    if (request.method !== "POST" || !format) {
      return new Response("k8s-daas devnet: gRPC-web only (POST application/grpc-web*)\n", {
        status: 415,
        headers: { "content-type": "text/plain" },
      });
    }
    const path = new URL(request.url).pathname;
    const route = this.#routes.get(path);
    const body = new Uint8Array(await request.arrayBuffer());
    const controller = new AbortController();
    request.signal.addEventListener("abort", () => controller.abort(), { once: true });
    const ctx: CallContext = { signal: controller.signal };

    const stream = new ReadableStream<Uint8Array>({
      start: async (out) => {
        try {
          if (!route) throw unimplemented(path.slice(1).replace("/", "."));
          const input = route.input.fromBinary(decodeRequestBody(body, format)) as never;
          if (route.unary) {
            const output = await route.unary(input, ctx);
            out.enqueue(encodeMessageFrame(route.output.toBinary(output), format));
          } else if (route.stream) {
            for await (const output of route.stream(input, ctx)) {
              if (controller.signal.aborted) return;
              out.enqueue(encodeMessageFrame(route.output.toBinary(output), format));
            }
          }
          out.enqueue(encodeTrailerFrame(GrpcStatusCode.OK, undefined, format));
        } catch (error) {
          if (controller.signal.aborted) return;
          out.enqueue(trailerFor(error, format));
        }
        out.close();
      },
      cancel: () => controller.abort(),
    });
    return new Response(stream, {
      status: 200,
      headers: { "content-type": contentTypeOf(format) },
    });
  }

  /** Whether the path names a method of a registered service (handled or not). */
  knows(path: string): boolean {
    return this.#known.has(path);
  }
}

function trailerFor(error: unknown, format: GrpcWebFormat): Uint8Array {
  if (error instanceof GrpcStatusError) {
    return encodeTrailerFrame(error.status, error.message, format);
  }
  const message = error instanceof Error ? error.message : String(error);
  return encodeTrailerFrame(GrpcStatusCode.INTERNAL, `devnet internal error: ${message}`, format);
}
