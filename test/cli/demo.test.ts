// `npm start` (scripts/demo.ts) end to end: it brings up a stack, walks claim → pod →
// Running → result on chain, keeps the stack running, and Ctrl-C stops it all. Run here
// against the shared test cluster (KUBECONFIG) in a data dir of its own.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { testCluster, uniqueNamespace } from "../helpers/cluster.ts";
import { ISOLATED_ENV, tempDataDir } from "./harness.ts";

const DEMO = fileURLToPath(new URL("../../scripts/demo.ts", import.meta.url));

test("the demo runs every step, keeps the stack up, and Ctrl-C stops it", async () => {
  const cluster = await testCluster();
  const dataDir = tempDataDir("k8s-daas-demo-");
  // The shared test cluster outlives each stack: every run claims a namespace of its own.
  const namespace = uniqueNamespace("demo");
  const child = spawn(process.execPath, [DEMO], {
    env: {
      ...process.env,
      ...ISOLATED_ENV,
      K8S_DAAS_CONFIG: join(dataDir, "config.json"),
      K8S_DAAS_DATA_DIR: dataDir,
      K8S_DAAS_DEMO_NAMESPACE: namespace,
      KUBECONFIG: cluster.kubeconfigPath,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, "exit") as Promise<[number | null]>;
  const controlLog = () => {
    const log = join(dataDir, "logs", "control.log");
    return existsSync(log) ? `control log:\n${readFileSync(log, "utf8").slice(-4_000)}` : "";
  };
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("The stack keeps running")) resolve();
      });
      void exited.then(([code]) =>
        reject(new Error(`demo exited with ${code}:\n${stdout}\n${stderr}\n${controlLog()}`)),
      );
    });
    assert.match(
      stdout,
      new RegExp(`\\$ k8s-daas namespace claim ${namespace}\nclaimed namespace ${namespace}`),
    );
    assert.match(stdout, /request \d+: 201 pod\/web created/);
    assert.match(
      stdout,
      new RegExp(`pod ${namespace}/web is Running on node \\S+, runAsNonRoot=true`),
    );
    assert.match(stdout, /^web\s+1\/1\s+Running/m);
    assert.match(
      stdout,
      /K8sAPIResultEvent in transaction \S+:\n {2}request_id \d+, status_code 201/,
    );
  } finally {
    // Ctrl-C in a terminal reaches `up` (the demo's child); do what it would.
    const pidFile = join(dataDir, "up.pid");
    const upPid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").trim()) : 0;
    if (upPid > 0 && child.exitCode === null) process.kill(upPid, "SIGINT");
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
  assert.equal(child.exitCode, 0, stderr);
  assert.match(stderr, /stopped nautilus-control/);
  assert.match(stderr, /stopped devnet \(exit 0\)/);
});
