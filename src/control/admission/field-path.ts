/** A location in a manifest: mapping keys and sequence indexes from the root. */
export type FieldPath = readonly (string | number)[];

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `spec.template.spec.volumes[0].hostPath`; odd keys quoted: `labels["k8s-daas.io/x"]`. */
export function formatPath(path: FieldPath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text || "(root)";
}
