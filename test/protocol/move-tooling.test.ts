// The Move tooling's pure parts: framework location, the test_utils::destroy bridge, and
// the bytecode reader used to check entry points.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { BytecodeFormatError, identifiers, moduleName } from "../../scripts/move/bytecode.ts";
import {
  defaultFrameworkCacheDir,
  locateFramework,
} from "../../scripts/move/framework-location.ts";
import { bridgeTestUtilsDestroy } from "../../scripts/move/test-utils-bridge.ts";

test("the default cache folder follows K8S_DAAS_CACHE, then XDG_CACHE_HOME", () => {
  assert.equal(defaultFrameworkCacheDir({ K8S_DAAS_CACHE: "/c" }), "/c/sui-framework");
  assert.equal(defaultFrameworkCacheDir({ XDG_CACHE_HOME: "/x" }), "/x/k8s-daas/sui-framework");
});

test("locateFramework accepts a packages folder or a checkout root and explains failures", () => {
  const root = mkdtempSync(join(tmpdir(), "k8s-daas-fw-"));
  const packages = join(root, "crates", "sui-framework", "packages");
  for (const name of ["move-stdlib", "sui-framework"]) {
    mkdirSync(join(packages, name), { recursive: true });
    writeFileSync(join(packages, name, "Move.toml"), "[package]\n");
  }
  assert.deepEqual(locateFramework({ SUI_FRAMEWORK_DIR: root }), {
    found: true,
    dir: packages,
    source: "SUI_FRAMEWORK_DIR",
  });
  assert.equal(locateFramework({ SUI_FRAMEWORK_DIR: packages }).found, true);
  const missing = locateFramework({ K8S_DAAS_CACHE: join(root, "empty") });
  assert.equal(missing.found, false);
  assert.match(missing.found ? "" : missing.reason, /is empty/);
});

test("the destroy bridge rewrites an old native and adds the std native once", () => {
  const oldUtils = "module sui::test_utils;\npublic native fun destroy<T>(x: T);\n";
  const bridged = bridgeTestUtilsDestroy("sui-framework", {
    "sources/test/test_utils.move": oldUtils,
  });
  assert.match(bridged["sources/test/test_utils.move"] ?? "", /std::unit_test::destroy\(x\)/);
  const std = bridgeTestUtilsDestroy("move-stdlib", {
    "sources/unit_test.move": "module std::unit_test;\n",
  });
  assert.match(std["sources/unit_test.move"] ?? "", /public native fun destroy<T>\(x: T\);/);
  const already = { "sources/unit_test.move": "public native fun destroy<T>(x: T);\n" };
  assert.equal(bridgeTestUtilsDestroy("move-stdlib", already), already);
});

test("the bytecode reader finds a module's name and identifiers", () => {
  // Hand-assembled module: tables MODULE_HANDLES (1 entry: address 0, name 0) and
  // IDENTIFIERS ("m", "create_pod"), then the self handle index 0.
  const identifiersTable = [1, 0x6d, 10, ...new TextEncoder().encode("create_pod")];
  const handles = [0, 0];
  const header = [0xa1, 0x1c, 0xeb, 0x0b, 6, 0, 0, 0, 2];
  const tables = [0x1, 0, handles.length, 0x7, handles.length, identifiersTable.length];
  const bytes = new Uint8Array([...header, ...tables, ...handles, ...identifiersTable, 0]);
  assert.deepEqual(identifiers(bytes), ["m", "create_pod"]);
  assert.equal(moduleName(bytes), "m");
  assert.throws(() => moduleName(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])), BytecodeFormatError);
});
