import assert from "node:assert/strict";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { CoreV1Api } from "@kubernetes/client-node";
import {
  CONTROL_PLANE_TAINT,
  findK3s,
  K3sError,
  K3sServer,
  k3sServerArgs,
} from "../../src/k8s/k3s.ts";
import { testCluster, testClusterDataDir } from "../helpers/cluster.ts";

const FAKE = fileURLToPath(new URL("../fixtures/fake-k3s.mjs", import.meta.url));
const TESTENV = fileURLToPath(new URL("../../src/k8s/testenv/index.ts", import.meta.url));

describe("k8s: K3s manager (with a stand-in k3s that starts kube-testenv)", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8s-daas-k3s-"));
  const bin = join(dir, "bin");
  const env = { ...process.env };
  after(() => {
    Object.assign(process.env, env);
    rmSync(dir, { recursive: true, force: true });
  });

  before(async () => {
    await testCluster(); // built and running, so the stand-in only reuses it
    mkdirSync(bin);
    copyFileSync(FAKE, join(bin, "k3s"));
    chmodSync(join(bin, "k3s"), 0o755);
    process.env.PATH = `${bin}:${dirname(process.execPath)}:${process.env.PATH ?? ""}`;
    process.env.FAKE_K3S_TESTENV = TESTENV;
    process.env.FAKE_K3S_CLUSTER_DIR = testClusterDataDir;
  });

  it("finds k3s on PATH, or says clearly that it is missing", () => {
    assert.equal(findK3s(), join(bin, "k3s"));
    assert.equal(findK3s("/nonexistent"), undefined);
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      assert.throws(
        () => new K3sServer({ dataDir: dir }),
        (error: unknown) => error instanceof K3sError && error.code === "K3S_NOT_FOUND",
      );
    } finally {
      process.env.PATH = path;
    }
  });

  it("taints the server node against workloads unless the operator opts in", () => {
    const taintOf = (args: string[]) => args[args.indexOf("--node-taint") + 1];
    const tainted = k3sServerArgs({ dataDir: dir, extraArgs: ["--disable=traefik"] }, "k.yaml");
    assert.equal(taintOf(tainted), "node-role.kubernetes.io/control-plane=true:NoSchedule");
    assert.equal(tainted.at(-1), "--disable=traefik", "operator flags come last");
    const optedIn = k3sServerArgs(
      { dataDir: dir, extraArgs: ["--disable=traefik"], allowWorkloadsOnServer: true },
      "k.yaml",
    );
    assert.deepEqual(
      optedIn,
      tainted.filter((arg) => arg !== "--node-taint" && arg !== CONTROL_PLANE_TAINT),
      "the opt-in drops the taint and nothing else",
    );
  });

  it("starts k3s on loopback, discovers its 0600 kubeconfig, restarts it after a crash, stops it", async () => {
    process.env.FAKE_K3S_CRASH_ONCE = join(dir, "crashed-once");
    process.env.FAKE_K3S_ARGS_FILE = join(dir, "k3s-args.json");
    const lines: string[] = [];
    const k3s = new K3sServer({
      dataDir: join(dir, "k3s"),
      restartBackoff: { baseMs: 100, maxMs: 200 },
      log: (line) => lines.push(line),
    });
    const kubeConfig = await k3s.start();
    assert.equal(k3s.restarts, 1, "the crashed first run was restarted");
    assert.ok(lines.some((line) => line.includes("restarting")));
    assert.equal(statSync(k3s.kubeconfigPath).mode & 0o777, 0o600);
    const given = JSON.parse(readFileSync(join(dir, "k3s-args.json"), "utf8")) as string[];
    assert.equal(given[given.indexOf("--node-taint") + 1], CONTROL_PLANE_TAINT);
    const nodes = await kubeConfig.makeApiClient(CoreV1Api).listNode();
    assert.ok(nodes.items.length >= 1, "the API server behind k3s answers");
    await k3s.stop();
    assert.equal(k3s.restarts, 1, "a requested stop is not restarted");
  });
});
