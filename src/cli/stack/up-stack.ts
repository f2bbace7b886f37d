import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import pino from "pino";
import {
  controlTransport,
  createSuiClient,
  keypairFromKeystore,
  type NetworkEndpoint,
  resolveNetwork,
} from "../../chain/index.ts";
import { defaultConfig, resolveConfig } from "../../control/config.ts";
import { type NautilusControl, startNautilusControl } from "../../control/nautilus-control.ts";
import { startDevnetProcess } from "../../devnet/spawn.ts";
import { loadDevEnclaveSigner } from "../../tee/index.ts";
import { integerFlag, type ParsedArgs, stringFlag } from "../command.ts";
import {
  type ContextEntry,
  checkContextName,
  LOCAL_CONTEXT,
  saveContext,
} from "../config/index.ts";
import { DEFAULT_DATA_DIR, REPO_ROOT, suiKeys } from "../context.ts";
import { ControlApi } from "../control-api.ts";
import { devEnclaveNeedsWarning } from "../dev-enclave.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import { rootMessage, toCliError } from "../failures.ts";
import { outputFormat } from "../output.ts";
import { ensureClusterObject } from "./cluster-object.ts";
import { fundFromFaucet } from "./faucet.ts";
import { type ClusterChoice, openStackCluster } from "./kube.ts";
import { ensureLocalKeys } from "./local-keys.ts";

const CLUSTER_CHOICES: readonly ClusterChoice[] = ["auto", "kubeconfig", "k3s", "testenv"];

/** Things to stop on the way out, newest first, each named for the "stopping" lines. */
type Teardown = { what: string; stop: () => Promise<unknown> }[];

