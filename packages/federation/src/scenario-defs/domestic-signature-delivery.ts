import { randomUUID } from 'node:crypto';
import type { Scenario, ScenarioTarget } from '../scenario-runner.ts';

/**
 * Issue 7, scenarios 3–5: compositions of finished building blocks, through their HTTP APIs only.
 *
 * - `jp-child-allowance`: Japan's Cooperation Network — a mediated query between two agencies that know the
 *   person under different codes, its refused variant outside the authorisation matrix, and the citizen's view.
 * - `at-contract-in-japan`: eSignature — an Austrian agency's contract validated in Japan before and after the
 *   signer's certificate is revoked (virtual clock).
 * - `delivery-outage`: eDelivery — a message that survives a receiver outage by reception awareness (retries on
 *   the virtual clock), delivered exactly once, with its receipt checked.
 *
 * What they change in a federation that keeps running (the console runs scenarios against it): the JP scenario
 * adds access records (as any clerk would); the signature scenario advances the clock by two days and revokes one
 * Austrian agency certificate per run (it picks one not revoked yet; after five runs that nobody undid none is
 * left and it says so — the console and the CLI undo both: `runScenarioReversibly`); the delivery scenario advances the clock by about a minute, adds (once) the P-Mode
 * `kakehashi-scenario-patient-notification` to the two access points and switches Austria's receiver off and on.
 */

const ADMIN = { authorization: 'Bearer kakehashi-admin-test-only' };

// biome-ignore lint/suspicious/noExplicitAny: scenario steps read free-form JSON member by member
type Json = any;

/** One JSON call; throws a readable error (method, path, status, problem detail) unless the status is 2xx. */
async function call(
  f: ScenarioTarget,
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Json }> {
  const res = await f.fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: Json;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { text: text.slice(0, 200) };
  }
  if (!res.ok)
    throw new Error(
      `${method} ${new URL(url).pathname} answered ${res.status}: ${parsed.detail ?? JSON.stringify(parsed).slice(0, 300)}`,
    );
  return { status: res.status, body: parsed };
}

const node = (f: ScenarioTarget, cc: string): string => {
  const url = f.urls.nodes[cc];
  if (!url) throw new Error(`this federation has no node ${cc} (countries: ${Object.keys(f.urls.nodes).join(', ')})`);
  return url;
};

const short = (code: string) => `${code.slice(0, 14)}…`;

// ---- scenario 3: Japan's Cooperation Network ------------------------------------------------------------------

const CITY = 'setagaya-city';
const TAX = 'national-tax-agency';
const PROCEDURE = 'child-allowance';

interface Subject {
  internal_id: string;
  code: string | null;
  name: string | null;
  date_of_birth: string | null;
}

