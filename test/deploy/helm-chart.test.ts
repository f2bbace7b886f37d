// The Helm chart deploy/helm/nautilus-control with upstream helm (kube-testenv helm): lint,
// template, values schema, the config file it writes, and a server-side dry-run of
// everything it renders against the real API server.

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { billingSettings, controlSettings } from "../../scripts/config-reference.ts";
import { resolveBillingConfig } from "../../src/control/billing/index.ts";
import { defaultConfig, readConfigFile, resolveConfig } from "../../src/control/config.ts";
import { TENANT_STREAM_RULES, tenantRoleRules } from "../../src/k8s/index.ts";
import { type ClusterHandle, moduleVersions } from "../../src/k8s/testenv/index.ts";
import { createTestNamespace, testCluster, uniqueNamespace } from "../helpers/cluster.ts";
import {
  CHART_DIR,
  CHART_TEST_VALUES,
  findObject,
  helm,
  kubectl,
  type RenderedObject,
  renderChart,
} from "./upstream-tools.ts";

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs?: string[];
}

/** Whether some rule grants `verb` on `group/resource` for any object name. */
function grants(rules: readonly PolicyRule[], group: string, resource: string, verb: string) {
  return rules.some(
    (rule) =>
      rule.apiGroups?.includes(group) &&
      rule.resources?.includes(resource) &&
      rule.verbs?.includes(verb) &&
      (rule.resourceNames ?? []).length === 0,
  );
}

