import { randomBytes } from 'node:crypto';
import { defineFaults, FAULT_HEADER } from '@kakehashi/core';
import { freshEcKey } from '../crypto/ec-key.ts';
import { type HolderWallet, keyBindingJwt, type PresentationRequest } from './holder-wallet.ts';

/**
 * The forging holder (the security lab's `wallet.vp-*`): faults of the wallet side. Each makes a presentation with
 * exactly one defect — or posts it where it does not belong — and names the W rule a strict verifier fails. They
 * are honoured by the headless holder that is asked for one: the attack runner's `verifier` target (one case per
 * fault) and {@link forgeAnswer}; a node offers them (`GET /admin/faults`) so that the runner knows it may ask.
 * Three take their credential from the forging PID provider (`wallet.pid-*`, asked for by the credential request).
 * @see ../../../../../shared/design/eudi-wallet.md
 */
export const HOLDER_FAULTS = defineFaults('wallet', [
  {
    name: 'wallet.vp-replayed',
    kind: 'forge',
    perRequest: true,
    description:
      "The wallet answers a fresh request with the vp_token the same verifier accepted for an earlier request (that request's nonce).",
    rule: 'W10 vp-nonce-invalid',
  },
  {
    name: 'wallet.vp-wrong-nonce',
    kind: 'forge',
    perRequest: true,
    description: "The key binding carries a nonce the verifier never sent (not the request's).",
    rule: 'W10 vp-nonce-invalid',
  },
  {
    name: 'wallet.vp-wrong-audience',
    kind: 'forge',
    perRequest: true,
    description: "The key binding's aud names another verifier (redirect_uri:https://verifier.attacker.invalid/…).",
    rule: 'W11 vp-audience-invalid',
  },
  {
    name: 'wallet.vp-stale-key-binding',
    kind: 'forge',
    perRequest: true,
    description: 'The key binding was made an hour ago (iat).',
    rule: 'W12 vp-key-binding-stale',
  },
  {
    name: 'wallet.vp-no-key-binding',
    kind: 'forge',
    perRequest: true,
    description: 'The presentation carries no KB-JWT (it ends with ~): anyone holding the credential could send it.',
    rule: 'W8 vp-key-binding-missing',
  },
  {
    name: 'wallet.vp-foreign-key-binding',
    kind: 'forge',
    perRequest: true,
    description: "The KB-JWT is signed by another key than the credential's cnf.jwk (a thief's device).",
    rule: 'W9 vp-key-binding-invalid',
  },
  {
    name: 'wallet.vp-tampered-disclosure',
    kind: 'forge',
    perRequest: true,
    description:
      "A disclosed claim's value is changed (its digest no longer among the credential's); the key binding covers the change.",
    rule: 'W7 vp-disclosure-invalid',
  },
  {
    name: 'wallet.vp-added-disclosure',
    kind: 'forge',
    perRequest: true,
    description:
      'A disclosure of a claim the issuer never made (age_over_18: true) is added; the key binding covers it.',
    rule: 'W7 vp-disclosure-invalid',
  },
  {
    name: 'wallet.vp-expired',
    kind: 'forge',
    perRequest: true,
    description: 'The presented PID expired an hour ago (issued with wallet.pid-expired).',
    rule: 'W5 vp-credential-expired',
  },
  {
    name: 'wallet.vp-untrusted-issuer',
    kind: 'forge',
    perRequest: true,
    description:
      'The presented PID is signed by a look-alike key no trusted list knows (issued with wallet.pid-untrusted-key).',
    rule: 'W2 vp-issuer-untrusted',
  },
  {
    name: 'wallet.vp-revoked',
    kind: 'forge',
    perRequest: true,
    description: "The presented PID's status list entry is invalid (issued with wallet.pid-revoked).",
    rule: 'W15 vp-credential-revoked',
  },
  {
    name: 'wallet.vp-wrong-response-uri',
    kind: 'forge',
    perRequest: true,
    description:
      "A presentation made for another verifier's request (its nonce and client_id) is posted to this verifier's response URI.",
    rule: 'W10 vp-nonce-invalid',
  },
] as const);

export type HolderFault = (typeof HOLDER_FAULTS)[number]['name'];

/** The holder faults whose credential the forging PID provider makes, and the PID fault each asks for. */
export const PID_FAULT_OF: Partial<Record<HolderFault, string>> = {
  'wallet.vp-expired': 'wallet.pid-expired',
  'wallet.vp-untrusted-issuer': 'wallet.pid-untrusted-key',
  'wallet.vp-revoked': 'wallet.pid-revoked',
};

/** The audience `wallet.vp-wrong-audience` binds to: a verifier that is not the one asking. */
export const ATTACKER_AUDIENCE = 'redirect_uri:https://verifier.attacker.invalid/wallet/response';

/** The disclosure `wallet.vp-added-disclosure` adds: a claim the PID provider never makes. */
export const ADDED_CLAIM = ['age_over_18', true] as const;

/**
 * A fetch that asks for one PID fault on the credential request (`X-Kakehashi-Fault`): the PID provider then
 * issues that one PID with the defect, leaving its switches off for everyone else.
 */
