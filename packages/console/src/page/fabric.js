// The Trust fabric tab: the hub's GET /trust/fabric drawn as a relying party walks it — the list of trusted lists
// (LOTL), each country's trusted list, each list's services (CAs, time-stamping units) with their status, each CA's
// CRL and the certificates it issued — every element judged on the virtual clock (NextUpdate, validity, revocation),
// beside each node's own view (fresh or stale, from its /health). Load on demand and after every clock change seen.
// Everything shown comes from the federation and may be attacker-controlled, so every value is put in the page
// with textContent or setAttribute — never as markup.
import { $, api, el, getJson } from './dom.js';
import { t } from './lang.js';

// Each status: its colour and its words (./i18n.js: fabric.list.*, fabric.cert.*, fabric.service.*).
const LIST_STATUS = { current: 'ok', 'past-next-update': 'bad', 'not-yet-issued': 'warn' };
const VALIDITY = { current: 'ok', expired: 'bad', 'not-yet-valid': 'warn' };
const SERVICE_STATUS = { granted: 'ok', withdrawn: 'bad', other: 'warn' };
/** A status as `[class, words]`: a value the page does not know is shown as it is, in amber. */
const judged = (table, prefix, value) =>
  Object.hasOwn(table, value) ? [table[value], t(`${prefix}.${value}`)] : ['warn', String(value)];
const listStatus = (v) => judged(LIST_STATUS, 'fabric.list', v);
const validity = (v) => judged(VALIDITY, 'fabric.cert', v);

const day = (iso) => (iso ? String(iso).slice(0, 10) : '—');
const pill = ([cls, text], attrs = {}) => el('span', { class: `fab-pill ${cls}`, ...attrs }, text);

/** A certificate's line: name (or subject), validity to its notAfter, revocation. */
function certificate(c, testid) {
  const [vCls, vText] = validity(c.validity);
  return el(
    'li',
    {
      class: 'fab-cert',
      'data-testid': testid,
      'data-validity': c.validity,
      'data-revoked': c.revoked ? 'true' : 'false',
    },
    el('span', { class: 'mono' }, c.name ?? c.subject),
    ' ',
    pill([vCls, t('fabric.until', { validity: vText, date: day(c.notAfter) })], {
      title: `${c.notBefore} – ${c.notAfter}`,
    }),
    c.revoked ? [' ', pill(['bad', t('fabric.revoked', { date: day(c.revoked.at), reason: c.revoked.reason })])] : [],
  );
}

