// A tiny Move package for the devnet (its entry functions in TypeScript, as the devnet runs
// packages): `pinger::ping(n)` emits `Ping { n, sender }`, `pinger::fail(code)` aborts.
import { bcs } from "@mysten/sui/bcs";
import type { MovePackage } from "../../src/devnet/index.ts";

export const PINGER_ID = "0x00000000000000000000000000000000000000000000000000000000000c0ffe";
export const PING_TYPE = `${PINGER_ID}::pinger::Ping`;
export const Ping = bcs.struct("Ping", { n: bcs.u64(), sender: bcs.Address });

export const pinger: MovePackage = {
  id: PINGER_ID,
  modules: {
    pinger: {
      ping: {
        params: [{ kind: "pure", name: "n", typeName: "u64", layout: bcs.u64() }],
        run(ctx, args) {
          const n = args[0]?.kind === "pure" ? BigInt(args[0].value as string | bigint) : 0n;
          ctx.emit("pinger", "Ping", Ping.serialize({ n, sender: ctx.sender }).toBytes());
          return undefined;
        },
      },
      fail: {
        params: [{ kind: "pure", name: "code", typeName: "u64", layout: bcs.u64() }],
        run(ctx, args) {
          const code = args[0]?.kind === "pure" ? Number(args[0].value) : 0;
          return ctx.abort("pinger", code, "EBoom");
        },
      },
    },
  },
};
