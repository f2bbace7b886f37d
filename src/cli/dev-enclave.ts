import { CliError, EXIT } from "./errors.ts";

/**
 * Whether a command may register a dev enclave key (not attested) on a new cluster object:
 * always on the embedded devnet (`local`); on any other network only with
 * `--allow-dev-enclave`, and then with a warning (returns true). Throws
 * `DEV_ENCLAVE_REFUSED` otherwise, before anything is sent.
 */
export function devEnclaveNeedsWarning(
  network: string,
  allowed: boolean,
  command: string,
): boolean {
  if (network === "local") return false;
  if (allowed) return true;
  throw new CliError(
    "DEV_ENCLAVE_REFUSED",
    `${command} --network ${network} would register a dev enclave key (not attested) on a new cluster object, and anyone holding that key could sign results for it`,
    {
      hint: "register an attested enclave key on a cluster object (enclave::register_enclave with a Nitro attestation) and pass --cluster-id ID, or pass --allow-dev-enclave for a test deployment",
      exitCode: EXIT.usage,
    },
  );
}
