#!/usr/bin/env bash
# CI: builds the nautilus-control OCI image from deploy/Containerfile with buildah, on a Node 24
# base made here from Debian packages (no registry other than Debian's and npm's is reachable,
# so nothing is pulled), then smoke-tests it. Root is needed (apt-get, debootstrap, chroot,
# mounts); CI runs as root. Any failure fails CI.
#
#   bash .ci/image.sh               # after `source scripts/node24.sh` (Node 24 on PATH)
#   bash .ci/image.sh --smoke-only  # only the smoke test, on the image the last run built
#
# Base image: `buildah from scratch` + debootstrap --variant=minbase of bookworm from the Debian
# mirror (DEBIAN_MIRROR) + the Node 24 binary scripts/node24.sh installed + npm from the npm
# registry, laid out like the public node:24-bookworm-slim image (/usr/local/bin/node, npm).
# It is cached in the project's container storage under a tag naming the Node version.
# Measured on the 2-core machine: debootstrap ~50 s; copying the host's Node binary plus its
# shared libraries into a scratch image is faster but leaves no apt or shell, which the
# Containerfile (apt-get install tini, npm ci) needs with the public base too.
#
# Smoke test: `podman run` is refused by the sandbox on these machines (setrlimit
# RLIMIT_NOFILE: Operation not permitted), so when podman is missing or fails, the image's
# root filesystem is mounted (buildah mount) and its own Entrypoint, Cmd, Env, User, WorkingDir
# and Healthcheck are run there with chroot.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
stamp() { echo "image: [$(($(date +%s) - started))s] $*"; }
fail() {
  echo "image: FAILED: $*" >&2
  exit 1
}

[ "$(id -u)" = 0 ] || fail "needs root (apt-get, debootstrap, chroot); CI runs as root"
node_version=$(node -p 'process.versions.node')
[ "${node_version%%.*}" -ge 24 ] || fail "Node 24 must be on PATH (source scripts/node24.sh), found $node_version"

cache="${K8S_DAAS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/k8s-daas}"
# A storage of our own: vfs works where overlay mounts cannot, and a driver mismatch with
# another tool's /var/lib/containers cannot happen.
storage=(--root "$cache/containers/storage" --runroot "$cache/containers/run" --storage-driver vfs)
bah() { buildah "${storage[@]}" "$@"; }
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
npm_version="${IMAGE_NPM_VERSION:-11}"
base="localhost/k8s-daas/node-base:${node_version}-bookworm"
image="localhost/k8s-daas/nautilus-control:ci"

smoke_only=false
[ "${1:-}" = --smoke-only ] && smoke_only=true

# --- tools -------------------------------------------------------------------------------
missing=()
command -v buildah >/dev/null || missing+=(buildah)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  stamp "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" ca-certificates >/dev/null
fi
stamp "$(buildah --version)"

# --- base ----------------------------------------------------------------------------------
if $smoke_only; then
  stamp "--smoke-only: using the image built before"
elif bah inspect --type image "$base" >/dev/null 2>&1; then
  stamp "base $base: cached"
else
  stamp "base $base: debootstrap bookworm (minbase) from $mirror"
  ctr=$(bah from scratch)
  mnt=$(bah mount "$ctr")
  debootstrap --variant=minbase --include=ca-certificates bookworm "$mnt" "$mirror" \
    >"$cache/containers/debootstrap.log" 2>&1 ||
    fail "debootstrap failed; see $cache/containers/debootstrap.log"
  cat >"$mnt/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security} bookworm-security main
EOF
  stamp "base: Node $node_version from $(command -v node), npm@$npm_version from the npm registry"
  install -m 0755 "$(readlink -f "$(command -v node)")" "$mnt/usr/local/bin/node"
  npm install --global --prefix "$mnt/usr/local" --no-audit --no-fund --loglevel=error \
    "npm@$npm_version" >/dev/null
  # This machine reaches registries through a TLS-inspecting proxy whose CA only the host
  # trusts (/usr/local/share/ca-certificates): the CI base trusts what the host trusts, so
  # `npm ci` in the Containerfile works here unchanged. Node reads only its own CA list
  # unless told, hence NODE_EXTRA_CA_CERTS.
  extra_ca=()
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$mnt/usr/local/share/ca-certificates/"
    chroot "$mnt" update-ca-certificates >/dev/null 2>&1
    extra_ca=(--env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt)
  fi
  rm -rf "$mnt/var/cache/apt/archives/"*.deb "$mnt/var/lib/apt/lists/"*
  chroot "$mnt" /usr/local/bin/node --version >/dev/null || fail "node does not run in the base"
  chroot "$mnt" /usr/local/bin/npm --version >/dev/null || fail "npm does not run in the base"
  bah umount "$ctr" >/dev/null
  bah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env NODE_VERSION="$node_version" "${extra_ca[@]}" --cmd node \
    --label org.opencontainers.image.description="Debian bookworm (minbase) + Node $node_version, built by .ci/image.sh" \
    "$ctr"
  bah commit --quiet --rm "$ctr" "$base" >/dev/null
  stamp "base $base: committed"
