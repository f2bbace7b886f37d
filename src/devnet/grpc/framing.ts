// gRPC-web wire format (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-WEB.md):
// each frame is a flag byte, a 4-byte big-endian length and a payload. Flag 0x00 carries a
// message, 0x80 the trailers as HTTP/1 header lines. The `-text` variant is the same bytes
// in base64, which is what `GrpcWebFetchTransport` sends by default.

const DATA_FRAME = 0x00;
const TRAILER_FRAME = 0x80;

export type GrpcWebFormat = "binary" | "text";

export function formatOf(contentType: string | null): GrpcWebFormat | undefined {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (type === "application/grpc-web" || type === "application/grpc-web+proto") return "binary";
  if (type === "application/grpc-web-text" || type === "application/grpc-web-text+proto") {
    return "text";
  }
  return undefined;
}

export function contentTypeOf(format: GrpcWebFormat): string {
  return format === "text" ? "application/grpc-web-text+proto" : "application/grpc-web+proto";
}

/** Extracts the single request message of a unary or server-streaming call. */
export function decodeRequestBody(body: Uint8Array, format: GrpcWebFormat): Uint8Array {
  const bytes =
    format === "text" ? Buffer.from(Buffer.from(body).toString("latin1"), "base64") : body;
  if (bytes.length < 5) throw new Error("gRPC-web request body is shorter than a frame header");
  if (bytes[0] !== DATA_FRAME) throw new Error(`unexpected gRPC-web frame flag ${bytes[0]}`);
  const length = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).readUInt32BE(1);
  if (bytes.length < 5 + length) throw new Error("gRPC-web request frame is truncated");
  return bytes.subarray(5, 5 + length);
}

function frame(flag: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  out[0] = flag;
  new DataView(out.buffer).setUint32(1, payload.length);
  out.set(payload, 5);
  return out;
}

export function encodeMessageFrame(message: Uint8Array, format: GrpcWebFormat): Uint8Array {
  return encodeForWire(frame(DATA_FRAME, message), format);
}

export function encodeTrailerFrame(
  status: number,
  message: string | undefined,
  format: GrpcWebFormat,
): Uint8Array {
  let text = `grpc-status:${status}\r\n`;
  // The SDK's transport decodes percent-encoded status text, as the spec asks.
  if (message) text += `grpc-message:${encodeURIComponent(message)}\r\n`;
  return encodeForWire(frame(TRAILER_FRAME, new TextEncoder().encode(text)), format);
}

/** Each base64 chunk must decode on its own, so every frame is encoded separately. */
function encodeForWire(bytes: Uint8Array, format: GrpcWebFormat): Uint8Array {
  return format === "text"
    ? new TextEncoder().encode(Buffer.from(bytes).toString("base64"))
    : bytes;
}