/** `k8s-daas up`: starts the stack, serves until Ctrl-C/SIGTERM, then stops what it started. */
export async function up({ values }: ParsedArgs): Promise<number> {
  const output = outputFormat(values.output);
  const dataDir = resolve(stringFlag(values, "data-dir") ?? DEFAULT_DATA_DIR);
  const choice = (stringFlag(values, "kube") ?? "auto") as ClusterChoice;
  if (!CLUSTER_CHOICES.includes(choice)) {
    throw usageError(`--kube must be one of ${CLUSTER_CHOICES.join(", ")}, got "${choice}"`);
  }
  const devnetPort = integerFlag(values, "devnet-port", 9000, { min: 0, max: 65_535 });
  const controlPort = integerFlag(values, "control-port", 8080, { min: 0, max: 65_535 });
  const network = stringFlag(values, "network") ?? "local";
  // Another network needs the published package; undefined on the embedded devnet.
  const remotePackageId = network === "local" ? undefined : requirePackageId(values, network);
  const givenClusterId = stringFlag(values, "cluster-id");
  // Checked before anything starts: a refusal must not leave a cluster object behind.
  const warnDevEnclave =
    givenClusterId === undefined &&
    devEnclaveNeedsWarning(network, values["allow-dev-enclave"] === true, "up");
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const show = (path: string) =>
    path.startsWith(REPO_ROOT) ? relative(process.cwd(), path) || "." : path;

  mkdirSync(dataDir, { recursive: true });
  const pidFile = join(dataDir, "up.pid");
  refuseSecondStack(pidFile);

  const teardown: Teardown = [];
  let tornDown: Promise<void> | undefined;
  // Once only, newest first: from the `finally` below, or from a second Ctrl-C mid-start.
  const stopAll = () => {
    tornDown ??= (async () => {
      for (const { what, stop } of teardown.reverse()) {
        try {
          const name = await stop();
          if (typeof name === "string") log(`stopped ${name}`);
        } catch (error) {
          log(`could not stop ${what}: ${(error as Error).message}`);
        }
      }
    })();
    return tornDown;
  };

  let interrupted = false;
  let ready = false;
  let wake: () => void = () => {};
  const stopped = new Promise<void>((resolveStop) => {
    wake = resolveStop;
  });
  const onSignal = () => {
    if (interrupted && !ready) {
      // A step can take minutes (the first kube-testenv build): a second Ctrl-C means now.
      log("stopping now...");
      void stopAll().finally(() => process.exit(EXIT.interrupted));
      return;
    }
    if (!interrupted) {
      log(
        ready
          ? "\nstopping the local stack..."
          : "\nstopping once the current step ends (Ctrl-C again to stop now)...",
      );
    }
    interrupted = true;
    wake();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const step = () => {
    if (interrupted)
      throw new CliError("INTERRUPTED", "interrupted while starting", {
        exitCode: EXIT.interrupted,
      });
  };

  writeFileSync(pidFile, `${process.pid}\n`);
  teardown.push({ what: "pid file", stop: async () => rmSync(pidFile, { force: true }) });
  try {
    let endpoint: NetworkEndpoint;
    let packageId: string;
    let operator: Ed25519Keypair;
    let tenantAddress: string;
    let suiConfigDir: string | undefined;
    if (remotePackageId === undefined) {
      log(`starting the devnet (ledger in ${show(join(dataDir, "devnet"))})...`);
      const devnet = await withFallbackPort(
        values["devnet-port"] === undefined,
        devnetPort,
        (port) => startDevnetProcess(join(dataDir, "devnet"), port),
        log,
      ).catch((error: unknown) => {
        throw new CliError(
          "DEVNET_FAILED",
          `the devnet did not start: ${(error as Error).message.split("\n").filter(Boolean).at(-1)}`,
          { hint: "pass --devnet-port N (0 picks a free port)" },
        );
      });
      teardown.push({ what: "devnet", stop: async () => `devnet (exit ${await devnet.stop()})` });
      endpoint = resolveNetwork("local", { localUrl: devnet.url });
      packageId = devnet.packageId;
      const keys = await ensureLocalKeys(dataDir, endpoint.url);
      suiConfigDir = keys.configDir;
      operator = keys.operator;
      tenantAddress = keys.tenant.toSuiAddress();
      for (const key of [keys.operator, keys.tenant])
        await fundFromFaucet(endpoint.url, key.toSuiAddress());
    } else {
      endpoint = resolveNetwork(network);
      packageId = remotePackageId;
      const keys = suiKeys(values, undefined);
      operator = await keypairFromKeystore({
        keystorePath: keys.keystorePath,
        clientConfigPath: keys.clientConfigPath,
        ...(keys.address ? { address: keys.address } : {}),
      });
      tenantAddress = operator.toSuiAddress();
    }
    step();
    const chainUrl = endpoint.url;
    const client = createSuiClient(endpoint);

    let clusterStop: Teardown[number] | undefined;
    const cluster = await openStackCluster({
      choice,
      kubeconfig: stringFlag(values, "kubeconfig") ?? process.env.KUBECONFIG,
      dataDir,
      log,
      onStarting: (stop) => {
        clusterStop = { what: "cluster", stop };
        teardown.push(clusterStop);
      },
    });
    if (cluster.stop && !clusterStop) teardown.push({ what: "cluster", stop: cluster.stop });
    step();

    const controlDir = join(dataDir, "control");
    const enclaveKeyFile = join(controlDir, "enclave-dev-key.json");
    const enclave = loadDevEnclaveSigner(enclaveKeyFile);
    if (warnDevEnclave) {
      log(
        `WARNING: --allow-dev-enclave: the dev enclave key in ${show(enclaveKeyFile)} (not attested) becomes the cluster's enclave key on ${network}. Whoever holds that file can sign results, activations and slashes for the cluster: use this only for tests, and register an attested key (enclave::register_enclave) for real tenants.`,
      );
    }
    const clusterObject = givenClusterId
      ? { clusterId: givenClusterId, created: false }
      : await ensureClusterObject({
          client,
          packageId,
          admin: operator,
          enclave,
          dataDir,
          name: "local",
          log,
        });
    step();

    const logFile = join(dataDir, "logs", "control.log");
    const controlLog = pino(
      { name: "nautilus-control", level: "info" },
      pino.destination({ dest: logFile, mkdir: true, sync: true }),
    );
    let insecureHttp = false;
    const startControl = (listenPort: number) =>
      startNautilusControl(
        resolveConfig(defaultConfig(controlDir), {
          network: chainUrl,
          packageId,
          clusterId: clusterObject.clusterId,
          listenPort,
          logLevel: "info",
          insecureHttp,
        }),
        { client, kubeConfig: cluster.kubeConfig, operator, enclave, log: controlLog },
      );
    const control: NautilusControl = await withFallbackPort(
      values["control-port"] === undefined,
      controlPort,
      (listenPort) =>
        startControl(listenPort).catch((error: unknown) => {
          // Plain HTTP only when TLS itself cannot start, and never silently.
          if (!causedBy(error, "API_TLS_UNAVAILABLE")) throw error;
          log(
            `WARNING: nautilus-control cannot serve TLS here (${rootMessage(error)}); falling back to plain HTTP (--insecure-http). Clients cannot pin it to the enclave's TLS key; the context allows http:// for this stack only.`,
          );
          insecureHttp = true;
          return startControl(listenPort);
        }),
      log,
    );
    teardown.push({
      what: "nautilus-control",
      stop: async () => {
        await control.stop();
        return "nautilus-control";
      },
    });
    step();

    const contextName = stringFlag(values, "context-name") ?? defaultContextName(network);
    const context: ContextEntry = {
      network: network === "local" ? chainUrl : network,
      packageId,
      clusterId: clusterObject.clusterId,
      controlUrl: control.url,
      ...(insecureHttp ? { insecureHttp: "true" } : {}),
      kubeconfig: cluster.kubeconfigPath,
      ...(suiConfigDir ? { suiConfigDir } : {}),
      ...(network !== "local" ? operatorKeyFlags(values) : {}),
      dataDir,
    };
    const configFile = saveContext(contextName, context, true);
    const readiness = await waitReady(
      new ControlApi(
        controlTransport({
          url: control.url,
          pin: { client, clusterId: clusterObject.clusterId },
          insecureHttp,
        }),
        async () => operator,
        clusterObject.clusterId,
      ),
      () => interrupted,
    );
    step();

    if (output === "json") {
      process.stdout.write(
        `${JSON.stringify({ event: "stack.ready", ...context, network: chainUrl, context: contextName, configFile, tenant: tenantAddress, operator: operator.toSuiAddress(), controlLog: logFile, ready: readiness.ready })}\n`,
      );
    } else {
      process.stdout.write(
        [
          "",
          `k8s-daas local stack is ${readiness.ready ? "up" : "up, but not ready yet"}`,
          `  chain              ${chainUrl}${network === "local" ? `   (devnet; faucet: POST ${chainUrl}/v2/gas)` : ""}`,
          `  package            ${packageId}`,
          `  cluster object     ${clusterObject.clusterId}${clusterObject.created ? " (new)" : " (reused)"}`,
          `  enclave key        ${Buffer.from(enclave.publicKey).toString("hex")} (dev key, not attested)`,
          `  kubernetes         ${cluster.description}`,
          `  kubeconfig         ${show(cluster.kubeconfigPath)}`,
          `  nautilus-control   ${control.url}   (logs: ${show(logFile)})`,
          `  tenant key         ${tenantAddress}${suiConfigDir ? ` (${show(suiConfigDir)}/sui.keystore)` : ""}`,
          `  context            ${contextName} in ${configFile} (the current one: later commands need no flags)`,
          ...readiness.checks
            .filter((check) => !check.ok)
            .map((check) => `  NOT READY ${check.name}: ${check.detail}`),
          "",
          "Try, in another terminal:",
          "  k8s-daas namespace claim demo",
          "  k8s-daas pod create web --image nginxinc/nginx-unprivileged:1.27 -n demo",
          "  k8s-daas get pods -n demo",
          "  k8s-daas requests",
          `  kubectl --kubeconfig ${show(cluster.kubeconfigPath)} get pods -n demo`,
          "",
          `Ctrl-C stops everything; data stays in ${show(dataDir)} and the next 'up' reuses it.`,
          "",
        ].join("\n"),
      );
    }
    ready = true;
    await stopped;
    return EXIT.ok;
  } catch (error) {
    throw toCliError(error, {});
  } finally {
    await stopAll();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

function requirePackageId(values: ParsedArgs["values"], network: string): string {
  const id = stringFlag(values, "package-id");
  if (!id)
    throw usageError(`--network ${network} needs --package-id (the published k8s_daas package)`);
  return id;
}

/**
 * The context `up` writes unless `--context-name` says otherwise: `local` for the embedded
 * stack, the network's name (testnet, mainnet) or its URL's host for a real network.
 */
function defaultContextName(network: string): string {
  if (network === "local") return LOCAL_CONTEXT;
  if (/^[a-z]+$/.test(network)) return network;
  try {
    return checkContextName(new URL(network).host.replace(/[^A-Za-z0-9._-]/g, "-"));
  } catch {
    return "remote";
  }
}

/** On a real network the context remembers the operator key `up` was told to use. */
function operatorKeyFlags(
  values: ParsedArgs["values"],
): Pick<ContextEntry, "keystore" | "address"> {
  const keystore = stringFlag(values, "keystore");
  const address = stringFlag(values, "address");
  return {
    ...(keystore ? { keystore: resolve(keystore) } : {}),
    ...(address ? { address } : {}),
  };
}

/** One `up` per data dir: two would fight over the ledger, the ports and the cluster. */
function refuseSecondStack(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // a stale file from a process that is gone
  }
  throw new CliError(
    "STACK_RUNNING",
    `a local stack is already running from this data dir (pid ${pid})`,
    {
      hint: `use it as it is, or stop it with Ctrl-C in its terminal (or: kill ${pid})`,
    },
  );
}

/** Waits (bounded) until nautilus-control reports ready; returns the last report either way. */
async function waitReady(api: ControlApi, interrupted: () => boolean) {
  let readiness = await api.readiness();
  for (let attempt = 0; !readiness.ready && attempt < 60 && !interrupted(); attempt++) {
    await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    readiness = await api.readiness();
  }
  return readiness;
}

/** Whether `error` or one of its causes carries `code`. */
function causedBy(error: unknown, code: string): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    if ((current as { code?: unknown }).code === code) return true;
  }
  return false;
}

/**
 * Starts something on its default port, or on a free one when the default is taken and the
 * user did not ask for that port: a busy 8080 must not stop a newcomer's first `up`.
 */
async function withFallbackPort<T>(
  defaulted: boolean,
  port: number,
  start: (port: number) => Promise<T>,
  log: (line: string) => void,
): Promise<T> {
  try {
    return await start(port);
  } catch (error) {
    if (!defaulted || port === 0 || !/EADDRINUSE/.test(String((error as Error).message ?? error)))
      throw error;
    log(`port ${port} is taken; using a free port instead`);
    return start(0);
  }
}
