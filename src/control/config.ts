import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isValidSuiAddress, normalizeSuiAddress } from "@mysten/sui/utils";
import { parse as parseYaml } from "yaml";
import { isNetworkValue, NETWORK_CHOICES } from "../chain/network-names.ts";
import { TENANT_CLUSTER_ROLE } from "../k8s/index.ts";
import { isDnsSubdomain } from "../protocol/index.ts";
import { DEFAULT_ADMISSION_POLICY } from "./admission/policy.ts";
import { DEFAULT_STREAM_LIMITS } from "./streams/limits.ts";
import type { StreamUpstream } from "./streams/service.ts";

const STREAM_UPSTREAMS: readonly StreamUpstream[] = ["auto", "websocket", "spdy"];

/**
 * nautilus-control's configuration, from (lowest to highest precedence) built-in defaults,
 * a YAML/JSON file, `K8S_DAAS_*` environment variables and command-line flags. Validated
 * once at start: every problem is reported with the setting's name and where it came from.
 */
export interface ControlConfig {
  /** `local`, `testnet`, `mainnet` or an http(s) URL of a Sui full node (gRPC-web). */
  network: string;
  packageId: string;
  clusterId: string;
  /** Operator key (pays gas, sends transactions): a Sui keystore file and address. */
  operatorKeystore: string | undefined;
  operatorAddress: string | undefined;
  /** Name of an environment variable holding a `suiprivkey…` operator key instead. */
  operatorKeyEnv: string;
  /** Where the dev enclave key lives (outside a Nitro Enclave); default `<dataDir>/enclave-dev-key.json`. */
  enclaveKeyFile: string;
  /**
   * The Nitro Security Module device. When it exists the control plane runs as a Nitro
   * enclave: its keys are generated in memory and attested (`/get_attestation`), and
   * `enclaveKeyFile` is not read.
   */
  nsmDevice: string;
  /** The program that passes NSM requests through the device's ioctl (tools/nsm-ioctl). */
  nsmHelper: string;
  kubeconfig: string | undefined;
  dataDir: string;
  /** Address the HTTP API (health, metrics, request status) binds to. */
  listenHost: string;
  /**
   * Serve the API over plain HTTP instead of HTTPS with the enclave's TLS key. For
   * development only: clients then have nothing to pin, and must opt in too. Refused in a
   * Nitro enclave (the start fails with `CONFIG_INVALID`): there the API is served with the
   * attested TLS key.
   */
  insecureHttp: boolean;
  /** Port of the HTTP API; 0 picks a free one. */
  listenPort: number;
  /**
   * Further names clients reach the API under (`host[:port]`, e.g. a DNS name or a proxy):
   * signed requests name the host they were sent to. Loopback names and the listen address
   * are always accepted. Comma-separated in the environment and on the command line.
   */
  publicHosts: readonly string[];
  concurrency: number;
  /** Results posted per `complete` transaction at most. */
  reportBatch: number;
  /** Below this operator balance /readyz fails (results cannot be paid for). */
  minOperatorGasMist: bigint;
  /** How often the cluster and the chain are compared for missed events and drift. */
  reconcileIntervalMs: number;
  /** How long shutdown waits for in-flight requests. */
  drainTimeoutMs: number;
  logLevel: "debug" | "info" | "warn" | "error";
  /** Tenant Ingress hosts must be `<namespace>.<appsDomain>` or below it. */
  appsDomain: string;
  /** PriorityClasses tenant pods may name (`system-*` never). */
  allowedPriorityClasses: readonly string[];
  /** The most items one list request returns (its `limit` may be lower). */
  maxListItems: number;
  /**
   * The namespace of the cluster's ingress controller, let into every tenant namespace by a
   * NetworkPolicy (empty: none, tenants' Services are not reachable through an Ingress).
   */
  ingressControllerNamespace: string;
  /**
   * The ClusterRole holding the tenants' rules, which each tenant namespace's RoleBinding
   * grants there (the Helm chart ships it; with an admin credential it is written when
   * missing).
   */
  tenantClusterRole: string;
  /** Log followers (and other streams) one tenant may hold open at once. */
  streamsPerTenant: number;
  /** Bytes per second one tenant's streams may carry together; faster output is delayed. */
  streamBytesPerSecond: number;
  /**
   * How exec, attach and port-forward reach the API server: `auto` tries a WebSocket and
   * falls back to SPDY/3.1 when the upgrade is refused; `websocket` or `spdy` only.
   */
  streamUpstream: StreamUpstream;
  /** With `--k3s`: let tenant pods run on the k3s server node (untainted). Off by default. */
  allowWorkloadsOnServer: boolean;
  /**
   * Object ids of the Seal key servers Seal-protected Secrets are fetched from (empty: a
   * Secret that references a Seal blob is refused, SEAL_NOT_CONFIGURED). Comma-separated in
   * the environment and on the command line.
   */
  sealKeyServers: readonly string[];
  /** How many of `sealKeyServers` must hand out their key share. */
  sealThreshold: number;
}

