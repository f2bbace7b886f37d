import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  ConfigError,
  configFromEnv,
  defaultConfig,
  envName,
  readConfigFile,
  resolveConfig,
} from "../../src/control/config.ts";

const ids = { packageId: "0x6b38736461617300", clusterId: "0xc1" };

describe("control: configuration", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8s-daas-config-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("layers defaults < file < environment < flags and normalizes ids", () => {
    const file = join(dir, "control.yaml");
    writeFileSync(file, "concurrency: 4\nlistenPort: 9090\nnetwork: testnet\n");
    const config = resolveConfig(
      defaultConfig(),
      readConfigFile(file),
      configFromEnv({
        K8S_DAAS_LISTEN_PORT: "9191",
        K8S_DAAS_CLUSTER_ID: "0xc1",
        KUBECONFIG: "/k/config",
      }),
      { packageId: ids.packageId, concurrency: 2 },
    );
    assert.equal(config.network, "testnet");
    assert.equal(config.listenPort, 9191);
    assert.equal(config.concurrency, 2);
    assert.equal(config.listenHost, "127.0.0.1", "loopback by default");
    assert.equal(config.kubeconfig, "/k/config");
    assert.equal(config.clusterId, `0x${"0".repeat(62)}c1`);
    assert.ok(config.enclaveKeyFile.endsWith("enclave-dev-key.json"));
  });

  it("public hosts come as a list (file) or comma-separated text (environment, flag)", () => {
    assert.deepEqual(resolveConfig(defaultConfig(), ids).publicHosts, []);
    const fromEnv = resolveConfig(
      defaultConfig(),
      ids,
      configFromEnv({ K8S_DAAS_PUBLIC_HOSTS: "control.example:443, 10.0.0.5" }),
    );
    assert.deepEqual(fromEnv.publicHosts, ["control.example:443", "10.0.0.5"]);
    assert.deepEqual(
      resolveConfig(defaultConfig(), ids, { publicHosts: ["[::1]:8080"] }).publicHosts,
      ["[::1]:8080"],
    );
    assert.throws(
      () => resolveConfig(defaultConfig(), ids, { publicHosts: "good.example, bad/host" }),
      /publicHosts has names that are not host\[:port\]: bad\/host/,
    );
  });

  it("the dev enclave key follows the data dir unless set", () => {
    const config = resolveConfig(defaultConfig(), ids, { dataDir: join(dir, "elsewhere") });
    assert.equal(config.enclaveKeyFile, join(dir, "elsewhere", "enclave-dev-key.json"));
  });

  it("reports every problem at once, naming the setting and how to set it", () => {
    assert.throws(
      () =>
        resolveConfig(defaultConfig(), {
          clusterId: "not-an-id",
          concurrency: "0",
          network: "ftp://x",
          logLevel: "loud",
          minOperatorGasMist: "-1",
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.code, "CONFIG_INVALID");
        const text = error.problems.join("\n");
        assert.match(text, /packageId is required \(flag --package-id or K8S_DAAS_PACKAGE_ID\)/);
        assert.match(text, /clusterId must be a 0x-prefixed Sui object id/);
        assert.match(text, /concurrency must be a whole number from 1 to 256/);
        assert.match(text, /network must be local, testnet, mainnet or an http\(s\):\/\/ URL/);
        assert.match(text, /logLevel must be/);
        assert.match(text, /minOperatorGasMist must be a whole number/);
        return true;
      },
    );
  });

  it("refuses unknown settings and non-mapping files", () => {
    const file = join(dir, "typo.yaml");
    writeFileSync(file, "concurency: 4\n");
    assert.throws(() => readConfigFile(file), /unknown setting "concurency"/);
    writeFileSync(file, "- a\n- b\n");
    assert.throws(() => readConfigFile(file), /expected a mapping/);
    assert.throws(() => readConfigFile(join(dir, "absent.yaml")), /config file .*absent\.yaml/);
  });

  it("names environment variables after the settings", () => {
    assert.equal(envName("minOperatorGasMist"), "K8S_DAAS_MIN_OPERATOR_GAS_MIST");
  });
});
