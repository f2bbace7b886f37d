import type { Duplex } from "node:stream";
import { constants, createDeflate, type Deflate } from "node:zlib";

// The client side of SPDY/3.1 as the API server (and the kubelet behind it) speak it for
// exec, attach and port-forward when a WebSocket is not an option: streams opened by the
// client with SYN_STREAM (headers compressed by one zlib stream primed with the SPDY/3
// header dictionary), data frames with FIN, PING answered, GOAWAY and RST_STREAM ending
// things. The Kubernetes side (moby/spdystream) does no flow control, so neither do we;
// every stream is ours, so the server's header blocks (SYN_REPLY) carry nothing we read.

const VERSION = 3;
const TYPE = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;
const FLAG_FIN = 0x01;
/** RST_STREAM status for a stream the server tried to open: we open them all. */
const REFUSED_STREAM = 3;
/** The largest frame we accept (a data frame's length field allows 16 MiB). */
const MAX_FRAME = 16 * 1024 * 1024;

/** The SPDY/3 header dictionary (draft-mbelshe-httpbis-spdy-00, 2.6.10.1): words, then text. */
const DICTIONARY_WORDS = [
  "options",
  "head",
  "post",
  "put",
  "delete",
  "trace",
  "accept",
  "accept-charset",
  "accept-encoding",
  "accept-language",
  "accept-ranges",
  "age",
  "allow",
  "authorization",
  "cache-control",
  "connection",
  "content-base",
  "content-encoding",
  "content-language",
  "content-length",
  "content-location",
  "content-md5",
  "content-range",
  "content-type",
  "date",
  "etag",
  "expect",
  "expires",
  "from",
  "host",
  "if-match",
  "if-modified-since",
  "if-none-match",
  "if-range",
  "if-unmodified-since",
  "last-modified",
  "location",
  "max-forwards",
  "pragma",
  "proxy-authenticate",
  "proxy-authorization",
  "range",
  "referer",
  "retry-after",
  "server",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "user-agent",
  "vary",
  "via",
  "warning",
  "www-authenticate",
  "method",
  "get",
  "status",
  "200 OK",
  "version",
  "HTTP/1.1",
  "url",
  "public",
  "set-cookie",
  "keep-alive",
  "origin",
];
const DICTIONARY_TEXT =
  "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505" +
  "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request" +
  "401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented" +
  "503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 " +
  "Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif," +
  "application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=" +
  "gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

/** Each word as a 4-byte length and its bytes, then the text: 1423 bytes. */
export const SPDY_HEADER_DICTIONARY: Buffer = Buffer.concat([
  ...DICTIONARY_WORDS.map((word) => {
    const bytes = Buffer.from(word, "latin1");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  }),
  Buffer.from(DICTIONARY_TEXT, "latin1"),
]);

/** A header block before compression: pair count, then each name and value length-prefixed. */
export function encodeHeaderBlock(headers: Readonly<Record<string, string>>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const entries = Object.entries(headers);
  parts.push(u32(entries.length));
  for (const [name, value] of entries) {
    const n = Buffer.from(name.toLowerCase(), "utf8");
    const v = Buffer.from(value, "utf8");
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

/**
 * The sending side's header compression: one zlib stream for the whole connection, primed
 * with the dictionary, sync-flushed after each block so the peer can read it at once.
 */
class HeaderCompressor {
  readonly #deflate: Deflate = createDeflate({ dictionary: SPDY_HEADER_DICTIONARY });
  #output: Buffer[] = [];
  #queue: Promise<unknown> = Promise.resolve();

  constructor() {
    this.#deflate.on("data", (chunk: Buffer) => this.#output.push(chunk));
  }

  compress(block: Buffer): Promise<Buffer> {
    const next = this.#queue.then(
      () =>
        new Promise<Buffer>((resolve) => {
          this.#deflate.write(block);
          this.#deflate.flush(constants.Z_SYNC_FLUSH, () => {
            const out = Buffer.concat(this.#output);
            this.#output = [];
            resolve(out);
          });
        }),
    );
    this.#queue = next;
    return next;
  }

  close(): void {
    this.#deflate.destroy();
  }
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(0x8000 | VERSION, 0);
  header.writeUInt16BE(type, 2);
  header.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
  return Buffer.concat([header, payload]);
}

function dataFrame(streamId: number, flags: number, data: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(streamId & 0x7fffffff, 0);
  header.writeUInt32BE(((flags & 0xff) << 24) | data.length, 4);
  return Buffer.concat([header, data]);
}

/** One stream of a `SpdyConnection`, opened by us. */
export interface SpdyStream {
  readonly id: number;
  write(data: Uint8Array): void;
  /** Half-closes our side (a FIN): the server reads EOF. */
  end(): void;
  onData: (data: Buffer) => void;
  /** The server's FIN. */
  onEnd: () => void;
}

