/** Stable error codes of kube-testenv; callers branch on `code`, never on message text. */
export type TestenvErrorCode =
  | "TESTENV_GO_MISSING"
  | "TESTENV_BUILD_FAILED"
  | "TESTENV_CERTS_FAILED"
  | "TESTENV_ALREADY_RUNNING"
  | "TESTENV_DATA_DIR_BUSY"
  | "TESTENV_COMPONENT_EXITED"
  | "TESTENV_NOT_READY"
  | "TESTENV_NOT_RUNNING"
  | "TESTENV_STOP_FAILED"
  | "TESTENV_BAD_STATE";

export class TestenvError extends Error {
  readonly code: TestenvErrorCode;

  constructor(code: TestenvErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TestenvError";
    this.code = code;
  }
}
