// Services stay inside the cluster: NodePort and LoadBalancer open ports on every node
// (machines staked by third parties, and a node-port range shared by all tenants),
// ExternalName can alias other namespaces' names, and externalIPs let a tenant capture
// traffic for addresses it does not own (CVE-2020-8554). Ingress is the way in.
import { type Rejection, rejection } from "./errors.ts";
import { describe, isMapping, isUnset, type Mapping } from "./values.ts";

export function checkService(service: Mapping): Rejection | undefined {
  const spec = service.spec;
  if (isUnset(spec)) return undefined;
  if (!isMapping(spec)) return rejection("ADMISSION_FIELD_INVALID", "spec must be a mapping");
  if (!isUnset(spec.type) && spec.type !== "ClusterIP") {
    return rejection("ADMISSION_SERVICE_TYPE", `spec.type is ${describe(spec.type)}`);
  }
  const externalIPs = spec.externalIPs;
  if (!isUnset(externalIPs) && !(Array.isArray(externalIPs) && externalIPs.length === 0)) {
    return rejection(
      "ADMISSION_SERVICE_EXTERNAL_IPS",
      `spec.externalIPs is ${describe(externalIPs)}`,
    );
  }
  return undefined;
}
