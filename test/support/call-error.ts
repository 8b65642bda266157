/** The FirebaseError code of a rejected call (e.g. "functions/invalid-argument"). */
export async function callError(
  p: Promise<unknown>,
): Promise<{ code: string; message: string; details: unknown }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code: string; message: string; details: unknown };
    return { code: e.code, message: e.message, details: e.details };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
