#!/usr/bin/env bash
# Builds the nautilus-control enclave image reproducibly, then its EIF, and prints the PCRs
# to pin on chain. Run from anywhere on an EC2 instance with Nitro Enclaves enabled (Docker
# with BuildKit >= 0.13, nitro-cli, jq):
#
#   BASE=docker.io/library/node@sha256:<digest> DEBIAN_SNAPSHOT=20261130T000000Z \
#     deploy/enclave/build.sh [OUT_DIR]
#
# BASE must name the base image by digest (a tag moves, and the PCRs with it).
# SOURCE_DATE_EPOCH defaults to the commit's time; a dirty work tree is refused, since its
# PCRs would describe no commit anyone else can rebuild.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-"$repo/.data/enclave"}

fail() { echo "build.sh: $*" >&2; exit 2; }
[[ ${BASE:-} =~ @sha256:[0-9a-f]{64}$ ]] \
  || fail "BASE must name the base image by digest (…@sha256:<64 hex>), got '${BASE:-}'"
[[ ${DEBIAN_SNAPSHOT:-} =~ ^[0-9]{8}T[0-9]{6}Z$ ]] \
  || fail "DEBIAN_SNAPSHOT must be a snapshot.debian.org time like 20261130T000000Z, got '${DEBIAN_SNAPSHOT:-}'"
git -C "$repo" diff --quiet HEAD -- || fail "the work tree has uncommitted changes"
commit=$(git -C "$repo" rev-parse HEAD)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct HEAD)}
for tool in docker nitro-cli jq; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (see docs/ENCLAVE.md)"
done

tag="k8s-daas-enclave:${commit:0:12}"
mkdir -p "$out"
# rewrite-timestamp sets every file's mtime in the layers to SOURCE_DATE_EPOCH.
docker buildx build --file "$repo/deploy/enclave/Containerfile" \
  --build-arg "BASE=$BASE" --build-arg "DEBIAN_SNAPSHOT=$DEBIAN_SNAPSHOT" \
  --build-arg "SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH" \
  --output "type=docker,name=$tag,rewrite-timestamp=true" "$repo"
nitro-cli build-enclave --docker-uri "$tag" --output-file "$out/nautilus-control.eif" \
  > "$out/measurements.json"
pcr() { jq -er ".Measurements.PCR$1" "$out/measurements.json"; }
cat <<DONE
built $out/nautilus-control.eif from commit $commit (SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH)
  PCR0 $(pcr 0)
  PCR1 $(pcr 1)
  PCR2 $(pcr 2)
pin them:  k8s-daas cluster enclave set-pcrs $(pcr 0) $(pcr 1) $(pcr 2)
DONE
