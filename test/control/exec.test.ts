import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Registry } from "prom-client";
import { EXEC_PROTOCOLS, runExecSession } from "../../src/cli/exec-session.ts";
import { signedHeaders } from "../../src/control/http/auth.ts";
import type { NamespaceClaim } from "../../src/control/inbox/index.ts";
import { SessionAudit, StreamMetrics, StreamsService } from "../../src/control/streams/index.ts";
import { testCluster } from "../helpers/cluster.ts";
import { fetchOver } from "../helpers/control-client.ts";
import { claimedNamespaceWithPod, startStreamsApi } from "../k8s/stream-fixtures.ts";

const CLUSTER = `0x${"ab".repeat(32)}`;
const owner = Ed25519Keypair.generate();
const stranger = Ed25519Keypair.generate();
let kc: KubeConfig;
let api: Awaited<ReturnType<typeof startStreamsApi>>;
let registry: Registry;
let ns: string;
let strangerNs: string;
const claims = new Map<string, NamespaceClaim>();

async function exec(
  namespace: string,
  command: string[],
  options: { key?: Ed25519Keypair; stdin?: string } = {},
) {
  const query = new URLSearchParams(command.map((arg): [string, string] => ["command", arg]));
  if (options.stdin !== undefined) query.set("stdin", "true");
  const url = `${api.url}/v1/namespaces/${namespace}/pods/web/exec?${query}`;
  const headers = await signedHeaders(options.key ?? owner, {
    clusterId: CLUSTER,
    method: "GET",
    url,
  });
  let stdout = "";
  let stderr = "";
  const input = options.stdin;
  const socket = await api.transport.openWebSocket(url, { headers, protocols: EXEC_PROTOCOLS });
  const code = await runExecSession(socket, {
    stdout: (data) => {
      stdout += Buffer.from(data).toString();
    },
    stderr: (data) => {
      stderr += Buffer.from(data).toString();
    },
    ...(input === undefined
      ? {}
      : {
          stdin: (async function* () {
            yield input;
          })(),
        }),
  });
  return { code, stdout, stderr };
}

before(async () => {
  kc = (await testCluster()).kubeConfig();
  ns = await claimedNamespaceWithPod(kc, "exec", owner.toSuiAddress(), "0x1", claims);
  strangerNs = await claimedNamespaceWithPod(kc, "exec-x", stranger.toSuiAddress(), "0x2", claims);
  registry = new Registry();
  const streams = new StreamsService({
    admin: kc,
    namespaces: claims,
    metrics: new StreamMetrics(registry),
    audit: new SessionAudit(
      join(mkdtempSync(join(tmpdir(), "k8s-daas-audit-")), "sessions.sqlite"),
    ),
  });
  api = await startStreamsApi(streams, registry, CLUSTER);
});

after(async () => {
  await api?.close();
  const core = kc.makeApiClient(CoreV1Api);
  for (const name of [ns, strangerNs]) await core.deleteNamespace({ name }).catch(() => undefined);
});

describe("control: exec over a WebSocket, bridged to the API server as the tenant", () => {
  it("runs a command: stdout, stderr and its exit code", async () => {
    const run = await exec(ns, ["sh", "-c", "echo out; echo err >&2; exit 3"]);
    assert.deepEqual(run, { code: 3, stdout: "out\n", stderr: "err\n" });
    assert.equal((await exec(ns, ["true"])).code, 0);
  });

  it("carries stdin to the command", async () => {
    // head ends after the bytes it wants, whether or not stdin's end reaches the pod.
    const input = "hello through the bridge\n";
    const run = await exec(ns, ["head", "-c", String(input.length)], { stdin: input });
    assert.deepEqual(run, { code: 0, stdout: "hello through the bridge\n", stderr: "" });
  });

  it("refuses another tenant's pod (4403 NAMESPACE_NOT_OWNED) and unsigned or bad requests", async () => {
    await assert.rejects(exec(strangerNs, ["true"]), { code: "NAMESPACE_NOT_OWNED" });
    await assert.rejects(exec(ns, ["true"], { key: stranger }), { code: "NAMESPACE_NOT_OWNED" });
    await assert.rejects(
      api.transport
        .openWebSocket(`/v1/namespaces/${ns}/pods/web/exec?command=true`, {
          protocols: EXEC_PROTOCOLS,
        })
        .then((socket) => runExecSession(socket, { stdout: () => {}, stderr: () => {} })),
      { code: "AUTH_MISSING" },
    );
    await assert.rejects(exec(ns, []), { code: "STREAM_BAD_REQUEST" });
  });

  it("records every session (who, pod, command, start, end, bytes); /v1/sessions lists only the requester's", async () => {
    await exec(ns, ["sh", "-c", "echo audited"]);
    const list = async (key: Ed25519Keypair) => {
      const url = `${api.url}/v1/sessions`;
      const headers = await signedHeaders(key, { clusterId: CLUSTER, method: "GET", url });
      const response = await fetchOver(api.transport)(url, { headers });
      assert.equal(response.status, 200);
      return ((await response.json()) as { sessions: Record<string, unknown>[] }).sessions;
    };
    const mine = await list(owner);
    const latest = mine[0];
    assert.ok(latest);
    assert.equal(latest.kind, "exec");
    assert.equal(latest.requester, owner.toSuiAddress());
    assert.equal(latest.namespace, ns);
    assert.equal(latest.pod, "web");
    assert.equal(latest.command, "sh -c echo audited");
    assert.ok(typeof latest.endedAt === "string" && latest.endedAt >= String(latest.startedAt));
    assert.ok(Number(latest.bytesOut) >= "audited\n".length);
    // Earlier sessions of this file are there too; refused ones are not sessions.
    assert.ok(mine.length >= 4, `sessions: ${mine.length}`);
    assert.deepEqual(await list(stranger), []);
    assert.match(await registry.metrics(), /k8s_daas_stream_sessions_total\{kind="exec"\} [1-9]/);
  });
});
