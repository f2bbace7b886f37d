import assert from "node:assert/strict";
import { once } from "node:events";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { Registry } from "prom-client";
import { startPortForward } from "../../src/cli/port-forward.ts";
import { signedHeaders } from "../../src/control/http/auth.ts";
import type { NamespaceClaim } from "../../src/control/inbox/index.ts";
import { StreamsService } from "../../src/control/streams/index.ts";
import { testCluster } from "../helpers/cluster.ts";
import { claimedNamespaceWithPod, readUntil, startStreamsApi } from "../k8s/stream-fixtures.ts";

// KWOK answers every forwarded port with an echo (`cat`), see src/k8s/testenv/kwok-debugging.ts.

const CLUSTER = `0x${"ab".repeat(32)}`;
const owner = Ed25519Keypair.generate();
const stranger = Ed25519Keypair.generate();
let kc: KubeConfig;
let api: Awaited<ReturnType<typeof startStreamsApi>>;
let ns: string;
let strangerNs: string;
const claims = new Map<string, NamespaceClaim>();

const forwarder = (namespace: string, problems: string[] = []) =>
  startPortForward(
    0,
    async (protocols) => {
      const url = `${api.url}/v1/namespaces/${namespace}/pods/web/portforward?ports=80`;
      const headers = await signedHeaders(owner, { clusterId: CLUSTER, method: "GET", url });
      return api.transport.openWebSocket(url, { headers, protocols });
    },
    (problem) => problems.push(problem),
  );

before(async () => {
  kc = (await testCluster()).kubeConfig();
  ns = await claimedNamespaceWithPod(kc, "pf", owner.toSuiAddress(), "0x1", claims);
  strangerNs = await claimedNamespaceWithPod(kc, "pf-x", stranger.toSuiAddress(), "0x2", claims);
  api = await startStreamsApi(
    new StreamsService({ admin: kc, namespaces: claims }),
    new Registry(),
    CLUSTER,
  );
});

after(async () => {
  await api?.close();
  const core = kc.makeApiClient(CoreV1Api);
  for (const name of [ns, strangerNs]) await core.deleteNamespace({ name }).catch(() => undefined);
});

describe("control: port-forward through the control plane, as the tenant", () => {
  it("carries bytes both ways on 127.0.0.1, one session per connection", async () => {
    const forward = await forwarder(ns);
    try {
      for (const round of [1, 2]) {
        const socket = connect(forward.port, "127.0.0.1");
        await once(socket, "connect");
        socket.write(`ping ${round}\n`);
        assert.equal(await readUntil(socket, (t) => t.includes("\n")), `ping ${round}\n`);
        const big = "x".repeat(200_000);
        socket.write(big);
        assert.equal((await readUntil(socket, (t) => t.length >= big.length)).length, big.length);
        socket.end();
      }
    } finally {
      await forward.close();
    }
  });

  it("another tenant's pod: the connection is refused with NAMESPACE_NOT_OWNED", async () => {
    const problems: string[] = [];
    const forward = await forwarder(strangerNs, problems);
    try {
      const socket = connect(forward.port, "127.0.0.1");
      await once(socket, "connect");
      socket.write("hello?");
      assert.equal(await readUntil(socket, () => false), "");
      assert.match(problems.join("\n"), /NAMESPACE_NOT_OWNED/);
    } finally {
      await forward.close();
    }
  });
});
