// `k8s-daas cluster enclave ...`: the operator's side of the Nautilus path. Pin the PCRs of
// the enclave image, check an attestation document before paying for it (the same checks
// the chain runs, against the chain's own clock), register the enclave it attests, and
// turn dev enclaves off for good.
import { readFileSync } from "node:fs";
import { addAttestedEnclaveRegistration, addCall, chainTimeMs } from "../../chain/index.ts";
import {
  AttestationError,
  LIMITS,
  type VerifiedAttestation,
  verifyNitroAttestation,
} from "../../protocol/index.ts";
import { adminCap } from "../admin-cap.ts";
import { type ParsedArgs, stringFlag } from "../command.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import { printResult } from "../output.ts";
import { Session } from "../session.ts";

export const ENCLAVE_ACTIONS = ["set-pcrs", "verify", "register", "disable-dev"] as const;

const hex = (bytes: Uint8Array | number[]) => Buffer.from(bytes).toString("hex");

export async function clusterEnclave(
  values: ParsedArgs["values"],
  rest: string[],
): Promise<number> {
  const [action, ...args] = rest;
  switch (action) {
    case "set-pcrs":
      return setPcrs(values, args);
    case "verify":
      return verify(values, args);
    case "register":
      return register(values, args);
    case "disable-dev":
      return disableDev(values, args);
    default:
      throw usageError(
        action === undefined
          ? `cluster enclave needs an action: ${ENCLAVE_ACTIONS.join(", ")}`
          : `unknown action "cluster enclave ${action}"; use ${ENCLAVE_ACTIONS.join(", ")}`,
        "see: k8s-daas cluster --help",
      );
  }
}

function noArguments(action: string, args: string[]): void {
  if (args.length > 0)
    throw usageError(`cluster enclave ${action} takes no arguments, got "${args.join(" ")}"`);
}

/** Three SHA-384 values in hex (a 0x prefix allowed), none all zero, as `set_enclave_pcrs` wants. */
function parsePcrs(args: string[]): Uint8Array[] {
  if (args.length !== 3) {
    throw usageError(
      `cluster enclave set-pcrs needs PCR0 PCR1 PCR2, got ${args.length} values`,
      "nitro-cli build-enclave prints them (docs/ENCLAVE.md)",
    );
  }
  return args.map((value, index) => {
    const digits = value.replace(/^0x/i, "");
    if (!/^[0-9a-fA-F]*$/.test(digits) || digits.length !== LIMITS.pcrBytes * 2) {
      throw usageError(
        `PCR${index} must be ${LIMITS.pcrBytes * 2} hex digits (SHA-384), got "${value}"`,
      );
    }
    const bytes = Buffer.from(digits, "hex");
    if (bytes.every((byte) => byte === 0)) {
      throw usageError(
        `PCR${index} is all zero: that is what a debug-mode enclave reports, which is never trusted`,
      );
    }
    return new Uint8Array(bytes);
  });
}

async function setPcrs(values: ParsedArgs["values"], args: string[]): Promise<number> {
  const [pcr0, pcr1, pcr2] = parsePcrs(args) as [Uint8Array, Uint8Array, Uint8Array];
  const session = new Session(values);
  const { packageId, clusterId } = session.connection;
  const cap = await adminCap(session, "pinning PCRs");
  const tx = await session.execute((tx) =>
    addCall(tx, packageId, "set_enclave_pcrs", { pcr0, pcr1, pcr2 }, { cluster: clusterId, cap }),
  );
  const data = { pcr0: hex(pcr0), pcr1: hex(pcr1), pcr2: hex(pcr2), tx: tx.digest };
  printResult(session.connection.output, data, () =>
    [
      `PCRs pinned in ${tx.digest}; only an enclave attesting these registers:`,
      `  PCR0  ${data.pcr0}`,
      `  PCR1  ${data.pcr1}`,
      `  PCR2  ${data.pcr2}`,
    ].join("\n"),
  );
  return EXIT.ok;
}

/**
 * The document in `path`: raw CBOR (what the NSM returns), its hex, or the JSON of
 * nautilus-control's `/get_attestation` (`{"attestation": "<hex>"}`).
 */
function readAttestation(values: ParsedArgs["values"]): Uint8Array {
  const path = stringFlag(values, "attestation");
  if (path === undefined) throw usageError("this needs --attestation FILE (from /get_attestation)");
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (cause) {
    throw new CliError("ATTESTATION_UNREADABLE", `cannot read ${path}`, {
      exitCode: EXIT.usage,
      cause,
    });
  }
  const text = raw.toString("utf8").trim();
  if (text.startsWith("{")) {
    let field: unknown;
    try {
      field = (JSON.parse(text) as { attestation?: unknown }).attestation;
    } catch (cause) {
      throw new CliError("ATTESTATION_UNREADABLE", `${path} is not JSON`, {
        exitCode: EXIT.usage,
        cause,
      });
    }
    if (typeof field !== "string" || !/^([0-9a-fA-F]{2})+$/.test(field)) {
      throw new CliError("ATTESTATION_UNREADABLE", `${path} has no hex "attestation" field`, {
        exitCode: EXIT.usage,
      });
    }
    return new Uint8Array(Buffer.from(field, "hex"));
  }
  if (/^([0-9a-fA-F]{2})+$/.test(text)) return new Uint8Array(Buffer.from(text, "hex"));
  return new Uint8Array(raw);
}

function readRoot(values: ParsedArgs["values"]): string | undefined {
  const path = stringFlag(values, "nitro-root");
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, "utf8");
  } catch (cause) {
    throw new CliError("NITRO_ROOT_INVALID", `cannot read ${path}`, {
      exitCode: EXIT.usage,
      cause,
    });
  }
}

