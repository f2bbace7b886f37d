import { join } from "node:path";
import { GrpcTypes, type RpcTransport } from "@mysten/sui/grpc";
import { handleFaucet } from "./faucet-http.ts";
import { suiFrameworkTwin } from "./framework/nitro-attestation.ts";
import { type ListeningServer, listen } from "./grpc/http-server.ts";
import { inProcessTransport } from "./grpc/in-process.ts";
import { GrpcWebRouter } from "./grpc/router.ts";
import { DEVNET_PACKAGE_ID, k8sDaasPackage } from "./k8s-daas/index.ts";
import { Ledger } from "./ledger.ts";
import type { MovePackage } from "./move-runtime.ts";
import { SEAL_PACKAGE_ID, sealKeyServerPackage } from "./seal-key-server.ts";
import { executionService } from "./services/execution-service.ts";
import { ledgerService } from "./services/ledger-service.ts";
import { stateService } from "./services/state-service.ts";
import { subscriptionService } from "./services/subscription-service.ts";

export { FAUCET_AMOUNT_MIST } from "./faucet-http.ts";
export type {
  MoveArg,
  MoveCallContext,
  MoveFunction,
  MovePackage,
  MoveParam,
} from "./move-runtime.ts";
export { MoveAbort } from "./move-runtime.ts";
export { CLOCK_OBJECT_ID, CoinLayout, SUI_COIN_TYPE } from "./objects.ts";
export { DEVNET_PACKAGE_ID, k8sDaasPackage, SEAL_PACKAGE_ID };

export interface DevnetOptions {
  /** Folder for the ledger's SQLite file; in memory when omitted. */
  dataDir?: string;
  /** Also serve gRPC-web over HTTP (127.0.0.1 unless `host` says otherwise). */
  listen?: { port?: number; host?: string };
  /**
   * Extra Move packages to run (TypeScript implementations of their entry functions);
   * `k8s_daas` is always there, at `DEVNET_PACKAGE_ID`.
   */
  packages?: readonly MovePackage[];
  /**
   * Stops the chain's clock at `stoppedAt` (ms since the epoch): it then moves only through
   * `clock.advance`/`clock.set`, so tests can hit exact times. Runs with the wall clock when
   * omitted.
   */
  clock?: { stoppedAt: number };
  /**
   * PEM of the root `0x2::nitro_attestation::load_nitro_attestation` trusts: the AWS Nitro
   * root when omitted. Tests give their own, since only Nitro hardware gets AWS-signed
   * documents.
   */
  nitroRootPem?: string;
}

export interface Devnet {
  /** For `new SuiGrpcClient({ network: "localnet", transport })` in the same process. */
  readonly transport: RpcTransport;
  /** Set when listening: `http://127.0.0.1:<port>`. */
  readonly url: string | undefined;
  readonly chainId: string;
  /** The `k8s_daas` package id on this devnet. */
  readonly packageId: string;
  readonly clock: { now(): number; advance(ms: number): number; set(ms: number): number };
  /** Mints a SUI coin of `amountMist` to `address`; returns the coin's object id. */
  faucet(address: string, amountMist: bigint): Promise<string>;
  close(): Promise<void>;
}

/** Opens (or reopens, from `dataDir`) a local chain that speaks Sui's gRPC API. */
export async function openDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  const ledger = new Ledger(
    options.dataDir ? join(options.dataDir, "ledger.sqlite") : ":memory:",
    [
      k8sDaasPackage(DEVNET_PACKAGE_ID),
      sealKeyServerPackage(),
      suiFrameworkTwin(
        options.nitroRootPem === undefined ? {} : { nitroRootPem: options.nitroRootPem },
      ),
      ...(options.packages ?? []),
    ],
    options.clock ?? {},
    // A Publish of the compiled k8s_daas package is served by the same rules under its new id.
    { instantiate: k8sDaasPackage },
  );
  const router = new GrpcWebRouter()
    .service(GrpcTypes.LedgerService, ledgerService(ledger))
    .service(GrpcTypes.TransactionExecutionService, executionService(ledger))
    .service(GrpcTypes.StateService, stateService(ledger))
    .service(GrpcTypes.SubscriptionService, subscriptionService(ledger))
    .service(GrpcTypes.MovePackageService, {})
    .service(GrpcTypes.SignatureVerificationService, {})
    .service(GrpcTypes.NameService, {});
  let server: ListeningServer | undefined;
  if (options.listen) {
    server = await listen(
      (request) =>
        new URL(request.url).pathname === "/v2/gas"
          ? handleFaucet(ledger, request)
          : router.handle(request),
      options.listen,
    );
  }
  return {
    transport: inProcessTransport(router),
    url: server?.url,
    chainId: ledger.chainId,
    packageId: DEVNET_PACKAGE_ID,
    clock: ledger.clock,
    faucet: async (address, amountMist) => ledger.faucet(address, amountMist).id,
    close: async () => {
      await server?.close();
      ledger.close();
    },
  };
}