fi

# --- image ---------------------------------------------------------------------------------
$smoke_only || {
stamp "buildah bud -f deploy/Containerfile (vfs, chroot isolation, BASE=$base)"
# Docker format keeps HEALTHCHECK (the OCI image config has no field for it).
bah bud --quiet --isolation chroot --format docker --layers=false \
  --ignorefile deploy/Containerfile.dockerignore \
  --build-arg BASE="$base" \
  --build-arg VERSION="$(node -p 'require("./package.json").version')" \
  --build-arg REVISION="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)" \
  -f deploy/Containerfile -t "$image" . >/dev/null
bah images --format '{{.Name}}:{{.Tag}} {{.ID}} {{.Size}}' "$image" | sed 's/^/image: built /'
bah rmi --prune >/dev/null 2>&1 || true
}

# --- smoke test ----------------------------------------------------------------------------
if command -v podman >/dev/null &&
  podman "${storage[@]}" run --rm "$image" --help >/dev/null 2>&1; then
  stamp "podman run works here: --help answered in a container"
fi
echo "image: SMOKE TEST IN A CHROOT, not a container: podman run is refused by this machine's"
echo "image:   sandbox (setrlimit RLIMIT_NOFILE: Operation not permitted), so the image's root"
echo "image:   filesystem is mounted with buildah and its Entrypoint/Cmd/Env/User/Healthcheck"
echo "image:   run there with chroot (no namespaces, no read-only mount: files written outside"
echo "image:   the state volume are looked for instead)."
work=$(mktemp -d)
smoke=$(bah from --quiet "$image")
root=$(bah mount "$smoke")
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null || true
  umount "$root/proc" 2>/dev/null || true
  umount "$root/dev" 2>/dev/null || true
  bah rm "$smoke" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"

bah inspect --type image "$image" >"$work/config.json"
# One field of the image config (a dotted path), one line per list item or object key.
config() {
  node -e 'let v = require(process.argv[1]);
    for (const key of ["Docker", "config", ...process.argv[2].split(".")]) v = v?.[key];
    const items = Array.isArray(v) ? v : v && typeof v === "object" ? Object.keys(v) : [v ?? ""];
    process.stdout.write(items.join("\n"));' "$work/config.json" "$1"
}
mapfile -t entrypoint < <(config Entrypoint)
mapfile -t cmd < <(config Cmd)
mapfile -t env < <(config Env)
mapfile -t healthcheck < <(config Healthcheck.Test)
user=$(config User)
workdir=$(config WorkingDir)
volume=$(config Volumes)
[ "$volume" = /var/lib/nautilus-control ] || fail "expected the state volume /var/lib/nautilus-control, got '$volume'"
case "$user" in "" | 0 | 0:* | root | root:*) fail "the image runs as root (User '$user')" ;; esac
[ "${healthcheck[0]:-}" = CMD ] || fail "no HEALTHCHECK CMD in the image config"
stamp "config: User $user, Entrypoint ${entrypoint[*]}, volume $volume"

# chroot as the image's user, in its working directory, with exactly its environment. tini is
# not PID 1 here; TINI_SUBREAPER lets it reap as it would in a container. Each run is a
# subshell that execs chroot, so a background run's $! is the image's own PID 1 (tini).
in_image() {
  exec chroot --userspec="$user" "$root" /usr/bin/env -i "${env[@]}" TINI_SUBREAPER=1 \
    /bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$workdir" "$@"
}

touch "$work/before"
sleep 1 # mtime granularity: anything written from now on is newer than the marker

