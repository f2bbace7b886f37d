import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import {
  CONFIG_REFERENCE_PATH,
  controlSettings,
  renderConfigReference,
  workerSettings,
} from "../../scripts/config-reference.ts";
import { configFromEnv, defaultConfig, resolveConfig } from "../../src/control/config.ts";

test("docs/CONFIG.md is what scripts/config-reference.ts generates from the code today", async () => {
  const onDisk = await readFile(CONFIG_REFERENCE_PATH, "utf8");
  assert.equal(
    onDisk,
    renderConfigReference(),
    "docs/CONFIG.md is stale: run `node scripts/config-reference.ts` and commit it",
  );
});

test("every setting is listed with the variable the loader reads and the default it applies", () => {
  const settings = controlSettings();
  for (const setting of settings) {
    assert.equal(configFromEnv({ [setting.env]: "x" })[setting.key], "x", setting.env);
  }
  const required = settings.filter((setting) => setting.required).map((setting) => setting.key);
  assert.deepEqual(required.sort(), ["clusterId", "packageId"]);
  // A config built only from the documented defaults resolves like the built-in defaults.
  const documented = Object.fromEntries(
    settings.flatMap((s) => (s.defaultValue === undefined ? [] : [[s.key, s.defaultValue]])),
  );
  const ids = { packageId: "0x1", clusterId: "0x2" };
  assert.deepEqual(resolveConfig(documented, ids), resolveConfig(defaultConfig(), ids));
});

test("worker settings are listed with the variables resolveWorkerConfig reads", () => {
  const settings = workerSettings();
  const byKey = new Map(settings.map((setting) => [setting.key, setting]));
  assert.equal(byKey.get("placeOnWorkers")?.env, "K8S_DAAS_WORKERS_PLACE_PODS");
  assert.equal(byKey.get("missedPeriods")?.accepted, "a whole number from 1 to 1000");
  assert.equal(byKey.has("nodeResources"), false, "not configurable from the environment");
});
