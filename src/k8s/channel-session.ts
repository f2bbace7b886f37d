/**
 * An exec, attach or port-forward session with a pod, as channel messages of the Kubernetes
 * WebSocket protocols (`v4`/`v5.channel.k8s.io`): a channel byte, then data. For exec and
 * attach 0 is stdin, 1 stdout, 2 stderr, 3 the final Status, 4 a resize, 255 closes a
 * channel (v5); for port-forward 0 is data and 1 errors, each channel's first message from
 * the pod starting with the port (2 bytes, little-endian). Whether the API server was reached
 * by WebSocket or by SPDY (`spdy-pod-streams.ts`) is hidden behind it.
 */
export interface ChannelSession {
  /** The channel protocol the messages follow (what the tenant's side is told). */
  readonly protocol: string;
  /** How the API server was reached. */
  readonly transport: "websocket" | "spdy";
  /** A message toward the pod. */
  send(message: Buffer): void;
  /** A message from the pod. */
  onMessage: (message: Buffer) => void;
  /** The session ended (once); `code` as a WebSocket close code. */
  onClose: (code: number, reason: string) => void;
  close(code: number, reason: string): void;
}

/**
 * Holds what arrives before the session's user has attached its handlers (a server may
 * answer in the same packet as its handshake): messages and the close are passed on, in
 * order, once `onMessage` / `onClose` are set.
 */
export class HeldChannelEvents {
  #message: ((message: Buffer) => void) | undefined;
  #close: ((code: number, reason: string) => void) | undefined;
  #held: Buffer[] = [];
  #closedWith: [number, string] | undefined;

  set onMessage(handler: (message: Buffer) => void) {
    this.#message = handler;
    for (const message of this.#held.splice(0)) handler(message);
  }

  get onMessage(): (message: Buffer) => void {
    return (message) => this.emitMessage(message);
  }

  set onClose(handler: (code: number, reason: string) => void) {
    this.#close = handler;
    if (this.#closedWith) handler(...this.#closedWith);
  }

  get onClose(): (code: number, reason: string) => void {
    return (code, reason) => this.emitClose(code, reason);
  }

  emitMessage(message: Buffer): void {
    if (this.#message) this.#message(message);
    else this.#held.push(message);
  }

  emitClose(code: number, reason: string): void {
    if (this.#closedWith) return;
    this.#closedWith = [code, reason];
    this.#close?.(code, reason);
  }
}
