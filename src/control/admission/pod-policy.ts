// Pod-spec policy: what no tenant pod may do, Pod Security "restricted" and then some
// (runtime classes, the tenant's service account, probes aimed at other hosts; where a pod
// may run is `scheduling-policy.ts`'s). Applied
// to every pod template and to pod templates inside merge patches alike. Any value other than
// the safe one is refused, including wrongly typed ones ("true" for hostNetwork).
import { type AdmissionErrorCode, type Rejection, rejection } from "./errors.ts";
import { type FieldPath, formatPath } from "./field-path.ts";
import { listAt, mustBeMapping } from "./field-shapes.ts";
import type { ContainerAt, NullMeaning } from "./pod-templates.ts";
import { checkScheduling, type SchedulingContext } from "./scheduling-policy.ts";
import { describe, isMapping, isUnset, type Mapping } from "./values.ts";

const HOST_NAMESPACES: readonly [string, AdmissionErrorCode][] = [
  ["hostNetwork", "ADMISSION_HOST_NETWORK"],
  ["hostPID", "ADMISSION_HOST_PID"],
  ["hostIPC", "ADMISSION_HOST_IPC"],
];

/** The volume sources Pod Security "restricted" allows. */
const ALLOWED_VOLUME_SOURCES = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);

/** Pod Security "baseline" safe sysctls (namespaced, cannot affect other pods). */
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);

const SAFE_PROFILE_TYPES = new Set(["RuntimeDefault", "Localhost"]);
const SAFE_SELINUX_TYPES = new Set([
  "",
  "container_t",
  "container_init_t",
  "container_kvm_t",
  "container_engine_t",
]);

/** Pod-level securityContext fields restricted defaults provide; a patch may not delete them. */
const DEFAULTED_POD_SECURITY_FIELDS = ["runAsNonRoot", "seccompProfile"] as const;

/** On by anything but `false` or absence: `hostNetwork: "yes"` counts as on. */
const enabled = (value: unknown): boolean => !isUnset(value) && value !== false;

/** A pod spec's problems before any container is looked at. */
export function checkPodSpec(
  spec: Mapping,
  specPath: FieldPath,
  context: SchedulingContext,
): Rejection | undefined {
  const at = (...rest: (string | number)[]) => formatPath([...specPath, ...rest]);
  for (const [field, code] of HOST_NAMESPACES) {
    if (enabled(spec[field])) return rejection(code, `${at(field)} is ${describe(spec[field])}`);
  }
  if (!isUnset(spec.runtimeClassName)) {
    return rejection("ADMISSION_RUNTIME_CLASS", at("runtimeClassName"));
  }
  // The namespace's tenant ServiceAccount carries the tenant's API rights: a pod holding its
  // token could act on the cluster without going through the chain.
  for (const field of ["serviceAccountName", "serviceAccount"]) {
    const account = spec[field];
    if (!isUnset(account) && account !== "" && account !== "default") {
      return rejection("ADMISSION_SERVICE_ACCOUNT", `${at(field)} is ${describe(account)}`);
    }
  }
  const ephemeral = spec.ephemeralContainers;
  if (!isUnset(ephemeral) && !(Array.isArray(ephemeral) && ephemeral.length === 0)) {
    return rejection("ADMISSION_EPHEMERAL_CONTAINERS", at("ephemeralContainers"));
  }
  return (
    checkScheduling(spec, specPath, context) ??
    checkVolumes(spec.volumes, [...specPath, "volumes"]) ??
    checkSecurityContext(
      spec.securityContext,
      [...specPath, "securityContext"],
      "pod",
      context.nulls,
    )
  );
}

