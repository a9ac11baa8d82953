// The console's words in English and Japanese. Pure data and a lookup: the browser loads it as it is and the unit
// tests import it. Japanese terms are those of the My Number system (番号法 and the Digital Agency's glossary):
// 個人番号 (My Number), 機関別符号 (agency-specific code), 情報提供ネットワークシステム (the information provision
// network system), 住民票の写し (a copy of the residence record), 電子署名 (electronic signature),
// 利用者証明用電子証明書 (the card's user-authentication certificate).

/** The languages the console speaks; the first is the default. */
export const LANGS = ['en', 'ja'];

/** `en` or `ja` from a `?lang=` value, a stored choice or a browser language; undefined when none fits. */
export function pickLang(...candidates) {
  for (const c of candidates) {
    if (typeof c !== 'string') continue;
    const l = c.trim().toLowerCase().slice(0, 2);
    if (LANGS.includes(l)) return l;
  }
  return undefined;
}

const EN = {
  'title.sub': 'teaching console',
  banner:
    'KAKEHASHI — TEST ONLY. A mock of cross-border eGovernment infrastructure: synthetic people, test keys, nothing real.',
  'lang.label': 'Language',
  'clock.label': 'virtual time',
  'clock.token': 'admin token',
  'topology.h': 'Topology',
  'topology.hint':
    "The hub links the national nodes; each node runs its country's eID, signature and delivery services. Polled every 5 s.",
  'scenarios.h': 'Scenarios',
  'scenarios.hint': 'Run one: its story opens beside the diagram, step by step.',
  'traces.h': 'Traces',
  'traces.live': 'live',
  'traces.refresh': 'refresh',
  'traces.open': 'open',
  'tab.diagram': 'Sequence diagram',
  'tab.personas': 'Personas',
  'tab.portal': 'Citizen portal',
  'tab.faults': 'Faults',
  'tab.learn': 'How to read this',
  'trace.choose': 'Choose a trace on the left, or run a scenario.',
  legend:
    'arrows: requests (caller → callee, with the HTTP status) · boxes: what a component did inside a request · green: a verdict that passed · red: a failed verdict or an error · click a hop to inspect it',
  'inspector.hint':
    'The inspector shows the hop you click: what it is, its decoded artefact and the verdict of every check.',
  'story.h': 'Story',
  'story.none': 'Run a scenario to follow its story step by step.',
  'story.prev': '◀ previous',
  'story.next': 'next ▶',
  'story.step': 'Step {n} of {total}',
  'story.hops': '{count} hops in this step',
  'story.noHops': 'This step made no request of its own (it read what earlier steps left).',
  'story.artefact': 'Decoded artefact',
  'story.noArtefact': 'No artefact recorded in this step.',
  'story.faults': 'Faults that target this step',
  'story.attacks': 'Attacks that target this step',
  'story.noFaults': 'none listed (the Faults tab has them all)',
  'story.attackHint': 'Run one against a node: {command}',
  'story.ok': 'passed',
  'story.failed': 'failed',
  'fold.summary': '▸ {count} setup hops folded: {kinds} — click to show',
  'fold.open': '▾ {count} setup hops shown — click to fold',
  'fold.toggle': 'setup hops',
  'setup.registry': 'registry lookups',
  'setup.keys': 'key and JWKS fetches',
  'setup.metadata': 'metadata',
  'setup.trust': 'trusted-list and CRL fetches',
  'setup.discovery': 'discovery lookups',
  'setup.directory': 'evidence broker and directory',
  'setup.codes': 'agency-specific code issuance (機関別符号)',
  'setup.personas': 'test personas',
  'role.client': "citizen's browser",
  'role.caller': 'scenario client (a program outside the federation)',
  'role.operator': 'operator (admin API)',
  'role.hub': 'hub (Core Service Platform)',
  'role.rp': '{cc} relying party',
  'role.app': '{cc} agency back office',
  'role.clerk': '{agency} clerk',
  'role.node': '{cc} national node',
  'role.node.connector': '{cc} connector',
  'role.node.proxy': '{cc} proxy service',
  'role.node.idp': '{cc} eID provider',
  'role.node.ap': '{cc} access point (AS4)',
  'role.node.esig': '{cc} signature service',
  'role.node.evidence': '{cc} evidence service',
  'role.jp.network': 'information provision network system',
  'role.jp.j-lis': 'J-LIS (code issuance)',
  'role.jp.portal': 'Mynaportal (citizen portal)',
  'role.jp.agency': "{agency}'s intermediary server",
  'role.ext': 'outside the federation: {origin}',
  'agency.setagaya-city': 'Setagaya City',
  'agency.national-tax-agency': 'National Tax Agency',
  'agency.japan-pension-service': 'Japan Pension Service',
  'agency.kyokai-kenpo': 'Kyokai Kenpo',
  'agency.digital-agency': 'Digital Agency',
};

