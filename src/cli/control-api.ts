import type { IncomingMessage } from "node:http";
import type { Signer } from "@mysten/sui/cryptography";
import type { ControlTransport, ControlWebSocket } from "../chain/control-transport.ts";
import { isChainError } from "../chain/errors.ts";
import { signedHeaders } from "../control/http/auth.ts";
import { STREAM_END_TRAILER } from "../control/streams/errors.ts";
import { CliError, EXIT } from "./errors.ts";
import { EXEC_PROTOCOLS, type ExecIo, runExecSession } from "./exec-session.ts";
import { rootMessage } from "./failures.ts";

/** A request as nautilus-control's API shows it (`GET /v1/requests/:id`). */
export interface RequestView {
  requestId: string;
  state: string;
  method: string;
  resource: string;
  namespace: string;
  name: string;
  priority: number;
  submittedTx: string;
  statusCode?: number;
  errorCode?: string | null;
  summary?: string;
  outputSha256?: string;
  resultTx?: string;
}

export interface Readiness {
  ready: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
  [key: string]: unknown;
}

const TIMEOUT_MS = 5_000;

/**
 * Client of nautilus-control's HTTP API, over the pinned transport (HTTPS to the key
 * registered on chain). Request data is only served to its requester, so those calls carry
 * headers signed by the tenant's key for this control plane (the cluster it serves and the
 * host it is reached at), the exact method and path; each call signs anew.
 */
export class ControlApi {
  readonly url: string;
  readonly #transport: ControlTransport;
  readonly #signer: () => Promise<Signer>;
  readonly #clusterId: string;

  constructor(transport: ControlTransport, signer: () => Promise<Signer>, clusterId: string) {
    this.url = transport.url;
    this.#transport = transport;
    this.#signer = signer;
    this.#clusterId = clusterId;
  }