export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

type Source = Record<string, unknown>;

const KEYS: readonly (keyof ControlConfig)[] = [
  "network",
  "packageId",
  "clusterId",
  "operatorKeystore",
  "operatorAddress",
  "operatorKeyEnv",
  "enclaveKeyFile",
  "nsmDevice",
  "nsmHelper",
  "kubeconfig",
  "dataDir",
  "listenHost",
  "insecureHttp",
  "listenPort",
  "publicHosts",
  "concurrency",
  "reportBatch",
  "minOperatorGasMist",
  "reconcileIntervalMs",
  "drainTimeoutMs",
  "logLevel",
  "appsDomain",
  "allowedPriorityClasses",
  "maxListItems",
  "ingressControllerNamespace",
  "tenantClusterRole",
  "streamsPerTenant",
  "streamBytesPerSecond",
  "streamUpstream",
  "allowWorkloadsOnServer",
  "sealKeyServers",
  "sealThreshold",
];

/** `packageId` → `K8S_DAAS_PACKAGE_ID` */
export function envName(key: string): string {
  return `K8S_DAAS_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

export function defaultConfig(dataDir = ".data/control"): Source {
  return {
    network: "local",
    operatorKeyEnv: "K8S_DAAS_OPERATOR_KEY",
    dataDir,
    nsmDevice: "/dev/nsm",
    nsmHelper: "/usr/local/bin/k8s-daas-nsm",
    listenHost: "127.0.0.1",
    insecureHttp: false,
    listenPort: 8080,
    publicHosts: [],
    concurrency: 8,
    reportBatch: 32,
    minOperatorGasMist: 100_000_000n,
    reconcileIntervalMs: 30_000,
    drainTimeoutMs: 30_000,
    logLevel: "info",
    appsDomain: DEFAULT_ADMISSION_POLICY.appsDomain,
    allowedPriorityClasses: [],
    maxListItems: DEFAULT_ADMISSION_POLICY.maxListItems,
    ingressControllerNamespace: "",
    tenantClusterRole: TENANT_CLUSTER_ROLE,
    streamsPerTenant: DEFAULT_STREAM_LIMITS.maxConcurrentPerTenant,
    streamBytesPerSecond: DEFAULT_STREAM_LIMITS.bytesPerSecondPerTenant,
    streamUpstream: "auto",
    allowWorkloadsOnServer: false,
    sealKeyServers: [],
    sealThreshold: 1,
  };
}

export function readConfigFile(path: string): Source {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError([`config file ${path}: ${(error as Error).message}`]);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text, { maxAliasCount: 0 });
  } catch (error) {
    throw new ConfigError([`config file ${path}: ${(error as Error).message}`]);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError([`config file ${path}: expected a mapping of settings`]);
  }
  const unknown = Object.keys(parsed).filter((key) => !KEYS.includes(key as keyof ControlConfig));
  if (unknown.length > 0) {
    throw new ConfigError(unknown.map((key) => `config file ${path}: unknown setting "${key}"`));
  }
  return parsed as Source;
}

export function configFromEnv(env: NodeJS.ProcessEnv): Source {
  const out: Source = {};
  for (const key of KEYS) {
    const value = env[envName(key)];
    if (value !== undefined && value !== "") out[key] = value;
  }
  if (out.kubeconfig === undefined && env.KUBECONFIG) out.kubeconfig = env.KUBECONFIG;
  return out;
}

/** Merges the sources (later wins) and validates everything at once. */
export function resolveConfig(...sources: Source[]): ControlConfig {
  const merged: Source = Object.assign({}, ...sources);
  const problems: string[] = [];
  const text = (key: keyof ControlConfig, required: boolean): string | undefined => {
    const value = merged[key];
    if (value === undefined || value === null || value === "") {
      if (required) problems.push(`${key} is required (flag --${kebab(key)} or ${envName(key)})`);
      return undefined;
    }
    if (typeof value !== "string") {
      problems.push(`${key} must be text, got ${typeof value}`);
      return undefined;
    }
    return value;
  };
  const address = (key: keyof ControlConfig, required: boolean): string | undefined => {
    const value = text(key, required);
    if (value === undefined) return undefined;
    if (!/^0x[0-9a-fA-F]{1,64}$/.test(value) || !isValidSuiAddress(normalizeSuiAddress(value))) {
      problems.push(`${key} must be a 0x-prefixed Sui object id or address, got "${value}"`);
      return undefined;
    }
    return normalizeSuiAddress(value);
  };
  const integer = (key: keyof ControlConfig, min: number, max: number): number => {
    const raw = merged[key];
    const value = typeof raw === "string" ? Number(raw) : raw;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      problems.push(
        `${key} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`,
      );
      return min;
    }
    return value;
  };
  const network = text("network", true) ?? "local";
  if (!isNetworkValue(network)) {
    problems.push(`network must be ${NETWORK_CHOICES}, got "${network}"`);
  }
  const listenHost = text("listenHost", true) ?? "127.0.0.1";
  const gasRaw = merged.minOperatorGasMist;
  let minOperatorGasMist = 0n;
  try {
    minOperatorGasMist = BigInt(gasRaw as string | number | bigint);
    if (minOperatorGasMist < 0n) throw new RangeError();
  } catch {
    problems.push(
      `minOperatorGasMist must be a whole number of MIST, got ${JSON.stringify(String(gasRaw))}`,
    );
  }
  const logLevel = text("logLevel", true) ?? "info";
  if (!["debug", "info", "warn", "error"].includes(logLevel)) {
    problems.push(`logLevel must be debug, info, warn or error, got "${logLevel}"`);
  }
  const dataDir = resolve(text("dataDir", true) ?? ".data/control");
  const publicHosts = hostList(merged.publicHosts, problems);
  const ingressControllerNamespace = text("ingressControllerNamespace", false) ?? "";
  if (
    ingressControllerNamespace &&
    !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ingressControllerNamespace)
  ) {
    problems.push(
      `ingressControllerNamespace must be a namespace name, got "${ingressControllerNamespace}"`,
    );
  }
  const tenantClusterRole = text("tenantClusterRole", true) ?? TENANT_CLUSTER_ROLE;
  if (!isDnsSubdomain(tenantClusterRole)) {
    problems.push(`tenantClusterRole must be a ClusterRole name, got "${tenantClusterRole}"`);
  }
  const streamUpstream = text("streamUpstream", true) ?? "auto";
  if (!STREAM_UPSTREAMS.includes(streamUpstream as StreamUpstream)) {
    problems.push(`streamUpstream must be auto, websocket or spdy, got "${streamUpstream}"`);
  }
  const appsDomain = text("appsDomain", true) ?? DEFAULT_ADMISSION_POLICY.appsDomain;
  if (!isDnsSubdomain(appsDomain)) {
    problems.push(`appsDomain must be a DNS name, got "${appsDomain}"`);
  }
  const allowedPriorityClasses = nameList(
    merged.allowedPriorityClasses,
    "allowedPriorityClasses",
    problems,
  );
  const insecureHttp = flag(merged.insecureHttp, "insecureHttp", problems);
  const allowWorkloadsOnServer = flag(
    merged.allowWorkloadsOnServer,
    "allowWorkloadsOnServer",
    problems,
  );
  const sealKeyServers = objectIdList(merged.sealKeyServers, "sealKeyServers", problems);
  const sealThreshold = integer("sealThreshold", 1, 255);
  if (sealKeyServers.length > 0 && sealThreshold > sealKeyServers.length) {
    problems.push(
      `sealThreshold (${sealThreshold}) exceeds the ${sealKeyServers.length} sealKeyServers`,
    );
  }
  const config: ControlConfig = {
    network,
    packageId: address("packageId", true) ?? "",
    clusterId: address("clusterId", true) ?? "",
    operatorKeystore: text("operatorKeystore", false),
    operatorAddress: address("operatorAddress", false),
    operatorKeyEnv: text("operatorKeyEnv", true) ?? "K8S_DAAS_OPERATOR_KEY",
    enclaveKeyFile: resolve(text("enclaveKeyFile", false) ?? join(dataDir, "enclave-dev-key.json")),
    nsmDevice: text("nsmDevice", true) ?? "/dev/nsm",
    nsmHelper: text("nsmHelper", true) ?? "/usr/local/bin/k8s-daas-nsm",
    kubeconfig: text("kubeconfig", false),
    dataDir,
    listenHost,
    insecureHttp,
    listenPort: integer("listenPort", 0, 65_535),
    publicHosts,
    concurrency: integer("concurrency", 1, 256),
    reportBatch: integer("reportBatch", 1, 256),
    minOperatorGasMist,
    reconcileIntervalMs: integer("reconcileIntervalMs", 1_000, 86_400_000),
    drainTimeoutMs: integer("drainTimeoutMs", 0, 600_000),
    logLevel: logLevel as ControlConfig["logLevel"],
    appsDomain,
    allowedPriorityClasses,
    maxListItems: integer("maxListItems", 1, 10_000),
    ingressControllerNamespace,
    tenantClusterRole,
    streamsPerTenant: integer("streamsPerTenant", 1, 10_000),
    streamBytesPerSecond: integer("streamBytesPerSecond", 1_024, 1_073_741_824),
    streamUpstream: streamUpstream as StreamUpstream,
    allowWorkloadsOnServer,
    sealKeyServers,
    sealThreshold,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** A list of DNS names, given as a list or as comma-separated text. */
function nameList(raw: unknown, key: string, problems: string[]): string[] {
  if (raw === undefined || raw === null || raw === "") return [];
  const items = typeof raw === "string" ? raw.split(",") : Array.isArray(raw) ? raw : undefined;
  if (!items || items.some((item) => typeof item !== "string")) {
    problems.push(`${key} must be a list of names, got ${JSON.stringify(raw)}`);
    return [];
  }
  const names = (items as string[]).map((item) => item.trim()).filter((item) => item !== "");
  const bad = names.filter((name) => !isDnsSubdomain(name));
  if (bad.length > 0) problems.push(`${key} has names that are not DNS names: ${bad.join(", ")}`);
  return names;
}

/** A list of Sui object ids, given as a list or as comma-separated text. */
function objectIdList(raw: unknown, key: string, problems: string[]): string[] {
  if (raw === undefined || raw === null || raw === "") return [];
  const items = typeof raw === "string" ? raw.split(",") : Array.isArray(raw) ? raw : undefined;
  if (!items || items.some((item) => typeof item !== "string")) {
    problems.push(`${key} must be a list of object ids, got ${JSON.stringify(raw)}`);
    return [];
  }
  const ids = (items as string[]).map((item) => item.trim()).filter((item) => item !== "");
  const bad = ids.filter((id) => !/^0x[0-9a-fA-F]{1,64}$/.test(id));
  if (bad.length > 0)
    problems.push(`${key} has entries that are not object ids: ${bad.join(", ")}`);
  return ids.map((id) => normalizeSuiAddress(id));
}

/** true/false, as a boolean (file) or as text (environment, flag). */
function flag(raw: unknown, key: string, problems: string[]): boolean {
  if (raw === undefined || raw === null || raw === "") return false;
  if (typeof raw === "boolean") return raw;
  if (raw === "true" || raw === "false") return raw === "true";
  problems.push(`${key} must be true or false, got ${JSON.stringify(raw)}`);
  return false;
}

/** A list of `host[:port]` names, given as a list or as comma-separated text. */
function hostList(raw: unknown, problems: string[]): string[] {
  if (raw === undefined || raw === null || raw === "") return [];
  const items = typeof raw === "string" ? raw.split(",") : Array.isArray(raw) ? raw : undefined;
  if (!items || items.some((item) => typeof item !== "string")) {
    problems.push(`publicHosts must be a list of host[:port] names, got ${JSON.stringify(raw)}`);
    return [];
  }
  const hosts = (items as string[]).map((item) => item.trim()).filter((item) => item !== "");
  const bad = hosts.filter((host) => !/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(host));
  if (bad.length > 0)
    problems.push(`publicHosts has names that are not host[:port]: ${bad.join(", ")}`);
  return hosts;
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