stamp "smoke: ${entrypoint[*]} --help"
(in_image "${entrypoint[@]}" --help) >"$work/help.txt" 2>&1 || {
  cat "$work/help.txt"
  fail "--help exited non-zero"
}
grep -q -- "--package-id" "$work/help.txt" || {
  cat "$work/help.txt"
  fail "--help did not describe nautilus-control's flags"
}

# Serving needs no chain and no cluster: /healthz answers as soon as the API listens, while
# /readyz reports the unreachable chain (port 1) and API server as not ready.
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
operator_key=$(node --input-type=module -e 'import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519"; console.log(Ed25519Keypair.generate().getSecretKey())')
state="$root/var/lib/nautilus-control"
cat >"$state/kubeconfig" <<'EOF'
apiVersion: v1
kind: Config
clusters: [{ name: none, cluster: { server: "https://127.0.0.1:1" } }]
users: [{ name: none, user: { token: smoke-test } }]
contexts: [{ name: none, context: { cluster: none, user: none } }]
current-context: none
EOF
chown "$user" "$state/kubeconfig"
stamp "smoke: serving on 127.0.0.1:$port (chain and API server deliberately unreachable)"
(in_image /usr/bin/env K8S_DAAS_LISTEN_PORT="$port" \
  K8S_DAAS_NETWORK=http://127.0.0.1:1 \
  K8S_DAAS_PACKAGE_ID=0x6b38736461617300 K8S_DAAS_CLUSTER_ID=0xc1 \
  K8S_DAAS_KUBECONFIG=/var/lib/nautilus-control/kubeconfig \
  K8S_DAAS_OPERATOR_KEY="$operator_key" K8S_DAAS_DRAIN_TIMEOUT_MS=5000 \
  "${entrypoint[@]}" "${cmd[@]}") >"$work/serve.log" 2>&1 &
server_pid=$!

# The API is HTTPS with the enclave's self-signed TLS key (clients pin its hash from the chain;
# there is no chain here, and health and metrics are public), so the check skips verification.
get() { NODE_TLS_REJECT_UNAUTHORIZED=0 node -e 'fetch(process.argv[1]).then(async (r) => { process.stdout.write(`${r.status} ${await r.text()}`) }, () => process.stdout.write("000"))' "https://127.0.0.1:$port$1" 2>/dev/null; }
healthz=000
for _ in $(seq 1 120); do
  kill -0 "$server_pid" 2>/dev/null || {
    cat "$work/serve.log"
    fail "nautilus-control exited before serving"
  }
  healthz=$(get /healthz)
  [ "${healthz%% *}" = 000 ] || break
  sleep 0.5
done
[ "${healthz%% *}" = 200 ] || {
  cat "$work/serve.log"
  fail "/healthz answered '$healthz', expected 200"
}
stamp "smoke: /healthz -> $healthz"
readyz=$(get /readyz)
[ "${readyz%% *}" = 503 ] && grep -q '"name":"chain"' <<<"$readyz" || fail "/readyz answered '$readyz', expected 503 with its checks"
stamp "smoke: /readyz -> 503 (not ready, as expected without a chain): ${readyz:0:160}..."
get /metrics | grep -q '^# TYPE k8s_daas_queue_depth gauge' || fail "/metrics lacks k8s_daas_queue_depth"
(in_image /usr/bin/env K8S_DAAS_LISTEN_PORT="$port" "${healthcheck[@]:1}") || fail "the image's HEALTHCHECK failed against a serving control plane"
stamp "smoke: /metrics and the image's HEALTHCHECK command pass"

stamp "smoke: SIGTERM to tini (pid $server_pid)"
kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
grep -q '"msg":"nautilus-control stopped"' "$work/serve.log" || {
  cat "$work/serve.log"
  echo "image: exit status $status"
  fail "no clean stop after SIGTERM"
}
[ "$status" = 0 ] || fail "exit status $status after SIGTERM, expected 0"
stamp "smoke: stopped cleanly, exit 0"

# /proc and /dev are this test's own mounts.
written=$(cd "$root" && find . -xdev -newer "$work/before" -not -path ./proc -not -path ./dev \
  -not -path ./var/lib/nautilus-control -not -path './var/lib/nautilus-control/*' -print)
[ -z "$written" ] || fail "the control plane wrote outside its state volume (a read-only root would refuse): $written"
stamp "smoke: nothing written outside /var/lib/nautilus-control ($(ls "$state" | tr '\n' ' '))"
stamp "done"
