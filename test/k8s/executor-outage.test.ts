import assert from "node:assert/strict";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { after, before, describe, it } from "node:test";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { type ExecutorRetryEvent, TenantExecutor } from "../../src/k8s/index.ts";
import { testCluster } from "../helpers/cluster.ts";
import { object, ops, provisionTenant } from "./executor-fixtures.ts";

// The API server "goes away" without touching the shared test cluster: the executor talks
// to a local port that first refuses connections, then accepts and resets them, and only
// then forwards to the real API server (TLS passes through; 127.0.0.1 is in its cert).

let admin: KubeConfig;
let upstream: URL;
let tenant: string;

before(async () => {
  const cluster = await testCluster();
  admin = cluster.kubeConfig();
  upstream = new URL(cluster.server);
  tenant = await provisionTenant(admin, "outage");
});

after(async () => {
  await admin
    ?.makeApiClient(CoreV1Api)
    .deleteNamespace({ name: tenant })
    .catch(() => undefined);
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(address && typeof address === "object");
  await new Promise((resolve) => server.close(resolve));
  return address.port;
}

/** A port in front of the API server whose behaviour the test switches. */
class FlakyFront {
  readonly port: number;
  #server: Server | undefined;
  #mode: "reset" | "forward" = "reset";
  readonly #sockets = new Set<Socket>();

  constructor(port: number) {
    this.port = port;
  }

  /** Starts accepting on the port (until then connections are refused). */
  async listen(mode: "reset" | "forward"): Promise<void> {
    this.#mode = mode;
    const server = createServer((socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
      if (this.#mode === "reset") {
        socket.resetAndDestroy();
        return;
      }
      const target = tcpConnect(Number(upstream.port), upstream.hostname);
      socket.pipe(target).pipe(socket);
      // destroy() emits no 'end', so pipe() alone would keep the other side open.
      socket.on("close", () => target.destroy());
      target.on("close", () => socket.destroy());
      socket.on("error", () => target.destroy());
      target.on("error", () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.#server = server;
  }

  forward(): void {
    this.#mode = "forward";
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.#server?.close(resolve) ?? resolve(undefined));
  }

  /** An admin KubeConfig whose server is this port. */
  kubeConfig(): KubeConfig {
    const cluster = admin.getCurrentCluster();
    const user = admin.getCurrentUser();
    assert.ok(cluster && user);
    const config = new KubeConfig();
    config.loadFromClusterAndUser({ ...cluster, server: `https://127.0.0.1:${this.port}` }, user);
    return config;
  }
}

const quickRetries = { backoff: { baseMs: 100, maxMs: 1_000 }, attemptTimeoutMs: 10_000 };

describe("executor while the API server is unreachable", () => {
  it("waits out a 20 s outage (refused, then reset connections) with the default policy and completes once", async () => {
    const front = new FlakyFront(await freePort());
    const retries: ExecutorRetryEvent[] = [];
    const executor = new TenantExecutor(front.kubeConfig(), {
      onRetry: (event) => retries.push(event),
    });
    const started = performance.now();
    const config = object("configmaps", tenant, "survivor", { data: { state: "ok" } });
    const pending = executor.execute(ops.apply(config), 3001n);
    const phases: string[] = [];
    try {
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      phases.push(`refused: ${retries.length} retries`);
      await front.listen("reset");
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      phases.push(`reset: ${retries.length} retries`);
      front.forward();
      const outcome = await pending;
      const waited = (performance.now() - started) / 1000;
      console.log(
        `# outage: completed after ${waited.toFixed(1)} s and ${retries.length} retries (${phases.join(", ")})`,
      );
      assert.equal(outcome.statusCode, 201, outcome.summary);
      assert.equal(outcome.summary, "configmap/survivor created");
      assert.ok(retries.length >= 2, `only ${retries.length} retries`);
      assert.ok(retries.every((event) => event.requestId === 3001n && event.operation === "apply"));
      assert.ok(retries.some((event) => /ECONNREFUSED/.test(event.error.message)));
    } finally {
      await front.close();
    }
    const stored = await admin
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({ namespace: tenant, name: "survivor" });
    assert.equal(stored.data?.state, "ok");
  });

  it("reports 503 K8S_UNAVAILABLE once the retry deadline passes", async () => {
    const front = new FlakyFront(await freePort());
    const executor = new TenantExecutor(front.kubeConfig(), {
      retry: { ...quickRetries, deadlineMs: 1_500 },
    });
    const outcome = await executor.execute(ops.get("configmaps", tenant, "survivor"), 3002n);
    assert.equal(outcome.statusCode, 503);
    assert.equal(outcome.errorCode, "K8S_UNAVAILABLE");
    assert.match(outcome.summary, /ECONNREFUSED/);
  });

  it("gives the request back unfinished when the caller aborts", async () => {
    const front = new FlakyFront(await freePort());
    const executor = new TenantExecutor(front.kubeConfig(), {
      retry: { ...quickRetries, deadlineMs: 120_000 },
    });
    const reason = new Error("control plane stopping");
    const pending = executor.execute(ops.get("configmaps", tenant, "survivor"), 3003n, {
      signal: AbortSignal.any([AbortSignal.timeout(60_000), abortAfter(500, reason)]),
    });
    await assert.rejects(pending, (error) => error === reason);
  });
});

function abortAfter(ms: number, reason: Error): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(reason), ms);
  return controller.signal;
}
