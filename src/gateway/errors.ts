/**
 * What went wrong in the gateway (sealing, reply keys, a write through the chain), with a
 * stable `code`. `usage` marks a refusal of what the caller asked for (the CLI exits 2 on
 * it), `unavailable` a service that did not answer (exit 3); the proxy turns either into a
 * Kubernetes `Status`.
 */
export class GatewayError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly kind: "failure" | "usage" | "unavailable";

  constructor(
    code: string,
    message: string,
    options: { hint?: string; kind?: GatewayError["kind"]; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "GatewayError";
    this.code = code;
    this.hint = options.hint;
    this.kind = options.kind ?? "failure";
  }
}
