// The tenant side of the Kubernetes API: `k8s-daas proxy` (writes become signed on-chain
// requests, reads go to nautilus-control's signed API) and what the CLI shares with it
// (sealing, reply keys, transaction execution).
export { GatewayError } from "./errors.ts";
export { executeTransaction } from "./execute-transaction.ts";
export { type GatewayOptions, startGateway } from "./gateway.ts";
export { type HeldNamespace, listHeldNamespaces } from "./held-namespaces.ts";
export { type ProxyContext, writeProxyContext } from "./kubeconfig.ts";
export { openResult, ReplyKeys, type ResultDocument } from "./reply-keys.ts";
export {
  decideSealing,
  type PlainCall,
  type SealedCall,
  type SealingDecision,
  sealCall,
} from "./sealing.ts";
export type { GatewayServer } from "./server.ts";