const jpChildAllowance: Scenario = {
  description:
    "Japan's Cooperation Network: Setagaya City asks the National Tax Agency for a parent's income (child allowance) under its own code; the network translates, checks the matrix and records; a request outside the matrix is refused; the citizen sees both on the portal",
  steps: [
    {
      title: 'The city and the tax agency each know the citizen under their own code (no My Number in either table)',
      titleJa: '市と国税庁は、それぞれ自分の機関別符号で住民を識別する（どちらの台帳にも個人番号はない）',
      run: async (f, st) => {
        const jp = node(f, 'JP');
        const personas = (await call(f, 'GET', `${jp}/personas`)).body as Json[];
        const city = (await call(f, 'GET', `${jp}/admin/jp/agencies/${CITY}/subjects`, undefined, ADMIN)).body
          .subjects as Subject[];
        const tax = (await call(f, 'GET', `${jp}/admin/jp/agencies/${TAX}/subjects`, undefined, ADMIN)).body
          .subjects as Subject[];
        const same = (s: Subject, p: Json) =>
          s.name === p.fourFacts?.name && s.date_of_birth === p.fourFacts?.dateOfBirth && s.code;
        for (const p of personas) {
          const c = city.find((s) => same(s, p));
          const t = tax.find((s) => same(s, p));
          if (!c?.code || !t?.code) continue;
          if (c.code === t.code) throw new Error(`both agencies hold the same code for ${p.id}: codes must differ`);
          const tables = JSON.stringify([c, t]);
          if (p.myNumber && tables.includes(p.myNumber)) throw new Error('an agency table holds the My Number');
          Object.assign(st, {
            personaId: p.id,
            cityInternalId: c.internal_id,
            cityCode: c.code,
            taxCode: t.code,
          });
          return `${p.id} (${p.fourFacts.name}, born ${p.fourFacts.dateOfBirth}): Setagaya City record ${c.internal_id} ↔ code ${short(c.code)}; National Tax Agency record ${t.internal_id} ↔ code ${short(t.code)} — two unrelated codes, the My Number in neither table`;
        }
        throw new Error('no persona is linked at both Setagaya City and the National Tax Agency');
      },
    },
    {
      title:
        'A city clerk asks for the income (child allowance, income ceiling): the network mediates, the tax agency answers',
      titleJa: '市の職員が所得を照会する（児童手当の所得制限）: ネットワークが仲介し、国税庁が回答する',
      run: async (f, st) => {
        const jp = node(f, 'JP');
        const r = (
          await call(
            f,
            'POST',
            `${jp}/admin/jp/agencies/${CITY}/queries`,
            {
              internalId: st.cityInternalId,
              procedure: PROCEDURE,
              provider: TAX,
              items: ['income'],
              purpose: 'child allowance: income ceiling check',
            },
            ADMIN,
          )
        ).body;
        if (r.outcome !== 'provided') throw new Error(`refused: ${r.refusal?.code} ${r.refusal?.reason ?? ''}`.trim());
        if (!r.data || !('income' in r.data)) throw new Error('the answer has no income item');
        st.requestId = r.requestId;
        st.income = JSON.stringify(r.data.income);
        return `provided (request ${r.requestId}): income = ${st.income}, sealed end to end from the tax agency's intermediary server to the city's`;
      },
    },
    {
      title: "On the wire the city presented its code and the network forwarded the tax agency's own code",
      titleJa: '通信上、市は自分の符号を示し、ネットワークは国税庁の符号に置き換えて転送した',
      run: async (f, st) => {
        const provision = await findJpHop(
          f,
          `→ ${TAX}: POST /jp/agencies/${TAX}/intermediary/provision`,
          st.requestId,
          st.traceId,
        );
        const query = await findJpHop(f, `${CITY} → network: POST /jp/network/queries`, st.requestId, st.traceId);
        const presented = query?.artefact?.request?.code;
        const forwarded = provision?.artefact?.request?.code;
        if (presented !== st.cityCode) throw new Error("the query did not carry the city's own code");
        if (forwarded !== st.taxCode) throw new Error('the provider did not receive its own code for the person');
        if (JSON.stringify(provision.artefact.request).includes(presented))
          throw new Error("the provider saw the requester's code");
        return `city → network: code ${short(presented)}; network → tax agency: code ${short(forwarded)} (the requester's code never reaches the provider; the items travel sealed)`;
      },
    },
    {
      title: "The network's access record (who, why, legal basis, items) and the tax agency's provider copy",
      titleJa: 'ネットワークのアクセス記録（誰が・何のために・法的根拠・項目）と国税庁側の提供記録',
      run: async (f, st) => {
        const jp = node(f, 'JP');
        const net = (await call(f, 'GET', `${jp}/admin/jp/network/records`, undefined, ADMIN)).body;
        const rec = (net.records as Json[]).find((r) => r.requestId === st.requestId);
        if (!rec) throw new Error('no network record for the request');
        if (rec.outcome !== 'provided' || !rec.legalBasis) throw new Error('the network record is incomplete');
        const prov = (await call(f, 'GET', `${jp}/admin/jp/agencies/${TAX}/records`, undefined, ADMIN)).body;
        const copy = (prov.records as Json[]).find((r) => r.requestId === st.requestId && r.copy === 'provider');
        if (copy?.outcome !== 'provided') throw new Error('no provider copy at the tax agency');
        if (!net.verification.valid || !prov.verification.valid) throw new Error('a record chain does not verify');
        return `${rec.requester.name} → ${rec.provider.name}; "${rec.procedure.name}" (${rec.procedure.nameLocal}); rule ${rec.ruleId}; ${rec.legalBasis}; items ${rec.items.join(', ')}; requested ${rec.requestedAt}, provided ${rec.providedAt}; provider copy provided at ${copy.providedAt}; both hash chains verify`;
      },
    },
    {
      title: 'Refused variant: for child allowance the city asks whether a tax return was filed — outside the matrix',
      titleJa: '拒否される例: 児童手当の事務で市が確定申告の有無を照会する — 情報連携の対象外',
      run: async (f, st) => {
        const jp = node(f, 'JP');
        const r = (
          await call(
            f,
            'POST',
            `${jp}/admin/jp/agencies/${CITY}/queries`,
            {
              internalId: st.cityInternalId,
              procedure: PROCEDURE,
              provider: TAX,
              items: ['income-tax-return-filed'],
            },
            ADMIN,
          )
        ).body;
        if (r.outcome !== 'refused' || r.refusal?.code !== 'jp-not-authorised')
          throw new Error(`expected a refusal jp-not-authorised, got ${r.outcome} ${r.refusal?.code ?? ''}`);
        st.refusedId = r.requestId;
        const net = (await call(f, 'GET', `${jp}/admin/jp/network/records`, undefined, ADMIN)).body;
        const rec = (net.records as Json[]).find((x) => x.requestId === r.requestId);
        if (rec?.outcome !== 'refused' || rec.refusal?.code !== 'jp-not-authorised')
          throw new Error('the refusal left no network record');
        const prov = (await call(f, 'GET', `${jp}/admin/jp/agencies/${TAX}/records`, undefined, ADMIN)).body;
        if ((prov.records as Json[]).some((x) => x.requestId === r.requestId))
          throw new Error('the refused request reached the tax agency');
        return `refused by the network (${r.refusal.code}): ${String(r.refusal.reason).replace(/^Refused: /, '')} Recorded in the network's copy; never forwarded to the tax agency.`;
      },
    },
    {
      title: 'The citizen logs in to the portal with the My Number Card and sees both exchanges',
      titleJa: '住民がマイナンバーカードでマイナポータルにログインし、両方のやり取りを確認する',
      run: async (f, st) => {
        const jp = node(f, 'JP');
        const ch = (await call(f, 'POST', `${jp}/jp/portal/login/challenge`, { purpose: 'login' })).body;
        // TEST ONLY: the simulated card reader signs the challenge with the persona's card.
        const card = (
          await call(f, 'POST', `${jp}/jp/portal/test-card-reader`, {
            personaId: st.personaId,
            challenge: ch.challenge,
          })
        ).body;
        const login = (await call(f, 'POST', `${jp}/jp/portal/login`, { challengeId: ch.challengeId, ...card })).body;
        const auth = { authorization: `Bearer ${login.sessionToken}` };
        const records = (await call(f, 'GET', `${jp}/jp/portal/me/records`, undefined, auth)).body.records as Json[];
        const ok = records.find((r) => r.requestId === st.requestId);
        const no = records.find((r) => r.requestId === st.refusedId);
        if (ok?.outcome !== 'provided') throw new Error('the portal does not show the provided exchange');
        if (no?.outcome !== 'refused') throw new Error('the portal does not show the refused request');
        await call(f, 'POST', `${jp}/jp/portal/logout`, {}, auth).catch(() => undefined);
        return `${records.length} records for ${st.personaId}; e.g. ${ok.when.requestedAt}: ${ok.who.requester} → ${ok.who.provider}, why "${ok.why.procedure}" (${ok.why.legalBasis}), items ${ok.items.join(', ')}: ${ok.outcome}; and ${no.items.join(', ')}: ${no.outcome}`;
      },
    },
  ],
};

