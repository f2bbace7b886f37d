// Named contexts in the user's config dir: the `config` commands, the import of a pre-contexts
// `<data dir>/context.json`, bad input, and how a command's connection follows the selected
// context under environment variables and flags.
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { writeConfigFile } from "../../src/cli/config/index.ts";
import { resolveConnection } from "../../src/cli/context.ts";
import { Session } from "../../src/cli/session.ts";
import { errorLine, runCli } from "./harness.ts";

const root = mkdtempSync(join(tmpdir(), "k8s-daas-contexts-"));
after(() => rmSync(root, { recursive: true, force: true }));
let homes = 0;

/** A fresh XDG config dir and data dir: each test starts with no config file. */
function freshHome(): { env: Record<string, string>; configFile: string; dataDir: string } {
  const home = join(root, `home-${++homes}`);
  return {
    env: { XDG_CONFIG_HOME: join(home, "config"), K8S_DAAS_DATA_DIR: join(home, "data") },
    configFile: join(home, "config", "k8s-daas", "config.json"),
    dataDir: join(home, "data"),
  };
}

const PACKAGE = `0x${"ab".repeat(32)}`;
const CLUSTER = `0x${"cd".repeat(32)}`;

test("config set-context, use-context, get-contexts, current-context and delete-context keep named contexts in the XDG config dir", async () => {
  const { env, configFile } = freshHome();
  const cli = (...args: string[]) => runCli(args, { env });

  const created = await cli("config", "set-context", "team", "--network", "testnet");
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.stdout, `context "team" created in ${configFile}\n`);
  assert.equal(statSync(configFile).mode & 0o777, 0o600, "the config names key files: private");
  const more = await cli(
    "config",
    "set-context",
    "team",
    "--package-id",
    "0x2",
    "-n",
    "team-a",
    "--keystore",
    "relative.keystore",
  );
  assert.match(more.stdout, /context "team" modified/);
  const other = await cli(
    ...["config", "set-context", "other", "--network", "http://127.0.0.1:1"],
    ...["--package-id", PACKAGE, "--cluster-id", CLUSTER, "--control-url", "http://127.0.0.1:2"],
  );
  assert.equal(other.code, 0, other.stderr);

  const none = await cli("config", "current-context");
  assert.equal(none.code, 1);
  assert.match(errorLine(none), /^error\[CONTEXT_NONE\]: no current context in /);

  assert.equal(
    (await cli("config", "use-context", "other")).stdout,
    'switched to context "other"\n',
  );
  assert.equal((await cli("config", "current-context")).stdout, "other\n");

  const listed = JSON.parse((await cli("config", "get-contexts", "-o", "json")).stdout) as {
    configFile: string;
    currentContext: string;
    contexts: Record<string, string>[];
  };
  assert.equal(listed.configFile, configFile);
  assert.equal(listed.currentContext, "other");
  assert.deepEqual(listed.contexts, [
    {
      name: "other",
      network: "http://127.0.0.1:1",
      packageId: PACKAGE,
      clusterId: CLUSTER,
      controlUrl: "http://127.0.0.1:2",
    },
    {
      name: "team",
      network: "testnet",
      packageId: `0x${"0".repeat(63)}2`,
      // Paths are stored absolute: the context works from any directory.
      keystore: join(process.cwd(), "relative.keystore"),
      namespace: "team-a",
    },
  ]);
  const table = (await cli("config", "get-contexts")).stdout;
  assert.match(
    table,
    /^CURRENT\s+NAME\s+NETWORK\s+PACKAGE\s+CLUSTER\s+CONTROL PLANE\s+NAMESPACE$/m,
  );
  assert.match(table, /^\*\s+other\s+http:\/\/127\.0\.0\.1:1\s+0xababab…abab\s+0xcdcdcd…cdcd\s/m);
  assert.match(table, /^\s+team\s+testnet\s+0x000000…0002\s+team-a$/m);
  assert.equal((await cli("config", "get-contexts", "-o", "name")).stdout, "other\nteam\n");

  // An empty value removes a field.
  await cli("config", "set-context", "team", "--namespace", "");
  const team = JSON.parse(readFileSync(configFile, "utf8")).contexts.team as Record<string, string>;
  assert.equal(team.namespace, undefined);

  const deleted = await cli("config", "delete-context", "other");
  assert.match(deleted.stdout, /deleted context "other" .*it was the current one/);
  assert.equal((await cli("config", "current-context")).code, 1);
  assert.equal((await cli("config", "get-contexts", "-o", "name")).stdout, "team\n");

  // $K8S_DAAS_CONFIG names another file altogether.
  const elsewhere = join(root, "elsewhere.json");
  const alone = await runCli(["config", "get-contexts", "-o", "name"], {
    env: { ...env, K8S_DAAS_CONFIG: elsewhere },
  });
  assert.equal(alone.code, 0, alone.stderr);
  assert.equal(alone.stdout, "");
});