/**
 * A SPDY/3.1 client session over an upgraded socket. `openStream` sends a SYN_STREAM with
 * the given headers; data frames go to the stream's `onData`, a FIN to its `onEnd`. A
 * RST_STREAM, GOAWAY, protocol error or the socket closing ends the session (`onClose` once,
 * with why).
 */
export class SpdyConnection {
  readonly #socket: Duplex;
  readonly #compressor = new HeaderCompressor();
  readonly #streams = new Map<number, SpdyStream>();
  #nextId = 1;
  #buffer: Buffer = Buffer.alloc(0);
  #closed = false;
  onClose: (reason: string) => void = () => {};

  constructor(socket: Duplex, head?: Buffer) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => this.#receive(chunk));
    socket.on("close", () => this.#ended("connection closed"));
    socket.on("error", (error: Error) => this.#ended(`connection lost: ${error.message}`));
    if (head && head.length > 0) queueMicrotask(() => this.#receive(head));
  }

  get closed(): boolean {
    return this.#closed;
  }

  async openStream(headers: Readonly<Record<string, string>>): Promise<SpdyStream> {
    const id = this.#nextId;
    this.#nextId += 2;
    const socket = this.#socket;
    const isClosed = () => this.#closed;
    const stream: SpdyStream = {
      id,
      write(data) {
        if (!isClosed() && data.length > 0) socket.write(dataFrame(id, 0, data));
      },
      end() {
        if (!isClosed()) socket.write(dataFrame(id, FLAG_FIN, Buffer.alloc(0)));
      },
      onData: () => {},
      onEnd: () => {},
    };
    this.#streams.set(id, stream);
    const block = await this.#compressor.compress(encodeHeaderBlock(headers));
    const payload = Buffer.alloc(10);
    payload.writeUInt32BE(id, 0);
    // associated-to 0, priority 0, slot 0
    if (!this.#closed)
      this.#socket.write(controlFrame(TYPE.synStream, 0, Buffer.concat([payload, block])));
    return stream;
  }

  /** Ends the session: a GOAWAY, then the socket. */
  close(reason = "closed"): void {
    if (this.#closed) return;
    const payload = Buffer.alloc(8);
    payload.writeUInt32BE(0, 0);
    payload.writeUInt32BE(0, 4);
    this.#socket.write(controlFrame(TYPE.goAway, 0, payload));
    this.#socket.end();
    this.#ended(reason);
  }

  #ended(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#compressor.close();
    this.onClose(reason);
  }

  #receive(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 8 && !this.#closed) {
      const length = this.#buffer.readUInt32BE(4) & 0xffffff;
      if (length > MAX_FRAME) {
        this.#fail("a frame over the size limit");
        return;
      }
      if (this.#buffer.length < 8 + length) return;
      const frame = this.#buffer.subarray(0, 8 + length);
      this.#buffer = this.#buffer.subarray(8 + length);
      this.#handle(frame);
    }
  }

  #handle(frame: Buffer): void {
    const flags = frame.readUInt8(4);
    const payload = frame.subarray(8);
    if ((frame.readUInt8(0) & 0x80) === 0) {
      const stream = this.#streams.get(frame.readUInt32BE(0) & 0x7fffffff);
      if (!stream) return;
      if (payload.length > 0) stream.onData(Buffer.from(payload));
      if (flags & FLAG_FIN) stream.onEnd();
      return;
    }
    const version = frame.readUInt16BE(0) & 0x7fff;
    if (version !== VERSION) {
      this.#fail(`SPDY version ${version}, not ${VERSION}`);
      return;
    }
    const type = frame.readUInt16BE(2);
    switch (type) {
      case TYPE.synReply:
      case TYPE.headers: {
        // Reply headers carry nothing for these streams; a FIN on them still ends a stream.
        const stream = this.#streams.get(payload.readUInt32BE(0) & 0x7fffffff);
        if (stream && flags & FLAG_FIN) stream.onEnd();
        return;
      }
      case TYPE.rstStream: {
        // The server is done with the stream (spdystream resets what is open as it closes).
        const id = payload.readUInt32BE(0) & 0x7fffffff;
        this.#streams.get(id)?.onEnd();
        this.#streams.delete(id);
        return;
      }
      case TYPE.ping:
        this.#socket.write(controlFrame(TYPE.ping, 0, Buffer.from(payload)));
        return;
      case TYPE.goAway:
        this.#socket.end();
        {
          this.#ended("the server ended the session");
          return;
        }
      case TYPE.synStream: {
        const reset = Buffer.alloc(8);
        reset.writeUInt32BE(payload.readUInt32BE(0) & 0x7fffffff, 0);
        reset.writeUInt32BE(REFUSED_STREAM, 4);
        this.#socket.write(controlFrame(TYPE.rstStream, 0, reset));
        return;
      }
      default:
        // SETTINGS, WINDOW_UPDATE (no flow control on either side) and unknown types.
        return;
    }
  }

  #fail(reason: string): void {
    this.#socket.destroy();
    this.#ended(reason);
  }
}
