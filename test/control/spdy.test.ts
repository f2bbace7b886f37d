import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Registry } from "prom-client";
import { DETACHED, EXEC_PROTOCOLS, runExecSession } from "../../src/cli/exec-session.ts";
import { startPortForward } from "../../src/cli/port-forward.ts";
import { signedHeaders } from "../../src/control/http/auth.ts";
import type { NamespaceClaim } from "../../src/control/inbox/index.ts";
import { StreamMetrics, StreamsService } from "../../src/control/streams/index.ts";
import { testCluster } from "../helpers/cluster.ts";
import { startWebSocketRefusingApiServer } from "../helpers/websocket-refusing-apiserver.ts";
import {
  claimedNamespaceWithPod,
  readUntil,
  startStreamsApi,
  writeContainerLog,
} from "../k8s/stream-fixtures.ts";

// exec and port-forward between nautilus-control and the API server over SPDY/3.1 (forced;
// kube-testenv takes WebSockets too, so `auto` would not fall back), the tenant's side
// unchanged: a WebSocket with the v5/v4 channel protocols.

const CLUSTER = `0x${"ab".repeat(32)}`;
const owner = Ed25519Keypair.generate();
let kc: KubeConfig;
type StreamsApi = Awaited<ReturnType<typeof startStreamsApi>>;
let api: StreamsApi;
let ns: string;
let registry: Registry;
const claims = new Map<string, NamespaceClaim>();

async function exec(command: string[], stdin?: string, through: StreamsApi = api) {
  const query = new URLSearchParams(command.map((arg): [string, string] => ["command", arg]));
  if (stdin !== undefined) query.set("stdin", "true");
  const url = `${through.url}/v1/namespaces/${ns}/pods/web/exec?${query}`;
  const headers = await signedHeaders(owner, { clusterId: CLUSTER, method: "GET", url });
  let stdout = "";
  let stderr = "";
  const socket = await through.transport.openWebSocket(url, { headers, protocols: EXEC_PROTOCOLS });
  const code = await runExecSession(socket, {
    stdout: (data) => {
      stdout += Buffer.from(data).toString();
    },
    stderr: (data) => {
      stderr += Buffer.from(data).toString();
    },
    ...(stdin === undefined
      ? {}
      : {
          stdin: (async function* () {
            yield stdin;
          })(),
        }),
  });
  return { code, stdout, stderr };
}

before(async () => {
  kc = (await testCluster()).kubeConfig();
  ns = await claimedNamespaceWithPod(kc, "spdy", owner.toSuiAddress(), "0x1", claims);
  registry = new Registry();
  api = await startStreamsApi(
    new StreamsService({
      admin: kc,
      namespaces: claims,
      upstream: "spdy",
      metrics: new StreamMetrics(registry),
    }),
    registry,
    CLUSTER,
  );
});

after(async () => {
  await api?.close();
  await kc
    ?.makeApiClient(CoreV1Api)
    .deleteNamespace({ name: ns })
    .catch(() => undefined);
});

describe("control: exec and port-forward to the API server over SPDY/3.1", () => {
  it("exec runs a command: stdout, stderr and its exit code", async () => {
    assert.deepEqual(await exec(["sh", "-c", "echo out; echo err >&2; exit 3"]), {
      code: 3,
      stdout: "out\n",
      stderr: "err\n",
    });
    assert.equal((await exec(["true"])).code, 0);
  });

  it("exec carries stdin to the command", async () => {
    const input = "through SPDY\n".repeat(1000);
    // head ends after the bytes it wants: KWOK's simulated exec does not pass stdin's end on.
    const run = await exec(["head", "-c", String(input.length)], input);
    assert.deepEqual(run, { code: 0, stdout: input, stderr: "" });
  });

  it("attach shows what the container writes, until the tenant detaches", async () => {
    const url = `${api.url}/v1/namespaces/${ns}/pods/web/attach?stdin=false`;
    const headers = await signedHeaders(owner, { clusterId: CLUSTER, method: "GET", url });
    const socket = await api.transport.openWebSocket(url, { headers, protocols: EXEC_PROTOCOLS });
    const marker = `spdy-attach-${randomBytes(4).toString("hex")}`;
    const detach = new AbortController();
    let stdout = "";
    const session = runExecSession(socket, {
      stdout: (data) => {
        stdout += Buffer.from(data).toString();
        if (stdout.includes(marker)) detach.abort();
      },
      stderr: () => {},
      detach: detach.signal,
    });
    let settled = false;
    session.then(
      () => (settled = true),
      () => (settled = true),
    );
    // KWOK's attach follows the container log from when its reader starts: write until seen.
    for (let line = 1; !detach.signal.aborted && !settled; line++) {
      await writeContainerLog(`${marker}-${line}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(await session, DETACHED);
    assert.match(stdout, new RegExp(`${marker}-\\d+\\n`));
  });

  it("port-forward carries bytes both ways", async () => {
    await forwardAndEcho(api);
    assert.match(
      await registry.metrics(),
      /k8s_daas_stream_bytes_total\{kind="portforward"\} [1-9]\d{5}/,
    );
  });

  it("auto: an API server refusing the WebSocket upgrade gets SPDY instead", async () => {
    const refusing = await startWebSocketRefusingApiServer(kc);
    const auto = await startStreamsApi(
      new StreamsService({ admin: refusing.kubeConfig, namespaces: claims }),
      new Registry(),
      CLUSTER,
    );
    try {
      const run = await exec(["sh", "-c", "echo fell back; exit 4"], undefined, auto);
      assert.deepEqual(run, { code: 4, stdout: "fell back\n", stderr: "" });
      await forwardAndEcho(auto);
      // Both were refused as WebSockets first, then carried over SPDY.
      assert.equal(refusing.refused(), 2);
    } finally {
      await auto.close();
      await refusing.close();
    }
  });
});

/** Forwards a local port through `through` to the pod's port 80 (KWOK echoes) and checks bytes both ways. */
async function forwardAndEcho(through: StreamsApi): Promise<void> {
  const forward = await startPortForward(
    0,
    async (protocols) => {
      const url = `${through.url}/v1/namespaces/${ns}/pods/web/portforward?ports=80`;
      const headers = await signedHeaders(owner, { clusterId: CLUSTER, method: "GET", url });
      return through.transport.openWebSocket(url, { headers, protocols });
    },
    (problem) => assert.fail(problem),
  );
  try {
    const socket = connect(forward.port, "127.0.0.1");
    await once(socket, "connect");
    socket.write("ping over spdy\n");
    assert.equal(await readUntil(socket, (t) => t.includes("\n")), "ping over spdy\n");
    const big = "y".repeat(300_000);
    socket.write(big);
    assert.equal((await readUntil(socket, (t) => t.length >= big.length)).length, big.length);
    socket.end();
  } finally {
    await forward.close();
  }
}