const JA = {
  'title.sub': '教育用コンソール',
  banner:
    'KAKEHASHI — テスト専用。国境を越える電子行政基盤の模擬環境です。人物は架空、鍵はテスト用で、実在のものは何もありません。',
  'lang.label': '言語',
  'clock.label': '仮想時刻',
  'clock.token': '管理トークン',
  'topology.h': '構成',
  'topology.hint':
    'ハブが各国のノードをつなぎます。各ノードはその国の電子認証（eID）・電子署名・電子配達の各サービスを動かしています。5 秒ごとに更新。',
  'scenarios.h': 'シナリオ',
  'scenarios.hint': '一つ実行すると、その流れ（ストーリー）がシーケンス図の横に一手順ずつ開きます。',
  'traces.h': 'トレース',
  'traces.live': '自動更新',
  'traces.refresh': '更新',
  'traces.open': '開く',
  'tab.diagram': 'シーケンス図',
  'tab.personas': 'テスト用人物',
  'tab.portal': 'マイナポータル',
  'tab.faults': '障害の注入',
  'tab.learn': '読み方',
  'trace.choose': '左のトレースを選ぶか、シナリオを実行してください。',
  legend:
    '矢印: リクエスト（呼び出し元 → 呼び出し先、HTTP ステータス付き）・箱: リクエストの中でコンポーネントが行ったこと・緑: 合格した検証・赤: 不合格の検証またはエラー・ホップをクリックすると詳細',
  'inspector.hint': 'クリックしたホップの内容、復号した成果物、各検査の判定を表示します。',
  'story.h': 'ストーリー',
  'story.none': 'シナリオを実行すると、その流れを一手順ずつ追えます。',
  'story.prev': '◀ 前へ',
  'story.next': '次へ ▶',
  'story.step': '手順 {n} / {total}',
  'story.hops': 'この手順のホップ: {count}',
  'story.noHops': 'この手順は自らリクエストを送っていません（前の手順の結果を読んでいます）。',
  'story.artefact': '復号した成果物',
  'story.noArtefact': 'この手順では成果物が記録されていません。',
  'story.faults': 'この手順を狙う障害',
  'story.attacks': 'この手順を狙う攻撃',
  'story.noFaults': '該当なし（すべて「障害の注入」タブにあります）',
  'story.attackHint': 'ノードに対して実行: {command}',
  'story.ok': '成功',
  'story.failed': '失敗',
  'fold.summary': '▸ 準備のホップ {count} 件を折りたたみ中: {kinds} — クリックで表示',
  'fold.open': '▾ 準備のホップ {count} 件を表示中 — クリックで折りたたむ',
  'fold.toggle': '準備のホップ',
  'setup.registry': 'レジストリ照会',
  'setup.keys': '鍵・JWKS の取得',
  'setup.metadata': 'メタデータ',
  'setup.trust': 'トラストリスト・CRL の取得',
  'setup.discovery': 'ディスカバリ照会',
  'setup.directory': 'エビデンスブローカー・ディレクトリ',
  'setup.codes': '機関別符号の発行',
  'setup.personas': 'テスト用人物',
  'role.client': '市民のブラウザ',
  'role.caller': 'シナリオのクライアント（連携基盤の外のプログラム）',
  'role.operator': '運用者（管理 API）',
  'role.hub': 'ハブ（コア・サービス・プラットフォーム）',
  'role.rp': '{cc} の利用者側サービス（RP）',
  'role.app': '{cc} の行政機関の業務システム',
  'role.clerk': '{agency}の職員',
  'role.node': '{cc} の国内ノード',
  'role.node.connector': '{cc} の eIDAS コネクタ',
  'role.node.proxy': '{cc} の eIDAS プロキシサービス',
  'role.node.idp': '{cc} の eID 提供者',
  'role.node.ap': '{cc} のアクセスポイント（AS4）',
  'role.node.esig': '{cc} の電子署名サービス',
  'role.node.evidence': '{cc} のエビデンスサービス',
  'role.jp.network': '情報提供ネットワークシステム',
  'role.jp.j-lis': '地方公共団体情報システム機構（J-LIS）',
  'role.jp.portal': 'マイナポータル',
  'role.jp.agency': '{agency}の中間サーバー',
  'role.ext': '連携基盤の外: {origin}',
  'agency.setagaya-city': '世田谷区',
  'agency.national-tax-agency': '国税庁',
  'agency.japan-pension-service': '日本年金機構',
  'agency.kyokai-kenpo': '全国健康保険協会（協会けんぽ）',
  'agency.digital-agency': 'デジタル庁',
};

/** The messages by language (the tests check both have the same keys). */
export const MESSAGES = { en: EN, ja: JA };

/** A message in `lang` (English when missing), with `{name}` filled from `params` (as text). */
export function tr(lang, key, params = {}) {
  const table = MESSAGES[lang] ?? EN;
  const text = Object.hasOwn(table, key) ? table[key] : Object.hasOwn(EN, key) ? EN[key] : key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (Object.hasOwn(params, name) ? String(params[name]) : m));
}

/** An agency of Japan's network by its slug (`setagaya-city`), in `lang`; an unknown slug is shown as it is. */
export function agencyName(lang, slug) {
  const key = `agency.${slug}`;
  return Object.hasOwn(EN, key) ? tr(lang, key) : slug;
}
