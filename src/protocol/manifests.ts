// The JSON manifests `create_pod` and `deploy_pods_batch` build on chain
// (`requests::pod_manifest`, `requests::deployment_manifest`), byte for byte. Inputs are
// already validated as DNS labels and safe image references, so no escaping is needed.

/** Bytes of the Pod manifest `requests::create_pod` puts in the request payload. */
export function podManifest(podName: string, namespace: string, image: string): string {
  return `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"${podName}","namespace":"${namespace}"},"spec":{"containers":[{"name":"${podName}","image":"${image}"}]}}`;
}

/** Bytes of the Deployment manifest `requests::deploy_pods_batch` puts in the payload. */
export function deploymentManifest(
  name: string,
  namespace: string,
  image: string,
  replicas: number,
): string {
  return `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"${name}","namespace":"${namespace}"},"spec":{"replicas":${replicas},"selector":{"matchLabels":{"app":"${name}"}},"template":{"metadata":{"labels":{"app":"${name}"}},"spec":{"containers":[{"name":"${name}","image":"${image}"}]}}}}`;
}
