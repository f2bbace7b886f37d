import { isValidSuiAddress, normalizeSuiAddress } from "@mysten/sui/utils";
import type { Ledger } from "./ledger.ts";

/** What one faucet request mints: 100 SUI, plenty for local work. */
export const FAUCET_AMOUNT_MIST = 100_000_000_000n;

/**
 * Sui's faucet API (`POST /v2/gas {"FixedAmountRequest":{"recipient"}}`), so the SDK's
 * `requestSuiFromFaucetV2` works against the devnet unchanged.
 */
export async function handleFaucet(ledger: Ledger, request: Request): Promise<Response> {
  if (request.method !== "POST") return failure(405, "use POST /v2/gas");
  let recipient: unknown;
  try {
    const body = (await request.json()) as { FixedAmountRequest?: { recipient?: unknown } };
    recipient = body.FixedAmountRequest?.recipient;
  } catch {
    return failure(400, 'body must be JSON: {"FixedAmountRequest":{"recipient":"0x…"}}');
  }
  if (typeof recipient !== "string" || !isValidSuiAddress(normalizeSuiAddress(recipient))) {
    return failure(400, "FixedAmountRequest.recipient must be a Sui address");
  }
  const coin = ledger.faucet(recipient, FAUCET_AMOUNT_MIST);
  return Response.json({
    status: "Success",
    coins_sent: [
      {
        amount: Number(FAUCET_AMOUNT_MIST),
        id: coin.id,
        transferTxDigest: coin.previousTransaction,
      },
    ],
  });
}

function failure(status: number, internal: string): Response {
  return Response.json({ status: { Failure: { internal } }, coins_sent: null }, { status });
}
