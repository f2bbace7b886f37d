// `k8s-daas proxy` and `k8s-daas kubeconfig` as a user runs them: each its own process
// against a `k8s-daas up` stack, then upstream kubectl through the context written.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { parse } from "yaml";
import { ensureBuilt } from "../../src/k8s/testenv/index.ts";
import { runCommand } from "../../src/k8s/testenv/run-command.ts";
import { testCluster, uniqueNamespace } from "../helpers/cluster.ts";
import { BIN, ISOLATED_ENV, runCli, startUp, tempDataDir, type UpProcess } from "./harness.ts";

describe("cli: k8s-daas proxy and kubeconfig", () => {
  let dataDir: string;
  let stack: UpProcess;
  let proxy: ChildProcess | undefined;
  let core: CoreV1Api;
  const namespace = uniqueNamespace("proxy");
  const cli = (...args: string[]) => runCli(args, { env: stack.env });

  before(async () => {
    const cluster = await testCluster();
    core = cluster.kubeConfig().makeApiClient(CoreV1Api);
    dataDir = tempDataDir();
    stack = await startUp(dataDir, cluster.kubeconfigPath);
    const claim = await cli("namespace", "claim", namespace);
    assert.equal(claim.code, 0, claim.stderr);
  });

  after(async () => {
    if (proxy && proxy.exitCode === null) {
      proxy.kill("SIGINT");
      await once(proxy, "exit");
    }
    if (stack?.child.exitCode === null) await stack.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("proxy serves on 127.0.0.1; kubeconfig writes a context for it; kubectl writes on chain", async () => {
    proxy = spawn(process.execPath, [BIN, "proxy", "--port", "0", "-o", "json"], {
      env: { ...process.env, ...ISOLATED_ENV, ...stack.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    proxy.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const lines = createInterface({ input: proxy.stdout as NodeJS.ReadableStream });
    const ready = await new Promise<{ url: string; port: number; namespaces: string[] }>(
      (resolve, reject) => {
        lines.on("line", (line) => resolve(JSON.parse(line)));
        proxy?.once("exit", (code) => reject(new Error(`proxy exited with ${code}: ${stderr}`)));
      },
    );
    assert.match(ready.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(ready.namespaces, [namespace]);

    const kubeconfig = join(dataDir, "kube", "config");
    const written = await cli(
      "kubeconfig",
      "--context",
      "daas",
      "--port",
      String(ready.port),
      "--kubeconfig",
      kubeconfig,
    );
    assert.equal(written.code, 0, written.stderr);
    assert.match(written.stdout, /kubectl --context daas get pods/);
    const config = parse(readFileSync(kubeconfig, "utf8"));
    assert.equal(config["current-context"], "daas");
    assert.deepEqual(config.contexts[0].context, { cluster: "daas", user: "daas", namespace });
    assert.equal(config.clusters[0].cluster.server, ready.url);

    const { path: tools } = await ensureBuilt();
    const manifest = join(dataDir, "cm.yaml");
    writeFileSync(manifest, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: via-proxy\n");
    const kubectl = (...args: string[]) =>
      runCommand(tools, ["kubectl", "--kubeconfig", kubeconfig, "--context", "daas", ...args]);
    const created = await kubectl("create", "-f", manifest);
    assert.equal(created.code, 0, created.stderr);
    const made = await core.readNamespacedConfigMap({ name: "via-proxy", namespace });
    const requestId = made.metadata?.annotations?.["k8s-daas.io/request-id"];
    assert.match(requestId ?? "", /^\d+$/, "written by an on-chain request");
    const requests = await cli("requests", String(requestId), "-o", "json");
    assert.equal(requests.code, 0, requests.stderr);
    assert.equal((JSON.parse(requests.stdout) as { statusCode: number }).statusCode, 201);
    const listed = await kubectl("get", "configmap", "via-proxy", "-o", "name");
    assert.equal(listed.stdout.trim(), "configmap/via-proxy");
  });

  it("kubeconfig refuses a bad context name and a kubeconfig that is not one", async () => {
    const bad = await cli("kubeconfig", "--context", "a b");
    assert.equal(bad.code, 2);
    const notConfig = join(dataDir, "not-a-kubeconfig");
    writeFileSync(notConfig, "- a list\n");
    const refused = await cli("kubeconfig", "--kubeconfig", notConfig);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /error\[KUBECONFIG_INVALID\]/);
  });
});
