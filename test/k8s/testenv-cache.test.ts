import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { projectCacheDir } from "../../src/k8s/testenv/index.ts";
import { sourceHash } from "../../src/k8s/testenv/source-hash.ts";

test("the binary cache honours K8S_DAAS_CACHE, then XDG_CACHE_HOME, then ~/.cache", () => {
  assert.equal(projectCacheDir({ K8S_DAAS_CACHE: "/c/x", XDG_CACHE_HOME: "/x" }), "/c/x");
  assert.equal(projectCacheDir({ XDG_CACHE_HOME: "/x" }), "/x/k8s-daas");
  assert.equal(projectCacheDir({}), join(homedir(), ".cache", "k8s-daas"));
});

test("the cache key changes with go.sum, Go sources, stages and the toolchain only", async () => {
  const dir = await mkdtemp(join(tmpdir(), "kube-testenv-hash-"));
  try {
    await writeFile(join(dir, "go.mod"), "module x\n");
    await writeFile(join(dir, "go.sum"), "a v1 h1:x\n");
    await writeFile(join(dir, "main.go"), "package main\n");
    await writeFile(join(dir, "README.md"), "docs\n");
    const base = await sourceHash(dir, "go1.26.8");
    assert.match(base, /^[0-9a-f]{16}$/);
    assert.equal(await sourceHash(dir, "go1.26.8"), base, "stable for unchanged inputs");

    await writeFile(join(dir, "README.md"), "other docs\n");
    assert.equal(await sourceHash(dir, "go1.26.8"), base, "documentation is not a build input");

    assert.notEqual(await sourceHash(dir, "go1.27.0"), base, "toolchain is part of the key");
    await writeFile(join(dir, "go.sum"), "a v2 h1:y\n");
    const afterSum = await sourceHash(dir, "go1.26.8");
    assert.notEqual(afterSum, base, "go.sum is part of the key");
    await writeFile(join(dir, "stages.yaml"), "kind: Stage\n");
    assert.notEqual(await sourceHash(dir, "go1.26.8"), afterSum, "stage files are part of the key");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
