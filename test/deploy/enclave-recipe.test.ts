// The enclave image recipe (deploy/enclave). nitro-cli and Nitro hardware are not here, so
// no EIF is built: what runs is what can — the NSM helper built exactly as the Containerfile
// builds it (twice, in different directories: the same bytes), the scripts' syntax,
// build.sh's refusals of what would make PCRs unreproducible, and the build context.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

const REPO = join(import.meta.dirname, "..", "..");
const ENCLAVE = join(REPO, "deploy", "enclave");
const containerfile = readFileSync(join(ENCLAVE, "Containerfile"), "utf8");

describe("deploy/enclave: the enclave image recipe", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8s-daas-enclave-recipe-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const hasCc = !spawnSync("gcc", ["--version"]).error;

  it("builds the NSM helper byte-identically in two directories, with the Containerfile's own command", {
    skip: hasCc ? undefined : "no gcc on this machine",
  }, () => {
    const command = /RUN (gcc [^\n]*\\\n[^\n]*)/.exec(containerfile)?.[1];
    assert.ok(command, "the Containerfile compiles the helper with gcc");
    const args = command.replace(/\\\n/g, " ").trim().split(/\s+/).slice(1);
    const builds = ["one", "two"].map((name) => {
      // The Containerfile builds in /build; two other directories stand for two machines.
      const build = join(dir, name, "build");
      mkdirSync(build, { recursive: true });
      copyFileSync(join(REPO, "tools", "nsm-ioctl", "nsm-ioctl.c"), join(build, "nsm-ioctl.c"));
      const local = args.map((arg) => arg.replaceAll("/build", build));
      const run = spawnSync("gcc", local, {
        encoding: "utf8",
        env: { ...process.env, SOURCE_DATE_EPOCH: "1700000000" },
      });
      assert.equal(run.status, 0, run.stderr);
      return readFileSync(join(build, "k8s-daas-nsm"));
    });
    assert.ok((builds[0] as Buffer).length > 0);
    assert.ok(
      (builds[0] as Buffer).equals(builds[1] as Buffer),
      "the helper's bytes depend on the build directory",
    );
  });

  it("has scripts that parse: build.sh in bash, run.sh (PID 1 of the enclave) in sh", () => {
    for (const [shell, script] of [
      ["bash", "build.sh"],
      ["sh", "run.sh"],
    ] as const) {
      const run = spawnSync(shell, ["-n", join(ENCLAVE, script)], { encoding: "utf8" });
      assert.equal(run.status, 0, `${script}: ${run.stderr}`);
    }
  });

  it("build.sh refuses a base named by tag and a missing Debian snapshot, before building anything", () => {
    const digest = `docker.io/library/node@sha256:${"a".repeat(64)}`;
    for (const [env, message] of [
      [
        { BASE: "docker.io/library/node:24-bookworm-slim", DEBIAN_SNAPSHOT: "20261130T000000Z" },
        /BASE must name the base image by digest/,
      ],
      [{ BASE: digest }, /DEBIAN_SNAPSHOT must be a snapshot.debian.org time/],
    ] as const) {
      const run = spawnSync("bash", [join(ENCLAVE, "build.sh"), join(dir, "out")], {
        encoding: "utf8",
        env: { PATH: process.env.PATH, ...env },
      });
      assert.equal(run.status, 2, run.stderr);
      assert.match(run.stderr, message);
    }
    assert.equal(existsSync(join(dir, "out")), false);
  });

  it("copies only files that exist and that its build context allows", () => {
    const allowed = readFileSync(join(ENCLAVE, "Containerfile.dockerignore"), "utf8")
      .split("\n")
      .filter((line) => line.startsWith("!"))
      .map((line) => line.slice(1));
    const copied = [...containerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) =>
      (match[1] as string).split(/\s+/),
    );
    assert.ok(copied.length >= 5, copied.join(" "));
    for (const source of copied) {
      assert.ok(existsSync(join(REPO, source)), `${source} does not exist`);
      assert.ok(
        allowed.some((entry) => source === entry || source.startsWith(entry)),
        `${source} is outside the build context`,
      );
    }
    assert.match(containerfile, /^ARG BASE$/m, "the base has no default: build.sh passes a digest");
  });
});