/**
 * Finds the jp-network transport hop of one exchange: in the run's own trace (the network's internal calls join
 * the trace of the request that caused them), else among the hub's recent traces.
 */
async function findJpHop(
  f: ScenarioTarget,
  operationEnds: string,
  requestId: string | undefined,
  traceId?: string,
): Promise<Json> {
  if (!requestId) throw new Error('no request to look for (an earlier step failed)');
  const match = (events: Json[]) =>
    events.find((e) => String(e.operation).endsWith(operationEnds) && e.artefact?.request?.requestId === requestId);
  // Events forwarded from another process arrive in batches, later on a loaded machine: wait for them, bounded.
  for (const until = Date.now() + 60_000; Date.now() < until; ) {
    if (traceId) {
      const hit = match((await call(f, 'GET', `${f.urls.hub}/traces/${traceId}`)).body.events as Json[]);
      if (hit) return hit;
    }
    const { traces } = (await call(f, 'GET', `${f.urls.hub}/traces?limit=200`)).body as {
      traces: { traceId: string }[];
    };
    for (const t of traces) {
      const hit = match((await call(f, 'GET', `${f.urls.hub}/traces/${t.traceId}`)).body.events as Json[]);
      if (hit) return hit;
    }
    // A node in another process forwards its events in batches (about every 200 ms).
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`no trace of "${operationEnds}" for request ${requestId}`);
}

