import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { stringify } from "yaml";

export interface KubeconfigSpec {
  readonly server: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly user: string;
}

/** Writes a single-context kubeconfig that authenticates with a client certificate. */
export async function writeKubeconfig(path: string, spec: KubeconfigSpec): Promise<void> {
  const document = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "kube-testenv",
        cluster: { server: spec.server, "certificate-authority": spec.caFile },
      },
    ],
    users: [
      {
        name: spec.user,
        user: { "client-certificate": spec.certFile, "client-key": spec.keyFile },
      },
    ],
    contexts: [{ name: "kube-testenv", context: { cluster: "kube-testenv", user: spec.user } }],
    "current-context": "kube-testenv",
    preferences: {},
  };
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, stringify(document), { mode: 0o600 });
}

/** Client certificate files written by `kube-testenv certs` for one client identity. */
export function clientCertFiles(
  pkiDir: string,
  client: string,
): { certFile: string; keyFile: string } {
  return { certFile: join(pkiDir, `${client}.crt`), keyFile: join(pkiDir, `${client}.key`) };
}
