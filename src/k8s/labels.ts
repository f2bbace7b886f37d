/** Labels and annotations the control plane puts on what it manages. */
export const ANNOTATION_REQUEST_ID = "k8s-daas.io/request-id";
export const LABEL_MANAGED = "k8s-daas.io/managed";
/** An annotation: a Sui address (66 characters) is longer than a label value may be. */
export const ANNOTATION_OWNER = "k8s-daas.io/owner";
export const LABEL_CLUSTER = "k8s-daas.io/cluster";
/** Server-side apply field manager of every tenant write. */
export const FIELD_MANAGER = "k8s-daas";
/** The ServiceAccount in each tenant namespace whose identity tenant operations use. */
export const TENANT_SERVICE_ACCOUNT = "k8s-daas-tenant";

export function tenantUser(namespace: string): string {
  return `system:serviceaccount:${namespace}:${TENANT_SERVICE_ACCOUNT}`;
}