// ---- scenario 4: eSignature across the border, before and after a revocation ---------------------------------

const CONTRACT = `<Contract xmlns="urn:kakehashi:scenario:contract" id="AT-JP-2026-001">
  <Parties><Party country="AT">Republic of Austria</Party><Party country="JP">Setagaya City</Party></Parties>
  <Subject>Cultural exchange programme 2026–2027 (TEST ONLY)</Subject>
  <Amount currency="EUR">120000.00</Amount>
</Contract>`;

const sign = async (f: ScenarioTarget, agency: string, level: 'B-B' | 'B-T') =>
  (
    await call(f, 'POST', `${node(f, 'AT')}/esig/sign`, {
      signer: { type: 'agency', id: agency },
      format: 'xades',
      level,
      packaging: 'enveloped',
      document: { content: CONTRACT, mimeType: 'application/xml' },
    })
  ).body;

const validate = async (f: ScenarioTarget, at: string, signature: string) =>
  (await call(f, 'POST', `${at}/esig/validate`, { signature })).body;

const verdict = (r: Json) => `${r.indication}${r.subIndicationName ? `/${r.subIndicationName}` : ''}`;

const clockAdvance = async (f: ScenarioTarget, by: string | number) =>
  (await call(f, 'POST', `${f.urls.hub}/admin/clock`, { action: 'advance', by }, ADMIN)).body as { now: string };