/** A container's problems (containers and init containers alike). */
export function checkContainer({ container, path }: ContainerAt): Rejection | undefined {
  const problem = checkSecurityContext(
    container.securityContext,
    [...path, "securityContext"],
    "container",
    "absent",
  );
  if (problem !== undefined) return problem;
  const handlerProblem = checkHandlerHosts(container, path);
  if (handlerProblem !== undefined) return handlerProblem;
  const ports = listAt(container.ports, [...path, "ports"]);
  if (!Array.isArray(ports)) return ports;
  for (const [index, port] of ports.entries()) {
    const portPath = [...path, "ports", index];
    if (!isMapping(port)) return mustBeMapping(portPath);
    if (!isUnset(port.hostPort) && port.hostPort !== 0) {
      return rejection(
        "ADMISSION_HOST_PORT",
        `${formatPath([...portPath, "hostPort"])} is ${describe(port.hostPort)}`,
      );
    }
  }
  const resources = container.resources;
  if (isUnset(resources)) return undefined;
  if (!isMapping(resources)) return mustBeMapping([...path, "resources"]);
  for (const field of ["requests", "limits"]) {
    const quantities = resources[field];
    if (!isUnset(quantities) && !isMapping(quantities)) {
      return mustBeMapping([...path, "resources", field]);
    }
  }
  return undefined;
}

/** Where a container's probes and lifecycle hooks sit, each an action the kubelet runs. */
const HANDLER_PATHS: readonly (readonly string[])[] = [
  ["livenessProbe"],
  ["readinessProbe"],
  ["startupProbe"],
  ["lifecycle", "postStart"],
  ["lifecycle", "preStop"],
];

/**
 * `httpGet.host` and `tcpSocket.host` make the kubelet, on the node's network and outside
 * the namespace's network policies, connect wherever the tenant says (another tenant's pod,
 * the node's own services, the cloud metadata endpoint). Unset, they mean the pod itself.
 * exec, grpc (always the pod) and sleep actions name no host.
 */
function checkHandlerHosts(container: Mapping, path: FieldPath): Rejection | undefined {
  for (const handlerPath of HANDLER_PATHS) {
    let handler: unknown = container;
    const at: (string | number)[] = [...path];
    for (const key of handlerPath) {
      if (!isMapping(handler)) return mustBeMapping(at);
      handler = handler[key];
      at.push(key);
      if (isUnset(handler)) break;
    }
    if (isUnset(handler)) continue;
    if (!isMapping(handler)) return mustBeMapping(at);
    for (const action of ["httpGet", "tcpSocket"]) {
      const target = handler[action];
      if (isUnset(target)) continue;
      if (!isMapping(target)) return mustBeMapping([...at, action]);
      if (!isUnset(target.host) && target.host !== "") {
        return rejection(
          "ADMISSION_PROBE_HOST",
          `${formatPath([...at, action, "host"])} is ${describe(target.host)}`,
        );
      }
    }
  }
  return undefined;
}

function checkVolumes(volumes: unknown, path: FieldPath): Rejection | undefined {
  const list = listAt(volumes, path);
  if (!Array.isArray(list)) return list;
  for (const [index, volume] of list.entries()) {
    if (!isMapping(volume)) return mustBeMapping([...path, index]);
    if (!isUnset(volume.hostPath)) {
      return rejection("ADMISSION_HOST_PATH", formatPath([...path, index, "hostPath"]));
    }
    for (const [source, value] of Object.entries(volume)) {
      if (source !== "name" && !isUnset(value) && !ALLOWED_VOLUME_SOURCES.has(source)) {
        return rejection("ADMISSION_VOLUME_TYPE", formatPath([...path, index, source]));
      }
    }
  }
  return undefined;
}

