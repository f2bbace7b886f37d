// Where a tenant pod may run, and at what priority. Placement adds its own node selector
// (active workers of this cluster, `k8s-daas.io/` labels) after admission; these checks keep
// a tenant from stepping around it: no node pinning (nodeName, hostname or node-role
// selectors, matchFields on the node name), no control-plane, cordon or add-on tolerations,
// no other scheduler, only the cluster's priority classes, and pod affinity that looks at
// the tenant's own pods only (following another namespace's pods would place a pod next to
// them, on the control-plane node or another tenant's nodes).
import { type Rejection, rejection } from "./errors.ts";
import { type FieldPath, formatPath } from "./field-path.ts";
import { checkEach, listAt, mustBeMapping } from "./field-shapes.ts";
import { isReservedKey } from "./names.ts";
import type { NullMeaning } from "./pod-templates.ts";
import type { AdmissionPolicy } from "./policy.ts";
import { describe, isMapping, isUnset, type Mapping } from "./values.ts";

/** What the scheduling checks need to know about the request. */
export interface SchedulingContext {
  namespace: string;
  policy: AdmissionPolicy;
  nulls: NullMeaning;
}

const DEFAULT_SCHEDULER = "default-scheduler";

/** Node-lifecycle taints Kubernetes itself tolerates for a while on every pod. */
const HARMLESS_LIFECYCLE_TAINTS = new Set([
  "node.kubernetes.io/not-ready",
  "node.kubernetes.io/unreachable",
]);

/**
 * Taints that keep tenant pods off a node: the control plane (`node-role.kubernetes.io/*`),
 * a cordoned node (`node.kubernetes.io/unschedulable`), nodes under memory, disk or PID
 * pressure or without network, uninitialized cloud nodes, nodes reserved for add-ons
 * (`CriticalAddonsOnly`), and any taint k8s-daas may set.
 */
function isProtectedTaint(key: string): boolean {
  return (
    key === "CriticalAddonsOnly" ||
    key.startsWith("node-role.kubernetes.io/") ||
    key.startsWith("node.cloudprovider.kubernetes.io/") ||
    (key.startsWith("node.kubernetes.io/") && !HARMLESS_LIFECYCLE_TAINTS.has(key)) ||
    isReservedKey(key)
  );
}

/**
 * Node labels that single out one node or the control plane: hostnames, node roles, k3s's
 * own labels, and the `k8s-daas.io/` labels placement selects on.
 */
function isNodeIdentityLabel(key: string): boolean {
  const prefix = key.includes("/") ? key.slice(0, key.lastIndexOf("/")) : "";
  return (
    key === "kubernetes.io/hostname" ||
    prefix === "node-role.kubernetes.io" ||
    prefix === "k3s.io" ||
    prefix.endsWith(".k3s.io") ||
    isReservedKey(key)
  );
}

/** A pod spec's scheduling problems. */
export function checkScheduling(
  spec: Mapping,
  specPath: FieldPath,
  context: SchedulingContext,
): Rejection | undefined {
  const at = (...rest: (string | number)[]) => formatPath([...specPath, ...rest]);
  if (!isUnset(spec.nodeName) && spec.nodeName !== "") {
    return rejection("ADMISSION_NODE_NAME", `${at("nodeName")} is ${describe(spec.nodeName)}`);
  }
  const scheduler = spec.schedulerName;
  if (!isUnset(scheduler) && scheduler !== "" && scheduler !== DEFAULT_SCHEDULER) {
    return rejection(
      "ADMISSION_SCHEDULER_NAME",
      `${at("schedulerName")} is ${describe(scheduler)}`,
    );
  }
  const priorityClass = spec.priorityClassName;
  if (!isUnset(priorityClass) && priorityClass !== "") {
    if (typeof priorityClass !== "string") {
      return rejection("ADMISSION_FIELD_INVALID", `${at("priorityClassName")} must be a string`);
    }
    const allowed =
      !priorityClass.startsWith("system-") &&
      context.policy.allowedPriorityClasses.includes(priorityClass);
    if (!allowed) {
      return rejection(
        "ADMISSION_PRIORITY_CLASS",
        `${at("priorityClassName")} is ${priorityClass}`,
      );
    }
  }
  return (
    checkTolerations(spec.tolerations, [...specPath, "tolerations"]) ??
    checkNodeSelector(spec.nodeSelector, [...specPath, "nodeSelector"], context.nulls) ??
    checkAffinity(spec.affinity, [...specPath, "affinity"], context.namespace)
  );
}

function checkTolerations(tolerations: unknown, path: FieldPath): Rejection | undefined {
  return checkEach(tolerations, path, (toleration, at) => {
    if (!isMapping(toleration)) return mustBeMapping(at);
    const key = toleration.key;
    if (!isUnset(key) && typeof key !== "string") {
      return rejection("ADMISSION_FIELD_INVALID", `${formatPath([...at, "key"])} must be a string`);
    }
    const toleratesEverything = (isUnset(key) || key === "") && toleration.operator === "Exists";
    return toleratesEverything || (typeof key === "string" && isProtectedTaint(key))
      ? rejection("ADMISSION_TOLERATION", `${formatPath(at)} is ${describe(toleration)}`)
      : undefined;
  });
}

