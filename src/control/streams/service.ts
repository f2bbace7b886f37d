import { once } from "node:events";
import type { ServerResponse } from "node:http";
import type { KubeConfig } from "@kubernetes/client-node";
import {
  type ChannelSession,
  EXEC_PROTOCOLS,
  HttpMethod,
  impersonatingConfig,
  isK8sError,
  KubeApiClient,
  openPodExec,
  openPodExecSpdy,
  openPodLog,
  openPodPortForward,
  openPodPortForwardSpdy,
  PORT_FORWARD_PROTOCOLS,
  type PodLogOptions,
  resolveServiceTarget,
  resourcePath,
  tenantApiResource,
  tenantResource,
  tenantUser,
  withoutManagedFields,
} from "../../k8s/index.ts";
import { checkOwnership } from "../admission/ownership.ts";
import type { NamespaceClaim } from "../inbox/index.ts";
import type { SessionAudit, SessionRecord } from "./audit.ts";
import { STREAM_END_TRAILER, type StreamEndReason, StreamError } from "./errors.ts";
import {
  bridgeExec,
  type ClientUpgrade,
  refuseUpgrade,
  webSocketChannelSession,
} from "./exec-bridge.ts";
import { parseExecQuery, parsePortQuery } from "./exec-options.ts";
import { type StreamLease, type StreamLimits, StreamQuota } from "./limits.ts";
import type { StreamMetrics } from "./metrics.ts";
import { streamErrorFromUpstream } from "./upstream-errors.ts";

export interface StreamsOptions {
  /** The control plane's cluster credential; every call impersonates the tenant with it. */
  readonly admin: KubeConfig;
  /** Who holds each namespace on this cluster (the inbox's claims). */
  readonly namespaces: { get(name: string): NamespaceClaim | undefined };
  readonly limits?: Partial<StreamLimits>;
  /** How often a follower checks that its pod and its namespace claim still stand. */
  readonly superviseIntervalMs?: number;
  readonly metrics?: StreamMetrics;
  /** Where exec/attach/port-forward sessions are recorded; absent, they are not. */
  readonly audit?: SessionAudit;
  /**
   * How exec/attach/port-forward reach the API server: `auto` (default) tries a WebSocket
   * and falls back to SPDY/3.1 when the upgrade is refused; `websocket` or `spdy` only.
   */
  readonly upstream?: StreamUpstream;
}

export type StreamUpstream = "auto" | "websocket" | "spdy";

const DEFAULT_SUPERVISE_MS = 2_000;
const MAX_EVENTS = 500;

/**
 * Tenants' reads and streams through the control plane: pod logs (optionally followed) and
 * events, each allowed twice — the requester must hold the namespace's claim here, and the
 * API server's RBAC, asked as the namespace's tenant ServiceAccount, must allow it.
 */
export class StreamsService {
  readonly quota: StreamQuota;
  readonly #options: StreamsOptions;
  readonly #active = new Set<{ end(reason: StreamEndReason): void; done: Promise<void> }>();
  #closing = false;

  constructor(options: StreamsOptions) {
    this.#options = options;
    this.quota = new StreamQuota(options.limits);
  }

  /** Counts a refusal in the metrics. */
  refused(code: string): void {
    this.#options.metrics?.refused.inc({ code });
  }

  /** Refuses unless `requester` holds `namespace`'s claim on this cluster. */
  authorize(requester: string, namespace: string): void {
    const refusal = checkOwnership(
      { namespace, requester },
      this.#options.namespaces.get(namespace),
    );
    if (refusal) throw new StreamError(refusal.code, refusal.statusCode, refusal.message);
  }