const atContractInJapan: Scenario = {
  description:
    'An Austrian agency signs a contract (XAdES B-T and B-B); Japan validates it (TOTAL-PASSED); the signer’s certificate is revoked and the clock moves on: B-T stays valid (time-stamp proof), B-B becomes INDETERMINATE, a signature made after the revocation fails',
  steps: [
    {
      title: "Austria's node offers its agencies as signers; one whose certificate is not revoked yet is chosen",
      titleJa: 'オーストリアのノードが署名者となる機関を示し、証明書が失効していない機関を選ぶ',
      run: async (f, st) => {
        const signers = (await call(f, 'GET', `${node(f, 'AT')}/esig/signers`)).body;
        const { certificates } = (await call(f, 'GET', `${f.urls.hub}/trust`)).body as {
          certificates: { name: string; serialHex: string; revoked: boolean; subject: string }[];
        };
        const agencies = signers.agencies as { id: string; subject: string }[];
        const fresh = agencies.filter((a) => certificates.some((c) => c.name === `AT-agency-${a.id}` && !c.revoked));
        const pick = fresh[0];
        if (!pick)
          throw new Error(
            'every Austrian agency certificate was revoked by earlier runs of this scenario that were not undone (the console and `kakehashi scenario run` undo theirs); POST /admin/reset at the hub takes the revocations back, or start the federation on a fresh data directory to get fresh ones',
          );
        const cert = certificates.find((c) => c.name === `AT-agency-${pick.id}`);
        st.agency = pick.id;
        st.certName = `AT-agency-${pick.id}`;
        return `${pick.id}: ${pick.subject} (serial ${cert?.serialHex}); ${fresh.length} of ${agencies.length} Austrian agency certificates unrevoked`;
      },
    },
    {
      title: "The agency signs the contract in Austria: XAdES B-T (time-stamped by Austria's TSA) and XAdES B-B",
      titleJa: 'オーストリアで機関が契約書に署名する: XAdES B-T（オーストリアの TSA のタイムスタンプ付き）と XAdES B-B',
      run: async (f, st) => {
        const bt = await sign(f, st.agency as string, 'B-T');
        const bb = await sign(f, st.agency as string, 'B-B');
        if (!bt.timestamp?.genTime) throw new Error('the B-T signature carries no time-stamp');
        st.bt = bt.signature;
        st.bb = bb.signature;
        st.genTime = bt.timestamp.genTime;
        return `B-T: ${bt.signature.length} bytes, signature time-stamp ${bt.timestamp.genTime} by ${bt.timestamp.tsa}; B-B: ${bb.signature.length} bytes, no proof of existence`;
      },
    },
    {
      title: "Japan's node validates both against the trust fabric (Austria's trusted list via the LOTL): TOTAL-PASSED",
      titleJa: '日本のノードがトラスト基盤（LOTL 経由でオーストリアのトラストリスト）で両方を検証: TOTAL-PASSED',
      run: async (f, st) => {
        const jp = node(f, 'JP');
        const rt = await validate(f, jp, st.bt as string);
        const rb = await validate(f, jp, st.bb as string);
        if (rt.indication !== 'TOTAL-PASSED' || rb.indication !== 'TOTAL-PASSED')
          throw new Error(
            `expected TOTAL-PASSED twice, got B-T ${verdict(rt)} (${rt.explanation}), B-B ${verdict(rb)}`,
          );
        return `validator ${rt.validator.component}:${rt.validator.country}; signer ${rt.signer.subject} (${rt.signer.country}); B-T ${verdict(rt)}, proven signing time ${rt.signingTime.proven}; B-B ${verdict(rb)}`;
      },
    },
    {
      title: 'A day later (time travel) the agency reports its key compromised: the hub revokes the certificate',
      titleJa: '1 日後（時刻移動）、機関が鍵の漏えいを届け出る: ハブが証明書を失効させる',
      run: async (f, st) => {
        const { now } = await clockAdvance(f, '1d');
        const r = (
          await call(
            f,
            'POST',
            `${f.urls.hub}/admin/trust/revoke`,
            { name: st.certName, reason: 'keyCompromise' },
            ADMIN,
          )
        ).body;
        st.revokedAt = now;
        return `clock → ${now}; ${st.certName} (serial ${r.serialHex}) revoked for keyCompromise; new CRL ${r.crl}; nodes told to reload`;
      },
    },
    {
      title:
        'Another day later Japan validates the same signatures again: B-T stays TOTAL-PASSED, B-B is INDETERMINATE/REVOKED_NO_POE',
      titleJa:
        'さらに 1 日後、日本が同じ署名を再検証する: B-T は TOTAL-PASSED のまま、B-B は INDETERMINATE/REVOKED_NO_POE',
      run: async (f, st) => {
        const { now } = await clockAdvance(f, '1d');
        const jp = node(f, 'JP');
        const rt = await validate(f, jp, st.bt as string);
        const rb = await validate(f, jp, st.bb as string);
        if (rt.indication !== 'TOTAL-PASSED') throw new Error(`B-T: ${verdict(rt)}: ${rt.explanation}`);
        if (rb.indication !== 'INDETERMINATE' || rb.subIndicationName !== 'REVOKED_NO_POE')
          throw new Error(`B-B: expected INDETERMINATE/REVOKED_NO_POE, got ${verdict(rb)}: ${rb.explanation}`);
        return `clock → ${now}. B-T ${verdict(rt)}: ${rt.explanation} | B-B ${verdict(rb)}: ${rb.explanation}`;
      },
    },
    {
      title: 'A contract signed after the revocation (B-T) is TOTAL-FAILED/REVOKED in Japan and at the hub',
      titleJa: '失効後に署名された契約書（B-T）は、日本でもハブでも TOTAL-FAILED/REVOKED',
      run: async (f, st) => {
        const late = await sign(f, st.agency as string, 'B-T');
        const rj = await validate(f, node(f, 'JP'), late.signature);
        const rh = await validate(f, f.urls.hub, late.signature);
        if (rj.indication !== 'TOTAL-FAILED' || rj.subIndicationName !== 'REVOKED')
          throw new Error(`expected TOTAL-FAILED/REVOKED, got ${verdict(rj)}: ${rj.explanation}`);
        if (verdict(rh) !== verdict(rj)) throw new Error(`the hub disagrees: ${verdict(rh)}`);
        return `time-stamp ${late.timestamp?.genTime}; JP ${verdict(rj)}, hub ${verdict(rh)}: ${rj.explanation}`;
      },
    },
    {
      title: 'The trace shows every validation hop with its verdict',
      titleJa: 'トレースに、検証のすべてのホップとその判定が表示される',
      run: async (f, st) => {
        const { events } = (await call(f, 'GET', `${f.urls.hub}/traces/${st.traceId}`)).body as { events: Json[] };
        const hops = events.filter((e) => String(e.operation).startsWith('esig:'));
        const validations = hops.filter((e) => String(e.operation).includes('validated'));
        if (validations.length < 6) throw new Error(`expected at least 6 validation hops, found ${validations.length}`);
        return `${hops.length} esig hops in trace ${st.traceId}: ${validations
          .map((e) => `${e.component}${e.country ? `:${e.country}` : ''} ${e.verdict?.valid ? 'valid' : 'not valid'}`)
          .join(' | ')}`;
      },
    },
  ],
};

