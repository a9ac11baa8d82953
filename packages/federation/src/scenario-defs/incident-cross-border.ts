import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { jwkThumbprint } from '@kakehashi/core';
import { SignJWT } from 'jose';
import type { Scenario, ScenarioTarget } from '../scenario-runner.ts';

/**
 * Issue 14, scenario 5: the whole chain of a cross-border security incident, through HTTP only — attack →
 * detection → NIS2 reporting → indicator shared through the CSIRT network → another country's defenders acting
 * on it.
 *
 * - `incident-cross-border`: an attacker forges an ID token "from Japan's proxy service" with its own key (J4)
 *   at DE's relying party (its node's validation service); DE records the security event, its CSIRT opens a
 *   significant incident and sends the early warning and the incident notification on time, sharing the key as
 *   a STIX 2.1 indicator (TLP:AMBER); the hub's feed carries it, JP's CSIRT receives it, and Japan's node refuses
 *   the same key afterwards by the rule `csirt-indicator` — even with its embedded-key check made lenient.
 * - `incident-cross-border-missed-deadline`: the same attack; the virtual clock moves 25 hours on before DE's CSIRT
 *   acts, so its early warning reads `missed` and the report it sends is marked late. The clock is set back after.
 *
 * Each run uses a fresh attacker key (a new incident), as real attacks would.
 */

// biome-ignore lint/suspicious/noExplicitAny: scenario steps read free-form JSON member by member
type Json = any;

const ADMIN = { authorization: 'Bearer kakehashi-admin-test-only' };
const RP = 'kakehashi-demo-rp';
/** The lenient twin that would let an embedded key through: Japan refuses by the indicator anyway. */
const LENIENT = 'lenient.id-token.embedded-jwk';

async function call(
  f: ScenarioTarget,
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = ADMIN,
): Promise<Json> {
  const res = await f.fetch(url, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    json = { detail: text.slice(0, 200) };
  }
  if (!res.ok)
    throw new Error(
      `${method} ${new URL(url).pathname} answered ${res.status}: ${json.code ?? ''} ${json.detail ?? ''}`,
    );
  return json;
}

const attackers = new Map<string, { privateKey: KeyObject; jwk: Record<string, unknown>; thumbprint: string }>();

/** A fresh attacker key for this run (kept by its thumbprint in the run's state). */
function newAttacker(): string {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const thumbprint = jwkThumbprint(jwk) as string;
  attackers.set(thumbprint, { privateKey, jwk, thumbprint });
  return thumbprint;
}

/** An ID token "issued by" `issuer`, signed with the attacker's key and carrying it in the header (J4). */
async function forge(f: ScenarioTarget, thumbprint: string, issuer: string): Promise<string> {
  const attacker = attackers.get(thumbprint);
  if (!attacker) throw new Error('the attacker key of this run is gone (run the scenario from its first step)');
  const now = Math.floor(Date.parse((await call(f, 'GET', `${f.urls.hub}/health`, undefined, {})).time) / 1000);
  return new SignJWT({ nonce: `n-${now}`, acr: 'http://eidas.europa.eu/LoA/high' })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', jwk: attacker.jwk })
    .setIssuer(issuer)
    .setSubject('attacker-chosen-subject')
    .setAudience(RP)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(attacker.privateKey);
}

async function validateAt(f: ScenarioTarget, node: string, token: string, issuer: string): Promise<Json> {
  return call(f, 'POST', `${node}/eid/validate/id-token`, { token, expected: { issuer, audience: RP } }, {});
}

/** DE's incident that names the run's attacker key. */
async function incidentOf(f: ScenarioTarget, thumbprint: string): Promise<Json> {
  const csirt = await call(f, 'GET', `${f.urls.nodes.DE}/csirt`);
  const view = csirt.incidents.find((v: Json) => v.incident.identifiers.keyThumbprint?.includes(thumbprint));
  if (!view) throw new Error(`DE's CSIRT has no incident naming key ${thumbprint}`);
  return view;
}

