import { readFile } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";

/** Client TLS material for probing the control plane as the admin user. */
export interface ProbeCredentials {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
}

export async function loadProbeCredentials(
  caFile: string,
  certFile: string,
  keyFile: string,
): Promise<ProbeCredentials> {
  const [ca, cert, key] = await Promise.all([
    readFile(caFile),
    readFile(certFile),
    readFile(keyFile),
  ]);
  return { ca, cert, key };
}

export interface ProbeResult {
  readonly ok: boolean;
  readonly detail: string;
}

const PROBE_TIMEOUT_MS = 5_000;

/**
 * GETs a health endpoint once. Only the API server's certificate is verified against our
 * CA; controller-manager and scheduler serve self-signed loopback certificates, which is
 * acceptable for a health probe that sends no secrets beyond a client certificate.
 */
export function probe(
  url: string,
  credentials: ProbeCredentials,
  verifyServerCertificate: boolean,
): Promise<ProbeResult> {
  const target = new URL(url);
  return new Promise((resolveProbe) => {
    const onResponse = (response: IncomingMessage): void => {
      let body = "";
      response.setEncoding("utf8").on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => {
        const ok = response.statusCode === 200;
        resolveProbe({ ok, detail: `HTTP ${response.statusCode}: ${body.trim().slice(0, 500)}` });
      });
    };
    const request =
      target.protocol === "https:"
        ? httpsRequest(
            target,
            {
              ca: credentials.ca,
              cert: credentials.cert,
              key: credentials.key,
              rejectUnauthorized: verifyServerCertificate,
              timeout: PROBE_TIMEOUT_MS,
            },
            onResponse,
          )
        : httpRequest(target, { timeout: PROBE_TIMEOUT_MS }, onResponse);
    request.on("timeout", () => request.destroy(new Error("probe timed out")));
    request.on("error", (error) => resolveProbe({ ok: false, detail: error.message }));
    request.end();
  });
}