// ---- scenario 5: eDelivery through a receiver outage ---------------------------------------------------------

const SENDER = 'urn:kakehashi:participant:de:bzst';
const RECIPIENT = 'urn:kakehashi:participant:at:bmf';
const SERVICE = 'urn:kakehashi:service:notification';
const ACTION = 'NotifyAfterOutage';
const PMODE_ID = 'kakehashi-scenario-patient-notification';
const RETRIES = 4;
const NOTICE = 'Notice of assessment 2026/4711 for the Austrian Federal Ministry of Finance (TEST ONLY)';

/** The notice as DE's backend submits it, with its own MessageId (so that resubmitting it is idempotent). */
const notice = (messageId: string) => ({
  messageId,
  service: SERVICE,
  action: ACTION,
  originalSender: SENDER,
  finalRecipient: RECIPIENT,
  payloads: [{ mimeType: 'text/plain', content: Buffer.from(NOTICE).toString('base64') }],
});

/** What an attempt met, from the sender's last error (`HTTP 503: …` when the receiver answered a SOAP Fault). */
const met = (lastError: string | null) => /HTTP \d{3}/.exec(lastError ?? '')?.[0] ?? lastError ?? 'no error';

const status = async (f: ScenarioTarget, cc: string, id: string, direction: 'out' | 'in') =>
  (await call(f, 'GET', `${node(f, cc)}/edelivery/messages/${encodeURIComponent(id)}?direction=${direction}`)).body;

/** Advances the virtual clock to the message's next attempt, pumps the sender and returns the new status. */
async function retryOnce(f: ScenarioTarget, id: string): Promise<Json> {
  const before = await status(f, 'DE', id, 'out');
  if (!before.nextAttemptAt) throw new Error(`no resend scheduled (status ${before.status})`);
  const { now } = (await call(f, 'GET', `${f.urls.hub}/admin/clock`, undefined, ADMIN)).body;
  const wait = Math.max(0, Date.parse(before.nextAttemptAt) - Date.parse(now));
  if (wait > 0) await clockAdvance(f, wait + 1);
  await call(f, 'POST', `${node(f, 'DE')}/admin/edelivery/pump`, undefined, ADMIN);
  return status(f, 'DE', id, 'out');
}

const seconds = (from: string, to: string) => `${Math.round((Date.parse(to) - Date.parse(from)) / 1000)} s`;

