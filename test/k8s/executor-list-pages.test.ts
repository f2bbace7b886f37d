// Bounded lists against the real API server: a list is one page of at most `query.limit`
// objects, filtered by the admitted label selector, and the tenant pages on with the
// `continue` token the output carries.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { admit } from "../../src/control/admission/index.ts";
import { TenantExecutor } from "../../src/k8s/index.ts";
import type { AdmittedOperation, ListQuery } from "../../src/k8s/operations.ts";
import { testCluster } from "../helpers/cluster.ts";
import { object, ops, provisionTenant, resourceType } from "./executor-fixtures.ts";

let kc: KubeConfig;
let executor: TenantExecutor;
let namespace: string;

type ListOutput = {
  kind: string;
  metadata: { continue?: string };
  items: { metadata: { name: string } }[];
};

const list = (query?: ListQuery): AdmittedOperation => ({
  kind: "list",
  resource: resourceType("configmaps"),
  namespace,
  ...(query ? { query } : {}),
});
const names = (output: unknown) => (output as ListOutput).items.map((item) => item.metadata.name);

before(async () => {
  kc = (await testCluster()).kubeConfig();
  executor = new TenantExecutor(kc);
  namespace = await provisionTenant(kc, "list-pages");
  const labelled: [string, string][] = [
    ["web-1", "web"],
    ["web-2", "web"],
    ["web-3", "web"],
    ["api-1", "api"],
  ];
  for (const [name, app] of labelled) {
    const item = object("configmaps", namespace, name, {
      metadata: { name, namespace, labels: { app } },
    });
    const outcome = await executor.execute(ops.apply(item), 1n);
    assert.equal(outcome.statusCode, 201, outcome.summary);
  }
});

after(async () => {
  if (namespace) {
    await kc
      .makeApiClient(CoreV1Api)
      .deleteNamespace({ name: namespace })
      .catch(() => undefined);
  }
});

describe("executor: bounded lists", () => {
  it("returns one page of at most the limit, and the next page from its continue token", async () => {
    const first = await executor.execute(list({ limit: 2, labelSelector: "app=web" }), 2n);
    assert.equal(first.statusCode, 200, first.summary);
    assert.equal(first.summary, "2 configmaps (more follow)");
    const token = (first.output as ListOutput).metadata.continue;
    assert.ok(token, "a full page carries a continue token");
    assert.deepEqual(names(first.output), ["web-1", "web-2"]);

    const second = await executor.execute(
      list({ limit: 2, labelSelector: "app=web", continue: token }),
      3n,
    );
    assert.equal(second.summary, "1 configmap");
    assert.deepEqual(names(second.output), ["web-3"]);
    assert.equal((second.output as ListOutput).metadata.continue, undefined);
  });

  it("lists as admission admits it: options from the payload, the policy's bound", async () => {
    const admitted = admit(
      {
        requestId: 4n,
        clusterId: "0x1",
        method: "GET",
        resource: "configmaps",
        namespace,
        name: "",
        payload: new TextEncoder().encode('labelSelector: "app in (web, api), app!=web"\n'),
        priority: 0,
        requester: "0x2",
      },
      { maxListItems: 3 },
    );
    assert.ok(admitted.ok, admitted.ok ? "" : admitted.rejection.message);
    const outcome = await executor.execute(admitted.operation, 4n);
    assert.equal(outcome.summary, "1 configmap");
    assert.deepEqual(names(outcome.output), ["api-1"]);

    // Without options the page is the policy's maximum: 3 of the 4 labelled objects (and
    // kube-root-ca.crt, which the controller-manager adds) are one full page.
    const bounded = admit(
      {
        requestId: 5n,
        clusterId: "0x1",
        method: "GET",
        resource: "configmaps",
        namespace,
        name: "",
        payload: new Uint8Array(),
        priority: 0,
        requester: "0x2",
      },
      { maxListItems: 3 },
    );
    assert.ok(bounded.ok);
    const page = await executor.execute(bounded.operation, 5n);
    assert.equal(page.summary, "3 configmaps (more follow)");
    assert.equal(names(page.output).length, 3);
  });

  it("lists an operation without a query as one page of the default size", async () => {
    const outcome = await executor.execute(list(), 6n);
    assert.equal(outcome.statusCode, 200);
    assert.ok(names(outcome.output).length >= 4);
    assert.doesNotMatch(outcome.summary, /more follow/);
  });
});