/**
 * What the chain will check, checked here first so a refusal costs no gas: the document
 * verifies to the trusted root at the chain's time, PCR0..2 are the cluster's pinned ones,
 * and `user_data` holds the enclave keys (BCS `EnclavePublicKeys` naming `public_key`).
 */
async function preflight(
  session: Session,
  values: ParsedArgs["values"],
): Promise<VerifiedAttestation> {
  const bytes = readAttestation(values);
  const rootPem = readRoot(values);
  const [cluster, now] = await Promise.all([
    session.cluster(),
    session.chain(() => chainTimeMs(session.client)),
  ]);
  if (cluster.pcrs.length === 0) {
    throw new CliError("EPcrsNotConfigured", "the cluster has no pinned PCRs yet", {
      hint: "pin the enclave image's PCRs first: k8s-daas cluster enclave set-pcrs PCR0 PCR1 PCR2",
    });
  }
  try {
    return verifyNitroAttestation(bytes, {
      nowMs: Number(now),
      expectedPcrs: cluster.pcrs.map((pcr) => Uint8Array.from(pcr)),
      ...(rootPem === undefined ? {} : { rootPem }),
    });
  } catch (error) {
    if (!(error instanceof AttestationError)) throw error;
    throw new CliError(error.code, `the attestation is refused: ${error.message}`, {
      hint: ATTESTATION_HINTS[error.code],
      cause: error,
    });
  }
}

const ATTESTATION_HINTS: Record<AttestationError["code"], string> = {
  ATTESTATION_MALFORMED: "pass the document /get_attestation returned (JSON, hex or raw CBOR)",
  ATTESTATION_SIGNATURE_INVALID:
    "the document was altered; fetch a fresh one from /get_attestation",
  ATTESTATION_CHAIN_INVALID: "only documents signed by AWS Nitro hardware are accepted",
  ATTESTATION_EXPIRED:
    "attestation certificates live for hours: fetch a fresh one from /get_attestation",
  ATTESTATION_DEBUG_MODE: "run the enclave without --debug-mode",
  ATTESTATION_PCR_MISMATCH:
    "the enclave runs another image than the pinned one: rebuild it reproducibly (docs/ENCLAVE.md) or pin its PCRs with set-pcrs",
  ATTESTATION_KEYS_INVALID:
    "the document is not from nautilus-control: its user_data must hold the enclave's keys",
};

function describeAttestation(verified: VerifiedAttestation) {
  return {
    moduleId: verified.document.moduleId,
    timestamp: new Date(verified.document.timestampMs).toISOString(),
    pcr0: hex(verified.pcrs[0] as Uint8Array),
    pcr1: hex(verified.pcrs[1] as Uint8Array),
    pcr2: hex(verified.pcrs[2] as Uint8Array),
    publicKey: hex(verified.keys.public_key),
    encryptionKey: hex(verified.keys.encryption_key),
    tlsKeySha256: hex(verified.keys.tls_key_sha256),
  };
}

async function verify(values: ParsedArgs["values"], args: string[]): Promise<number> {
  noArguments("verify", args);
  const session = new Session(values);
  const data = describeAttestation(await preflight(session, values));
  printResult(session.connection.output, data, () =>
    [
      `the attestation verifies and matches the pinned PCRs (enclave ${data.moduleId}, ${data.timestamp})`,
      `  enclave key     ${data.publicKey}`,
      `  encryption key  ${data.encryptionKey}`,
      `  TLS key sha256  ${data.tlsKeySha256}`,
    ].join("\n"),
  );
  return EXIT.ok;
}

async function register(values: ParsedArgs["values"], args: string[]): Promise<number> {
  noArguments("register", args);
  const session = new Session(values);
  const { packageId, clusterId } = session.connection;
  const verified = await preflight(session, values);
  const adminCapId = await adminCap(session, "registering an enclave");
  const tx = await session.execute((tx) =>
    addAttestedEnclaveRegistration(
      tx,
      packageId,
      { clusterId, adminCapId },
      readAttestation(values),
    ),
  );
  const data = { ...describeAttestation(verified), tx: tx.digest };
  printResult(session.connection.output, data, () =>
    [
      `enclave registered in ${tx.digest} (attested by ${data.moduleId})`,
      `  enclave key     ${data.publicKey}`,
      `  encryption key  ${data.encryptionKey}`,
      `  TLS key sha256  ${data.tlsKeySha256}`,
      "nautilus-control's results now verify against this key; a dev key, if any, is replaced",
    ].join("\n"),
  );
  return EXIT.ok;
}

async function disableDev(values: ParsedArgs["values"], args: string[]): Promise<number> {
  noArguments("disable-dev", args);
  if (values.yes !== true) {
    throw usageError(
      "disable-dev is permanent: no dev enclave key can be registered afterwards, and a dev key in place is removed",
      "run it again with --yes",
    );
  }
  const session = new Session(values);
  const { packageId, clusterId } = session.connection;
  const cap = await adminCap(session, "disabling dev enclaves");
  const tx = await session.execute((tx) =>
    addCall(tx, packageId, "disable_dev_enclave", {}, { cluster: clusterId, cap }),
  );
  const cluster = await session.refreshCluster();
  const data = { tx: tx.digest, enclaveKey: hex(cluster.enclave_public_key) };
  printResult(session.connection.output, data, () =>
    data.enclaveKey
      ? `dev enclaves disabled in ${tx.digest}; the attested key ${data.enclaveKey} stays`
      : `dev enclaves disabled in ${tx.digest}; no enclave key is registered now: register an attested one with 'k8s-daas cluster enclave register --attestation FILE'`,
  );
  return EXIT.ok;
}
