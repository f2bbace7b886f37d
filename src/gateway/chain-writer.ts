import { createHash } from "node:crypto";
import type { Signer } from "@mysten/sui/cryptography";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { type ClusterView, MoveAbortError, readClusterObject } from "../chain/index.ts";
import { addCall } from "../chain/k8s-daas.ts";
import { type FoundResult, ResultWatcher } from "../chain/results.ts";
import { abortCodeInfo, type CallName, LIMITS, requestIdsOf } from "../protocol/index.ts";
import { encodeKubeWrite, KubeWriteError } from "../protocol/kube-write.ts";
import { type ControlTarget, controlCall, readBody, signedFor } from "./control-link.ts";
import { GatewayError } from "./errors.ts";
import { executeTransaction } from "./execute-transaction.ts";
import { type HeldNamespace, listHeldNamespaces } from "./held-namespaces.ts";
import { KubeRefusal, kubeStatus } from "./kube-status.ts";
import { openResult, ReplyKeys, type ResultDocument } from "./reply-keys.ts";
import { decideSealing, type PlainCall, sealCall } from "./sealing.ts";
import type { PlannedWrite } from "./write-request.ts";

export interface ChainWriterOptions {
  client: SuiGrpcClient;
  signer: Signer;
  packageId: string;
  clusterId: string;
  control: ControlTarget;
  /** Where the one-time reply keys of sealed requests are kept (`k8s-daas result` reads them). */
  dataDir: string;
  /** Send payloads in the clear instead of sealed to the enclave. */
  noSeal: boolean;
  priority: number;
  /** Fee per request in MIST (default: the cluster's request fee). */
  fee?: bigint;
  /** How long to wait for a result on chain before answering 504 (default 5 minutes). */
  resultTimeoutMs?: number;
  log: (line: string) => void;
}

/** What the API server answered, as the enclave signed it on chain. */
export interface ChainAnswer {
  statusCode: number;
  /** The API server's body (object or `Status`), or our `Status` for a refusal. */
  body: unknown;
  requestId: string;
  submittedTx: string;
  resultTx: string;
}

/** How long the cluster object and the held namespaces are trusted before reading again. */
const VIEW_TTL_MS = 10_000;
const STALE_KEY = "SEALED_PAYLOAD_STALE_KEY";

/**
 * Puts planned writes on chain as `requests::submit` (sealed to the enclave's key unless told
 * otherwise) with the tenant's NamespaceCap, waits for the enclave-signed result, and opens
 * the output the control plane serves (its sha256 checked against the chain). Transactions
 * go one at a time (they spend the same gas coin); their results are awaited in parallel.
 */
export class ChainWriter {
  readonly #options: ChainWriterOptions;
  readonly #watcher: ResultWatcher;
  readonly #keys: ReplyKeys;
  #sending: Promise<unknown> = Promise.resolve();
  #cluster: { view: Promise<ClusterView>; at: number } | undefined;
  #held: { list: Promise<HeldNamespace[]>; at: number } | undefined;

  constructor(options: ChainWriterOptions) {
    this.#options = options;
    this.#watcher = new ResultWatcher(options.client, options.packageId, options.clusterId);
    this.#keys = new ReplyKeys({ clusterId: options.clusterId, dataDir: options.dataDir });
  }

