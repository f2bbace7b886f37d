// Refusals of the key server, under the error names `@mysten/seal`'s client maps to its
// typed errors (SealAPIError.#generate): a client sees `NoAccessError` for `NoAccess`, etc.

export type KeyServerErrorCode =
  | "InvalidPTB"
  | "InvalidPackage"
  | "NoAccess"
  | "InvalidSignature"
  | "InvalidSessionSignature"
  | "InvalidCertificate"
  | "InvalidParameter"
  | "InvalidServiceId"
  | "UnsupportedPackageId"
  | "Failure";

const STATUS: Record<KeyServerErrorCode, number> = {
  InvalidPTB: 400,
  InvalidPackage: 400,
  NoAccess: 403,
  InvalidSignature: 403,
  InvalidSessionSignature: 403,
  InvalidCertificate: 403,
  InvalidParameter: 400,
  InvalidServiceId: 400,
  UnsupportedPackageId: 403,
  Failure: 503,
};

export class KeyServerError extends Error {
  readonly code: KeyServerErrorCode;
  constructor(code: KeyServerErrorCode, message: string) {
    super(message);
    this.name = "KeyServerError";
    this.code = code;
  }

  get status(): number {
    return STATUS[this.code];
  }
}
