// What works without a stack: help on every command, keys in the Sui keystore format, and
// clear errors when there is no context to work with.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { errorLine, runCli } from "./harness.ts";

const home = mkdtempSync(join(tmpdir(), "k8s-daas-cli-offline-"));
const env = {
  // No context (the harness gives every run an empty config dir), and a Sui config dir of
  // our own: never the developer's real keys.
  SUI_CONFIG_DIR: join(home, "sui"),
  SUI_PRIVATE_KEY: undefined,
};
after(() => rmSync(home, { recursive: true, force: true }));

const COMMANDS = [
  "up",
  "namespace",
  "pod",
  "apply",
  "deploy",
  "get",
  "delete",
  "requests",
  "result",
  "cluster",
  "keys",
  "devnet",
  "control",
  "worker",
  "config",
  "version",
  "completion",
  "demo",
];

test("every command has --help with usage and an example, and is listed in the main help", async () => {
  const main = await runCli(["--help"], { env });
  assert.equal(main.code, 0);
  assert.match(main.stdout, /Exit codes: 0 success; 1 the command failed/);
  for (const name of COMMANDS) {
    assert.match(main.stdout, new RegExp(`^ {2}${name} `, "m"), `${name} in the main help`);
    const help = await runCli([name, "--help"], { env });
    assert.equal(help.code, 0, `${name} --help: ${help.stderr}`);
    assert.match(help.stdout, /^Usage: k8s-daas /m, name);
    assert.match(help.stdout, /^Example:\n {2}k8s-daas /m, name);
  }
});

test("keys new, import and list use the Sui keystore format and client.yaml", async () => {
  const created = await runCli(["keys", "new", "-o", "json"], { env });
  assert.equal(created.code, 0, created.stderr);
  const { address, keystore } = JSON.parse(created.stdout) as { address: string; keystore: string };
  assert.equal(keystore, join(home, "sui", "sui.keystore"));
  assert.equal(statSync(keystore).mode & 0o777, 0o600);

  const imported = Ed25519Keypair.generate();
  const fromStdin = await runCli(["keys", "import"], { env, input: imported.getSecretKey() });
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  assert.match(fromStdin.stdout, new RegExp(`imported ${imported.toSuiAddress()}`));
  const again = await runCli(["keys", "import"], { env, input: imported.getSecretKey() });
  assert.match(again.stdout, /is already in/);
  assert.equal((JSON.parse(readFileSync(keystore, "utf8")) as string[]).length, 2);

  // The Sui CLI's active address is honoured.
  writeFileSync(join(home, "sui", "client.yaml"), `active_address: "${address}"\n`);
  const list = await runCli(["keys", "list"], { env });
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`^${address}\\s+ED25519\\s+\\*$`, "m"));
  assert.match(list.stdout, new RegExp(`^${imported.toSuiAddress()}\\s+ED25519\\s*$`, "m"));

  const bad = await runCli(["keys", "import"], { env, input: "suiprivkey1notakey" });
  assert.equal(bad.code, 2);
  assert.match(errorLine(bad), /^error\[CHAIN_KEY_MALFORMED\]: the given key: /);
  assert.doesNotMatch(bad.stderr, /notakey/, "a bad key is still a secret: never echoed");
});

test("without a context, chain commands say how to get one", async () => {
  const run = await runCli(["pod", "create", "web", "--image", "nginx"], { env });
  assert.equal(run.code, 2);
  assert.match(errorLine(run), /^error\[CONTEXT_MISSING\]: no --package-id or --cluster-id given/);
  assert.match(run.stderr, /hint: start the local stack with 'k8s-daas up'/);
});