/** The CRL's address: a link only when it is an http(s) URL (the fabric is data; a javascript: URL stays text). */
function crlLink(p) {
  const label = String(p.url ?? '').replace(/^.*\/trust\/crl\//, '');
  return /^https?:\/\//.test(p.url ?? '')
    ? el('a', { href: p.url, class: 'mono' }, label)
    : el('span', { class: 'mono' }, label);
}

function service(s) {
  const id = s.certificate?.name ?? s.name;
  return el(
    'li',
    { class: 'fab-service', 'data-testid': `fabric-service-${id}`, 'data-status': s.status },
    el(
      'div',
      { class: 'fab-line' },
      el('strong', {}, s.name),
      ' ',
      el('span', { class: 'fab-type', title: s.typeUri }, s.type),
      ' ',
      pill(judged(SERVICE_STATUS, 'fabric.service', s.status), {
        title: t('fabric.since', { date: s.statusSince }),
      }),
      s.certificate
        ? [
            ' ',
            pill(validity(s.certificate.validity), {
              title: `${s.certificate.subject}, until ${s.certificate.notAfter}`,
            }),
          ]
        : [],
    ),
    s.crl
      ? el(
          'div',
          { class: 'fab-crl', 'data-testid': `fabric-crl-${id}`, 'data-status': s.crl.status },
          `${t('fabric.crl')} `,
          crlLink(s.crl),
          ` ${t('fabric.crlLine', {
            number: s.crl.crlNumber ?? '?',
            issued: day(s.crl.thisUpdate),
            next: day(s.crl.nextUpdate),
          })} `,
          pill(listStatus(s.crl.status)),
          ` · ${t('fabric.crlRevoked', { count: s.crl.revoked })}`,
        )
      : null,
    s.issued.length
      ? el(
          'details',
          { class: 'fab-issued' },
          el('summary', {}, t('fabric.issued', { count: s.issued.length })),
          el(
            'ul',
            {},
            s.issued.map((c) => certificate(c, `fabric-cert-${c.name ?? c.serialHex}`)),
          ),
        )
      : null,
  );
}

/** A list's line: operator, sequence number, issue date and NextUpdate. */
const listLine = (l) =>
  t('fabric.listLine', {
    operator: l.operator,
    seq: l.sequenceNumber,
    issued: day(l.issueDate),
    next: day(l.nextUpdate),
  });

function list(l) {
  const [cls] = listStatus(l.status);
  return el(
    'details',
    { class: `fab-list ${cls}`, 'data-testid': `fabric-list-${l.territory}`, 'data-status': l.status },
    el(
      'summary',
      {},
      el('strong', {}, l.territory),
      ` ${listLine(l)} `,
      pill(listStatus(l.status)),
      ` · ${t('fabric.services', { count: l.services.length })}`,
    ),
    el('ul', { class: 'fab-services' }, l.services.map(service)),
  );
}

/** Each node's own view of the fabric, from its /health (`trust`: loaded, stale, not-loaded). */
function nodeViews(topology) {
  const cls = { loaded: 'ok', stale: 'bad', 'not-loaded': 'warn' };
  return el(
    'div',
    { class: 'fab-nodes', 'data-testid': 'fabric-node-views' },
    el('span', { class: 'label' }, t('fabric.nodes')),
    topology.nodes.map((n) =>
      el(
        'span',
        { 'data-testid': `fabric-node-${n.country}`, 'data-trust': n.trust ?? 'unknown' },
        pill(
          [
            cls[n.trust] ?? 'warn',
            `${n.country}: ${Object.hasOwn(cls, n.trust) ? t(`fabric.trust.${n.trust}`) : (n.trust ?? n.status)}`,
          ],
          { title: n.trust === 'stale' ? t('fabric.staleTitle', { cc: n.country }) : '' },
        ),
        ' ',
      ),
    ),
  );
}

export async function loadFabric() {
  const view = $('fabric-view');
  if (!view.firstChild) view.replaceChildren(el('p', { class: 'hint' }, t('fabric.loading')));
  try {
    // The hub is this page's origin: its fabric directly; the nodes' health through the console's API.
    const [fabric, topology] = await Promise.all([getJson('/trust/fabric'), getJson(api('/topology'))]);
    const head = el(
      'p',
      { class: 'fab-at', 'data-testid': 'fabric-at', 'data-iso': fabric.at },
      t('fabric.at', { at: fabric.at }),
    );
    if (!fabric.lotl) {
      view.replaceChildren(
        head,
        nodeViews(topology),
        el('p', { class: 'error', 'data-testid': 'fabric-problem' }, fabric.problem ?? t('fabric.noLotl')),
      );
      return;
    }
    const l = fabric.lotl;
    view.replaceChildren(
      head,
      nodeViews(topology),
      el(
        'div',
        {
          class: `fab-lotl ${listStatus(l.status)[0]}`,
          'data-testid': 'fabric-lotl',
          'data-status': l.status,
        },
        el('strong', { 'data-testid': 'fabric-lotl-title' }, t('fabric.lotl')),
        ` ${listLine(l)} `,
        pill(listStatus(l.status)),
        el('div', { class: 'fab-line' }, t('fabric.signedBy'), certificate(l.signer, 'fabric-lotl-signer')),
      ),
      el('div', { class: 'fab-lists' }, fabric.lists.map(list)),
    );
  } catch (e) {
    view.replaceChildren(
      el('p', { class: 'error', 'data-testid': 'fabric-problem' }, t('fabric.unavailable', { message: e.message })),
    );
  }
}

// Wired here, so the shared page files only name the tab: the refresh button, and a reload whenever the clock
// shown beside the scenarios jumps (time travel, a reset) while the tab is open — not as it merely runs on.
$('fabric-refresh')?.addEventListener('click', () => void loadFabric());
const clockTime = $('clock-time');
let seen = { virtual: Date.parse(clockTime?.dataset.iso ?? ''), real: Date.now() };
if (clockTime)
  new MutationObserver(() => {
    const now = { virtual: Date.parse(clockTime.dataset.iso ?? ''), real: Date.now() };
    const jumped = !(Math.abs(now.virtual - seen.virtual - (now.real - seen.real)) < 60_000);
    seen = now;
    if (jumped && !$('panel-fabric')?.hidden) void loadFabric();
  }).observe(clockTime, { attributes: true, attributeFilter: ['data-iso'] });