function checkSecurityContext(
  context: unknown,
  path: FieldPath,
  level: "pod" | "container",
  nulls: NullMeaning,
): Rejection | undefined {
  const at = (...rest: string[]) => formatPath([...path, ...rest]);
  if (context === null && nulls === "deletion") {
    return rejection("ADMISSION_PATCH_CLEARS_GUARDED_FIELD", at());
  }
  if (isUnset(context)) return undefined;
  if (!isMapping(context)) return mustBeMapping(path);
  if (level === "pod" && nulls === "deletion") {
    for (const field of DEFAULTED_POD_SECURITY_FIELDS) {
      if (context[field] === null)
        return rejection("ADMISSION_PATCH_CLEARS_GUARDED_FIELD", at(field));
    }
  }
  if (!isUnset(context.runAsNonRoot) && context.runAsNonRoot !== true) {
    return rejection(
      "ADMISSION_RUN_AS_ROOT",
      `${at("runAsNonRoot")} is ${describe(context.runAsNonRoot)}`,
    );
  }
  if (context.runAsUser === 0) return rejection("ADMISSION_RUN_AS_ROOT", `${at("runAsUser")} is 0`);
  const profiles = [
    ["seccompProfile", "ADMISSION_SECCOMP_PROFILE"],
    ["appArmorProfile", "ADMISSION_APPARMOR_PROFILE"],
  ] as const;
  for (const [field, code] of profiles) {
    const profile = context[field];
    if (isUnset(profile)) continue;
    if (!isMapping(profile)) return mustBeMapping([...path, field]);
    if (!isUnset(profile.type) && !SAFE_PROFILE_TYPES.has(String(profile.type))) {
      return rejection(code, `${at(field, "type")} is ${describe(profile.type)}`);
    }
  }
  const selinux = context.seLinuxOptions;
  if (!isUnset(selinux)) {
    if (!isMapping(selinux)) return mustBeMapping([...path, "seLinuxOptions"]);
    if (!isUnset(selinux.user) || !isUnset(selinux.role)) {
      return rejection("ADMISSION_SELINUX_OPTIONS", `${at("seLinuxOptions")} sets user or role`);
    }
    if (!isUnset(selinux.type) && !SAFE_SELINUX_TYPES.has(String(selinux.type))) {
      return rejection(
        "ADMISSION_SELINUX_OPTIONS",
        `${at("seLinuxOptions", "type")} is ${describe(selinux.type)}`,
      );
    }
  }
  const windows = context.windowsOptions;
  if (isMapping(windows) && enabled(windows.hostProcess)) {
    return rejection("ADMISSION_HOST_PROCESS", at("windowsOptions", "hostProcess"));
  }
  return level === "pod"
    ? checkSysctls(context.sysctls, [...path, "sysctls"])
    : checkContainerPrivileges(context, path);
}

function checkSysctls(sysctls: unknown, path: FieldPath): Rejection | undefined {
  const list = listAt(sysctls, path);
  if (!Array.isArray(list)) return list;
  for (const [index, sysctl] of list.entries()) {
    if (!isMapping(sysctl)) return mustBeMapping([...path, index]);
    if (typeof sysctl.name !== "string" || !SAFE_SYSCTLS.has(sysctl.name)) {
      return rejection(
        "ADMISSION_SYSCTL",
        `${formatPath([...path, index, "name"])} is ${describe(sysctl.name)}`,
      );
    }
  }
  return undefined;
}

function checkContainerPrivileges(context: Mapping, path: FieldPath): Rejection | undefined {
  const at = (...rest: string[]) => formatPath([...path, ...rest]);
  if (enabled(context.privileged)) return rejection("ADMISSION_PRIVILEGED", at("privileged"));
  if (enabled(context.allowPrivilegeEscalation)) {
    return rejection(
      "ADMISSION_PRIVILEGE_ESCALATION",
      `${at("allowPrivilegeEscalation")} is ${describe(context.allowPrivilegeEscalation)}`,
    );
  }
  if (!isUnset(context.procMount) && context.procMount !== "Default") {
    return rejection(
      "ADMISSION_PROC_MOUNT",
      `${at("procMount")} is ${describe(context.procMount)}`,
    );
  }
  const capabilities = context.capabilities;
  if (isUnset(capabilities)) return undefined;
  if (!isMapping(capabilities)) return mustBeMapping([...path, "capabilities"]);
  const added = listAt(capabilities.add, [...path, "capabilities", "add"]);
  if (!Array.isArray(added)) return added;
  if (added.length > 0) {
    return rejection(
      "ADMISSION_CAPABILITIES_ADD",
      `${at("capabilities", "add")} is ${describe(added)}`,
    );
  }
  if (isUnset(capabilities.drop)) return undefined;
  if (!Array.isArray(capabilities.drop) || !capabilities.drop.includes("ALL")) {
    return rejection(
      "ADMISSION_CAPABILITIES_DROP",
      `${at("capabilities", "drop")} is ${describe(capabilities.drop)}`,
    );
  }
  return undefined;
}
