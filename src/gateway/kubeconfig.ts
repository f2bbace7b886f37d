import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { GatewayError } from "./errors.ts";

interface Named<T> {
  name: string;
  [key: string]: unknown;
  value?: T;
}

interface KubeconfigFile {
  apiVersion?: string;
  kind?: string;
  clusters?: Named<unknown>[];
  contexts?: Named<unknown>[];
  users?: Named<unknown>[];
  "current-context"?: string;
  [key: string]: unknown;
}

export interface ProxyContext {
  /** The context's name (also its cluster's and user's). */
  name: string;
  /** The proxy's URL (`http://127.0.0.1:8001`). */
  server: string;
  /** The namespace kubectl uses when given no `-n`. */
  namespace: string;
}

/**
 * Adds (or replaces) a context for the proxy in the kubeconfig at `path`, keeping everything
 * else in it. The proxy holds the tenant's key, so the context carries no credentials.
 * Does not change `current-context` unless the file had none.
 */
export function writeProxyContext(path: string, context: ProxyContext): void {
  let config: KubeconfigFile = { apiVersion: "v1", kind: "Config" };
  if (existsSync(path)) {
    const text = readFileSync(path, "utf8");
    try {
      const parsed = text.trim() === "" ? {} : (parseYaml(text) as unknown);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new Error("not a mapping");
      }
      config = { apiVersion: "v1", kind: "Config", ...(parsed as KubeconfigFile) };
    } catch (error) {
      throw new GatewayError(
        "KUBECONFIG_INVALID",
        `${path} is not a kubeconfig (${(error as Error).message})`,
        {
          kind: "usage",
          cause: error,
        },
      );
    }
  }
  const replace = (list: Named<unknown>[] | undefined, entry: Named<unknown>) => [
    ...(list ?? []).filter((item) => item?.name !== entry.name),
    entry,
  ];
  config.clusters = replace(config.clusters, {
    name: context.name,
    cluster: { server: context.server },
  });
  config.users = replace(config.users, { name: context.name, user: {} });
  config.contexts = replace(config.contexts, {
    name: context.name,
    context: { cluster: context.name, user: context.name, namespace: context.namespace },
  });
  if (!config["current-context"]) config["current-context"] = context.name;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, stringifyYaml(config), { mode: 0o600 });
}
