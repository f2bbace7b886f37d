/** A request as the chain stated it (decoded `K8sAPIRequestEvent`): admission's input. */
export interface TenantRequest {
  requestId: bigint;
  clusterId: string;
  method: string;
  resource: string;
  namespace: string;
  name: string;
  payload: Uint8Array;
  /** `payload` is sealed to the enclave's encryption key (the event's `sealed` flag). */
  sealed?: boolean;
  priority: number;
  requester: string;
}
