import { normalizeSuiAddress } from "@mysten/sui/utils";
import { objectType } from "../../protocol/objects.ts";
import type { MovePackage } from "../move-runtime.ts";
import { billingModule } from "./billing.ts";
import { clusterModule } from "./cluster.ts";
import { enclaveModule } from "./enclave.ts";
import { pureModules } from "./pure.ts";
import { readModules } from "./reads.ts";
import { requestsModule } from "./requests.ts";
import { sealPolicyModule } from "./seal-policy.ts";
import { stateModule } from "./state.ts";
import { tenancyModule } from "./tenancy.ts";
import { workersModule } from "./workers.ts";

/**
 * Where the devnet publishes `k8s_daas`: a fixed id, so a local setup's config never
 * changes between runs. ("k8sdaas" in ASCII.)
 */
export const DEVNET_PACKAGE_ID = normalizeSuiAddress("0x6b38736461617300");

/**
 * The `k8s_daas` package as the devnet runs it. `enclave::register_enclave` takes the
 * document of the devnet's `0x2::nitro_attestation` twin (framework/nitro-attestation.ts);
 * local clusters without Nitro hardware use `register_dev_enclave`. The read-only accessors (`requests::status`, `tenancy::owner`,
 * ...) and the object-free helpers (`requests::pod_manifest`, `messages::request_result`, ...)
 * are callable too, as any `public fun` is from a PTB.
 */
export function k8sDaasPackage(packageId: string = DEVNET_PACKAGE_ID): MovePackage {
  const reads = readModules(packageId);
  const pure = pureModules();
  return {
    id: packageId,
    modules: {
      cluster: { ...clusterModule(packageId), ...reads.cluster },
      enclave: enclaveModule(packageId),
      tenancy: { ...tenancyModule(packageId), ...reads.tenancy },
      requests: { ...requestsModule(packageId), ...reads.requests, ...pure.requests },
      workers: { ...workersModule(packageId), ...reads.workers },
      state: stateModule(packageId),
      billing: billingModule(packageId),
      seal_policy: sealPolicyModule(packageId),
      events: pure.events,
      messages: pure.messages,
      names: pure.names,
    },
    // `key` without `store`: a NamespaceCap moves only through `transfer_namespace`, which
    // keeps the owner record right; the Cluster is shared.
    keyOnlyTypes: [objectType(packageId, "Cluster"), objectType(packageId, "NamespaceCap")],
    // Plain `u64` error constants: the chain reports module and code, never the name
    // (clients map codes with `src/protocol`'s ABORT_CODES).
    cleverErrors: false,
  };
}
