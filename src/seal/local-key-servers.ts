// Seal key servers for one machine: `k8s-daas up` runs one (threshold 1 of 1), tests run
// several. Each keeps its master key in a 0600 file of the data dir, registers itself on
// chain (once per URL: a new port means a new registration), and decides access by
// simulating `seal_approve` on that chain.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Signer } from "@mysten/sui/cryptography";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import { fromHex, toHex } from "@mysten/sui/utils";
import { type KeyServerOptions, type RunningKeyServer, startKeyServer } from "./key-server.ts";
import { SealMasterKey } from "./master-key.ts";
import { simulationEvaluator } from "./policy-evaluator.ts";
import { registerKeyServer } from "./registration.ts";
import type { SealSettings } from "./sealed-secrets.ts";

const KEY_FILE_KIND = "k8s-daas-seal-key-server";
const KEY_FILE_WARNING =
  "SEAL KEY SERVER MASTER KEY: whoever reads this file can decrypt every secret encrypted to this key server";

interface KeyFile {
  kind: typeof KEY_FILE_KIND;
  warning: string;
  masterKey: string;
  /** The last registration: its object id and the URL it names. */
  registered?: { objectId: string; url: string };
}

export interface LocalKeyServersOptions {
  client: SuiGrpcClient;
  /** Pays for the registrations and names itself gas owner in simulations (never spends). */
  operator: Signer;
  sealPackageId: string;
  /** Where master keys live; in memory (fresh keys every time) when omitted. */
  dataDir?: string;
  count: number;
  threshold: number;
  /** Packages whose policies are served (default: all). */
  allowedPackages?: readonly string[];
  onRefusal?: (index: number, refusal: { code: string; message: string; user?: string }) => void;
}

export interface LocalKeyServers {
  readonly settings: SealSettings;
  readonly servers: readonly (RunningKeyServer & { objectId: string })[];
  close(): Promise<void>;
}

export async function startLocalKeyServers(
  options: LocalKeyServersOptions,
): Promise<LocalKeyServers> {
  if (options.count < 1 || options.threshold < 1 || options.threshold > options.count) {
    throw new Error(
      `threshold ${options.threshold} of ${options.count} key servers is not possible`,
    );
  }
  const servers: (RunningKeyServer & { objectId: string })[] = [];
  const gasOwner = options.operator.toSuiAddress();
  try {
    for (let index = 0; index < options.count; index++) {
      const file = options.dataDir
        ? join(options.dataDir, `seal-key-server-${index}.json`)
        : undefined;
      const stored = file ? readKeyFile(file) : undefined;
      const masterKey = stored
        ? SealMasterKey.fromBytes(fromHex(stored.masterKey))
        : SealMasterKey.generate();
      let objectId = "";
      const serverOptions: KeyServerOptions = {
        masterKey,
        objectId: () => objectId,
        policy: simulationEvaluator(options.client, gasOwner),
        ...(options.allowedPackages ? { allowedPackages: options.allowedPackages } : {}),
        ...(options.onRefusal
          ? { onRefusal: (refusal) => options.onRefusal?.(index, refusal) }
          : {}),
      };
      const lastPort = stored?.registered ? Number(new URL(stored.registered.url).port) : undefined;
      const running = await startKeyServer({
        ...serverOptions,
        ...(lastPort ? { port: lastPort } : {}),
      }).catch((error: unknown) => {
        // The port of the last registration is taken: listen anywhere, register again.
        if (lastPort === undefined) throw error;
        return startKeyServer(serverOptions);
      });
      servers.push({
        ...running,
        get objectId() {
          return objectId;
        },
      });
      const previous = stored?.registered;
      // Registered before under this URL, on this very chain (a fresh ledger has no such object).
      const stillRegistered =
        previous?.url === running.url &&
        (await options.client.getObject({ objectId: previous.objectId }).then(
          () => true,
          () => false,
        ));
      if (previous && stillRegistered) {
        objectId = previous.objectId;
      } else {
        objectId = await registerKeyServer(options.client, options.operator, {
          sealPackageId: options.sealPackageId,
          name: `k8s-daas-local-${index}`,
          url: running.url,
          publicKey: masterKey.publicKey,
        });
      }
      if (file)
        writeKeyFile(file, {
          masterKey: toHex(masterKey.toBytes()),
          registered: { objectId, url: running.url },
        });
    }
  } catch (error) {
    await Promise.all(servers.map((server) => server.close()));
    throw error;
  }
  return {
    settings: {
      keyServers: servers.map((server) => ({ objectId: server.objectId, weight: 1 })),
      threshold: options.threshold,
    },
    servers,
    close: async () => {
      await Promise.all(servers.map((server) => server.close()));
    },
  };
}

function readKeyFile(path: string): KeyFile | undefined {
  if (!existsSync(path)) return undefined;
  const parsed = JSON.parse(readFileSync(path, "utf8")) as KeyFile;
  if (parsed.kind !== KEY_FILE_KIND || typeof parsed.masterKey !== "string") {
    throw new Error(`${path} is not a k8s-daas Seal key server file`);
  }
  return parsed;
}

function writeKeyFile(path: string, content: Omit<KeyFile, "kind" | "warning">): void {
  mkdirSync(join(path, ".."), { recursive: true });
  const file: KeyFile = { kind: KEY_FILE_KIND, warning: KEY_FILE_WARNING, ...content };
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}
