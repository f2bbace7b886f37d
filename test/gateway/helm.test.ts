// Upstream Helm 3, unwrapped, through `k8s-daas proxy`: install, upgrade, rollback and
// uninstall of a chart with a Deployment, a Service, a ConfigMap and an Ingress. Every
// write (objects and Helm's release Secrets) is a request on chain with a signed result.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { CoreV1Api, NetworkingV1Api } from "@kubernetes/client-node";
import { DEFAULT_ADMISSION_POLICY } from "../../src/control/admission/policy.ts";
import { LIMITS } from "../../src/protocol/index.ts";
import { type GatewayRig, openGatewayRig } from "./fixture.ts";

const CHART = resolve(import.meta.dirname, "../fixtures/gateway/chart");

describe("helm through the gateway", () => {
  let rig: GatewayRig;
  let core: CoreV1Api;
  let ns: string;

  const helm = async (...args: string[]) => {
    const before = await rig.chainCounts();
    const run = await rig.helm(args);
    assert.equal(run.code, 0, `helm ${args.join(" ")}:\n${run.stderr}${run.stdout}`);
    const after = await rig.chainCounts();
    assert.ok(after.requests > before.requests, `helm ${args[0]} wrote on chain`);
    assert.equal(after.results - before.results, after.requests - before.requests);
    return run.stdout;
  };
  const greeting = async () =>
    (await core.readNamespacedConfigMap({ name: "shop-settings", namespace: ns })).data?.greeting;

  before(async () => {
    rig = await openGatewayRig("gw-helm");
    ns = rig.tenant.namespace;
    core = rig.stack.kubeConfig.makeApiClient(CoreV1Api);
    // The first request provisions the namespace (its tenant ServiceAccount and Role).
    const first = await rig.kubectl([
      "create",
      "-f",
      resolve(import.meta.dirname, "../fixtures/gateway/settings/a.yaml"),
    ]);
    assert.equal(first.code, 0, first.stderr);
  });
  after(() => rig?.close());

  it("install: the objects exist and the release record fits the payload limit", async () => {
    const host = `${ns}.${DEFAULT_ADMISSION_POLICY.appsDomain}`;
    await helm("install", "shop", CHART, "--set", `host=${host}`);
    assert.equal(await greeting(), "hello");
    const ingress = await rig.stack.kubeConfig
      .makeApiClient(NetworkingV1Api)
      .readNamespacedIngress({ name: "shop-web", namespace: ns });
    assert.equal(ingress.spec?.rules?.[0]?.host, host);
    await core.readNamespacedService({ name: "shop-web", namespace: ns });
    await core.readNamespacedSecret({ name: "sh.helm.release.v1.shop.v1", namespace: ns });
    // The proxy logs each write's payload size as it went on chain (sealed).
    const line = rig.log.find((entry) =>
      entry.startsWith("create secrets/sh.helm.release.v1.shop.v1"),
    );
    const size = Number(/(\d+) payload bytes sealed/.exec(line ?? "")?.[1]);
    process.stderr.write(
      `# helm release Secret of the test chart on chain: ${size} bytes sealed (limit ${LIMITS.maxPayloadBytes})\n`,
    );
    assert.ok(size > 0, `a sealed create of the release record in the proxy's log: ${line}`);
    assert.ok(size < LIMITS.maxPayloadBytes, `the release record is ${size} bytes`);
  });

  it("upgrade, rollback and uninstall", async () => {
    await helm("upgrade", "shop", CHART, "--reuse-values", "--set", "greeting=bye");
    assert.equal(await greeting(), "bye");
    await helm("rollback", "shop", "1");
    assert.equal(await greeting(), "hello");
    const history = await rig.helm(["history", "shop", "-o", "json"]);
    assert.deepEqual(
      (JSON.parse(history.stdout) as { revision: number }[]).map((entry) => entry.revision),
      [1, 2, 3],
    );
    await helm("uninstall", "shop");
    await assert.rejects(core.readNamespacedConfigMap({ name: "shop-settings", namespace: ns }));
    const list = await rig.helm(["list", "-o", "json"]);
    assert.deepEqual(JSON.parse(list.stdout), []);
  });

  it("a release record over the payload limit fails the release with 413 and what to do", async () => {
    // Random text does not compress: the record (gzip, then base64 twice) outgrows 16 KiB
    // while the ConfigMap holding the value alone would still fit.
    const bulky = randomBytes(10_000).toString("base64");
    const run = await rig.helm([
      "install",
      "bulky",
      CHART,
      "--set",
      `host=${ns}.${DEFAULT_ADMISSION_POLICY.appsDomain}`,
      "--set-string",
      `greeting=${bulky}`,
    ]);
    assert.notEqual(run.code, 0, "helm reports the failed release");
    assert.match(
      run.stderr,
      /KUBE_PAYLOAD_TOO_LARGE: .*sh\.helm\.release\.v1\.bulky\.v1 is \d+ bytes on chain/,
    );
    assert.match(run.stderr, /at most \d+ bytes per request/);
    await assert.rejects(
      core.readNamespacedConfigMap({ name: "bulky-settings", namespace: ns }),
      "nothing of the release was written",
    );
  });
});
