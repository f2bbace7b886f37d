import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { GatewayError } from "../../src/gateway/errors.ts";
import { writeProxyContext } from "../../src/gateway/kubeconfig.ts";

test("the proxy context is added beside the kubeconfig's others, and replaced when rewritten", () => {
  const path = join(mkdtempSync(join(tmpdir(), "gw-kubeconfig-")), "config");
  writeFileSync(
    path,
    "apiVersion: v1\nkind: Config\ncurrent-context: admin\nclusters:\n- name: admin\n  cluster: {server: 'https://10.0.0.1:6443'}\ncontexts:\n- name: admin\n  context: {cluster: admin, user: admin}\nusers:\n- name: admin\n  user: {token: secret}\n",
  );
  writeProxyContext(path, {
    name: "k8s-daas",
    server: "http://127.0.0.1:8001",
    namespace: "team-a",
  });
  writeProxyContext(path, {
    name: "k8s-daas",
    server: "http://127.0.0.1:9001",
    namespace: "team-b",
  });
  const config = parse(readFileSync(path, "utf8"));
  assert.equal(config["current-context"], "admin");
  assert.deepEqual(
    config.clusters.map((c: { name: string }) => c.name),
    ["admin", "k8s-daas"],
  );
  assert.deepEqual(config.clusters[1].cluster, { server: "http://127.0.0.1:9001" });
  assert.deepEqual(config.contexts[1].context, {
    cluster: "k8s-daas",
    user: "k8s-daas",
    namespace: "team-b",
  });
  assert.deepEqual(config.users[0].user, { token: "secret" });
});

test("a file that is not a kubeconfig is refused, not overwritten", () => {
  const path = join(mkdtempSync(join(tmpdir(), "gw-kubeconfig-")), "config");
  writeFileSync(path, "- just\n- a list\n");
  assert.throws(
    () => writeProxyContext(path, { name: "x", server: "http://127.0.0.1:8001", namespace: "a" }),
    (error: unknown) => error instanceof GatewayError && error.code === "KUBECONFIG_INVALID",
  );
  assert.equal(readFileSync(path, "utf8"), "- just\n- a list\n");
});
