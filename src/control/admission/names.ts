// Naming rules for objects, labels and annotations, as the Kubernetes API server applies
// them, so a request that would fail there fails here with a precise code instead.
import type { ResourceType } from "../../k8s/resources.ts";
import { isDnsLabel, isDnsSubdomain } from "../../protocol/index.ts";

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const MAX_NAME_PART = 63;
/** Jobs get an 11-character suffix, and a Job name must stay within 63. */
const MAX_CRONJOB_NAME = 52;

/** `undefined` when `name` is a valid name for the kind, else what rule it breaks. */
export function objectNameProblem(type: ResourceType, name: string): string | undefined {
  switch (type.kind) {
    case "Service":
      // Service names become DNS labels and environment variable names: DNS-1035.
      return name.length <= MAX_NAME_PART && DNS_1035_LABEL.test(name)
        ? undefined
        : "a Service name must be a DNS-1035 label (lowercase letter first, at most 63)";
    case "StatefulSet":
      // Each pod's hostname is `<name>-<ordinal>`, a DNS label.
      return isDnsLabel(name) ? undefined : "a StatefulSet name must be a DNS-1123 label";
    case "CronJob":
      return isDnsSubdomain(name) && name.length <= MAX_CRONJOB_NAME
        ? undefined
        : `a CronJob name must be a DNS-1123 subdomain of at most ${MAX_CRONJOB_NAME} characters`;
    default:
      return isDnsSubdomain(name) ? undefined : "must be a DNS-1123 subdomain";
  }
}

/** `undefined` for a valid label or annotation key (`[prefix/]name`), else the problem. */
export function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isDnsSubdomain(prefix)) {
    return "the prefix must be a DNS-1123 subdomain";
  }
  if (name.length > MAX_NAME_PART || !QUALIFIED_NAME_PART.test(name)) {
    return "the name must be at most 63 alphanumerics, '-', '_' or '.', alphanumeric at both ends";
  }
  return undefined;
}

/** Label values: empty, or a qualified name part. */
export function labelValueProblem(value: string): string | undefined {
  if (value === "") return undefined;
  return value.length <= MAX_NAME_PART && QUALIFIED_NAME_PART.test(value)
    ? undefined
    : "at most 63 alphanumerics, '-', '_' or '.', alphanumeric at both ends";
}

const RESERVED_DOMAIN = "k8s-daas.io";

/** Keys under `k8s-daas.io/` (or a subdomain of it) belong to the control plane. */
export function isReservedKey(key: string): boolean {
  const slash = key.lastIndexOf("/");
  if (slash < 0) return false;
  const prefix = key.slice(0, slash).toLowerCase();
  return prefix === RESERVED_DOMAIN || prefix.endsWith(`.${RESERVED_DOMAIN}`);
}