test("unknown or malformed context names, bad values and a broken config file are clear errors", async () => {
  const { env, configFile } = freshHome();
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    runCli(args, { env: { ...env, ...extra } });
  assert.equal((await cli(["config", "set-context", "team", "--network", "local"])).code, 0);
  const before = readFileSync(configFile);

  const unknown = await cli(["config", "use-context", "nope"]);
  assert.equal(unknown.code, 2);
  assert.match(errorLine(unknown), /^error\[CONTEXT_NOT_FOUND\]: no context "nope" in /);
  assert.match(unknown.stderr, /hint: known contexts: team/);
  const byFlag = await cli(["namespace", "list", "--context", "nope"]);
  assert.equal(byFlag.code, 2);
  assert.match(errorLine(byFlag), /CONTEXT_NOT_FOUND/);

  // Before contexts were named, K8S_DAAS_CONTEXT named a file.
  const oldStyle = await cli(["namespace", "list"], { K8S_DAAS_CONTEXT: "/tmp/context.json" });
  assert.equal(oldStyle.code, 2);
  assert.match(
    errorLine(oldStyle),
    /^error\[CONTEXT_NAME_INVALID\]: context "\/tmp\/context\.json"/,
  );
  assert.match(oldStyle.stderr, /not files/);

  for (const [args, code] of [
    [["config", "set-context", "team", "--network", "ftp://x"], /CHAIN_NETWORK_INVALID/],
    [["config", "set-context", "team", "--package-id", "0xzz"], /USAGE.*--package-id/],
    [["config", "set-context", "team", "--control-url", "127.0.0.1:8080"], /USAGE.*--control-url/],
    [["config", "set-context", "team", "--namespace", "Team_A"], /INVALID_NAMESPACE/],
    [["config", "set-context", "bad/name", "--network", "local"], /CONTEXT_NAME_INVALID/],
    [["config", "set-context", "team"], /USAGE.*nothing to change/],
    [["config", "use-context"], /USAGE.*missing context name/],
  ] as const) {
    const run = await cli([...args]);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(errorLine(run), code, args.join(" "));
  }
  assert.deepEqual(readFileSync(configFile), before, "a refused change leaves the file as it was");

  writeFileSync(configFile, "{not json");
  const broken = await cli(["config", "get-contexts"]);
  assert.equal(broken.code, 1);
  assert.match(errorLine(broken), /^error\[CONFIG_INVALID\]: config file .*: not JSON/);
  // --version still answers, saying what is wrong where the package id would be.
  const version = await cli(["--version"]);
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, /^package {3}none {3}\(error\[CONFIG_INVALID\]: /m);

  writeFileSync(configFile, JSON.stringify({ version: 2, contexts: {} }));
  assert.match(errorLine(await cli(["config", "get-contexts"])), /"version" is 2/);
  writeFileSync(configFile, JSON.stringify({ version: 1, contexts: { a: { network: 5 } } }));
  assert.match(
    errorLine(await cli(["config", "get-contexts"])),
    /context "a": "network" is not a string/,
  );
});

