import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { packageFile, packageRoot } from "../../install/index.ts";

/** Root of the repository, or of the installed package (which ships tools/kube-testenv). */
export const repoRoot: string = packageRoot;

/** The Go module that builds the kube-testenv binary. */
export const goModuleDir: string = packageFile("tools", "kube-testenv");

/** Default data directory of `npm run cluster:up`. */
export const defaultClusterDataDir: string = join(repoRoot, ".data", "cluster");

/**
 * Project cache outside the repo, shared with other tools (scripts/node24.sh uses the same
 * rule): $K8S_DAAS_CACHE, else $XDG_CACHE_HOME/k8s-daas, else ~/.cache/k8s-daas.
 */
export function projectCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.K8S_DAAS_CACHE) return resolve(env.K8S_DAAS_CACHE);
  const xdg = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(xdg, "k8s-daas");
}

/** Where every file of one cluster lives, below its data directory. */
export interface ClusterLayout {
  readonly dataDir: string;
  readonly stateFile: string;
  readonly lockFile: string;
  /** Pids whose lifetime bounds the cluster's (see watchOwner), one per line. */
  readonly ownersFile: string;
  readonly pkiDir: string;
  readonly etcdDir: string;
  readonly logDir: string;
  readonly adminKubeconfig: string;
  /** KWOK's ClusterLogs/ClusterExec/ClusterAttach config (see kwok-debugging.ts). */
  readonly kwokDebuggingConfig: string;
  /** The CRI-format log every simulated container's logs are read from. */
  readonly simulatedContainerLog: string;
  /** Work directory of simulated `exec` commands. */
  readonly simulatedExecDir: string;
  kubeconfigFor(client: string): string;
  logFileFor(component: string): string;
  certDirFor(component: string): string;
}

export function clusterLayout(dataDir: string): ClusterLayout {
  const root = resolve(dataDir);
  return {
    dataDir: root,
    stateFile: join(root, "state.json"),
    lockFile: join(root, "start.lock"),
    ownersFile: join(root, "owners"),
    pkiDir: join(root, "pki"),
    etcdDir: join(root, "etcd"),
    logDir: join(root, "logs"),
    adminKubeconfig: join(root, "admin.kubeconfig"),
    kwokDebuggingConfig: join(root, "kwok", "debugging.yaml"),
    simulatedContainerLog: join(root, "kwok", "container.log"),
    simulatedExecDir: join(root, "kwok", "exec"),
    kubeconfigFor: (client) => join(root, "kubeconfigs", `${client}.kubeconfig`),
    logFileFor: (component) => join(root, "logs", `${component}.log`),
    certDirFor: (component) => join(root, "serving", component),
  };
}
