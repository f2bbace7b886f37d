/** A part of a daemon with a start and a stop: a listener, a loop, a timer, a database. */
export interface Service {
  readonly name: string;
  start(): void | Promise<void>;
  stop?(): void | Promise<void>;
}

export class ServiceStartError extends Error {
  readonly code = "SERVICE_START_FAILED";
  readonly service: string;
  constructor(service: string, cause: unknown) {
    super(`${service} failed to start: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = "ServiceStartError";
    this.service = service;
  }
}

/**
 * Starts `services` in order. If one fails, those already started are stopped in reverse
 * order before the error is thrown, so a failed start leaves no timer, listener or loop
 * behind (a caller may retry in the same process). Returns the stop function: every
 * service in reverse order, each stopped even if an earlier stop failed.
 */
export async function startServices(
  services: readonly Service[],
  onStopError: (service: string, error: unknown) => void,
): Promise<() => Promise<void>> {
  const started: Service[] = [];
  const stopAll = async () => {
    for (const service of started.splice(0).reverse()) {
      try {
        await service.stop?.();
      } catch (error) {
        onStopError(service.name, error);
      }
    }
  };
  for (const service of services) {
    try {
      await service.start();
    } catch (error) {
      await stopAll();
      throw new ServiceStartError(service.name, error);
    }
    started.push(service);
  }
  return stopAll;
}
