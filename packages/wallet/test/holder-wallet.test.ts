import { describe, expect, it } from 'vitest';
import { HolderWallet, parseRequestUrl } from '../src/holder/holder-wallet.ts';
import { DEFAULT_PID_QUERY } from '../src/verifier/routes.ts';

const base = {
  client_id: 'redirect_uri:https://verifier.example/response',
  response_type: 'vp_token',
  response_mode: 'direct_post',
  response_uri: 'https://verifier.example/response',
  nonce: 'n',
  state: 's',
  dcql_query: DEFAULT_PID_QUERY,
};

describe('the headless holder', () => {
  const posted: string[] = [];
  const wallet = new HolderWallet({
    fetch: (async (url: string) => {
      posted.push(url);
      return Response.json({});
    }) as typeof fetch,
    clock: { now: () => new Date() },
  });

  it('never posts to a response URI other than the redirect_uri: client_id (OpenID4VP §5.9.3)', async () => {
    await expect(wallet.present({ ...base, response_uri: 'https://attacker.example/collect' })).rejects.toThrow(
      /response_uri is not the client_id/,
    );
    expect(posted).toEqual([]);
  });

  it('answers only vp_token with direct_post or direct_post.jwt, and only a query it can satisfy', async () => {
    await expect(wallet.present({ ...base, response_mode: 'fragment' })).rejects.toThrow(/direct_post/);
    await expect(wallet.present(base)).rejects.toThrow(/no credential in the wallet matches the query "pid"/);
    await expect(wallet.present({ ...base, response_mode: 'direct_post.jwt' })).rejects.toThrow(/no credential/);
    expect(posted).toEqual([]);
  });

  it('reads a request URL by value, client_metadata included', () => {
    const url = new URL('openid4vp://');
    for (const [k, v] of Object.entries({ ...base, client_metadata: { jwks: { keys: [] } } }))
      url.searchParams.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    expect(parseRequestUrl(url.toString())).toEqual({ ...base, client_metadata: { jwks: { keys: [] } } });
  });

  it('keeps its device key through exportState and restore', () => {
    const again = HolderWallet.restore(wallet.exportState(), { fetch, clock: { now: () => new Date() } });
    expect(again.publicJwk).toEqual(wallet.publicJwk);
    expect(wallet.exportState().deviceKey.d).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
