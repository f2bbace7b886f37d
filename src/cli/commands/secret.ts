import { readFileSync } from "node:fs";
import { isValidSuiAddress, normalizeSuiAddress } from "@mysten/sui/utils";
import {
  SEALED_SECRET_ANNOTATION,
  SealedSecretError,
  sealedSecretBlob,
  sealedSecretManifest,
} from "../../protocol/index.ts";
import {
  blobIdentity,
  SealedSecretOpener,
  SealedSecretsError,
  type SealSettings,
  sealSecretData,
} from "../../seal/index.ts";
import {
  type Command,
  integerFlag,
  onePositional,
  type ParsedArgs,
  runAction,
  stringFlag,
} from "../command.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import { checkObjectName, parseManifests } from "../manifests.ts";
import { printResult } from "../output.ts";
import { jsonPayload, REQUEST_HELP, REQUEST_OPTIONS, submitRequests } from "../request-flow.ts";
import { Session } from "../session.ts";

/** A Secret key: what Kubernetes accepts in `data` (ConfigMap/Secret key rules). */
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

export const secretCommand: Command = {
  name: "secret",
  summary:
    "Create a Seal-protected Secret: its data encrypted under your namespace's seal_policy, decrypted only inside the enclave.",
  usage:
    "k8s-daas secret create NAME [--from-literal KEY=VALUE]... [--from-file KEY=PATH]... [--type TYPE] [-n NAMESPACE] | secret reveal -f FILE",
  example:
    "k8s-daas secret create db --from-literal password=s3cret --from-file tls.key=./key.pem\n  k8s-daas secret create db --from-literal password=s3cret --dry-run > db.json && k8s-daas secret reveal -f db.json",
  actions: ["create", "reveal"],
  options: {
    "from-literal": { type: "string", multiple: true },
    "from-file": { type: "string", multiple: true },
    type: { type: "string" },
    "seal-key-servers": { type: "string" },
    "seal-threshold": { type: "string" },
    "dry-run": { type: "boolean" },
    filename: { type: "string", short: "f" },
    ...REQUEST_OPTIONS,
  },
  optionHelp: {
    "from-literal": "a key and its value, KEY=VALUE (repeatable)",
    "from-file": "a key and the file holding its value, KEY=PATH (repeatable)",
    type: "the Secret's type (default Opaque)",
    "seal-key-servers":
      "Seal key server object ids, comma-separated (default: those nautilus-control names on /healthz; env K8S_DAAS_SEAL_KEY_SERVERS)",
    "seal-threshold": "how many key servers must answer to decrypt (default: nautilus-control's)",
    "dry-run": "print the manifest that would be applied (its data encrypted) and send nothing",
    filename:
      "reveal: a Secret manifest that references a Seal blob (as --dry-run prints it), or - for standard input",
    ...REQUEST_HELP,
  },
  run: (args) =>
    runAction(secretCommand, args, {
      async create(args, rest) {
        const name = onePositional(secretCommand, rest, "secret name");
        checkObjectName(name, "secret name");
        const data = secretData(args.values["from-literal"], args.values["from-file"]);
        const session = new Session(args.values);
        const namespace = await session.namespace(args.values.namespace);
        const settings = await sealSettings(session, args.values);
        const blob = await sealSecretData(
          session.client,
          settings,
          {
            packageId: session.connection.packageId,
            clusterId: session.connection.clusterId,
            namespace,
            // The claim you hold: a later claim of the same name cannot open this secret.
            claimId: await session.namespaceCap(namespace),
          },
          data,
        ).catch((error: unknown) => {
          if (!(error instanceof SealedSecretsError)) throw error;
          throw new CliError(error.code, error.message, {
            hint: "check the key servers (k8s-daas up runs one locally) and --seal-key-servers",
            exitCode: EXIT.unavailable,
          });
        });
        const type = stringFlag(args.values, "type");
        const manifest = sealedSecretManifest({
          name,
          namespace,
          blob,
          ...(type ? { type } : {}),
        });
        if (args.values["dry-run"] === true) {
          process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
          return EXIT.ok;
        }
        const payload = jsonPayload(manifest);
        const { failed } = await submitRequests(session, args, namespace, [
          {
            call: "submit",
            values: { method: "POST", resource: "secrets", name, payload },
            label: `secret/${name}`,
            write: true,
            payload,
          },
        ]);
        return failed ? EXIT.failure : EXIT.ok;
      },
      async reveal(args, rest) {
        if (rest.length > 0) throw usageError(`unexpected ${rest.join(" ")}`);
        const file = stringFlag(args.values, "filename");
        if (!file) throw usageError("-f FILE is required", `usage: ${secretCommand.usage}`);
        const [object, ...more] = parseManifests(
          readSource(file),
          file === "-" ? "standard input" : file,
        );
        if (!object || more.length > 0 || object.resource.kind !== "Secret") {
          throw usageError(`${file} must hold exactly one Secret`);
        }
        const metadata = object.object.metadata as Record<string, unknown> | undefined;
        let blob: Uint8Array | undefined;
        try {
          blob = sealedSecretBlob(metadata?.annotations);
        } catch (error) {
          if (error instanceof SealedSecretError)
            throw new CliError(error.code, error.message, { exitCode: EXIT.usage });
          throw error;
        }
        if (!blob)
          throw usageError(`${object.label} references no Seal blob (${SEALED_SECRET_ANNOTATION})`);
        const session = new Session(args.values);
        const settings = await sealSettings(session, args.values);
        const identity = blobIdentity(blob);
        const opener = new SealedSecretOpener(
          session.client,
          settings,
          await session.signer(),
          session.connection.packageId,
        );
        const data = await opener
          .open(blob, { clusterId: session.connection.clusterId, namespace: identity.namespace })
          .catch((error: unknown) => {
            if (!(error instanceof SealedSecretsError)) throw error;
            throw new CliError(error.code, error.message, {
              hint:
                error.code === "SEAL_NO_ACCESS"
                  ? `only the holder of ${identity.namespace} (and the cluster's enclave) may decrypt it`
                  : "check the key servers and --seal-key-servers",
              exitCode: error.code === "SEAL_NO_ACCESS" ? EXIT.failure : EXIT.unavailable,
            });
          });
        printResult(session.connection.output, { namespace: identity.namespace, data }, () => ({
          headers: ["KEY", "VALUE"],
          rows: Object.entries(data).map(([key, value]) => [key, printable(value)]),
        }));
        return EXIT.ok;
      },
    }),
};

