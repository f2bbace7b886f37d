import { bcs } from "@mysten/sui/bcs";
import { normalizeStructTag } from "@mysten/sui/utils";
import type { MovePackage } from "../move-runtime.ts";
import type { WorkingSet } from "../working-set.ts";
import { checkAgainstTwin } from "./interface.ts";

/** `0x2::package::UpgradeCap`, which a Publish returns to the transaction. */
export const UPGRADE_CAP_TYPE = normalizeStructTag("0x2::package::UpgradeCap");

/** Sui's UpgradeCap: its UID, the package it may upgrade, that package's version, the policy. */
export const UpgradeCapLayout = bcs.struct("UpgradeCap", {
  id: bcs.Address,
  package: bcs.Address,
  version: bcs.u64(),
  policy: bcs.u8(),
});

/** Sui's `UpgradePolicy::COMPATIBLE`, the policy of a freshly published package. */
const COMPATIBLE_POLICY = 0;

/** The object type the devnet stores packages under (as Sui's gRPC API names it). */
export const PACKAGE_OBJECT_TYPE = "package";

/** A package's stored contents: its modules, as the Publish carried them. */
const PackageContents = bcs.vector(bcs.byteVector());

/**
 * A package the devnet can host when it is published: it implements the package's rules in
 * TypeScript for any package id.
 */
export interface PublishableTwin {
  instantiate(packageId: string): MovePackage;
}

/**
 * Runs a Publish command: refuses modules that are not the twin's package (PublishRefusal),
 * creates the immutable package object under a fresh id and the UpgradeCap, owned by the
 * sender until the transaction transfers it. Returns both ids.
 */
export function publishPackage(
  working: WorkingSet,
  command: { modules: Uint8Array[]; dependencies: string[] },
  sender: string,
  newId: () => string,
  twin: PublishableTwin,
): { packageId: string; capId: string } {
  const packageId = newId();
  checkAgainstTwin(command.modules, command.dependencies, twin.instantiate(packageId));
  working.create(
    packageId,
    PACKAGE_OBJECT_TYPE,
    PackageContents.serialize(command.modules).toBytes(),
    { kind: "immutable" },
  );
  const capId = newId();
  working.create(
    capId,
    UPGRADE_CAP_TYPE,
    UpgradeCapLayout.serialize({
      id: capId,
      package: packageId,
      version: 1n,
      policy: COMPATIBLE_POLICY,
    }).toBytes(),
    { kind: "address", address: sender },
  );
  return { packageId, capId };
}