const deliveryOutage: Scenario = {
  description:
    "DE's tax office sends a notice to Austria's finance ministry while Austria's access point is down: the sender retries on the virtual clock (10 s, then doubling), the outage ends, the message is acknowledged and delivered exactly once, and the receipt's digests match",
  steps: [
    {
      title: `Both access points agree on a P-Mode with reception awareness: ${RETRIES} resends, 10 s then doubling`,
      titleJa: `両方のアクセスポイントが受信確認付きの P-Mode に合意: 再送 ${RETRIES} 回、10 秒から倍々に`,
      run: async (f) => {
        const added: string[] = [];
        for (const cc of ['DE', 'AT']) {
          const url = `${node(f, cc)}/admin/edelivery/pmodes`;
          const { pmodes } = (await call(f, 'GET', url, undefined, ADMIN)).body as { pmodes: Json[] };
          if (pmodes.some((p) => p.id === PMODE_ID)) continue;
          const base = pmodes.find((p) => p.service?.value === SERVICE);
          if (!base) throw new Error(`${cc} has no P-Mode for ${SERVICE} to start from`);
          const patient = {
            ...base,
            id: PMODE_ID,
            actions: [ACTION],
            receptionAwareness: { retries: RETRIES, retryIntervalMs: 10_000, backoff: 2 },
          };
          await call(f, 'PUT', url, { pmodes: [...pmodes, patient] }, ADMIN);
          added.push(cc);
        }
        return `P-Mode ${PMODE_ID} (${SERVICE} / ${ACTION}) ${added.length ? `added at ${added.join(' and ')}` : 'already in force at DE and AT'}: attempt at T, resends at T+10 s, +30 s, +70 s, +150 s — all inside the 10-minute duplicate-detection window`;
      },
    },
    {
      title: "Austria's access point goes down (fault edelivery.receiver-unavailable: /as4 answers 503)",
      titleJa: 'オーストリアのアクセスポイントが停止する（障害 edelivery.receiver-unavailable: /as4 が 503 を返す）',
      run: async (f) => {
        const r = (
          await call(f, 'PUT', `${node(f, 'AT')}/admin/faults`, { enable: ['edelivery.receiver-unavailable'] }, ADMIN)
        ).body as { faults: { name: string; enabled: boolean }[] };
        const on = r.faults.filter((x) => x.enabled).map((x) => x.name);
        if (!on.includes('edelivery.receiver-unavailable')) throw new Error('the fault did not switch on');
        return `AT faults in force: ${on.join(', ')}`;
      },
    },
    {
      title: "DE's tax office submits the notice; the first attempt meets the outage and a resend is scheduled",
      titleJa: 'ドイツの税務署が通知を送る。最初の試行は停止に当たり、再送が予定される',
      run: async (f, st) => {
        const sub = (
          await call(f, 'POST', `${node(f, 'DE')}/edelivery/messages`, notice(`${randomUUID()}@bzst.de.kakehashi.test`))
        ).body;
        st.messageId = sub.messageId;
        await call(f, 'POST', `${node(f, 'DE')}/admin/edelivery/pump`, undefined, ADMIN);
        const s = await status(f, 'DE', sub.messageId, 'out');
        if (s.status !== 'WAITING_FOR_RETRY' || s.attempts !== 1 || met(s.lastError) !== 'HTTP 503')
          throw new Error(`expected WAITING_FOR_RETRY after 1 attempt (503), got ${s.status} after ${s.attempts}`);
        return `${sub.messageId} (P-Mode ${s.pmodeId}): attempt 1 → ${met(s.lastError)} from AT, no receipt; ${s.status}, next attempt ${s.nextAttemptAt} (in ${seconds(s.updatedAt, s.nextAttemptAt)})`;
      },
    },
    {
      title: 'The clock advances to each resend; while the outage lasts every attempt fails and the wait doubles',
      titleJa: '時刻を再送ごとに進める。停止の間は試行がすべて失敗し、待ち時間が倍になる',
      run: async (f, st) => {
        const lines: string[] = [];
        for (const expected of [2, 3]) {
          const s = await retryOnce(f, st.messageId as string);
          if (s.status !== 'WAITING_FOR_RETRY' || s.attempts !== expected || met(s.lastError) !== 'HTTP 503')
            throw new Error(
              `attempt ${expected}: expected WAITING_FOR_RETRY (503), got ${s.status} after ${s.attempts}`,
            );
          lines.push(`attempt ${s.attempts} → ${met(s.lastError)}, next in ${seconds(s.updatedAt, s.nextAttemptAt)}`);
        }
        return lines.join('; ');
      },
    },
    {
      title:
        "Austria's access point is back: at the next resend the signed receipt arrives and is verified → ACKNOWLEDGED",
      titleJa: 'オーストリアのアクセスポイントが復旧: 次の再送で署名付き受領証が届き、検証される → ACKNOWLEDGED',
      run: async (f, st) => {
        // Switched off first, so a failure of an earlier step never leaves Austria down.
        await call(f, 'PUT', `${node(f, 'AT')}/admin/faults`, { disable: ['edelivery.receiver-unavailable'] }, ADMIN);
        const s = await retryOnce(f, st.messageId as string);
        if (s.status !== 'ACKNOWLEDGED') throw new Error(`expected ACKNOWLEDGED, got ${s.status}: ${s.lastError}`);
        const trail = (s.history as { status: string }[]).map((h) => h.status);
        return `attempt ${s.attempts} at ${s.updatedAt} → signed receipt verified; ${s.status}; history: ${trail.join(' → ')}`;
      },
    },
    {
      title: "Exactly one copy arrived: Austria's inbox holds it once, intact; a resubmission sends nothing new",
      titleJa: '届いたのはちょうど 1 通: オーストリアの受信箱に完全な形で 1 回だけ。再提出しても新たには送られない',
      run: async (f, st) => {
        const id = st.messageId as string;
        const at = node(f, 'AT');
        const inbox = (await call(f, 'GET', `${at}/edelivery/inbox?finalRecipient=${encodeURIComponent(RECIPIENT)}`))
          .body.messages as Json[];
        const copies = inbox.filter((m) => m.messageId === id);
        if (copies.length !== 1) throw new Error(`${copies.length} copies in the inbox`);
        const cid = copies[0].payloads[0]?.cid as string;
        const res = await f.fetch(
          `${at}/edelivery/messages/${encodeURIComponent(id)}/payloads/${encodeURIComponent(cid)}`,
        );
        const text = await res.text();
        if (text !== NOTICE) throw new Error('the delivered payload differs from what was sent');
        const again = await call(f, 'POST', `${node(f, 'DE')}/edelivery/messages`, notice(id));
        const out = await status(f, 'DE', id, 'out');
        const rin = await status(f, 'AT', id, 'in');
        if (again.status !== 200 || out.attempts !== RETRIES) throw new Error('the resubmission was sent again');
        return `1 copy of ${id} for ${RECIPIENT}; payload ${cid} (${text.length} bytes) intact; resubmission answered ${again.status} (idempotent), still ${out.attempts} attempts; receiver: ${rin.status}, duplicates eliminated ${rin.duplicatesEliminated}`;
      },
    },
    {
      title: 'The receipt check: the digests DE verified are those AT signed; the ministry acknowledges the download',
      titleJa: '受領証の確認: ドイツが検証したダイジェストはオーストリアが署名したもの。省が受け取りを確認する',
      run: async (f, st) => {
        const id = st.messageId as string;
        const out = await status(f, 'DE', id, 'out');
        const rin = await status(f, 'AT', id, 'in');
        const a = out.receipt?.nonRepudiationInformation as Json[] | undefined;
        const b = rin.receipt?.nonRepudiationInformation as Json[] | undefined;
        if (!a?.length || JSON.stringify(a) !== JSON.stringify(b))
          throw new Error('the non-repudiation information of the receipt differs between sender and receiver');
        const acked = (await call(f, 'POST', `${node(f, 'AT')}/edelivery/messages/${encodeURIComponent(id)}/ack`, {}))
          .body;
        const { events } = (await call(f, 'GET', `${f.urls.hub}/traces/${st.traceId}`)).body as { events: Json[] };
        const count = (op: string) => events.filter((e) => e.operation === op).length;
        return `${a.length} references (${a.map((r) => r.uri).join(', ')}) with equal digests on both sides; AT status ${acked.status}; trace ${st.traceId}: ${count('edelivery: SOAP fault')} SOAP faults at AT, ${count('edelivery: no valid receipt')} failed attempts, ${count('edelivery: receipt verified')} receipt verified`;
      },
    },
  ],
};

/** Scenarios 3, 4 and 5 of issue 7, registered in `SCENARIOS`. */
export const DOMESTIC_SIGNATURE_DELIVERY_SCENARIOS: Record<string, Scenario> = {
  'jp-child-allowance': jpChildAllowance,
  'at-contract-in-japan': atContractInJapan,
  'delivery-outage': deliveryOutage,
};
