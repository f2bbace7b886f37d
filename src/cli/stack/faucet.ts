import { createSuiClient } from "../../chain/index.ts";
import { CliError } from "../errors.ts";

/** Below this balance `up` asks the devnet's faucet for more (it mints 100 SUI a request). */
const LOW_BALANCE_MIST = 10_000_000_000n;

/** Tops up `address` from the devnet faucet (`POST /v2/gas`) when its balance is low. */
export async function fundFromFaucet(chainUrl: string, address: string): Promise<void> {
  const client = createSuiClient(chainUrl);
  const { balance } = await client.getBalance({ owner: address });
  if (BigInt(balance.balance) >= LOW_BALANCE_MIST) return;
  const response = await fetch(`${chainUrl}/v2/gas`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ FixedAmountRequest: { recipient: address } }),
  });
  if (!response.ok) {
    throw new CliError(
      "FAUCET_FAILED",
      `the faucet at ${chainUrl}/v2/gas refused: ${await response.text()}`,
    );
  }
}
