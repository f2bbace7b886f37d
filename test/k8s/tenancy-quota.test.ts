// The tenant ResourceQuota against the real API server: every count it sets is one the
// server accepts and tracks, and a count is enforced on the tenant's own writes.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import {
  DEFAULT_OBJECT_COUNTS,
  ensureTenantNamespace,
  qualifiedResourceName,
  TENANT_OBJECT_NAMES,
  TENANT_RESOURCES,
  TenantExecutor,
} from "../../src/k8s/index.ts";
import { testCluster, uniqueNamespace } from "../helpers/cluster.ts";
import {
  eventually,
  object,
  ops,
  TEST_CLAIM_ID,
  TEST_CLUSTER_ID,
  TEST_OWNER,
} from "./executor-fixtures.ts";

let kc: KubeConfig;
let core: CoreV1Api;
const defaults = uniqueNamespace("quota-defaults");
const small = uniqueNamespace("quota-small");

before(async () => {
  kc = (await testCluster()).kubeConfig();
  core = kc.makeApiClient(CoreV1Api);
});

after(async () => {
  for (const name of [defaults, small]) {
    await core?.deleteNamespace({ name }).catch(() => undefined);
  }
});

describe("tenant object-count quota", () => {
  it("counts every writable tenant kind, and the API server tracks each count", async () => {
    await ensureTenantNamespace(kc, {
      namespace: defaults,
      owner: TEST_OWNER,
      clusterId: TEST_CLUSTER_ID,
      claimId: TEST_CLAIM_ID,
    });
    const quota = await core.readNamespacedResourceQuota({
      namespace: defaults,
      name: TENANT_OBJECT_NAMES.quota,
    });
    const writable = TENANT_RESOURCES.filter((type) => type.writable);
    for (const type of writable) {
      const key = `count/${qualifiedResourceName(type)}`;
      assert.equal(
        quota.spec?.hard?.[key],
        String(DEFAULT_OBJECT_COUNTS[qualifiedResourceName(type)]),
        key,
      );
      // Provisioning returns only once the quota controller tracks every limit: until then
      // the API server would refuse the tenant's writes ("status unknown for quota").
      assert.equal(quota.status?.hard?.[key], quota.spec?.hard?.[key], `${key} tracked`);
      assert.ok(quota.status?.used?.[key] !== undefined, `${key} used`);
    }
  });

  it("refuses the tenant's write one past a count, with the API server's 403", async () => {
    await ensureTenantNamespace(kc, {
      namespace: small,
      owner: TEST_OWNER,
      clusterId: TEST_CLUSTER_ID,
      claimId: TEST_CLAIM_ID,
      quota: { "count/configmaps": "3", "count/ingresses.networking.k8s.io": "1" },
    });
    // The controller-manager publishes kube-root-ca.crt into every namespace; it counts too,
    // once the quota controller has recounted (until then the quota's usage says 0 and would
    // let a fourth ConfigMap in).
    await eventually("kube-root-ca.crt", async () =>
      (await core.listNamespacedConfigMap({ namespace: small })).items.length === 1
        ? true
        : undefined,
    );
    await eventually("kube-root-ca.crt counted by the quota", async () => {
      const quota = await core.readNamespacedResourceQuota({
        namespace: small,
        name: TENANT_OBJECT_NAMES.quota,
      });
      return quota.status?.used?.["count/configmaps"] === "1" ? true : undefined;
    });
    const executor = new TenantExecutor(kc);
    const configMap = (name: string) => object("configmaps", small, name, { data: { a: "b" } });
    for (const name of ["one", "two"]) {
      const created = await executor.execute(ops.apply(configMap(name)), 1n);
      assert.equal(created.statusCode, 201, created.summary);
    }
    const refused = await executor.execute(ops.apply(configMap("three")), 2n);
    assert.equal(refused.statusCode, 403, refused.summary);
    assert.match(refused.summary, /exceeded quota: k8s-daas-quota.*count\/configmaps=3/);
    const names = (await core.listNamespacedConfigMap({ namespace: small })).items.map(
      (item) => item.metadata?.name,
    );
    assert.deepEqual(names.sort(), ["kube-root-ca.crt", "one", "two"]);

    const ingress = (name: string) =>
      object("ingresses", small, name, {
        spec: {
          rules: [
            {
              host: `${name}.${small}.apps.k8s-daas.local`,
              http: {
                paths: [
                  {
                    path: "/",
                    pathType: "Prefix",
                    backend: { service: { name: "web", port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      });
    assert.equal((await executor.execute(ops.apply(ingress("web")), 3n)).statusCode, 201);
    const second = await executor.execute(ops.apply(ingress("api")), 4n);
    assert.equal(second.statusCode, 403, second.summary);
    assert.match(second.summary, /count\/ingresses\.networking\.k8s\.io=1/);
  });
});
