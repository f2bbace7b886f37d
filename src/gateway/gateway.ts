import type { Signer } from "@mysten/sui/cryptography";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import type { ControlTransport } from "../chain/control-transport.ts";
import { ChainWriter } from "./chain-writer.ts";
import type { ControlTarget } from "./control-link.ts";
import { KubeSession } from "./kube-session.ts";
import { type GatewayServer, startGatewayServer } from "./server.ts";

export interface GatewayOptions {
  client: SuiGrpcClient;
  signer: Signer;
  packageId: string;
  clusterId: string;
  /** How to reach nautilus-control: pinned to the enclave's TLS key on chain (`controlTransport`). */
  control: ControlTransport;
  dataDir: string;
  address: string;
  port: number;
  noSeal: boolean;
  priority: number;
  fee?: bigint;
  log: (line: string) => void;
}

/** Starts `k8s-daas proxy`: the tenant's Kubernetes API endpoint, backed by the chain. */
export async function startGateway(options: GatewayOptions): Promise<GatewayServer> {
  const control: ControlTarget = {
    transport: options.control,
    clusterId: options.clusterId,
    signer: options.signer,
  };
  const writer = new ChainWriter({
    client: options.client,
    signer: options.signer,
    packageId: options.packageId,
    clusterId: options.clusterId,
    control,
    dataDir: options.dataDir,
    noSeal: options.noSeal,
    priority: options.priority,
    ...(options.fee !== undefined ? { fee: options.fee } : {}),
    log: options.log,
  });
  return startGatewayServer({
    address: options.address,
    port: options.port,
    control,
    session: new KubeSession(control),
    writer,
    log: options.log,
  });
}
