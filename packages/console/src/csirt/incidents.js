// The incident timelines page (/console/incidents): per country, event → incident → each report with its deadline
// → shared indicator → receipt abroad, and the EU and Japanese models side by side, in English and Japanese.
const TEXT = {
  en: {
    title: 'Incidents: from detection to the defenders abroad',
    token: 'admin token',
    load: 'load',
    hint: 'Enter the admin token and load.',
    refused: 'Refused: enter the admin token (option adminToken).',
    none: 'No incident yet. Run the scenario incident-cross-border from the console.',
    unavailable: 'unavailable',
    eu: 'EU — NIS2 (Directive (EU) 2022/2555), mandatory',
    euText:
      'Essential and important entities (central government included) must report a significant incident to their national CSIRT: an early warning within 24 hours of becoming aware, an incident notification within 72 hours, a final report within one month. Deadlines are law: here they run on the virtual clock, and a missed one is shown as missed. National CSIRTs cooperate in the CSIRTs network and share indicators.',
    jp: 'Japan — voluntary sharing',
    jpText:
      'Operators report to NISC (the National Cybersecurity Office) and their ministry, and share through their sector CEPTOAR or an ISAC and JPCERT/CC, choosing the TLP and whether they are named. There is no statutory deadline for this kind of report; J-CSIP anonymises the sender.',
    kinds: {
      event: 'event',
      incident: 'incident',
      report: 'report',
      deadline: 'deadline',
      indicator: 'indicator',
      receipt: 'receipt abroad',
    },
    regime: { nis2: 'NIS2 (mandatory)', 'jp-voluntary': 'voluntary (Japan)' },
  },
  ja: {
    title: 'インシデント：検知から海外の防御者まで',
    token: '管理トークン',
    load: '読み込む',
    hint: '管理トークンを入力して読み込んでください。',
    refused: '拒否されました：管理トークン（adminToken）を入力してください。',
    none: 'インシデントはまだありません。コンソールからシナリオ incident-cross-border を実行してください。',
    unavailable: '取得できません',
    eu: 'EU — NIS2指令（指令 (EU) 2022/2555）：義務',
    euText:
      '重要・必須事業体（中央政府を含む）は、重大インシデントを国のCSIRTに報告しなければなりません。認識から24時間以内に早期警告、72時間以内にインシデント通知、1か月以内に最終報告。期限は法定で、ここでは仮想時計で進み、過ぎた期限は「期限切れ」と表示されます。各国CSIRTはCSIRTネットワークで協力し、指標を共有します。',
    jp: '日本 — 任意の情報共有',
    jpText:
      '事業者はNISC（国家サイバー統括室）と所管省庁に報告し、分野のセプター（CEPTOAR）やISAC、JPCERT/CCを通じて共有します。TLPと匿名化は共有者が選びます。この種の報告に法定の期限はなく、J-CSIPは送信者を匿名化します。',
    kinds: {
      event: 'イベント',
      incident: 'インシデント',
      report: '報告',
      deadline: '期限',
      indicator: '指標',
      receipt: '海外での受領',
    },
    regime: { nis2: 'NIS2（義務）', 'jp-voluntary': '任意（日本）' },
  },
};
let lang = document.documentElement.lang === 'ja' ? 'ja' : 'en';
let data;

const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
};

function renderStatic() {
  const t = TEXT[lang];
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t[node.dataset.i18n];
  const cmp = document.querySelector('[data-testid="incidents-comparison"]');
  cmp.replaceChildren(
    el('section', { 'data-testid': 'compare-eu' }, el('h2', {}, t.eu), el('p', {}, t.euText)),
    el('section', { 'data-testid': 'compare-jp' }, el('h2', {}, t.jp), el('p', {}, t.jpText)),
  );
}

function renderCountries() {
  const t = TEXT[lang];
  const box = document.querySelector('[data-testid="incidents-countries"]');
  if (!data) return;
  box.replaceChildren(
    ...data.countries.map((c) => {
      const section = el('section', { class: 'country', 'data-testid': `incidents-${c.country}` });
      section.append(el('h2', {}, `${c.country} — ${t.regime[c.regime]}`));
      if (!c.available) section.append(el('p', {}, t.unavailable));
      else if (c.incidents.length === 0) section.append(el('p', {}, t.none));
      for (const i of c.incidents) {
        section.append(el('h3', {}, `${i.id} (${i.severity})`));
        const ol = el('ol', { class: 'timeline', 'data-testid': `timeline-${i.id}` });
        for (const e of i.timeline)
          ol.append(
            el(
              'li',
              { 'data-kind': e.kind, 'data-status': e.status },
              el('time', {}, e.at),
              el('span', { class: 'kind' }, t.kinds[e.kind] ?? e.kind),
              `${e.title} — ${e.detail}`,
            ),
          );
        section.append(ol);
      }
      return section;
    }),
  );
}

async function load() {
  const token = document.querySelector('[data-testid="incidents-token"]').value.trim();
  const res = await fetch('/console/api/csirt', { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) {
    document.querySelector('[data-testid="incidents-countries"]').replaceChildren(el('p', {}, TEXT[lang].refused));
    return;
  }
  data = await res.json();
  renderCountries();
  document.body.dataset.loaded = 'true';
}

for (const b of document.querySelectorAll('[data-lang]'))
  b.addEventListener('click', () => {
    lang = b.dataset.lang;
    renderStatic();
    renderCountries();
  });
document.querySelector('[data-testid="incidents-load"]').addEventListener('click', () => void load());
renderStatic();
if (document.querySelector('[data-testid="incidents-token"]').value) void load();
document.body.dataset.ready = 'true';
