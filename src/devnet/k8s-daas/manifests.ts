import {
  deploymentManifest,
  isDnsLabel,
  isImage,
  LIMITS,
  podManifest,
} from "../../protocol/index.ts";

/** Aborts with the named `requests` constant (from `requests::pod_manifest` and co). */
export type Refuse = (constant: string) => never;

const utf8 = (text: string) => new TextEncoder().encode(text);

/** `requests::pod_manifest`: checks the pod name and image, then the JSON bytes. */
export function podManifestBytes(
  refuse: Refuse,
  podName: string,
  namespace: string,
  image: string,
): Uint8Array {
  if (!isDnsLabel(podName)) refuse("EInvalidObjectName");
  if (!isImage(image)) refuse("EInvalidImage");
  return utf8(podManifest(podName, namespace, image));
}

/** `requests::deployment_manifest`: checks name, image and replicas, then the JSON bytes. */
export function deploymentManifestBytes(
  refuse: Refuse,
  name: string,
  namespace: string,
  image: string,
  replicas: number,
): Uint8Array {
  if (!isDnsLabel(name)) refuse("EInvalidObjectName");
  if (!isImage(image)) refuse("EInvalidImage");
  if (replicas < 1 || replicas > LIMITS.maxReplicas) refuse("EInvalidReplicas");
  return utf8(deploymentManifest(name, namespace, image, replicas));
}