  /** The namespaces the tenant holds (read again when older than a few seconds). */
  heldNamespaces(fresh = false): Promise<HeldNamespace[]> {
    if (fresh || !this.#held || Date.now() - this.#held.at > VIEW_TTL_MS) {
      const { client, packageId, clusterId, signer } = this.#options;
      const list = listHeldNamespaces(client, {
        packageId,
        clusterId,
        owner: signer.toSuiAddress(),
      });
      this.#held = { list, at: Date.now() };
      list.catch(() => {
        if (this.#held?.list === list) this.#held = undefined;
      });
    }
    return this.#held.list;
  }

  /** The NamespaceCap for `namespace`, or a 403 naming why there is none. */
  async capFor(namespace: string): Promise<string> {
    const find = (held: HeldNamespace[]) => held.find((entry) => entry.namespace === namespace);
    const found = find(await this.heldNamespaces()) ?? find(await this.heldNamespaces(true));
    if (found) return found.capId;
    throw new KubeRefusal(
      403,
      "NAMESPACE_NOT_OWNED",
      `${this.#options.signer.toSuiAddress()} holds no NamespaceCap for namespace "${namespace}" on this cluster`,
    );
  }

  #clusterView(fresh = false): Promise<ClusterView> {
    if (fresh || !this.#cluster || Date.now() - this.#cluster.at > VIEW_TTL_MS) {
      const view = readClusterObject(this.#options.client, this.#options.clusterId);
      this.#cluster = { view, at: Date.now() };
      view.catch(() => {
        if (this.#cluster?.view === view) this.#cluster = undefined;
      });
    }
    return this.#cluster.view;
  }

  /** Sends one write through the chain and resolves with the API server's answer. */
  async write(planned: PlannedWrite, signal?: AbortSignal): Promise<ChainAnswer> {
    const cap = await this.capFor(planned.namespace);
    let answer = await this.#submitAndWait(planned, cap, await this.#clusterView(), signal);
    if (answer.staleKey) {
      this.#options.log(
        `request ${answer.requestId} was sealed to an enclave key rotated away; re-sealing and resubmitting once`,
      );
      answer = await this.#submitAndWait(planned, cap, await this.#clusterView(true), signal);
    }
    return answer;
  }

  async #submitAndWait(
    planned: PlannedWrite,
    cap: string,
    cluster: ClusterView,
    signal: AbortSignal | undefined,
  ): Promise<ChainAnswer & { staleKey: boolean }> {
    await this.#checkControlPlane();
    const { requestId, submittedTx, sealed } = await this.#submit(planned, cap, cluster);
    const timeoutMs = this.#options.resultTimeoutMs ?? 300_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    let result: FoundResult;
    try {
      result = (
        await this.#watcher.waitFor([requestId], {
          intervalMs: 100,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        })
      )[0] as FoundResult;
    } catch (error) {
      if (!timeout.aborted) throw error;
      throw new KubeRefusal(
        504,
        "WRITE_RESULT_TIMEOUT",
        `request ${requestId} (${planned.label}) is on chain (tx ${submittedTx}) but has no result after ${timeoutMs / 1000}s; follow it with: k8s-daas requests ${requestId} --watch`,
      );
    }
    const document = await this.#output(requestId, result, sealed);
    return {
      statusCode: document.statusCode,
      body: bodyOf(document),
      requestId: String(requestId),
      submittedTx,
      resultTx: result.txDigest,
      staleKey: sealed && document.errorCode === STALE_KEY,
    };
  }

  /** Paying for a request nobody will execute is worse than not sending it. */
  async #checkControlPlane(): Promise<void> {
    const response = await controlCall(this.#options.control, {
      method: "GET",
      pathAndQuery: "/healthz",
    });
    await readBody(response);
    if (response.statusCode !== 200) {
      throw new KubeRefusal(
        503,
        "CONTROL_UNHEALTHY",
        `nautilus-control at ${this.#options.control.transport.url} answers its health check with ${response.statusCode}; nothing was sent`,
      );
    }
  }

  /** Seals, checks the size, and sends the transaction (one at a time). */
  async #submit(
    planned: PlannedWrite,
    cap: string,
    cluster: ClusterView,
  ): Promise<{ requestId: bigint; submittedTx: string; sealed: boolean }> {
    const options = this.#options;
    let payload: Uint8Array;
    try {
      payload = encodeKubeWrite(planned.envelope);
    } catch (error) {
      if (error instanceof KubeWriteError) throw new KubeRefusal(400, error.code, error.message);
      throw error;
    }
    const plain: PlainCall = {
      call: "submit",
      values: { method: planned.method, resource: planned.resource, name: planned.name, payload },
      label: planned.label,
      payload,
      ...(planned.resource === "secrets" ? { secret: `the data of secret/${planned.name}` } : {}),
    };
    let sealing: ReturnType<typeof decideSealing>;
    try {
      sealing = decideSealing(cluster, options.noSeal, [plain], options.log);
    } catch (error) {
      if (error instanceof GatewayError) throw new KubeRefusal(403, error.code, error.message);
      throw error;
    }
    const binding = {
      clusterId: options.clusterId,
      requester: options.signer.toSuiAddress(),
      namespace: planned.namespace,
    };
    const sealedCall = sealing.seal ? sealCall(plain, sealing.encryptionKey, binding) : undefined;
    const onChain = sealedCall?.payload ?? payload;
    const max = Math.min(Number(cluster.config.max_payload_bytes), LIMITS.maxPayloadBytes);
    if (onChain.length > max) {
      throw new KubeRefusal(
        413,
        "KUBE_PAYLOAD_TOO_LARGE",
        `${planned.label} is ${onChain.length} bytes on chain${sealedCall ? " (sealed)" : ""}; this cluster accepts at most ${max} bytes per request. Split the object (bulky data into ConfigMaps of their own); Helm: keep release records small (see the README: Helm through the proxy)`,
      );
    }
    const call: CallName = sealedCall ? "submit_sealed" : "submit";
    const values = sealedCall ? sealedCall.values : plain.values;
    const fee = options.fee ?? BigInt(cluster.config.request_fee_mist);
    const send = async () => {
      try {
        return await executeTransaction(options.client, options.signer, (tx) => {
          addCall(
            tx,
            options.packageId,
            call,
            { namespace: planned.namespace, priority: options.priority, ...values },
            { cluster: options.clusterId, cap },
            fee,
          );
        });
      } catch (error) {
        throw abortRefusal(error);
      }
    };
    const queued = this.#sending.then(send, send);
    this.#sending = queued.catch(() => undefined);
    const transaction = await queued;
    const requestId = requestIdsOf(transaction.events)[0];
    if (requestId === undefined) {
      throw new GatewayError(
        "REQUEST_ID_MISSING",
        `transaction ${transaction.digest} made no request`,
      );
    }
    if (sealedCall) this.#keys.save(requestId, sealedCall.replyKey);
    options.log(
      `${planned.label} in ${planned.namespace}: request ${requestId} (tx ${transaction.digest}, ${onChain.length} payload bytes${sealedCall ? " sealed" : ""})`,
    );
    return { requestId, submittedTx: transaction.digest, sealed: sealedCall !== undefined };
  }

  /**
   * The result document the control plane serves for `requestId`, checked against the
   * sha256 the enclave signed on chain, opened with the reply key when sealed.
   */
  async #output(requestId: bigint, result: FoundResult, sealed: boolean): Promise<ResultDocument> {
    const control = this.#options.control;
    const path = `/v1/requests/${requestId}/output`;
    const response = await controlCall(control, {
      method: "GET",
      pathAndQuery: path,
      headers: await signedFor(control, "GET", path),
    });
    const text = (await readBody(response)).toString("utf8");
    if (response.statusCode !== 200) {
      // The chain's summary still says what happened; the full output is what is missing.
      return {
        statusCode: result.event.status_code,
        summary: result.event.summary,
        output: null,
        errorCode: `OUTPUT_UNAVAILABLE`,
      };
    }
    const sha256 = createHash("sha256").update(text, "utf8").digest("hex");
    const onChain = Buffer.from(result.event.output_sha256).toString("hex");
    if (sha256 !== onChain) {
      throw new GatewayError(
        "OUTPUT_MISMATCH",
        `the output served for request ${requestId} has sha256 ${sha256}, the chain says ${onChain}`,
      );
    }
    const served = JSON.parse(text) as ResultDocument;
    if (!sealed) return served;
    return openResult(this.#keys, { clusterId: control.clusterId, requestId }, served).document;
  }
}

/** The API server's body when the output is one, else a `Status` carrying our code. */
function bodyOf(document: ResultDocument): unknown {
  const output = document.output as { kind?: unknown } | null;
  if (output && typeof output === "object" && typeof output.kind === "string") return output;
  const code = document.errorCode ?? `HTTP_${document.statusCode}`;
  const message = document.summary.replace(/^\d{3} [A-Z][A-Z0-9_]+: /, "");
  if (document.statusCode < 400) return output ?? {};
  return kubeStatus(document.statusCode, code, message);
}

/** A Move abort (caught in simulation, so no gas paid) as a refusal naming its constant. */
function abortRefusal(error: unknown): unknown {
  if (!(error instanceof MoveAbortError)) return error;
  const info = error.module ? abortCodeInfo(error.module, Number(error.abortCode)) : undefined;
  const name = error.constantName ?? info?.name ?? `MOVE_ABORT_${error.abortCode}`;
  const status = name === "EPayloadTooLarge" ? 413 : name === "EPaused" ? 503 : 403;
  return new KubeRefusal(status, name, info?.message ?? error.message);
}
