// Ingress: the way into a tenant's Services, shared by every tenant through one ingress
// controller. A tenant may route only its own names (`<namespace>.<appsDomain>` and names
// below it), never a wildcard, never every host (a rule without host, a default backend),
// only to Services (a `resource` backend hands traffic to any object kind), on plain URL
// paths (CVE-2021-25745), and may tune the
// controller only through annotations known to be safe: others inject configuration into
// the shared proxy (`*-snippet`, `auth-url`, CVE-2021-25742, CVE-2025-1974) or reach other
// namespaces (traefik `router.middlewares` names `<namespace>-<name>@kubernetescrd`).
import { isDnsSubdomain } from "../../protocol/index.ts";
import { type Rejection, rejection } from "./errors.ts";
import { type FieldPath, formatPath } from "./field-path.ts";
import { listAt, mustBeMapping } from "./field-shapes.ts";
import { isReservedKey } from "./names.ts";
import type { AdmissionPolicy } from "./policy.ts";
import { describe, isMapping, isUnset, type Mapping } from "./values.ts";

/**
 * Paths as plain URL paths only: ingress-nginx writes them into its configuration, and a
 * path with quotes, braces or semicolons could inject directives (CVE-2021-25745). No regex
 * paths, so no `use-regex`.
 */
const SAFE_PATH = /^\/[A-Za-z0-9/._~%-]{0,255}$/;
const BOOLEAN = /^(true|false)$/;
const SECONDS = /^[0-9]{1,4}$/;

/**
 * Controller annotations a tenant may set on an Ingress, each with the values it may take
 * (values are written into the proxy's configuration, so they are matched whole). Keys
 * without a `prefix/` are the tenant's own notes and are left alone; every other prefixed
 * key is refused.
 */
const ALLOWED_ANNOTATIONS: ReadonlyMap<string, RegExp> = new Map([
  // The deprecated twin of `ingressClassName`, which tenants choose freely.
  ["kubernetes.io/ingress.class", /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/],
  // ingress-nginx
  ["nginx.ingress.kubernetes.io/rewrite-target", /^\/[A-Za-z0-9/$._~-]{0,255}$/],
  ["nginx.ingress.kubernetes.io/ssl-redirect", BOOLEAN],
  ["nginx.ingress.kubernetes.io/force-ssl-redirect", BOOLEAN],
  ["nginx.ingress.kubernetes.io/proxy-body-size", /^[0-9]{1,6}[kKmMgG]?$/],
  ["nginx.ingress.kubernetes.io/proxy-connect-timeout", SECONDS],
  ["nginx.ingress.kubernetes.io/proxy-read-timeout", SECONDS],
  ["nginx.ingress.kubernetes.io/proxy-send-timeout", SECONDS],
  ["nginx.ingress.kubernetes.io/backend-protocol", /^(HTTP|HTTPS|GRPC|GRPCS)$/],
  // Traefik (k3s's default controller): the public entry points and TLS only.
  ["traefik.ingress.kubernetes.io/router.entrypoints", /^(web|websecure)(,(web|websecure))?$/],
  ["traefik.ingress.kubernetes.io/router.tls", BOOLEAN],
  // Helm 3's ownership marks on every object it installs: read by Helm only, never by a
  // controller (a release name is at most 53 characters; the namespace a DNS label).
  ["meta.helm.sh/release-name", /^[a-z0-9]([-a-z0-9.]{0,51}[a-z0-9])?$/],
  ["meta.helm.sh/release-namespace", /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/],
]);

export interface IngressContext {
  namespace: string;
  policy: AdmissionPolicy;
  /** In a merge patch, `null` removes an annotation. */
  patch: boolean;
}