test("an old <data dir>/context.json becomes the context 'local', once", async () => {
  const { env, configFile, dataDir } = freshHome();
  const legacy = {
    network: "http://127.0.0.1:9000",
    packageId: PACKAGE,
    clusterId: CLUSTER,
    controlUrl: "http://127.0.0.1:8080",
    suiConfigDir: join(dataDir, "sui"),
    kubeconfig: join(dataDir, "cluster", "admin.kubeconfig"),
    pid: 12345,
  };
  const legacyFile = join(dataDir, "context.json");
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(legacyFile, JSON.stringify(legacy));

  const first = await runCli(["config", "get-contexts", "-o", "json"], { env });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(
    first.stderr,
    `note: imported ${legacyFile} as context "local" into ${configFile}\n`,
  );
  const { pid: _pid, ...expected } = legacy;
  assert.deepEqual(JSON.parse(first.stdout), {
    configFile,
    currentContext: "local",
    contexts: [{ name: "local", ...expected, dataDir }],
  });

  const second = await runCli(["--version"], { env });
  assert.equal(second.stderr, "", "imported once: no second note");
  assert.match(second.stdout, new RegExp(`^package {3}${PACKAGE} {3}\\(context "local"\\)$`, "m"));
  assert.ok(existsSync(legacyFile), "the old file is left where it was");
});

test("a command's connection is the selected context's, under environment variables and flags", async () => {
  const { configFile, dataDir } = freshHome();
  const team = {
    network: "http://127.0.0.1:9",
    packageId: PACKAGE,
    clusterId: CLUSTER,
    controlUrl: "http://127.0.0.1:10",
    kubeconfig: "/k/admin.kubeconfig",
    keystore: "/k/team.keystore",
    address: `0x${"11".repeat(32)}`,
    namespace: "team-a",
  };
  const other = { network: "testnet", packageId: `0x${"22".repeat(32)}`, clusterId: CLUSTER };
  writeConfigFile(configFile, { currentContext: "team", contexts: { team, other } });
  const saved = { ...process.env };
  const names = ["K8S_DAAS_CONTEXT", "K8S_DAAS_NETWORK", "K8S_DAAS_KEYSTORE", "K8S_DAAS_ADDRESS"];
  for (const name of [...names, "K8S_DAAS_PACKAGE_ID", "K8S_DAAS_CLUSTER_ID"]) {
    delete process.env[name];
  }
  delete process.env.K8S_DAAS_CONTROL_URL;
  delete process.env.K8S_DAAS_KUBECONFIG;
  process.env.K8S_DAAS_CONFIG = configFile;
  process.env.K8S_DAAS_DATA_DIR = dataDir;
  try {
    const current = resolveConnection({});
    assert.equal(current.context, "team");
    assert.equal(current.configFile, configFile);
    assert.equal(current.network, team.network);
    assert.equal(current.packageId, PACKAGE);
    assert.equal(current.clusterId, CLUSTER);
    assert.equal(current.controlUrl, team.controlUrl);
    assert.equal(current.kubeconfig, team.kubeconfig);
    assert.equal(current.keystorePath, team.keystore);
    assert.equal(current.address, team.address);
    assert.equal(current.namespace, "team-a");

    const session = new Session({});
    assert.equal(await session.namespace(undefined), "team-a", "the context's namespace");
    assert.equal(await session.namespace("ns-b"), "ns-b", "-n wins");

    assert.equal(resolveConnection({ context: "other" }).packageId, other.packageId);
    process.env.K8S_DAAS_CONTEXT = "other";
    assert.equal(resolveConnection({}).network, "testnet");
    assert.equal(resolveConnection({ context: "team" }).network, team.network, "flag over env");
    delete process.env.K8S_DAAS_CONTEXT;

    process.env.K8S_DAAS_NETWORK = "mainnet";
    assert.equal(resolveConnection({}).network, "mainnet", "environment over context");
    assert.equal(resolveConnection({ network: "local" }).network, "local", "flag over all");
    process.env.K8S_DAAS_KEYSTORE = "/env/other.keystore";
    assert.equal(resolveConnection({}).keystorePath, "/env/other.keystore");
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
});
