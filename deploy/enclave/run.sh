#!/bin/sh
# PID 1 of the nautilus-control enclave. An enclave has no network and no disk: everything
# goes over vsock to its parent instance (CID 3), which runs the matching proxies
# (docs/ENCLAVE.md, "On the parent").
#   1. Receive the boot bundle on vsock port 7000: JSON {config: {nautilus-control
#      settings}, kubeconfig: "...", operatorKey: "suiprivkey...", endpoints: [{host, port,
#      vsockPort}]}. None of it is measured (PCRs cover the image only) and none of it is
#      the enclave's secret: the enclave keys are made inside, after this.
#   2. Map each endpoint (Sui full node, Kubernetes API server) to a loopback address and
#      forward it to the parent's vsock-proxy, so TLS runs end to end from inside.
#   3. Serve the HTTP API (/get_attestation, /healthz, ...) to the parent on vsock port 8080.
set -eu
ip link set lo up
state=/run/nautilus-control
mkdir -p "$state" && chmod 0700 "$state"
bundle="$state/boot.json"
socat -u VSOCK-LISTEN:7000 "CREATE:$bundle"
jq -e '.config and .kubeconfig and .operatorKey and (.endpoints | type == "array")' "$bundle" \
  >/dev/null || {
  echo "enclave-run: the boot bundle needs config, kubeconfig, operatorKey and endpoints" >&2
  exit 1
}
jq '.config' "$bundle" > "$state/config.json"
jq -r '.kubeconfig' "$bundle" > "$state/kubeconfig"
jq -r '.endpoints[] | "\(.host) \(.port) \(.vsockPort)"' "$bundle" > "$state/endpoints"
K8S_DAAS_OPERATOR_KEY=$(jq -r '.operatorKey' "$bundle")
export K8S_DAAS_OPERATOR_KEY
rm -f "$bundle"

n=2
while read -r host port vsock_port; do
  address="127.0.0.$n"
  echo "$address $host" >> /etc/hosts
  socat "TCP-LISTEN:$port,bind=$address,fork,reuseaddr" "VSOCK-CONNECT:3:$vsock_port" &
  n=$((n + 1))
done < "$state/endpoints"

socat VSOCK-LISTEN:8080,fork,reuseaddr TCP:127.0.0.1:8080 &

exec /opt/nautilus-control/bin/nautilus-control.ts --config "$state/config.json" \
  --kubeconfig "$state/kubeconfig"
