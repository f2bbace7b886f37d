import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Registry } from "prom-client";
import { toKeystoreEntry } from "../../src/chain/keys.ts";
import type { ApiServer } from "../../src/control/http/server.ts";
import type { NamespaceClaim } from "../../src/control/inbox/index.ts";
import { StreamMetrics, StreamsService } from "../../src/control/streams/index.ts";
import { testCluster } from "../helpers/cluster.ts";
import { type EnclaveChain, openEnclaveChain } from "../helpers/enclave-chain.ts";
import { eventually } from "../k8s/executor-fixtures.ts";
import {
  claimedNamespaceWithPod,
  runningPod,
  startStreamsApi,
  writeContainerLog,
} from "../k8s/stream-fixtures.ts";
import { runCli } from "./harness.ts";

// `k8s-daas logs|events|describe` as a user runs them, against nautilus-control's API (the
// real server and StreamsService over kube-testenv, over HTTPS with the enclave's TLS key);
// the namespace claims are given directly. The chain (a devnet) holds the cluster whose
// enclave registered that TLS key: the CLI pins the API to it, as against a real cluster.

let chain: EnclaveChain;
const owner = Ed25519Keypair.generate();
const stranger = Ed25519Keypair.generate();
let kc: KubeConfig;
let api: ApiServer;
let clusterId: string;
let registry: Registry;
let streams: StreamsService;
let ns: string;
let strangerNs: string;
const claims = new Map<string, NamespaceClaim>();
const dir = mkdtempSync(join(tmpdir(), "k8s-daas-streams-cli-"));

function keystoreOf(key: Ed25519Keypair): string {
  const path = join(dir, `${key.toSuiAddress()}.keystore`);
  writeFileSync(path, JSON.stringify([toKeystoreEntry(key)]));
  return path;
}

const cli = (args: string[], key = owner, input?: string) =>
  runCli(
    [
      // The connection flags go before any `--` (after it, everything is the command).
      ...args.slice(0, 1),
      "--control-url",
      api.url,
      "--cluster-id",
      clusterId,
      // The chain tells the CLI which TLS key the control plane must present.
      "--network",
      chain.url,
      "--package-id",
      chain.packageId,
      "--keystore",
      keystoreOf(key),
      "--address",
      key.toSuiAddress(),
      ...args.slice(1),
    ],
    input === undefined ? {} : { input },
  );

before(async () => {
  chain = await openEnclaveChain();
  clusterId = chain.clusterId;
  kc = (await testCluster()).kubeConfig();
  ns = await claimedNamespaceWithPod(kc, "cli-logs", owner.toSuiAddress(), "0x1", claims);
  strangerNs = await claimedNamespaceWithPod(
    kc,
    "cli-logs-x",
    stranger.toSuiAddress(),
    "0x2",
    claims,
  );
  registry = new Registry();
  streams = new StreamsService({
    admin: kc,
    namespaces: claims,
    superviseIntervalMs: 200,
    metrics: new StreamMetrics(registry),
  });
  api = await startStreamsApi(streams, registry, clusterId, chain.enclave.tlsKey);
});

after(async () => {
  await api?.close();
  await chain?.close();
  const core = kc.makeApiClient(CoreV1Api);
  for (const name of [ns, strangerNs]) await core.deleteNamespace({ name }).catch(() => undefined);
});