function checkNodeSelector(
  selector: unknown,
  path: FieldPath,
  nulls: NullMeaning,
): Rejection | undefined {
  if (isUnset(selector)) return undefined;
  if (!isMapping(selector)) return mustBeMapping(path);
  for (const [key, value] of Object.entries(selector)) {
    // A patch may drop a node-identity key an older object still has; never placement's.
    const removal = value === null && nulls === "deletion" && !isReservedKey(key);
    if (isNodeIdentityLabel(key) && !removal) {
      return rejection("ADMISSION_NODE_SELECTOR", formatPath([...path, key]));
    }
  }
  return undefined;
}

function checkAffinity(
  affinity: unknown,
  path: FieldPath,
  namespace: string,
): Rejection | undefined {
  if (isUnset(affinity)) return undefined;
  if (!isMapping(affinity)) return mustBeMapping(path);
  const nodeProblem = checkNodeAffinity(affinity.nodeAffinity, [...path, "nodeAffinity"]);
  if (nodeProblem !== undefined) return nodeProblem;
  for (const field of ["podAffinity", "podAntiAffinity"]) {
    const problem = checkPodAffinity(affinity[field], [...path, field], namespace);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function checkNodeAffinity(affinity: unknown, path: FieldPath): Rejection | undefined {
  if (isUnset(affinity)) return undefined;
  if (!isMapping(affinity)) return mustBeMapping(path);
  const requiredPath = [...path, "requiredDuringSchedulingIgnoredDuringExecution"];
  const required = affinity.requiredDuringSchedulingIgnoredDuringExecution;
  if (!isUnset(required)) {
    if (!isMapping(required)) return mustBeMapping(requiredPath);
    const problem = checkEach(
      required.nodeSelectorTerms,
      [...requiredPath, "nodeSelectorTerms"],
      checkNodeSelectorTerm,
    );
    if (problem !== undefined) return problem;
  }
  return checkPreferred(affinity, path, "preference", checkNodeSelectorTerm);
}

/** A node selector term: no node-identity keys, no `matchFields` (it only knows the name). */
function checkNodeSelectorTerm(term: unknown, path: FieldPath): Rejection | undefined {
  if (isUnset(term)) return undefined;
  if (!isMapping(term)) return mustBeMapping(path);
  const fields = listAt(term.matchFields, [...path, "matchFields"]);
  if (!Array.isArray(fields)) return fields;
  if (fields.length > 0) {
    return rejection("ADMISSION_NODE_SELECTOR", `${formatPath([...path, "matchFields"])} is set`);
  }
  return checkEach(term.matchExpressions, [...path, "matchExpressions"], (expression, at) => {
    if (!isMapping(expression)) return mustBeMapping(at);
    const key = expression.key;
    if (typeof key !== "string") {
      return rejection("ADMISSION_FIELD_INVALID", `${formatPath([...at, "key"])} must be a string`);
    }
    return isNodeIdentityLabel(key)
      ? rejection("ADMISSION_NODE_SELECTOR", `${formatPath([...at, "key"])} is ${key}`)
      : undefined;
  });
}

function checkPodAffinity(
  affinity: unknown,
  path: FieldPath,
  namespace: string,
): Rejection | undefined {
  if (isUnset(affinity)) return undefined;
  if (!isMapping(affinity)) return mustBeMapping(path);
  const checkTerm = (term: unknown, at: FieldPath) => checkPodAffinityTerm(term, at, namespace);
  return (
    checkEach(
      affinity.requiredDuringSchedulingIgnoredDuringExecution,
      [...path, "requiredDuringSchedulingIgnoredDuringExecution"],
      checkTerm,
    ) ?? checkPreferred(affinity, path, "podAffinityTerm", checkTerm)
  );
}

/** `preferredDuringScheduling…`: weighted entries, each holding its term in `termField`. */
function checkPreferred(
  affinity: Mapping,
  path: FieldPath,
  termField: string,
  checkTerm: (term: unknown, path: FieldPath) => Rejection | undefined,
): Rejection | undefined {
  return checkEach(
    affinity.preferredDuringSchedulingIgnoredDuringExecution,
    [...path, "preferredDuringSchedulingIgnoredDuringExecution"],
    (weighted, at) =>
      isMapping(weighted) ? checkTerm(weighted[termField], [...at, termField]) : mustBeMapping(at),
  );
}

/** Only the namespace's own pods: `namespaces` lists nothing else, no `namespaceSelector`. */
function checkPodAffinityTerm(
  term: unknown,
  path: FieldPath,
  namespace: string,
): Rejection | undefined {
  if (isUnset(term)) return undefined;
  if (!isMapping(term)) return mustBeMapping(path);
  // `namespaceSelector: {}` selects every namespace.
  if (!isUnset(term.namespaceSelector)) {
    return rejection(
      "ADMISSION_POD_AFFINITY_NAMESPACE",
      `${formatPath([...path, "namespaceSelector"])} is set`,
    );
  }
  const namespaces = listAt(term.namespaces, [...path, "namespaces"]);
  if (!Array.isArray(namespaces)) return namespaces;
  const other = namespaces.find((name) => name !== namespace);
  if (other !== undefined) {
    return rejection(
      "ADMISSION_POD_AFFINITY_NAMESPACE",
      `${formatPath([...path, "namespaces"])} names ${describe(other)}`,
    );
  }
  return undefined;
}
