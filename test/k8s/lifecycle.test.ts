import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import {
  type ClusterHandle,
  clusterStatus,
  ensureBuilt,
  startCluster,
  stopCluster,
  TestenvError,
  testenvProcessesUsing,
} from "../../src/k8s/testenv/index.ts";
import { isLoopback, listeningSockets } from "./listening-sockets.ts";

// A private one-node cluster: this file stops clusters, so it must not use the shared one.
let dataDir: string;
let binary: string;

before(async () => {
  binary = (await ensureBuilt({ log: (line) => process.stderr.write(`# ${line}\n`) })).path;
  dataDir = await mkdtemp(join(tmpdir(), "kube-testenv-lifecycle-"));
});

after(async () => {
  await stopCluster(dataDir).catch(() => undefined);
  await rm(dataDir, { recursive: true, force: true });
});

function hasCode(code: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof TestenvError, `expected a TestenvError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  };
}

test("a readiness timeout names the component and its log file, and leaves nothing running", async () => {
  await assert.rejects(startCluster({ dataDir, nodes: 1, binary, readyTimeoutMs: 0 }), (error) => {
    hasCode("TESTENV_NOT_READY")(error);
    assert.match((error as Error).message, /^etcd not healthy .*log: .*etcd\.log/);
    return true;
  });
  assert.deepEqual(await testenvProcessesUsing(dataDir), []);
  assert.equal((await clusterStatus(dataDir)).exists, false);
});

test("start, reuse, refuse, stop: no process is left behind", async () => {
  const first: ClusterHandle = await startCluster({ dataDir, nodes: 1, binary });
  assert.equal(first.reused, false);
  const nodes = await first.kubeConfig().makeApiClient(CoreV1Api).listNode();
  assert.deepEqual(
    nodes.items.map((n) => n.metadata?.name),
    ["kwok-node-1"],
  );
  const running = await testenvProcessesUsing(dataDir);
  assert.equal(running.length, 5, `expected 5 component processes, found ${running.join(",")}`);
  if (process.platform === "linux") {
    const sockets = await listeningSockets(running);
    // etcd (client + peer), apiserver, controller-manager, scheduler, kwok at least.
    assert.ok(sockets.length >= 6, `only ${sockets.length} listening sockets found`);
    const exposed = sockets.filter((socket) => !isLoopback(socket.hexAddress));
    assert.deepEqual(exposed, [], "every component listens on 127.0.0.1 only");
  }

  const second = await startCluster({ dataDir, nodes: 1, binary });
  assert.equal(second.reused, true);
  assert.equal(second.server, first.server);

  await assert.rejects(
    startCluster({ dataDir, nodes: 2, binary }),
    hasCode("TESTENV_ALREADY_RUNNING"),
  );

  // A crashed component makes the cluster unhealthy: a new start refuses instead of guessing.
  const status = await clusterStatus(dataDir);
  const scheduler = status.components.find((c) => c.name === "scheduler");
  assert.ok(scheduler);
  process.kill(-scheduler.pid, "SIGKILL");
  await assert.rejects(
    startCluster({ dataDir, nodes: 1, binary }),
    hasCode("TESTENV_ALREADY_RUNNING"),
  );

  const stopped = await first.stop();
  assert.equal(stopped.wasRunning, true);
  assert.deepEqual(await testenvProcessesUsing(dataDir), []);
  for (const pid of running) {
    assert.throws(() => process.kill(pid, 0), /ESRCH/, `pid ${pid} still exists`);
  }
  assert.equal((await clusterStatus(dataDir)).exists, false);
});