  /** Throws CONTROL_UNREACHABLE unless the control plane answers its health check. */
  async health(): Promise<Record<string, unknown>> {
    return (await this.#get("/healthz", false)).body as Record<string, unknown>;
  }

  async readiness(): Promise<Readiness> {
    return (await this.#get("/readyz", false, [200, 503])).body as Readiness;
  }

  async metrics(): Promise<string> {
    return (await this.#get("/metrics", false)).text;
  }

  async request(id: bigint): Promise<RequestView> {
    return (await this.#get(`/v1/requests/${id}`, true)).body as RequestView;
  }

  async requests(limit = 50): Promise<RequestView[]> {
    const { body } = await this.#get(`/v1/requests?limit=${limit}`, true);
    return (body as { requests: RequestView[] }).requests;
  }

  /** The full output whose sha256 is on chain: `{statusCode, errorCode?, summary, output}`. */
  async output(id: bigint): Promise<{ text: string; body: unknown }> {
    const { text, body } = await this.#get(`/v1/requests/${id}/output`, true);
    return { text, body };
  }

  /** The namespace's events, oldest first (as the API server's Event objects). */
  async events(namespace: string): Promise<unknown[]> {
    const { body } = await this.#get(
      `/v1/namespaces/${encodeURIComponent(namespace)}/events`,
      true,
    );
    return (body as { items: unknown[] }).items;
  }

  /** One object as the tenant reads it, and the events about it. */
  async describe(
    namespace: string,
    plural: string,
    name: string,
  ): Promise<{ object: unknown; events: unknown[] }> {
    const path = `/v1/namespaces/${encodeURIComponent(namespace)}/${plural}/${encodeURIComponent(name)}`;
    return (await this.#get(path, true)).body as { object: unknown; events: unknown[] };
  }

  /**
   * Streams a pod's log into `sink` until the control plane ends it; resolves with the end
   * reason it gave (`EOF`, `POD_GONE`, `NAMESPACE_RELEASED`, `CONTROL_STOPPING`, ...). A
   * connection lost mid-stream is `STREAM_INTERRUPTED`; `signal` stops reading (resolves).
   */
  async podLog(
    namespace: string,
    pod: string,
    query: Readonly<Record<string, string | undefined>>,
    sink: (chunk: Buffer) => void,
    signal?: AbortSignal,
  ): Promise<string> {
    const url = new URL(
      `${this.url}/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
    );
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    const headers = await signedHeaders(await this.#signer(), {
      clusterId: this.#clusterId,
      method: "GET",
      url: url.href,
    });
    const res = await this.#transport
      .request(url.href, { headers })
      .catch((error: unknown) => Promise.reject(this.#unreachable(error)));
    if (res.statusCode !== 200) {
      let text = "";
      for await (const chunk of res as AsyncIterable<Buffer>) text += chunk.toString();
      throw refusal(res.statusCode ?? 0, text);
    }
    const stop = (): void => {
      res.destroy();
    };
    signal?.addEventListener("abort", stop, { once: true });
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) sink(chunk);
    } catch (error) {
      if (signal?.aborted) return "STOPPED";
      throw new CliError("STREAM_INTERRUPTED", `the log stream broke off (${rootMessage(error)})`, {
        exitCode: EXIT.unavailable,
        cause: error,
      });
    } finally {
      signal?.removeEventListener("abort", stop);
    }
    if (signal?.aborted) return "STOPPED";
    return res.trailers[STREAM_END_TRAILER] ?? "STREAM_INTERRUPTED";
  }

  /**
   * Runs `command` in a pod (or attaches, with no command) over a WebSocket through the
   * control plane; resolves with the remote exit code.
   */
  async exec(
    namespace: string,
    pod: string,
    options: { command: readonly string[]; container?: string; stdin: boolean; tty: boolean },
    io: ExecIo,
  ): Promise<number> {
    const subresource = options.command.length === 0 ? "attach" : "exec";
    const url = new URL(
      `${this.url}/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/${subresource}`,
    );
    for (const arg of options.command) url.searchParams.append("command", arg);
    if (options.container) url.searchParams.set("container", options.container);
    url.searchParams.set("stdin", String(options.stdin));
    url.searchParams.set("tty", String(options.tty));
    const headers = await signedHeaders(await this.#signer(), {
      clusterId: this.#clusterId,
      method: "GET",
      url: url.href,
    });
    const socket = await this.openWebSocket(url.href, headers, EXEC_PROTOCOLS);
    return runExecSession(socket, io);
  }

  /** A WebSocket to `url` on this control plane (exec, attach, port-forward). */
  async openWebSocket(
    url: string,
    headers: Record<string, string>,
    protocols: readonly string[],
  ): Promise<ControlWebSocket> {
    return this.#transport
      .openWebSocket(url, { headers, protocols })
      .catch((error: unknown) => Promise.reject(this.#unreachable(error)));
  }

  /** Signed headers for one `method` request to `url` (a stream the caller opens itself). */
  async signFor(method: string, url: string): Promise<Record<string, string>> {
    return signedHeaders(await this.#signer(), { clusterId: this.#clusterId, method, url });
  }

  /** A transport refusal (a key not on chain, plain HTTP) keeps its code; anything else is unreachable. */
  #unreachable(error: unknown): CliError {
    if (isChainError(error) && error.code.startsWith("CONTROL_")) {
      return new CliError(error.code, error.message, {
        hint:
          error.code === "CONTROL_PLAINTEXT_REFUSED"
            ? "use the https:// URL of the control plane, or pass --insecure-http for a development stack"
            : "check --control-url: it must reach the control plane holding the enclave key registered on chain",
        exitCode: EXIT.unavailable,
        cause: error,
      });
    }
    return new CliError(
      "CONTROL_UNREACHABLE",
      `nautilus-control does not answer at ${this.url} (${rootMessage(error)})`,
      {
        hint: "start the local stack with 'k8s-daas up', or pass --control-url",
        exitCode: EXIT.unavailable,
        cause: error,
      },
    );
  }

  async #get(
    pathAndQuery: string,
    signed: boolean,
    accept: readonly number[] = [200],
  ): Promise<{ status: number; text: string; body: unknown }> {
    const url = `${this.url}${pathAndQuery}`;
    const headers = signed
      ? await signedHeaders(await this.#signer(), {
          clusterId: this.#clusterId,
          method: "GET",
          url,
        })
      : {};
    let response: { status: number; contentType: string; text: string };
    try {
      const signal = AbortSignal.timeout(TIMEOUT_MS);
      const res = await this.#transport.request(url, { headers, signal });
      response = {
        status: res.statusCode ?? 0,
        contentType: String(res.headers["content-type"] ?? ""),
        text: await readText(res),
      };
    } catch (error) {
      throw this.#unreachable(error);
    }
    const text = response.text;
    let body: unknown = text;
    if (response.contentType.includes("json")) {
      try {
        body = JSON.parse(text);
      } catch {
        // keep the text
      }
    }
    if (!accept.includes(response.status)) {
      const problem = body as { error?: string; message?: string };
      throw new CliError(
        problem.error ?? `HTTP_${response.status}`,
        `nautilus-control: ${problem.message ?? text.trim()}`,
        response.status === 404
          ? { hint: "'k8s-daas requests' lists your requests" }
          : response.status === 409
            ? { hint: "wait for it: k8s-daas requests ID --watch" }
            : {},
      );
    }
    return { status: response.status, text, body };
  }
}

async function readText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** A refusal from the control plane as a CliError carrying its code. */
function refusal(status: number, text: string): CliError {
  let problem: { error?: string; message?: string } = {};
  try {
    problem = JSON.parse(text) as typeof problem;
  } catch {
    // not JSON: the text is the message
  }
  return new CliError(
    problem.error ?? `HTTP_${status}`,
    `nautilus-control: ${problem.message ?? text.trim()}`,
  );
}
