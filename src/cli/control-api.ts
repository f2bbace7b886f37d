import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Signer } from "@mysten/sui/cryptography";
import type { UsageDocument } from "../control/billing/index.ts";
import { signedHeaders } from "../control/http/auth.ts";
import { STREAM_END_TRAILER } from "../control/streams/errors.ts";
import { CliError, EXIT } from "./errors.ts";
import { type ExecIo, runExecSession } from "./exec-session.ts";
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
 * Client of nautilus-control's HTTP API. Request data is only served to its requester, so
 * those calls carry headers signed by the tenant's key for this control plane (the cluster
 * it serves and the host it is reached at), the exact method and path; each call signs anew.
 */
export class ControlApi {
  readonly url: string;
  readonly #signer: () => Promise<Signer>;
  readonly #clusterId: string;

  constructor(url: string, signer: () => Promise<Signer>, clusterId: string) {
    this.url = url.replace(/\/+$/, "");
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

  /** The open billing period's usage of the namespace so far and its projected charge. */
  async usage(namespace: string): Promise<UsageDocument> {
    const path = `/v1/namespaces/${encodeURIComponent(namespace)}/usage`;
    return (await this.#get(path, true)).body as UsageDocument;
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
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const send = url.protocol === "https:" ? httpsRequest : httpRequest;
      const req = send(url, { headers }, resolve);
      req.on("error", (error) => reject(this.#unreachable(error)));
      req.end();
    });
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
      `${this.url.replace(/^http/, "ws")}/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/${subresource}`,
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
    return runExecSession(url.href, headers, io);
  }

  #unreachable(error: unknown): CliError {
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
    let response: Response;
    try {
      response = await fetch(url, {
        headers,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new CliError(
        "CONTROL_UNREACHABLE",
        `nautilus-control does not answer at ${this.url} (${rootMessage(error)})`,
        {
          hint: "start the local stack with 'k8s-daas up', or pass --control-url",
          exitCode: EXIT.unavailable,
          cause: error,
        },
      );
    }
    const text = await response.text();
    let body: unknown = text;
    if (response.headers.get("content-type")?.includes("json")) {
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
