#!/usr/bin/env bash
# CI: the npm package as an operator gets it. Packs the tarball, installs it globally into a
# temporary prefix, and runs the installed `k8s-daas --help`, `--version`, its bash
# completion, `nautilus-control --help`, and `k8s-daas demo --stop` (up, claim a namespace,
# create a pod, see it Running and its result on chain, stop) from a directory outside the
# clone, with config and data dirs of its own. Needs Node 24 on PATH, `npm ci` done and
# kube-testenv built (.ci/run does all three first). Fails on the first error; stops
# everything it started on the way out.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
started=$(date +%s%N)
millis() { echo $((($(date +%s%N) - $1) / 1000000)); }
stamp() { echo "pack: [$(($(millis "$started") / 1000))s] $*"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/k8s-daas-pack.XXXXXX")
demo_pid=""
cleanup() {
  local status=$?
  if [[ -n "$demo_pid" ]] && kill -0 "$demo_pid" 2>/dev/null; then
    # As Ctrl-C would: `up` (in the demo's process group) stops the devnet, nautilus-control
    # and the cluster; whatever still runs after 60 s is killed.
    stamp "stopping the demo (pid $demo_pid) and its stack"
    kill -INT -- "-$demo_pid" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 -- "-$demo_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL -- "-$demo_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stamp "npm pack"
t=$(date +%s%N)
npm pack --pack-destination "$work" --silent >/dev/null
tarball=$(echo "$work"/k8s-daas-*.tgz)
stamp "packed $(basename "$tarball"): $(stat -c %s "$tarball") bytes in $(millis "$t") ms"

stamp "npm install -g into a temporary prefix"
prefix="$work/prefix"
t=$(date +%s%N)
npm install --global --prefix "$prefix" "$tarball" --no-audit --no-fund --prefer-offline --silent
stamp "installed in $(millis "$t") ms ($(du -sh "$prefix" | cut -f1) with dependencies)"
installed="$prefix/lib/node_modules/k8s-daas"
stray=$(find "$installed" -path "$installed/node_modules" -prune -o -name '*.ts' -print)
if [[ -n "$stray" ]]; then
  echo "pack: FAILED: TypeScript sources in the installed package (Node will not run them):" >&2
  echo "$stray" >&2
  exit 1
fi

# From here on only the installed package runs, from outside the clone, with its own
# config and data dirs (the defaults of an installed CLI: XDG, not the install folder).
cd "$work"
export CI=1 XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
unset K8S_DAAS_CONFIG K8S_DAAS_CONTEXT K8S_DAAS_DATA_DIR KUBECONFIG
k8s_daas="$prefix/bin/k8s-daas"

t=$(date +%s%N)
"$k8s_daas" --help >"$work/help.txt"
installed_ms=$(millis "$t")
grep -q '^Usage: k8s-daas <command>' "$work/help.txt"
t=$(date +%s%N)
node "$repo/bin/k8s-daas.ts" --help >/dev/null
stamp "k8s-daas --help: ${installed_ms} ms installed, $(millis "$t") ms from the sources"

"$k8s_daas" --version | tee "$work/version.txt"
grep -q '(the npm package: compiled JavaScript)' "$work/version.txt"
if grep -q '^commit    dev+' "$work/version.txt"; then
  echo "pack: FAILED: the installed package has no commit baked in" >&2
  exit 1
fi
grep -q "^data dir  $XDG_DATA_HOME/k8s-daas " "$work/version.txt"
"$k8s_daas" completion bash | bash -n
"$prefix/bin/nautilus-control" --help | grep -q '^Usage: k8s-daas control'
stamp "--version, completion bash and nautilus-control --help work installed"

stamp "k8s-daas demo --stop (installed; kube-testenv from the cache)"
t=$(date +%s%N)
setsid "$k8s_daas" demo --stop &
demo_pid=$!
wait "$demo_pid"
demo_pid=""
stamp "demo done in $(millis "$t") ms"
"$k8s_daas" config current-context | grep -qx local
stamp "done"