describe("the nautilus-control Helm chart", () => {
  it("is checked with upstream Helm of the release go.mod pins (kube-testenv helm)", async () => {
    const result = await helm("version", "--template", "{{.Version}} {{.GitTreeState}}");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), `${(await moduleVersions()).helm} clean`);
    assert.match((await moduleVersions()).helm, /^v3\.\d+\.\d+$/);
  });

  it("passes helm lint --strict", async () => {
    const result = await helm("lint", "--strict", CHART_DIR, "--values", CHART_TEST_VALUES);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it("renders a one-replica StatefulSet with its state on a PVC, restricted and probed", async () => {
    const { objects } = await renderChart("nc", "nautilus");
    const kinds = objects.map((object) => object.kind).sort();
    assert.deepEqual(kinds, [
      "ClusterRole",
      "ClusterRole",
      "ClusterRoleBinding",
      "ConfigMap",
      "NetworkPolicy",
      "PodDisruptionBudget",
      "Service",
      "Service",
      "ServiceAccount",
      "StatefulSet",
    ]);
    const set = findObject(objects, "StatefulSet") as RenderedObject & {
      spec: {
        replicas: number;
        volumeClaimTemplates: { metadata: { name: string } }[];
        template: {
          spec: {
            securityContext: Record<string, unknown>;
            containers: {
              securityContext: Record<string, unknown>;
              volumeMounts: { name: string; mountPath: string }[];
              startupProbe: { httpGet: { path: string; scheme: string } };
              livenessProbe: { httpGet: { path: string; scheme: string } };
              readinessProbe: { httpGet: { path: string; scheme: string } };
            }[];
          };
        };
      };
    };
    assert.equal(set.spec.replicas, 1);
    assert.deepEqual(
      set.spec.volumeClaimTemplates.map((claim) => claim.metadata.name),
      ["state"],
    );
    const pod = set.spec.template.spec;
    const [container] = pod.containers;
    assert.ok(container);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.deepEqual(pod.securityContext.seccompProfile, { type: "RuntimeDefault" });
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.equal(container.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(container.securityContext.capabilities, { drop: ["ALL"] });
    assert.ok(
      container.volumeMounts.some(
        (mount) => mount.name === "state" && mount.mountPath === "/var/lib/nautilus-control",
      ),
    );
    assert.equal(container.startupProbe.httpGet.path, "/healthz");
    assert.equal(container.livenessProbe.httpGet.path, "/healthz");
    assert.equal(container.readinessProbe.httpGet.path, "/readyz");
    // The API serves HTTPS with the enclave's TLS key: the probes speak it too.
    for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe])
      assert.equal(probe.httpGet.scheme, "HTTPS");
  });

  it("writes a config file nautilus-control's own loader accepts", async () => {
    const { objects } = await renderChart("nc", "nautilus", ["config.concurrency=16"]);
    const map = findObject(objects, "ConfigMap") as RenderedObject & {
      data: Record<string, string>;
    };
    const dir = await mkdtemp(join(tmpdir(), "k8s-daas-chart-config-"));
    try {
      const file = join(dir, "config.yaml");
      await writeFile(file, map.data["config.yaml"] ?? "");
      // As `nautilus-control --config FILE` resolves it: defaults, then the file.
      const config = resolveConfig(defaultConfig(), readConfigFile(file));
      assert.equal(config.listenHost, "0.0.0.0", "reachable through its Service");
      assert.equal(config.listenPort, 8080);
      assert.equal(config.dataDir, "/var/lib/nautilus-control");
      assert.equal(config.concurrency, 16);
      assert.equal(config.packageId, `0x${"6b38736461617300".padStart(64, "0")}`);
      assert.equal(config.minOperatorGasMist, 100_000_000n);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("passes the billing values as K8S_DAAS_BILLING_* variables the control plane accepts", async () => {
    const { objects } = await renderChart("nc", "nautilus", [
      "billing.periodMs=60000",
      "billing.sampleIntervalMs=5000",
      "billing.enabled=false",
    ]);
    const set = findObject(objects, "StatefulSet") as RenderedObject & {
      spec: {
        template: { spec: { containers: { env: { name: string; value?: string }[] }[] } };
      };
    };
    const env = Object.fromEntries(
      (set.spec.template.spec.containers[0]?.env ?? [])
        .filter((variable) => variable.name.startsWith("K8S_DAAS_BILLING_"))
        .map((variable) => [variable.name, variable.value]),
    );
    assert.deepEqual(env, {
      K8S_DAAS_BILLING_ENABLED: "false",
      K8S_DAAS_BILLING_PERIOD_MS: "60000",
      K8S_DAAS_BILLING_SAMPLE_MS: "5000",
    });
    const config = resolveBillingConfig({}, env);
    assert.equal(config.enabled, false);
    assert.equal(config.periodMs, 60_000);
    assert.equal(config.sampleIntervalMs, 5_000);
    // The schema offers every billing setting the control plane reads.
    const schema = JSON.parse(await readFile(join(CHART_DIR, "values.schema.json"), "utf8")) as {
      properties: { billing: { properties: Record<string, unknown> } };
    };
    assert.deepEqual(
      Object.keys(schema.properties.billing.properties).sort(),
      billingSettings()
        .map((setting) => setting.key)
        .sort(),
    );
    const bad = await renderChart("nc", "nautilus", ["billing.periodMs=0"]).catch(
      (error: Error) => error.message,
    );
    assert.match(String(bad), /\/billing\/periodMs': minimum: got 0, want 1/);
  });

  it("offers exactly the control plane's settings the chart does not set itself", async () => {
    // A setting added to src/control/config.ts must be offered in values or set by the chart.
    const schema = JSON.parse(await readFile(join(CHART_DIR, "values.schema.json"), "utf8")) as {
      properties: { config: { properties: Record<string, unknown> } };
    };
    const offered = Object.keys(schema.properties.config.properties);
    const setByChart = [
      "listenHost",
      "listenPort",
      "dataDir",
      "enclaveKeyFile",
      "tenantClusterRole",
    ];
    // The operator key comes from a Secret (K8S_DAAS_OPERATOR_KEY), the cluster from the
    // ServiceAccount: the keystore, address, key-variable and kubeconfig settings stay unset;
    // the pod runs no k3s server, so whether tenants may run on it does not apply; a pod is
    // no Nitro enclave (the enclave image is built apart: deploy/enclave), so the NSM
    // settings keep their defaults; the chart always serves HTTPS with the enclave's key
    // (its probes speak HTTPS): plain HTTP is for development stacks, not offered.
    const notForPods = [
      "operatorKeystore",
      "operatorAddress",
      "operatorKeyEnv",
      "kubeconfig",
      "allowWorkloadsOnServer",
      "nsmDevice",
      "nsmHelper",
      "insecureHttp",
    ];
    assert.deepEqual(
      [...offered, ...setByChart, ...notForPods].sort(),
      controlSettings()
        .map((setting) => setting.key)
        .sort(),
    );
  });

  it("refuses bad values by the schema and missing required ones by name", async () => {
    const bad = await renderChart("nc", "nautilus", [
      "config.concurrency=0",
      "config.logLevel=loud",
      "config.listenHost=0.0.0.0",
    ]).catch((error: Error) => error.message);
    assert.match(String(bad), /\/config\/concurrency': minimum: got 0, want 1/);
    assert.match(String(bad), /\/config\/logLevel/);
    assert.match(String(bad), /additional properties 'listenHost' not allowed/);
    const missing = await helm("template", "nc", CHART_DIR);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /config\.packageId is required/);
    const noKey = await helm(
      "template",
      "nc",
      CHART_DIR,
      "--set",
      "config.packageId=0x1,config.clusterId=0x2",
    );
    assert.notEqual(noKey.code, 0);
    assert.match(noKey.stderr, /operatorKey\.existingSecret is required/);
  });

  it("ships the tenant ClusterRole with exactly the tenant rules, and lets the control plane only bind it", async () => {
    const { objects } = await renderChart("nc", "nautilus");
    const roles = objects.filter((object) => object.kind === "ClusterRole") as (RenderedObject & {
      rules: PolicyRule[];
    })[];
    const tenant = roles.find((role) => role.metadata.name === "nc-nautilus-control-tenant");
    const control = roles.find((role) => role.metadata.name === "nc-nautilus-control");
    assert.ok(tenant && control, roles.map((role) => role.metadata.name).join(", "));
    assert.deepEqual(tenant.rules, tenantRoleRules());
    // The control plane holds `bind` on that one role, and none of the tenants' stream rights.
    assert.deepEqual(
      control.rules.filter((rule) => rule.verbs?.includes("bind")),
      [
        {
          apiGroups: ["rbac.authorization.k8s.io"],
          resources: ["clusterroles"],
          resourceNames: ["nc-nautilus-control-tenant"],
          verbs: ["get", "bind"],
        },
      ],
    );
    for (const rule of TENANT_STREAM_RULES) {
      for (const resource of rule.resources) {
        for (const verb of rule.verbs) {
          assert.ok(
            !grants(control.rules, "", resource, verb),
            `control holds ${verb} ${resource}`,
          );
        }
      }
    }
    assert.ok(!grants(control.rules, "rbac.authorization.k8s.io", "roles", "create"));
    for (const role of roles) {
      assert.ok(
        !role.rules.some((rule) => rule.verbs?.includes("*") || rule.resources?.includes("*")),
      );
      assert.ok(!role.rules.some((rule) => rule.verbs?.includes("escalate")));
    }
    // The control plane is told the role's name.
    const map = findObject(objects, "ConfigMap") as RenderedObject & {
      data: Record<string, string>;
    };
    assert.match(map.data["config.yaml"] ?? "", /^tenantClusterRole: nc-nautilus-control-tenant$/m);
  });

  it("renders the ServiceMonitor only when asked, aimed at the API Service's /metrics", async () => {
    const { objects: without } = await renderChart("nc", "nautilus");
    assert.ok(!without.some((object) => object.kind === "ServiceMonitor"));
    const { objects } = await renderChart("nc", "nautilus", ["serviceMonitor.enabled=true"]);
    const monitor = findObject(objects, "ServiceMonitor") as RenderedObject & {
      spec: {
        selector: { matchLabels: Record<string, string> };
        endpoints: { port: string; path: string }[];
      };
    };
    assert.deepEqual(
      monitor.spec.endpoints.map((e) => [e.port, e.path]),
      [["http", "/metrics"]],
    );
    const selected = objects.filter(
      (object) =>
        object.kind === "Service" &&
        Object.entries(monitor.spec.selector.matchLabels).every(
          ([key, value]) => object.metadata.labels?.[key] === value,
        ),
    );
    assert.deepEqual(
      selected.map((service) => service.metadata.name),
      ["nc-nautilus-control"],
      "one Service scraped, not the headless one too",
    );
  });

  describe("against kube-testenv", () => {
    let cluster: ClusterHandle;
    let namespace: string;
    let dir: string;
    before(async () => {
      cluster = await testCluster();
      namespace = uniqueNamespace("deploy-chart");
      // Pod Security "restricted" in warn mode: the API server then says, on the dry-run,
      // whether the StatefulSet's pod template would be refused.
      await createTestNamespace(cluster.kubeConfig().makeApiClient(CoreV1Api), namespace, {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
      });
      dir = await mkdtemp(join(tmpdir(), "k8s-daas-chart-"));
    });
    after(async () => {
      await cluster?.kubeConfig().makeApiClient(CoreV1Api).deleteNamespace({ name: namespace });
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("accepts every rendered object in a server-side dry-run apply", async (t) => {
      const { objects } = await renderChart(`nc-${namespace.slice(-8)}`, namespace, [
        "serviceMonitor.enabled=true",
        "enclaveKey.existingSecret=enclave",
        "networkPolicy.egress[0].to[0].ipBlock.cidr=10.0.0.0/8",
      ]);
      // kube-testenv has no Prometheus Operator, so no ServiceMonitor CRD: the ServiceMonitor is
      // checked as rendered above and left out here; everything else goes to the API server.
      t.diagnostic(
        "ServiceMonitor left out of the dry-run: kube-testenv has no monitoring.coreos.com CRDs",
      );
      const applied = objects.filter((object) => object.kind !== "ServiceMonitor");
      assert.equal(applied.length, objects.length - 1);
      const file = join(dir, "rendered.yaml");
      await writeFile(file, applied.map((object) => JSON.stringify(object)).join("\n---\n"));
      const result = await kubectl(
        cluster.kubeconfigPath,
        "apply",
        "--server-side",
        "--dry-run=server",
        "--field-manager=helm-chart-test",
        "-f",
        file,
      );
      assert.equal(result.code, 0, result.stderr);
      assert.doesNotMatch(result.stderr, /would violate PodSecurity/);
      const accepted = result.stdout.trim().split("\n");
      assert.equal(accepted.length, applied.length, result.stdout);
      for (const line of accepted) assert.match(line, /serverside-applied \(server dry run\)$/);
    });
  });
});