/** A value as UTF-8 when it is text, else as base64 (marked). */
function printable(base64: string): string {
  const bytes = Buffer.from(base64, "base64");
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    const control = [...text].some((char) => {
      const code = char.charCodeAt(0);
      return code < 0x20 && char !== "\n" && char !== "\r" && char !== "\t";
    });
    if (!control) return text;
  } catch {
    // not UTF-8: shown as base64 below
  }
  return `base64:${base64}`;
}

function readSource(file: string): string {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    throw new CliError("FILE_UNREADABLE", `cannot read ${file}: ${(error as Error).message}`, {
      exitCode: EXIT.usage,
    });
  }
}

function secretData(literals: unknown, files: unknown): Record<string, Uint8Array> {
  const data: Record<string, Uint8Array> = {};
  const add = (flag: string, entry: string, value: (rest: string) => Uint8Array) => {
    const at = entry.indexOf("=");
    const key = at > 0 ? entry.slice(0, at) : "";
    if (!SECRET_KEY.test(key)) {
      throw usageError(
        `--${flag} must be KEY=${flag === "from-file" ? "PATH" : "VALUE"} with a valid key, got "${at > 0 ? key : entry}"`,
      );
    }
    if (key in data) throw usageError(`key ${key} is given twice`);
    data[key] = value(entry.slice(at + 1));
  };
  for (const entry of list(literals))
    add("from-literal", entry, (v) => new TextEncoder().encode(v));
  for (const entry of list(files)) {
    add("from-file", entry, (path) => {
      try {
        return new Uint8Array(readFileSync(path));
      } catch (error) {
        throw new CliError("FILE_UNREADABLE", `cannot read ${path}: ${(error as Error).message}`, {
          exitCode: EXIT.usage,
        });
      }
    });
  }
  if (Object.keys(data).length === 0) {
    throw usageError(
      "give the data: --from-literal KEY=VALUE or --from-file KEY=PATH",
      `usage: ${secretCommand.usage}`,
    );
  }
  return data;
}

/** Flags, then the environment, then what the cluster's control plane names on /healthz. */
async function sealSettings(session: Session, values: ParsedArgs["values"]): Promise<SealSettings> {
  let servers = stringFlag(values, "seal-key-servers") ?? process.env.K8S_DAAS_SEAL_KEY_SERVERS;
  let threshold = stringFlag(values, "seal-threshold") ?? process.env.K8S_DAAS_SEAL_THRESHOLD;
  if (servers === undefined) {
    const health = await session.controlApi().health();
    servers = typeof health.sealKeyServers === "string" ? health.sealKeyServers : undefined;
    threshold ??= typeof health.sealThreshold === "string" ? health.sealThreshold : undefined;
  }
  const ids = (servers ?? "")
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "");
  if (ids.length === 0) {
    throw new CliError("SEAL_NOT_CONFIGURED", "no Seal key servers are known for this cluster", {
      hint: "pass --seal-key-servers ID[,ID...] (the local stack's control plane names its own)",
      exitCode: EXIT.usage,
    });
  }
  const bad = ids.find(
    (id) => !/^0x[0-9a-fA-F]{1,64}$/.test(id) || !isValidSuiAddress(normalizeSuiAddress(id)),
  );
  if (bad) throw usageError(`--seal-key-servers: "${bad}" is not an object id`);
  return {
    keyServers: ids.map((id) => ({ objectId: normalizeSuiAddress(id) })),
    threshold: integerFlag({ "seal-threshold": threshold ?? "1" }, "seal-threshold", 1, {
      min: 1,
      max: ids.length,
    }),
  };
}

function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}
