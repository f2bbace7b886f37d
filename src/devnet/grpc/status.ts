import { GrpcStatusCode } from "@mysten/sui/grpc";

/**
 * A gRPC status the devnet answers with. Handlers throw it; the server turns it into
 * `grpc-status` / `grpc-message` trailers, so SDK callers see a `RpcError` with this code.
 */
export class GrpcStatusError extends Error {
  readonly status: GrpcStatusCode;

  constructor(status: GrpcStatusCode, message: string) {
    super(message);
    this.name = "GrpcStatusError";
    this.status = status;
  }
}

export const invalidArgument = (message: string): GrpcStatusError =>
  new GrpcStatusError(GrpcStatusCode.INVALID_ARGUMENT, message);

export const notFound = (message: string): GrpcStatusError =>
  new GrpcStatusError(GrpcStatusCode.NOT_FOUND, message);

export const unimplemented = (method: string): GrpcStatusError =>
  new GrpcStatusError(
    GrpcStatusCode.UNIMPLEMENTED,
    `${method} is not implemented by the k8s-daas devnet`,
  );

export const failedPrecondition = (message: string): GrpcStatusError =>
  new GrpcStatusError(GrpcStatusCode.FAILED_PRECONDITION, message);

export const outOfRange = (message: string): GrpcStatusError =>
  new GrpcStatusError(GrpcStatusCode.OUT_OF_RANGE, message);

export { GrpcStatusCode };
