import { existsSync } from "node:fs";

/** The Nitro Security Module device, present only inside an AWS Nitro Enclave. */
export const NITRO_DEVICE = "/dev/nsm";

export type EnclaveEnvironment =
  | { kind: "nitro"; device: string }
  | { kind: "dev"; reason: string };

/**
 * Where the control plane runs. Outside a Nitro Enclave the enclave key is a dev key, and
 * everything that shows the key (logs, /readyz, `cluster status`) says so.
 */
export function detectEnclave(device: string = NITRO_DEVICE): EnclaveEnvironment {
  return existsSync(device)
    ? { kind: "nitro", device }
    : {
        kind: "dev",
        reason: `no ${device}: not inside a Nitro Enclave; using a DEV enclave key (not attested)`,
      };
}
