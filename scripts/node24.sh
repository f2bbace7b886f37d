#!/usr/bin/env bash
# Puts Node.js 24 on PATH when the Node on PATH is older (the machines here ship Node 20).
#   source scripts/node24.sh          # in a shell or script: PATH now has Node 24
#   bash scripts/node24.sh --print-path
# The npm package `node@24` carries the official binary, so this needs only the npm
# registry. It is installed once into a cache folder outside the repo and reused.
k8sdaas_node24() {
  local major=24 have cache prefix
  have=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  [ "$have" -ge "$major" ] 2>/dev/null && return 0
  cache="${K8S_DAAS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/k8s-daas}"
  prefix="$cache/node$major"
  if ! "$prefix/node_modules/.bin/node" --version >/dev/null 2>&1; then
    echo "node24: installing node@$major into $prefix (once)" >&2
    mkdir -p "$prefix" &&
      npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$prefix" "node@$major" >&2 ||
      { echo "node24: could not install node@$major from the npm registry" >&2; return 1; }
  fi
  export PATH="$prefix/node_modules/.bin:$PATH"
}
k8sdaas_node24 || { return 1 2>/dev/null || exit 1; }
if [ "${1:-}" = "--print-path" ]; then echo "export PATH=\"$PATH\""; fi
