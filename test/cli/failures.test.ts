// Every way a tenant command can fail, through the real binary against `k8s-daas up`: each
// prints one `error[CODE]: message` line with a hint and exits with the documented code
// (1 failed, 2 bad input, 3 unreachable). Client-side refusals happen before any gas is paid.
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { testCluster, uniqueNamespace } from "../helpers/cluster.ts";
import { type CliRun, errorLine, runCli, startUp, tempDataDir, type UpProcess } from "./harness.ts";

const IMAGE = "nginxinc/nginx-unprivileged:1.27";
let dataDir: string;
let stack: UpProcess;
const namespace = uniqueNamespace("fail");

before(async () => {
  const cluster = await testCluster();
  dataDir = tempDataDir();
  stack = await startUp(dataDir, cluster.kubeconfigPath);
  const claim = await cli("namespace", "claim", namespace);
  assert.equal(claim.code, 0, claim.stderr);
});

after(async () => {
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli(args, { env: stack.env });

/** The command failed with `code`, one error line naming `errorCode`, and a hint. */
function assertFailure(run: CliRun, exitCode: number, errorCode: string, message: RegExp): void {
  assert.equal(run.code, exitCode, `exit code; stderr:\n${run.stderr}`);
  const line = errorLine(run);
  assert.ok(line.startsWith(`error[${errorCode}]: `), `error line: ${line}\n${run.stderr}`);
  assert.match(line, message);
  assert.match(run.stderr, /^ {2}hint: \S/m);
}

function file(name: string, text: string): string {
  const path = join(dataDir, name);
  writeFileSync(path, text);
  return path;
}

/** How many requests the cluster has seen: refusals before sending must not add any. */
async function requestsSubmitted(): Promise<number> {
  const status = await cli("cluster", "status", "-o", "json");
  return Number((JSON.parse(status.stdout) as { requestsSubmitted: string }).requestsSubmitted);
}

test("bad YAML is refused before sending, naming the file and line", async () => {
  const before = await requestsSubmitted();
  const path = file("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   oops: [\n");
  assertFailure(await cli("apply", "-f", path), 2, "MANIFEST_YAML", /bad\.yaml line \d+: /);
  assert.equal(await requestsSubmitted(), before);
});

test("an unknown kind is refused, with the kinds tenants can use", async () => {
  const run = await cli("get", "widgets");
  assertFailure(run, 2, "UNKNOWN_KIND", /unknown kind "widgets"/);
  assert.match(run.stderr, /hint: tenants can use: pods, services/);
  const manifest = file(
    "role.yaml",
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\n",
  );
  assertFailure(await cli("apply", "-f", manifest), 2, "UNKNOWN_KIND", /unknown kind "Role"/);
});

test("a namespace the tenant does not hold is refused before sending", async () => {
  assertFailure(
    await cli("pod", "create", "web", "--image", IMAGE, "-n", "someone-else"),
    1,
    "NAMESPACE_NOT_OWNED",
    /holds no NamespaceCap for namespace "someone-else"/,
  );
  assertFailure(
    await cli("namespace", "claim", namespace),
    1,
    "ENamespaceTaken",
    /already claimed/,
  );
  assertFailure(
    await cli("namespace", "claim", "kube-system"),
    1,
    "ENamespaceReserved",
    /reserved/,
  );
});

test("a fee below the cluster's fee aborts in simulation, and no gas is paid", async () => {
  assertFailure(
    await cli("pod", "create", "cheap", "--image", IMAGE, "--fee", "1"),
    1,
    "EInsufficientFee",
    /fee is below the cluster's request fee \(refused before sending; no gas was paid\)/,
  );
});

test("a payload over the limit is refused before sending", async () => {
  const big = JSON.stringify({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "big" },
    data: { blob: "x".repeat(20_000) },
  });
  assertFailure(
    await cli("apply", "-f", file("big.json", big)),
    2,
    "PAYLOAD_TOO_LARGE",
    /configmap\/big is \d+ bytes; the cluster accepts at most 16384 bytes per request/,
  );
});

test("a request the control plane refuses exits 1 with its status and error code", async () => {
  const manifest = file(
    "host-path.yaml",
    [
      "apiVersion: v1",
      "kind: Pod",
      "metadata: {name: peek}",
      "spec:",
      `  containers: [{name: c, image: "${IMAGE}"}]`,
      "  volumes: [{name: h, hostPath: {path: /etc}}]",
    ].join("\n"),
  );
  const run = await cli("apply", "-f", manifest);
  assertFailure(run, 1, "ADMISSION_HOST_PATH", /\(pod\/peek\): 403 ADMISSION_HOST_PATH: hostPath/);
  assert.match(run.stderr, /hint: full output: k8s-daas result \d+/);
  const id = /k8s-daas result (\d+)/.exec(run.stderr)?.[1] ?? "";
  const result = await cli("result", id);
  assert.equal(result.code, 1);
  assert.match(result.stdout, /result: {2}403 ADMISSION_HOST_PATH/);
  assert.match(result.stdout, /sha256: {2}[0-9a-f]{64} \(matches the K8sAPIResultEvent in \S+\)/);
});

test("an unreachable control plane is named, before anything is paid", async () => {
  const before = await requestsSubmitted();
  const dead = "https://127.0.0.1:9";
  assertFailure(
    await cli("pod", "create", "web", "--image", IMAGE, "--control-url", dead),
    3,
    "CONTROL_UNREACHABLE",
    /nautilus-control does not answer at https:\/\/127\.0\.0\.1:9/,
  );
  assertFailure(
    await cli("requests", "--control-url", dead),
    3,
    "CONTROL_UNREACHABLE",
    /127\.0\.0\.1:9/,
  );
  assert.equal(await requestsSubmitted(), before);
});

test("an unreachable chain is named", async () => {
  assertFailure(
    await cli("namespace", "list", "--network", "http://127.0.0.1:9"),
    3,
    "CHAIN_UNREACHABLE",
    /the chain at http:\/\/127\.0\.0\.1:9 does not answer/,
  );
});

test("bad command lines exit 2 with a hint", async () => {
  assertFailure(await cli("pod", "create", "web"), 2, "USAGE", /--image is required/);
  assertFailure(
    await cli("pod", "create", "Web_1", "--image", IMAGE),
    2,
    "INVALID_NAME",
    /"Web_1"/,
  );
  assertFailure(
    await cli("deploy", "api", "--image", IMAGE, "--replicas", "500"),
    2,
    "USAGE",
    /--replicas/,
  );
  assertFailure(await cli("namespace"), 2, "USAGE", /needs an action: claim, list, release/);
  assertFailure(await cli("frobnicate"), 2, "UNKNOWN_COMMAND", /unknown command "frobnicate"/);
  assertFailure(await cli("get", "pods", "--bogus"), 2, "USAGE", /--bogus/);
});
