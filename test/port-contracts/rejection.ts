// What a port call failed with, shared by the port contracts: they assert the error's code and message
// on whatever the adapter or fake threw, and a call that succeeds fails the test.
export async function rejectionOf(work: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await work;
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected the call to fail');
}
