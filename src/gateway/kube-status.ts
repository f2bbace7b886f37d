// The gateway's own refusals, in the shape every Kubernetes client understands: a `Status`
// whose message starts with our stable code (`NAMESPACE_NOT_OWNED: …`), the same builder
// nautilus-control's /v2 API answers its refusals with.
import { type KubeStatus, kubeStatus } from "../k8s/index.ts";

export { type KubeStatus, kubeStatus };

/** A refusal the gateway answers with, before or instead of anything reaching the chain. */
export class KubeRefusal extends Error {
  readonly httpStatus: number;
  readonly code: string;

  constructor(httpStatus: number, code: string, message: string) {
    super(message);
    this.name = "KubeRefusal";
    this.httpStatus = httpStatus;
    this.code = code;
  }

  toStatus(): KubeStatus {
    return kubeStatus(this.httpStatus, this.code, this.message);
  }
}