describe("cli: logs, events, describe", () => {
  it("logs --tail prints the pod's last lines and exits 0", async () => {
    const marker = `cli-${randomBytes(4).toString("hex")}`;
    await writeContainerLog(`${marker}-1`, `${marker}-2`, `${marker}-3`);
    const run = await cli(["logs", "web", "-n", ns, "--tail", "2"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${marker}-2\n${marker}-3\n`);
  });

  it("logs -f streams until the pod is deleted, then exits 0", async () => {
    const marker = `cli-f-${randomBytes(4).toString("hex")}`;
    const carriedBefore = Number(
      /k8s_daas_stream_bytes_total\{kind="log"\} (\d+)/.exec(await registry.metrics())?.[1] ?? 0,
    );
    await runningPod(kc, ns, "brief");
    await writeContainerLog(`${marker}-1`);
    const running = cli(["logs", "brief", "-n", ns, "-f", "--tail", "1"]);
    // Once the follower is attached (the control plane holds its stream), write more.
    await eventually("the follower attached", async () =>
      streams.quota.open(owner.toSuiAddress()) === 1 ? true : undefined,
    );
    await writeContainerLog(`${marker}-2`);
    await eventually("the line was carried", async () => {
      const metrics = await registry.metrics();
      return /k8s_daas_stream_bytes_total\{kind="log"\} (\d+)/.exec(metrics)?.[1] ===
        String(Buffer.byteLength(`${marker}-1\n${marker}-2\n`) + carriedBefore)
        ? true
        : undefined;
    });
    await kc
      .makeApiClient(CoreV1Api)
      .deleteNamespacedPod({ namespace: ns, name: "brief", gracePeriodSeconds: 0 });
    const run = await running;
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${marker}-1\n${marker}-2\n`);
    assert.match(run.stderr, /is gone/);
  });

  it("another tenant's namespace: a clear refusal with its code, exit non-zero", async () => {
    const run = await cli(["logs", "web", "-n", strangerNs]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /NAMESPACE_NOT_OWNED/);
    const events = await cli(["events", "-n", strangerNs]);
    assert.notEqual(events.code, 0);
    assert.match(events.stderr, /NAMESPACE_NOT_OWNED/);
  });

  it("a control plane serving another TLS key than the one on chain is refused (logs and exec)", async () => {
    // Same API, same cluster id, same claims: only its TLS key is not the enclave's.
    const impostor = await startStreamsApi(
      new StreamsService({ admin: kc, namespaces: claims }),
      new Registry(),
      clusterId,
    );
    try {
      for (const command of [
        ["logs", "web", "-n", ns, "--tail", "1", "--control-url", impostor.url],
        ["exec", "web", "-n", ns, "--control-url", impostor.url, "--", "true"],
      ]) {
        const run = await cli(command);
        assert.equal(run.code, 3, run.stderr);
        assert.match(
          run.stderr,
          /error\[CONTROL_TLS_KEY_MISMATCH\]: the control plane at 127\.0\.0\.1:\d+ presents TLS key sha256 [0-9a-f]{64}, but the cluster's enclave registered/,
        );
      }
      // The genuine one, on the same chain, still answers.
      assert.equal((await cli(["logs", "web", "-n", ns, "--tail", "1"])).code, 0);
    } finally {
      await impostor.close();
    }
  });

  it("events lists the namespace's events; describe shows the pod and its events", async () => {
    const events = await cli(["events", "-n", ns, "-o", "json"]);
    assert.equal(events.code, 0, events.stderr);
    const items = JSON.parse(events.stdout) as {
      reason: string;
      involvedObject: { name: string };
    }[];
    assert.ok(items.some((e) => e.reason === "Scheduled" && e.involvedObject.name === "web"));
    const table = await cli(["events", "-n", ns]);
    assert.match(table.stdout, /LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/);
    assert.match(table.stdout, /Scheduled\s+pod\/web/);
    const described = await cli(["describe", "pod", "web", "-n", ns]);
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /^apiVersion: v1\nkind: Pod\nmetadata:\n {2}name: web\n/);
    assert.match(described.stdout, /\nEvents:\n\s+LAST SEEN[^\n]*\n[\s\S]*Scheduled\s+pod\/web/);
  });

  it("exec runs the command and exits with its exit code; -i carries stdin", async () => {
    const run = await cli([
      "exec",
      "web",
      "-n",
      ns,
      "--",
      "sh",
      "-c",
      "echo out; echo err >&2; exit 7",
    ]);
    assert.equal(run.code, 7, run.stderr);
    assert.equal(run.stdout, "out\n");
    assert.equal(run.stderr, "err\n");
    const input = "typed by the user\n";
    const piped = await cli(
      ["exec", "web", "-n", ns, "-i", "--", "head", "-c", String(input.length)],
      owner,
      input,
    );
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stdout, input);
    const refused = await cli(["exec", "web", "-n", strangerNs, "--", "true"]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /NAMESPACE_NOT_OWNED/);
    const noCommand = await cli(["exec", "web", "-n", ns]);
    assert.equal(noCommand.code, 2);
  });

  it("bad flags are usage errors before anything is sent", async () => {
    const run = await cli(["logs", "web", "-n", ns, "--since", "yesterday"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--since/);
  });
});