export function checkIngress(ingress: Mapping, context: IngressContext): Rejection | undefined {
  const metadata = ingress.metadata;
  const annotations = isMapping(metadata) ? metadata.annotations : undefined;
  const annotationProblem = isMapping(annotations)
    ? checkAnnotations(annotations, context.patch)
    : undefined;
  if (annotationProblem !== undefined) return annotationProblem;

  const spec = ingress.spec;
  if (isUnset(spec)) return undefined;
  if (!isMapping(spec)) return mustBeMapping(["spec"]);
  if (!isUnset(spec.defaultBackend)) {
    return rejection("ADMISSION_INGRESS_DEFAULT_BACKEND", "spec.defaultBackend is set");
  }
  const suffix = ownDomain(context);
  const rules = listAt(spec.rules, ["spec", "rules"]);
  if (!Array.isArray(rules)) return rules;
  for (const [index, rule] of rules.entries()) {
    const path = ["spec", "rules", index];
    if (!isMapping(rule)) return mustBeMapping(path);
    const hostProblem = checkHost(rule.host, [...path, "host"], suffix);
    if (hostProblem !== undefined) return hostProblem;
    const backendProblem = checkPaths(rule.http, [...path, "http"]);
    if (backendProblem !== undefined) return backendProblem;
  }
  const tls = listAt(spec.tls, ["spec", "tls"]);
  if (!Array.isArray(tls)) return tls;
  for (const [index, entry] of tls.entries()) {
    const path = ["spec", "tls", index];
    if (!isMapping(entry)) return mustBeMapping(path);
    // A TLS entry without hosts means "every host" to the controller.
    const hosts = listAt(entry.hosts, [...path, "hosts"]);
    if (!Array.isArray(hosts)) return hosts;
    if (hosts.length === 0) {
      return rejection("ADMISSION_INGRESS_HOST", `${formatPath([...path, "hosts"])} is empty`);
    }
    for (const [hostIndex, host] of hosts.entries()) {
      const problem = checkHost(host, [...path, "hosts", hostIndex], suffix);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

/** `<namespace>.<appsDomain>`, lowercase, without a trailing dot. */
function ownDomain({ namespace, policy }: IngressContext): string {
  return `${namespace}.${policy.appsDomain.toLowerCase().replace(/\.$/, "")}`;
}

/** `suffix` itself or a name below it: lowercase, no wildcard, a valid DNS name. */
function checkHost(host: unknown, path: FieldPath, suffix: string): Rejection | undefined {
  const at = formatPath(path);
  if (isUnset(host) || host === "") {
    return rejection("ADMISSION_INGRESS_HOST", `${at} is missing (a rule for every host)`);
  }
  if (typeof host !== "string" || host.includes("*") || !isDnsSubdomain(host)) {
    return rejection("ADMISSION_INGRESS_HOST", `${at} is ${describe(host)}`);
  }
  if (host !== suffix && !host.endsWith(`.${suffix}`)) {
    return rejection("ADMISSION_INGRESS_HOST", `${at} is ${host}, not under ${suffix}`);
  }
  return undefined;
}

function checkPaths(http: unknown, path: FieldPath): Rejection | undefined {
  if (isUnset(http)) return undefined;
  if (!isMapping(http)) return mustBeMapping(path);
  const paths = listAt(http.paths, [...path, "paths"]);
  if (!Array.isArray(paths)) return paths;
  for (const [index, entry] of paths.entries()) {
    const at = [...path, "paths", index];
    if (!isMapping(entry)) return mustBeMapping(at);
    const pathValue = entry.path;
    if (!isUnset(pathValue) && (typeof pathValue !== "string" || !SAFE_PATH.test(pathValue))) {
      return rejection(
        "ADMISSION_INGRESS_PATH",
        `${formatPath([...at, "path"])} is ${describe(pathValue)}`,
      );
    }
    const backend = entry.backend;
    if (isUnset(backend)) continue;
    if (!isMapping(backend)) return mustBeMapping([...at, "backend"]);
    if (!isUnset(backend.resource)) {
      return rejection("ADMISSION_INGRESS_BACKEND", formatPath([...at, "backend", "resource"]));
    }
  }
  return undefined;
}

function checkAnnotations(annotations: Mapping, patch: boolean): Rejection | undefined {
  for (const [key, value] of Object.entries(annotations)) {
    // The request id admission adds (a tenant's own reserved keys were refused before).
    if (isReservedKey(key) || !key.includes("/")) continue;
    if (value === null && patch) continue;
    const at = formatPath(["metadata", "annotations", key]);
    const allowed = ALLOWED_ANNOTATIONS.get(key);
    if (allowed === undefined) return rejection("ADMISSION_INGRESS_ANNOTATION", at);
    if (typeof value !== "string" || !allowed.test(value)) {
      return rejection("ADMISSION_INGRESS_ANNOTATION", `${at} is ${describe(value)}`);
    }
  }
  return undefined;
}
