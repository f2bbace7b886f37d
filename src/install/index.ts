// Where this copy of k8s-daas lives and what it is: the package root (a clone or an
// installed npm package), paths of its own files and modules, its version and commit, and
// the user directories it keeps state and config in. Below every other folder: it knows
// nothing of the chain, Kubernetes or the CLI.
export { BUILD_INFO_FILE, type BuildInfo, buildInfo, type PackedBuildInfo } from "./build-info.ts";
export { moduleBeside, packageFile, packageRoot, runsFromSource } from "./package-root.ts";
export { defaultConfigFile, defaultDataDir } from "./user-dirs.ts";
