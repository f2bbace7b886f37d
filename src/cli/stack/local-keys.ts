import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { stringify as toYaml } from "yaml";
import { generateKeyIntoKeystore, keypairFromKeystore } from "../../chain/index.ts";

/**
 * The local stack's own Sui config dir (`<data>/sui`): a keystore with an operator key (it
 * creates the cluster object, pays for results) and a tenant key (the active address, used
 * by every tenant command), and a client.yaml in the Sui CLI's format, so `sui client` and
 * `k8s-daas keys list` read it too. The user's own ~/.sui is never touched.
 */
export interface LocalKeys {
  configDir: string;
  keystorePath: string;
  operator: Ed25519Keypair;
  tenant: Ed25519Keypair;
}

interface KeyRoles {
  operator: string;
  tenant: string;
}

export async function ensureLocalKeys(dataDir: string, chainUrl: string): Promise<LocalKeys> {
  const configDir = join(dataDir, "sui");
  const keystorePath = join(configDir, "sui.keystore");
  const rolesPath = join(configDir, "roles.json");
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  let roles: KeyRoles;
  if (existsSync(rolesPath)) {
    roles = JSON.parse(readFileSync(rolesPath, "utf8")) as KeyRoles;
  } else {
    const operator = await generateKeyIntoKeystore(keystorePath);
    const tenant = await generateKeyIntoKeystore(keystorePath);
    roles = { operator: operator.address, tenant: tenant.address };
    writeFileSync(rolesPath, `${JSON.stringify(roles, null, 2)}\n`, { mode: 0o600 });
  }
  writeFileSync(
    join(configDir, "client.yaml"),
    toYaml({
      keystore: { File: keystorePath },
      envs: [{ alias: "local", rpc: chainUrl, ws: null }],
      active_env: "local",
      active_address: roles.tenant,
    }),
    { mode: 0o600 },
  );
  return {
    configDir,
    keystorePath,
    operator: await keypairFromKeystore({ keystorePath, address: roles.operator }),
    tenant: await keypairFromKeystore({ keystorePath, address: roles.tenant }),
  };
}
