/**
 * Asks `probe` again and again (every `intervalMs`) until `done` holds for its answer, or `timeoutMs` has passed;
 * returns the last answer either way, so the test's own assertions say what is missing. Tests wait for a fact,
 * never for a fixed time: under load anything can take longer, so the deadline is only a generous bound.
 */
export async function poll<T>(
  probe: () => T | Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 60_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || performance.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
