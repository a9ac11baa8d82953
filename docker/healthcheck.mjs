// Container health: GET /health of one component of this container, on its bind address (not its public URL,
// which may be a proxy's). Usage: node healthcheck.mjs [offset] — the component on KAKEHASHI_PORT + offset
// (the hub 0, the nodes after it in the fixed country order: AT 1, DE 2, EE 3, ES 4, FR 5, IT 6, JP 7).
const offset = Number(process.argv[2] ?? 0);
const port = Number(process.env.KAKEHASHI_PORT || 7000) + offset;
const bind = process.env.KAKEHASHI_HOST || '127.0.0.1';
const host = bind === '0.0.0.0' ? '127.0.0.1' : bind === '::' ? '[::1]' : bind.includes(':') ? `[${bind}]` : bind;
try {
  const res = await fetch(`http://${host}:${port}/health`, { signal: AbortSignal.timeout(5000) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
