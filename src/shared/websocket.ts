import { createHash, randomBytes } from "node:crypto";
import type { Duplex } from "node:stream";

// The part of RFC 6455 the exec bridge needs: the handshake's accept key, and framing
// (masked from clients, unmasked from servers; fragments joined; ping answered; close).
// Node 24 has a WebSocket client but no server, and the project keeps its dependencies few.

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** The largest message the bridge takes (a terminal's output comes in far smaller ones). */
const MAX_MESSAGE = 16 * 1024 * 1024;

export const OPCODE = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

export function acceptKey(key: string): string {
  return createHash("sha1")
    .update(key + GUID)
    .digest("base64");
}

export function newClientKey(): string {
  return randomBytes(16).toString("base64");
}

export function encodeFrame(opcode: number, payload: Uint8Array, masked: boolean): Buffer {
  const length = payload.length;
  const extra = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const header = Buffer.alloc(2 + extra + (masked ? 4 : 0));
  header[0] = 0x80 | opcode;
  header[1] = (masked ? 0x80 : 0) | (extra === 0 ? length : extra === 2 ? 126 : 127);
  if (extra === 2) header.writeUInt16BE(length, 2);
  if (extra === 8) header.writeBigUInt64BE(BigInt(length), 2);
  if (!masked) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  mask.copy(header, 2 + extra);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = (body[i] ?? 0) ^ (mask[i & 3] ?? 0);
  return Buffer.concat([header, body]);
}

/** A close frame's payload: the code, then a UTF-8 reason (at most 123 bytes). */
export function closePayload(code: number, reason: string): Buffer {
  let text = Buffer.from(reason, "utf8");
  if (text.length > 123) text = text.subarray(0, 123);
  const payload = Buffer.alloc(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return payload;
}

export interface Message {
  readonly opcode: number;
  readonly payload: Buffer;
}

/**
 * One side of a WebSocket over an upgraded socket. `onMessage` gets whole data messages;
 * pings are answered; a close is answered and ends the socket (`onClose` once).
 */
export class WebSocketPeer {
  readonly #socket: Duplex;
  /** Frames we send are masked when we are the client. */
  readonly #masked: boolean;
  #buffer: Buffer = Buffer.alloc(0);
  #fragments: Buffer[] = [];
  #fragmentOpcode = 0;
  #closed = false;
  // Frames can arrive with the handshake's response (`head`) or before the owner of a freshly
  // opened peer attaches its handlers; they wait here instead of being dropped, and a close
  // that came first is reported once a close handler is attached (never a silent hang).
  #onMessage: ((message: Message) => void) | undefined;
  #onClose: ((code: number, reason: string) => void) | undefined;
  #pending: Message[] = [];
  #closedWith: { code: number; reason: string } | undefined;
  #closeReported = false;

  get onMessage(): (message: Message) => void {
    return this.#onMessage ?? ((message) => this.#pending.push(message));
  }

  set onMessage(handler: (message: Message) => void) {
    this.#onMessage = handler;
    const pending = this.#pending;
    this.#pending = [];
    for (const message of pending) handler(message);
    this.#reportClose();
  }

  get onClose(): (code: number, reason: string) => void {
    return this.#onClose ?? (() => {});
  }

  set onClose(handler: (code: number, reason: string) => void) {
    this.#onClose = handler;
    this.#reportClose();
  }

  /** Once: when closed, a close handler is attached and no message waits for its handler. */
  #reportClose(): void {
    const closed = this.#closedWith;
    if (!closed || this.#closeReported || !this.#onClose || this.#pending.length > 0) return;
    this.#closeReported = true;
    this.#onClose(closed.code, closed.reason);
  }

  constructor(socket: Duplex, role: "client" | "server", head?: Buffer) {
    this.#socket = socket;
    this.#masked = role === "client";
    socket.on("data", (chunk: Buffer) => this.#receive(chunk));
    socket.on("close", () => this.#ended(1006, "connection lost"));
    socket.on("error", () => this.#ended(1006, "connection lost"));
    if (head && head.length > 0) queueMicrotask(() => this.#receive(head));
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(payload: Uint8Array, opcode: number = OPCODE.binary): void {
    if (this.#closed) return;
    this.#socket.write(encodeFrame(opcode, payload, this.#masked));
  }

  close(code = 1000, reason = ""): void {
    if (this.#closed) return;
    this.#socket.write(encodeFrame(OPCODE.close, closePayload(code, reason), this.#masked));
    this.#ended(code, reason);
    this.#socket.end();
  }

  #ended(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closedWith = { code, reason };
    this.#reportClose();
  }

  #receive(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const frame = this.#nextFrame();
      if (!frame) return;
      this.#handle(frame.fin, frame.opcode, frame.payload);
      if (this.#closed) return;
    }
  }

  #nextFrame(): { fin: boolean; opcode: number; payload: Buffer } | undefined {
    const b = this.#buffer;
    if (b.length < 2) return undefined;
    const fin = ((b[0] ?? 0) & 0x80) !== 0;
    const opcode = (b[0] ?? 0) & 0x0f;
    const masked = ((b[1] ?? 0) & 0x80) !== 0;
    let length = (b[1] ?? 0) & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return undefined;
      length = b.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return undefined;
      const big = b.readBigUInt64BE(2);
      if (big > BigInt(MAX_MESSAGE)) {
        this.close(1009, "message too big");
        return undefined;
      }
      length = Number(big);
      offset = 10;
    }
    const maskOffset = offset;
    if (masked) offset += 4;
    if (b.length < offset + length) return undefined;
    const payload = Buffer.from(b.subarray(offset, offset + length));
    if (masked) {
      for (let i = 0; i < payload.length; i++)
        payload[i] = (payload[i] ?? 0) ^ (b[maskOffset + (i & 3)] ?? 0);
    }
    this.#buffer = b.subarray(offset + length);
    return { fin, opcode, payload };
  }

  #handle(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === OPCODE.ping) {
      this.send(payload, OPCODE.pong);
      return;
    }
    if (opcode === OPCODE.pong) return;
    if (opcode === OPCODE.close) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      const reason = payload.subarray(2).toString("utf8");
      if (!this.#closed) {
        this.#socket.write(encodeFrame(OPCODE.close, payload.subarray(0, 2), this.#masked));
        this.#ended(code, reason);
        this.#socket.end();
      }
      return;
    }
    if (opcode !== OPCODE.continuation) this.#fragmentOpcode = opcode;
    this.#fragments.push(payload);
    const size = this.#fragments.reduce((sum, part) => sum + part.length, 0);
    if (size > MAX_MESSAGE) {
      this.close(1009, "message too big");
      return;
    }
    if (!fin) return;
    const whole = this.#fragments.length === 1 ? payload : Buffer.concat(this.#fragments);
    this.#fragments = [];
    this.onMessage({ opcode: this.#fragmentOpcode, payload: whole });
  }
}
