// kube-testenv: a real Kubernetes control plane (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler) with KWOK-simulated nodes, built from upstream
// Go modules in tools/kube-testenv. Used by tests and as the embedded default cluster.

export { type BuiltBinary, type EnsureBuiltOptions, ensureBuilt, moduleVersions } from "./build.ts";
export { TestenvError, type TestenvErrorCode } from "./errors.ts";
export type { ClusterHandle } from "./handle.ts";
export { criLogLine, kwokDebuggingConfig } from "./kwok-debugging.ts";
export { defaultNodeResources, type NodeResources } from "./nodes.ts";
export { type OwnerWatcherOptions, watchOwner } from "./owner-watcher.ts";
export { clusterLayout, defaultClusterDataDir, projectCacheDir } from "./paths.ts";
export { testenvProcessesUsing } from "./processes.ts";
export { type StartOptions, startCluster } from "./start.ts";
export type { ClusterState, ComponentName, TestenvVersions } from "./state.ts";
export { type ClusterStatus, type ComponentStatus, clusterStatus } from "./status.ts";
export { type StopResult, stopCluster } from "./stop.ts";
