import { randomBytes, timingSafeEqual } from "node:crypto";
import { request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { tlsKeySha256 } from "../protocol/index.ts";
import { acceptKey, WebSocketPeer } from "../shared/websocket.ts";
import { readClusterObject } from "./cluster-view.ts";
import { ChainError } from "./errors.ts";

export interface ControlRequestOptions {
  method?: string;
  headers?: Readonly<Record<string, string>>;
  body?: Uint8Array | string;
  signal?: AbortSignal;
}

/** A WebSocket to the control plane: the peer (client role) and the subprotocol agreed. */
export interface ControlWebSocket {
  readonly peer: WebSocketPeer;
  readonly protocol: string;
}

/**
 * How clients (CLI, kubectl gateway) reach nautilus-control: HTTPS whose server key must
 * hash to the TLS key hash registered on chain with the enclave key — no CA, no names
 * checked — or, only when asked for explicitly, plain HTTP.
 */
export interface ControlTransport {
  /** The control plane's base URL, without a trailing slash. */
  readonly url: string;
  /** false over `--insecure-http`: nothing vouches for the server. */
  readonly pinned: boolean;
  /** One request to `pathOrUrl` (a path under `url`, or a full URL on the same server). */
  request(pathOrUrl: string, options?: ControlRequestOptions): Promise<IncomingMessage>;
  /** A WebSocket (RFC 6455 upgrade) offering `protocols`; refused handshakes reject. */
  openWebSocket(
    pathOrUrl: string,
    options: { headers?: Readonly<Record<string, string>>; protocols: readonly string[] },
  ): Promise<ControlWebSocket>;
}

export interface ControlTransportOptions {
  /** `https://host:port` (pinned) or, with `insecureHttp`, `http://host:port`. */
  url: string;
  /**
   * Where the registered TLS key hash comes from: the cluster object on chain (what
   * clients use), or a function (tests, tools that already hold it).
   */
  pin:
    | { client: SuiGrpcClient; clusterId: string }
    | { registeredTlsKeySha256: () => Promise<Uint8Array> };
  /** Accept an `http://` URL: a development escape hatch, never a fallback taken silently. */
  insecureHttp?: boolean;
}

/**
 * The one way to talk to nautilus-control. Every connection is checked before a byte of the
 * request is sent: the server's certificate key (SHA-256 of its SPKI) must equal the hash on
 * chain. The hash is read once and read again when a server presents another key (the
 * enclave may have rotated its keys: clients follow the chain); a key that still differs is
 * `CONTROL_TLS_KEY_MISMATCH`, whatever certificate wraps it.
 */
export function controlTransport(options: ControlTransportOptions): ControlTransport {
  let base: URL;
  try {
    base = new URL(options.url);
  } catch (error) {
    throw new ChainError("CONTROL_URL_INVALID", `not a URL: ${options.url}`, { cause: error });
  }
  if (base.protocol !== "https:" && base.protocol !== "http:") {
    throw new ChainError("CONTROL_URL_INVALID", `${options.url} is neither https:// nor http://`);
  }
  if (base.protocol === "http:" && !options.insecureHttp) {
    throw new ChainError(
      "CONTROL_PLAINTEXT_REFUSED",
      `${options.url} is plain HTTP: nothing would prove it is the cluster's enclave, and reads would travel in clear; use https:// (the control plane's key is pinned from the chain) or allow it explicitly with --insecure-http`,
    );
  }
  const url = options.url.replace(/\/+$/, "");
  const pins = new PinSource(options.pin);
  const tls = base.protocol === "https:";
  const resolve = (pathOrUrl: string): URL => {
    const target = new URL(pathOrUrl.startsWith("/") ? url + pathOrUrl : pathOrUrl);
    if (target.host !== base.host) {
      throw new ChainError(
        "CONTROL_URL_INVALID",
        `${target.origin} is not the control plane at ${base.origin}`,
      );
    }
    target.protocol = base.protocol;
    return target;
  };
  const send = (target: URL, request: RequestOptions): ReturnType<typeof httpRequest> => {
    if (!tls) return httpRequest(target, request);
    return httpsRequest(target, {
      ...request,
      // A connection only reaches the request once its key matched: see connectPinned.
      createConnection: ((_: unknown, done: (error: Error | null, socket?: Socket) => void) => {
        connectPinned(target, pins).then(
          (socket) => done(null, socket),
          (error: Error) => done(error),
        );
        return undefined;
      }) as unknown as RequestOptions["createConnection"],
    });
  };
  return {
    url,
    pinned: tls,
    async request(pathOrUrl, requestOptions = {}) {
      const target = resolve(pathOrUrl);
      return new Promise<IncomingMessage>((resolveResponse, reject) => {
        const req = send(target, {
          method: requestOptions.method ?? "GET",
          headers: { ...requestOptions.headers },
          ...(requestOptions.signal ? { signal: requestOptions.signal } : {}),
        });
        req.on("response", resolveResponse);
        req.on("error", reject);
        req.end(requestOptions.body);
      });
    },
    async openWebSocket(pathOrUrl, socketOptions) {
      const target = resolve(pathOrUrl.replace(/^ws(s?):/, "http$1:"));
      const key = randomBytes(16).toString("base64");
      return new Promise<ControlWebSocket>((resolveSocket, reject) => {
        const req = send(target, {
          method: "GET",
          headers: {
            ...socketOptions.headers,
            Connection: "Upgrade",
            Upgrade: "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": key,
            "Sec-WebSocket-Protocol": socketOptions.protocols.join(", "),
          },
        });
        req.on("upgrade", (res: IncomingMessage, socket: Duplex, head: Buffer) => {
          const protocol = String(res.headers["sec-websocket-protocol"] ?? "");
          if (
            res.headers["sec-websocket-accept"] !== acceptKey(key) ||
            !socketOptions.protocols.includes(protocol)
          ) {
            socket.destroy();
            reject(new ChainError("CONTROL_WEBSOCKET_REFUSED", "bad WebSocket handshake"));
            return;
          }
          resolveSocket({ peer: new WebSocketPeer(socket, "client", head), protocol });
        });
        req.on("response", (res: IncomingMessage) => {
          res.resume();
          reject(
            new ChainError(
              "CONTROL_WEBSOCKET_REFUSED",
              `the control plane answered the WebSocket upgrade with HTTP ${res.statusCode}`,
            ),
          );
        });
        req.on("error", reject);
        req.end();
      });
    },
  };
}

/** The registered hash, read lazily and once more after a server presented another key. */
class PinSource {
  readonly #read: () => Promise<Uint8Array>;
  #current: Promise<Uint8Array> | undefined;

  constructor(pin: ControlTransportOptions["pin"]) {
    this.#read =
      "registeredTlsKeySha256" in pin
        ? pin.registeredTlsKeySha256
        : async () =>
            Uint8Array.from(
              (await readClusterObject(pin.client, pin.clusterId)).enclave_tls_key_sha256,
            );
  }

  current(): Promise<Uint8Array> {
    if (!this.#current) {
      const read = this.#read();
      this.#current = read;
      // A failed read is not cached: the next connection asks the chain again.
      read.catch(() => {
        if (this.#current === read) this.#current = undefined;
      });
    }
    return this.#current;
  }

  /** Reads the chain again (once per mismatch); concurrent callers share the read. */
  refresh(stale: Uint8Array): Promise<Uint8Array> {
    return this.current().then((now) => {
      if (!sameBytes(now, stale)) return now;
      this.#current = undefined;
      return this.current();
    });
  }
}

/** A TLS connection to `target` whose server key hashes to the registered hash. */
async function connectPinned(target: URL, pins: PinSource): Promise<TLSSocket> {
  let registered = await pins.current();
  const host = target.hostname.replace(/^\[(.*)\]$/, "$1");
  const socket = tlsConnect({
    host,
    port: Number(target.port || 443),
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ALPNProtocols: ["http/1.1"],
    // No CA vouches for the enclave's self-signed certificate: the key hash below does.
    rejectUnauthorized: false,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("secureConnect", resolve);
      socket.once("error", reject);
    });
    const presented = presentedKeyHash(socket);
    if (!sameBytes(presented, registered)) registered = await pins.refresh(registered);
    if (registered.length === 0) {
      throw new ChainError(
        "CONTROL_TLS_KEY_UNREGISTERED",
        "the cluster has no enclave TLS key registered on chain: no control plane can be trusted yet",
      );
    }
    if (!sameBytes(presented, registered)) {
      throw new ChainError(
        "CONTROL_TLS_KEY_MISMATCH",
        `the control plane at ${target.host} presents TLS key sha256 ${hex(presented)}, but the cluster's enclave registered ${hex(registered)} on chain: refusing it (not this cluster's enclave, or a rotation not yet on chain)`,
      );
    }
    return socket;
  } catch (error) {
    socket.destroy();
    throw error;
  }
}

function presentedKeyHash(socket: TLSSocket): Uint8Array {
  const certificate = socket.getPeerX509Certificate();
  if (!certificate) return new Uint8Array();
  return tlsKeySha256(certificate.publicKey.export({ format: "der", type: "spki" }));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

const hex = (bytes: Uint8Array): string =>
  bytes.length === 0 ? "(none)" : Buffer.from(bytes).toString("hex");
