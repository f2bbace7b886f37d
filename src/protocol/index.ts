// Public surface of the protocol package: the one place that knows the Move layouts.
export * from "./billing.ts";
export * from "./calls.ts";
export * from "./constants.ts";
export * from "./enclave-user-data.ts";
export * from "./errors.ts";
export * from "./events.ts";
export * from "./join-credential.ts";
export * from "./kube-write.ts";
export * from "./manifests.ts";
export * from "./messages.ts";
export * from "./names.ts";
export * from "./nitro/index.ts";
export * from "./objects.ts";
export * from "./sealed-box.ts";
export * from "./sealed-payload.ts";
export * from "./tls-key-hash.ts";
