// Framework checkouts older than the compiler (e.g. Sui 1.56) declare
// `sui::test_utils::destroy` as a native function; the 1.71 VM inside the WASM build no
// longer provides that native but does provide `std::unit_test::destroy`. We bridge the old
// declaration to the new native in memory, leaving the checkout on disk untouched.

const OLD_NATIVE = /public native fun destroy<T>\(x: T\);/;
const BRIDGED = "public fun destroy<T>(x: T) { std::unit_test::destroy(x) }";
const STD_NATIVE = "public native fun destroy<T>(x: T);";
const UNIT_TEST = "sources/unit_test.move";
const TEST_UTILS = "sources/test/test_utils.move";

/** Returns `files` of framework package `name` with the destroy bridge applied if needed. */
export function bridgeTestUtilsDestroy(
  name: string,
  files: Record<string, string>,
): Record<string, string> {
  if (name === "move-stdlib") {
    const unitTest = files[UNIT_TEST];
    if (unitTest === undefined || /\bfun destroy</.test(unitTest)) return files;
    return { ...files, [UNIT_TEST]: `${unitTest.trimEnd()}\n\n${STD_NATIVE}\n` };
  }
  if (name === "sui-framework") {
    const testUtils = files[TEST_UTILS];
    if (testUtils === undefined || !OLD_NATIVE.test(testUtils)) return files;
    return { ...files, [TEST_UTILS]: testUtils.replace(OLD_NATIVE, BRIDGED) };
  }
  return files;
}