const attackSteps = (): Scenario['steps'] => [
  {
    title:
      "An attacker forges an ID token of Japan's proxy service with its own key at DE's relying party: refused (J4)",
    titleJa: '攻撃者が自分の鍵で日本のプロキシサービスの ID トークンを偽造し、ドイツの RP に送る: 拒否（J4）',
    async run(f, state) {
      if (!f.urls.nodes.DE || !f.urls.nodes.JP) throw new Error('this scenario needs nodes DE and JP');
      const thumbprint = newAttacker();
      state.thumbprint = thumbprint;
      const forged = await forge(f, thumbprint, f.urls.nodes.JP);
      const verdict = await validateAt(f, f.urls.nodes.DE, forged, f.urls.nodes.JP);
      if (verdict.valid !== false) throw new Error('DE accepted the forged token');
      return `refused by ${verdict.failure?.rule} (${verdict.failure?.code})`;
    },
  },
  {
    title: 'DE detects it: a security event naming the rule and the attacker key — no token, no personal data',
    titleJa: 'ドイツが検知する: 違反したルールと攻撃者の鍵を示すセキュリティイベント — トークンも個人データも含まない',
    async run(f, state) {
      const events = (await call(f, 'GET', `${f.urls.nodes.DE}/security/events?severity=high`)).events as Json[];
      const e = events.find((x) => x.detail.keyThumbprint === state.thumbprint);
      if (!e) throw new Error('no security event names the attacker key');
      return `${e.rule} (${e.severity}) at ${e.time}, peer ${e.peer}, key ${String(state.thumbprint).slice(0, 12)}…, artefact sha256 ${String(e.artefactHash).slice(0, 12)}…`;
    },
  },
  {
    title: "DE's CSIRT groups it into a significant incident: NIS2 art. 23 starts, the early warning is due in 24 h",
    titleJa: 'ドイツの CSIRT が重大インシデントとしてまとめる: NIS2 第 23 条の期限が始まり、早期警告は 24 時間以内',
    async run(f, state) {
      const view = await incidentOf(f, state.thumbprint as string);
      state.incident = view.incident.id;
      const ew = view.process.find((s: Json) => s.kind === 'early-warning');
      if (!view.incident.awareAt || ew?.status !== 'due')
        throw new Error(`the process did not start: ${JSON.stringify(ew)}`);
      return `${view.incident.id}: ${view.incident.significantBecause.join(', ')}; aware ${view.incident.awareAt}, early warning due ${ew.dueAt}`;
    },
  },
];