export function fetchAskingPidFault(fetcher: typeof fetch, pidFault: string): typeof fetch {
  return (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!/\/wallet\/issuer\/credential$/.test(new URL(url).pathname)) return fetcher(input, init);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set(FAULT_HEADER, pidFault);
    return fetcher(input, { ...init, headers });
  };
}

/** What a forgery needs beyond the request it answers. */
export interface ForgeExtras {
  /** `wallet.vp-replayed`: the vp_token an earlier request of the same verifier accepted. */
  previousVpToken?: Record<string, string[]> | undefined;
  /** `wallet.vp-wrong-response-uri`: a request of another verifier (URL or object), the one the presentation is for. */
  otherRequest?: PresentationRequest | string | undefined;
}

/** A forged answer: the request as read (where it is posted) and the vp_token; `note` says what was done. */
export interface ForgedAnswer {
  request: PresentationRequest;
  vpToken: Record<string, string[]>;
  presentation: string;
  note: string;
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const unb64 = (s: string): unknown => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

/**
 * The answer a holder with `fault` makes to `request` (no fault: the genuine one). The credential faults
 * (`wallet.vp-expired`, `-untrusted-issuer`, `-revoked`) present honestly: the wallet must hold the forged PID
 * ({@link fetchAskingPidFault} when it receives it). Post the result with `wallet.respond(answer.request, answer.vpToken)`.
 */
export async function forgeAnswer(
  wallet: HolderWallet,
  request: PresentationRequest | string,
  fault: HolderFault | null,
  extras: ForgeExtras = {},
): Promise<ForgedAnswer> {
  const { request: req, queryId, sdJwt } = await wallet.disclose(request);
  const honest = { aud: req.client_id, nonce: req.nonce };
  const answer = (presentation: string, note: string): ForgedAnswer => ({
    request: req,
    vpToken: { [queryId]: [presentation] },
    presentation,
    note,
  });
  switch (fault) {
    case null:
    case 'wallet.vp-expired':
    case 'wallet.vp-untrusted-issuer':
    case 'wallet.vp-revoked':
      return answer(wallet.bind(sdJwt, honest), fault ? `the PID as ${PID_FAULT_OF[fault]} issued it` : 'genuine');
    case 'wallet.vp-replayed': {
      const previous = extras.previousVpToken;
      const first = previous ? Object.values(previous)[0]?.[0] : undefined;
      if (!first) throw new Error('wallet.vp-replayed needs the vp_token of an earlier request');
      return answer(first, 'the vp_token an earlier request accepted, sent again');
    }
    case 'wallet.vp-wrong-nonce':
      return answer(
        wallet.bind(sdJwt, { ...honest, nonce: randomBytes(24).toString('base64url') }),
        'KB nonce: a fresh random value',
      );
    case 'wallet.vp-wrong-audience':
      return answer(wallet.bind(sdJwt, { ...honest, aud: ATTACKER_AUDIENCE }), `KB aud: ${ATTACKER_AUDIENCE}`);
    case 'wallet.vp-stale-key-binding': {
      const now = kbIat(wallet.bind(sdJwt, honest));
      return answer(wallet.bind(sdJwt, { ...honest, iat: now - 3600 }), 'KB iat: an hour before the wallet clock');
    }
    case 'wallet.vp-no-key-binding':
      return answer(sdJwt, 'no KB-JWT');
    case 'wallet.vp-foreign-key-binding': {
      const thief = freshEcKey();
      const iat = kbIat(wallet.bind(sdJwt, honest));
      return answer(
        `${sdJwt}${keyBindingJwt(sdJwt, { ...honest, iat }, thief.privateKey)}`,
        "KB-JWT signed by a fresh P-256 key, not the credential's cnf.jwk",
      );
    }
    case 'wallet.vp-tampered-disclosure': {
      const parts = sdJwt.split('~');
      const i = parts.findIndex((p, k) => k > 0 && p.length > 0 && Array.isArray(unb64(p)));
      if (i < 0) throw new Error('the presentation discloses nothing to tamper with');
      const d = unb64(parts[i] as string) as unknown[];
      const name = String(d[1]);
      parts[i] = b64([d[0], d[1], typeof d[2] === 'string' ? `${d[2]}-Mallory` : 'Mallory']);
      return answer(wallet.bind(parts.join('~'), honest), `disclosure "${name}" changed after issuance`);
    }
    case 'wallet.vp-added-disclosure': {
      const added = b64([randomBytes(16).toString('base64url'), ...ADDED_CLAIM]);
      return answer(
        wallet.bind(`${sdJwt}${added}~`, honest),
        `disclosure "${ADDED_CLAIM[0]}": ${String(ADDED_CLAIM[1])} added (the issuer never made it)`,
      );
    }
    case 'wallet.vp-wrong-response-uri': {
      if (!extras.otherRequest) throw new Error('wallet.vp-wrong-response-uri needs another verifier’s request');
      const other = await wallet.createPresentation(extras.otherRequest);
      return answer(
        other.presentation,
        `a presentation for ${other.request.client_id} (its nonce), posted to ${req.response_uri}`,
      );
    }
  }
}

/** The `iat` of a presentation's KB-JWT (the wallet's clock), so a forged one is made at the same time. */
function kbIat(presentation: string): number {
  const kb = presentation.split('~').at(-1) ?? '';
  return (unb64(kb.split('.')[1] ?? '') as { iat: number }).iat;
}