  /**
   * Streams a pod's log into `res` (raw bytes, `text/plain`), metered by the tenant's byte
   * rate; the end reason goes in the `k8s-daas-stream-end` trailer. A follower ends when the
   * pod goes, the claim is released, the control plane stops or `clientGone` fires.
   */
  async podLog(
    requester: string,
    namespace: string,
    pod: string,
    options: PodLogOptions,
    res: ServerResponse,
    clientGone: AbortSignal,
  ): Promise<void> {
    this.authorize(requester, namespace);
    if (this.#closing)
      throw new StreamError("STREAM_UPSTREAM_FAILED", 503, "the control plane is stopping");
    const lease = this.quota.acquire(requester);
    const upstream = new AbortController();
    let reason: StreamEndReason = "EOF";
    const end = (why: StreamEndReason): void => {
      if (upstream.signal.aborted) return;
      reason = why;
      upstream.abort(new StreamError("STREAM_UPSTREAM_FAILED", 499, `stream ended: ${why}`));
    };
    const onClientGone = (): void => end("EOF");
    clientGone.addEventListener("abort", onClientGone, { once: true });
    let resolveDone!: () => void;
    const entry = { end, done: new Promise<void>((resolve) => (resolveDone = resolve)) };
    this.#active.add(entry);
    const metrics = this.#options.metrics;
    let supervisor: NodeJS.Timeout | undefined;
    try {
      const body = await openPodLog(
        this.#options.admin,
        namespace,
        pod,
        options,
        upstream.signal,
      ).catch((error: unknown) => {
        throw streamErrorFromUpstream(error, `log of pod ${namespace}/${pod}`);
      });
      res.writeHead(200, {
        "content-type": "text/plain; charset=utf-8",
        "cache-control": "no-store",
        trailer: STREAM_END_TRAILER,
      });
      metrics?.open.inc({ kind: "log" });
      if (options.follow) supervisor = this.#supervise(requester, namespace, pod, end);
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          await lease.spend(chunk.length, upstream.signal);
          if (!res.write(chunk)) await once(res, "drain", { signal: upstream.signal });
          metrics?.bytes.inc({ kind: "log" }, chunk.length);
        }
      } catch {
        if (!upstream.signal.aborted) reason = "UPSTREAM_FAILED";
      } finally {
        metrics?.open.dec({ kind: "log" });
      }
      if (!res.destroyed) {
        res.addTrailers({ [STREAM_END_TRAILER]: reason });
        res.end();
      }
    } finally {
      clearInterval(supervisor);
      clientGone.removeEventListener("abort", onClientGone);
      upstream.abort();
      lease.release();
      this.#active.delete(entry);
      resolveDone();
    }
  }

  /**
   * Bridges an upgraded `exec`/`attach`/`portforward` request to the pod as the tenant. With
   * `service`, `pod` is a Service's name and the port one of its ports: the connection goes
   * to a ready pod behind it, on the port the Service targets (resolved as the tenant, for
   * each connection). A refusal (not the namespace's holder, RBAC, no such pod, over the
   * stream limit) completes the handshake and closes with 4000 + the HTTP status and
   * `CODE: message`, which a browser-style WebSocket client can read (it cannot read a
   * refused handshake's status).
   */
  async exec(
    requester: string,
    namespace: string,
    name: string,
    subresource: "exec" | "attach" | "portforward",
    query: URLSearchParams,
    client: ClientUpgrade,
    options: { service?: boolean } = {},
  ): Promise<void> {
    let lease: StreamLease | undefined;
    try {
      this.authorize(requester, namespace);
      if (this.#closing)
        throw new StreamError("STREAM_UPSTREAM_FAILED", 503, "the control plane is stopping");
      const admin = this.#options.admin;
      let pod = name;
      let command =
        subresource === "exec" ? query.getAll("command").join(" ") : (query.get("ports") ?? "");
      let open: (protocols: readonly string[]) => Promise<ChannelSession>;
      let supported: readonly string[];
      if (subresource === "portforward") {
        let port = parsePortQuery(query);
        if (options.service) {
          const target = await resolveServiceTarget(
            this.#tenantClient(namespace),
            namespace,
            name,
            port,
          ).catch((error: unknown) => {
            throw streamErrorFromUpstream(error, `service ${namespace}/${name}`);
          });
          command = `svc/${name}:${port} -> ${target.port}`;
          pod = target.pod;
          port = target.port;
        }
        const targetPort = port;
        supported = PORT_FORWARD_PROTOCOLS;
        open = this.#transport(
          async () =>
            webSocketChannelSession(await openPodPortForward(admin, namespace, pod, targetPort)),
          () => openPodPortForwardSpdy(admin, namespace, pod, targetPort),
        );
      } else {
        const options = parseExecQuery(query, subresource);
        supported = EXEC_PROTOCOLS;
        open = this.#transport(
          async (protocols) =>
            webSocketChannelSession(
              await openPodExec(admin, namespace, pod, subresource, options, protocols),
            ),
          (protocols) => openPodExecSpdy(admin, namespace, pod, subresource, options, protocols),
        );
      }
      const what = `${subresource} in pod ${namespace}/${pod}`;
      lease = this.quota.acquire(requester);
      const session = await bridgeExec(
        subresource,
        what,
        supported,
        open,
        client,
        lease,
        this.#options.metrics,
      );
      const entry = {
        end: (reason: StreamEndReason) => session.end(reason),
        done: session.done.then(() => undefined),
      };
      this.#active.add(entry);
      const audit = this.#options.audit;
      const recordId = audit?.started({ requester, kind: subresource, namespace, pod, command });
      this.#options.metrics?.sessions.inc({ kind: subresource });
      const bytes = await session.done;
      if (recordId !== undefined)
        audit?.ended(recordId, { bytesIn: bytes.toPod, bytesOut: bytes.fromPod });
      this.#active.delete(entry);
    } catch (error) {
      const refusal =
        error instanceof StreamError ? error : streamErrorFromUpstream(error, subresource);
      this.refused(refusal.code);
      refuseUpgrade(client, refusal);
    } finally {
      lease?.release();
    }
  }

  /** The requester's own recorded sessions, newest first. */
  sessions(requester: string, limit: number): SessionRecord[] {
    return this.#options.audit?.byRequester(requester, limit) ?? [];
  }

  /** The namespace's events (oldest first), optionally only those about one object. */
  async events(
    requester: string,
    namespace: string,
    about?: { kind: string; name: string },
  ): Promise<unknown[]> {
    this.authorize(requester, namespace);
    const client = this.#tenantClient(namespace);
    const fieldSelector = about
      ? `involvedObject.kind=${about.kind},involvedObject.name=${about.name}`
      : undefined;
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`;
    const { body } = await client
      .request(HttpMethod.GET, path, { query: { fieldSelector, limit: String(MAX_EVENTS) } })
      .catch((error: unknown) => {
        throw streamErrorFromUpstream(error, `events of ${namespace}`);
      });
    const items = ((body as { items?: unknown[] }).items ?? []) as EventLike[];
    return items.sort((a, b) => eventTime(a).localeCompare(eventTime(b)));
  }

  /** One object (as the tenant reads it) and the events about it: `describe`. */
  async describe(
    requester: string,
    namespace: string,
    resource: string,
    name: string,
  ): Promise<{ object: unknown; events: unknown[] }> {
    this.authorize(requester, namespace);
    const type = tenantResource(resource);
    if (!type)
      throw new StreamError("STREAM_BAD_REQUEST", 400, `'${resource}' is not a kind tenants use`);
    const { body } = await this.#tenantClient(namespace)
      .request(HttpMethod.GET, resourcePath(tenantApiResource(type), namespace, name))
      .catch((error: unknown) => {
        throw streamErrorFromUpstream(error, `${type.plural} ${namespace}/${name}`);
      });
    const object = withoutManagedFields(body);
    const events = await this.events(requester, namespace, { kind: type.kind, name });
    return { object, events };
  }

  /** Ends every open stream (`CONTROL_STOPPING`) and waits until they have ended. */
  async close(): Promise<void> {
    this.#closing = true;
    const active = [...this.#active];
    for (const stream of active) stream.end("CONTROL_STOPPING");
    await Promise.all(active.map((stream) => stream.done));
  }

  /**
   * How a pod session reaches the API server: by WebSocket, falling back to SPDY when the
   * upgrade is refused as such (an API server before 1.30, port-forward without the
   * PortForwardWebsockets gate); or only one of them when `upstream` says so.
   */
  #transport(
    webSocket: (protocols: readonly string[]) => Promise<ChannelSession>,
    spdy: (protocols: readonly string[]) => Promise<ChannelSession>,
  ): (protocols: readonly string[]) => Promise<ChannelSession> {
    const mode = this.#options.upstream ?? "auto";
    if (mode === "spdy") return spdy;
    if (mode === "websocket") return webSocket;
    return async (protocols) => {
      try {
        return await webSocket(protocols);
      } catch (error) {
        if (!webSocketRefused(error)) throw error;
        return spdy(protocols);
      }
    };
  }

  #tenantClient(namespace: string): KubeApiClient {
    return new KubeApiClient(impersonatingConfig(this.#options.admin, tenantUser(namespace)));
  }

  /** Ends a follower once its pod is gone or its namespace is no longer the requester's. */
  #supervise(
    requester: string,
    namespace: string,
    pod: string,
    end: (reason: StreamEndReason) => void,
  ): NodeJS.Timeout {
    const client = this.#tenantClient(namespace);
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}`;
    let uid: string | undefined;
    let checking = false;
    const check = async (): Promise<void> => {
      const claim = this.#options.namespaces.get(namespace);
      if (!claim || claim.released || claim.owner !== requester) return end("NAMESPACE_RELEASED");
      try {
        const { body } = await client.request(HttpMethod.GET, path);
        const current = (body as { metadata?: { uid?: string; deletionTimestamp?: string } })
          .metadata;
        uid ??= current?.uid;
        if (current?.uid !== uid || current?.deletionTimestamp) end("POD_GONE");
      } catch (error) {
        const gone = streamErrorFromUpstream(error, "pod");
        // Gone, or no longer ours to read: either way the follower is over.
        if (gone.code === "STREAM_NOT_FOUND" || gone.code === "STREAM_FORBIDDEN") end("POD_GONE");
      }
    };
    const timer = setInterval(() => {
      if (checking) return;
      checking = true;
      check().finally(() => {
        checking = false;
      });
    }, this.#options.superviseIntervalMs ?? DEFAULT_SUPERVISE_MS);
    return timer;
  }
}

/**
 * Whether an exec/port-forward WebSocket failed as a protocol the API server does not take
 * (a bad request, an unsupported method or upgrade, a handshake we cannot accept), not for
 * who asked (401, 403), what was asked for (404) or load (429, 5xx).
 */
function webSocketRefused(error: unknown): boolean {
  return (
    isK8sError(error) &&
    ([
      "K8S_BAD_REQUEST",
      "K8S_METHOD_NOT_ALLOWED",
      "K8S_NOT_IMPLEMENTED",
      "K8S_RESPONSE_INVALID",
    ].includes(error.code) ||
      error.statusCode === 426)
  );
}

interface EventLike {
  lastTimestamp?: string | null;
  eventTime?: string | null;
  firstTimestamp?: string | null;
  metadata?: { creationTimestamp?: string };
}

function eventTime(event: EventLike): string {
  return (
    event.lastTimestamp ??
    event.eventTime ??
    event.firstTimestamp ??
    event.metadata?.creationTimestamp ??
    ""
  );
}