export const INCIDENT_CROSS_BORDER_SCENARIOS: Record<string, Scenario> = {
  'incident-cross-border': {
    description:
      "A forged ID token at DE → DE's security event → NIS2 early warning and notification on time → the key shared as a STIX indicator through the CSIRT network → JP's node refuses the same key (rule csirt-indicator).",
    steps: [
      ...attackSteps(),
      {
        title: "DE's CSIRT sends the early warning on time (art. 23(4)(a)): malicious? cross-border?",
        titleJa: 'ドイツの CSIRT が期限内に早期警告を送る（第 23 条 4 項 (a)）: 悪意はあるか、国境を越えるか',
        async run(f, state) {
          const r = await call(f, 'POST', `${f.urls.nodes.DE}/csirt/incidents/${state.incident}/reports`, {
            kind: 'early-warning',
          });
          if (r.late) throw new Error('the early warning was late');
          return `sent ${r.sentAt} (due ${r.dueAt}); malicious: ${r.document.suspectedUnlawfulOrMalicious}, member states: ${r.document.memberStatesPossiblyAffected.join(', ') || 'none'}`;
        },
      },
      {
        title: '…and the incident notification within 72 h (art. 23(4)(b)), sharing the key as STIX 2.1 (TLP:AMBER)',
        titleJa: '…そして 72 時間以内にインシデント通知（第 23 条 4 項 (b)）、鍵を STIX 2.1（TLP:AMBER）で共有',
        async run(f, state) {
          const r = await call(f, 'POST', `${f.urls.nodes.DE}/csirt/incidents/${state.incident}/reports`, {
            kind: 'notification',
            impact: 'No login was accepted: every forged token was refused.',
            tlp: 'amber',
          });
          const iocs = r.document.indicatorsOfCompromise;
          if (!iocs || iocs.count < 1) throw new Error('the notification shared no indicator');
          return `sent ${r.sentAt}; ${iocs.count} indicator(s) in ${iocs.bundle}`;
        },
      },
      {
        title: "The hub's CSIRT network feed carries the indicator as STIX 2.1 with its TLP 2.0 marking",
        titleJa: 'ハブの CSIRT ネットワークのフィードが、指標を TLP 2.0 の表示付き STIX 2.1 で配信する',
        async run(f, state) {
          const res = await f.fetch(`${f.urls.hub}/csirt/feed?country=DE&type=indicator,marking-definition`, {
            headers: ADMIN,
          });
          const bundle = (await res.json()) as Json;
          const indicator = (bundle.objects ?? []).find(
            (o: Json) => o.type === 'indicator' && String(o.pattern).includes(state.thumbprint as string),
          );
          if (!indicator) throw new Error('the feed has no indicator for the key');
          state.indicator = indicator.id;
          return `${res.headers.get('content-type')}: ${indicator.id}, pattern ${indicator.pattern.slice(0, 48)}…, ${bundle.objects.find((o: Json) => o.id === indicator.object_marking_refs[0])?.name}`;
        },
      },
      {
        title: "JP's CSIRT received it and acts on it (voluntary regime: no deadline of its own)",
        titleJa: '日本の CSIRT が受け取り、対処する（任意の枠組み: 独自の期限はない）',
        async run(f, state) {
          const jp = await call(f, 'GET', `${f.urls.nodes.JP}/csirt`);
          const got = jp.received.find((r: Json) => r.indicator === state.indicator);
          if (!got?.acted) throw new Error(`JP did not act on ${state.indicator}`);
          return `${got.action} (from ${got.from}, ${got.tlp}, received ${got.receivedAt}); regime ${jp.regime}`;
        },
      },
      {
        title:
          "Japan's node refuses the same key afterwards by the named rule csirt-indicator — even made lenient for J4",
        titleJa: 'その後、日本のノードは同じ鍵をルール csirt-indicator で拒否する — J4 を緩めていても',
        async run(f, state) {
          const jp = f.urls.nodes.JP as string;
          await call(f, 'PUT', `${jp}/admin/faults`, { enable: [LENIENT] });
          try {
            const verdict = await validateAt(f, jp, await forge(f, state.thumbprint as string, jp), jp);
            if (verdict.failure?.rule !== 'csirt-indicator')
              throw new Error(`JP did not refuse by the indicator: ${JSON.stringify(verdict.failure)}`);
            const events = (await call(f, 'GET', `${jp}/security/events?rule=csirt-indicator`)).events as Json[];
            if (!events.some((e) => e.detail.indicator === state.indicator))
              throw new Error('the refusal is not a security event naming the indicator');
            return `refused: ${verdict.failure.reason.slice(0, 120)}`;
          } finally {
            await call(f, 'PUT', `${jp}/admin/faults`, { disable: [LENIENT] });
          }
        },
      },
    ],
  },
  'incident-cross-border-missed-deadline': {
    description:
      "The same forged ID token at DE; the virtual clock moves 25 hours on before DE's CSIRT acts: the NIS2 early warning reads missed and the report it then sends is marked late.",
    steps: [
      ...attackSteps(),
      {
        title: 'Time travel: the virtual clock moves 25 hours on (every node with it)',
        titleJa: '時刻移動: 仮想時刻を 25 時間進める（全ノードも一緒に）',
        async run(f, state) {
          const before = await call(f, 'GET', `${f.urls.hub}/admin/clock`);
          state.clockBefore = before.now;
          state.clockFrozen = String(before.frozen);
          const after = await call(f, 'POST', `${f.urls.hub}/admin/clock`, { action: 'advance', by: '25h' });
          return `${before.now} → ${after.now}`;
        },
      },
      {
        title: "DE's CSIRT shows the early warning as missed",
        titleJa: 'ドイツの CSIRT が早期警告を期限切れと表示する',
        async run(f, state) {
          const view = await incidentOf(f, state.thumbprint as string);
          const ew = view.process.find((s: Json) => s.kind === 'early-warning');
          if (ew?.status !== 'missed') throw new Error(`the early warning reads ${ew?.status}`);
          return `early warning due ${ew.dueAt}: missed; notification due ${view.process[1].dueAt}: ${view.process[1].status}`;
        },
      },
      {
        title: 'The early warning sent now is marked late; the clock is set back',
        titleJa: '今送った早期警告は遅延と記録される。時刻を元に戻す',
        async run(f, state) {
          try {
            const r = await call(f, 'POST', `${f.urls.nodes.DE}/csirt/incidents/${state.incident}/reports`, {
              kind: 'early-warning',
            });
            if (!r.late) throw new Error('the late early warning is not marked late');
            return `sent ${r.sentAt}, due ${r.dueAt}: late`;
          } finally {
            await call(f, 'POST', `${f.urls.hub}/admin/clock`, {
              action: 'set',
              at: state.clockBefore,
              frozen: state.clockFrozen === 'true',
            });
          }
        },
      },
    ],
  },
};
