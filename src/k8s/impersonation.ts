import { KubeConfig } from "@kubernetes/client-node";
import { K8sError } from "./errors.ts";

/**
 * A copy of `admin` that acts as `user` (`Impersonate-User`). The admin credential still
 * authenticates, but the API server authorizes every call as `user`: for a service-account
 * user name it also adds the account's groups, so RBAC sees exactly that account.
 */
export function impersonatingConfig(admin: KubeConfig, user: string): KubeConfig {
  const cluster = admin.getCurrentCluster();
  const adminUser = admin.getCurrentUser();
  if (!cluster || !adminUser) {
    throw new K8sError("K8S_CONFIG_INVALID", "kubeconfig has no current cluster and user");
  }
  const config = new KubeConfig();
  config.loadFromClusterAndUser(cluster, {
    ...adminUser,
    name: `${adminUser.name}-as-${user}`,
    impersonateUser: user,
  });
  return config;
}
