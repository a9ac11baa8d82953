import { CJK_FONT_STACK, type PageLang } from '@kakehashi/core';

/**
 * The words of the wallet's pages (the relying party's page at the verifier, the holder's wallet and its consent
 * page) in English and Japanese, chosen with `?lang=en|ja` as the console and the portal are.
 */
const TEXT = {
  en: {
    rpTitle: 'Relying party — sign in with your EU Digital Identity Wallet',
    rpIntro: 'Choose what this service asks your wallet for, then how you answer it.',
    rpChoose: 'What the service asks for',
    rpAsked: 'It asked for',
    queryLogin: 'Sign in: your names, birth date and the eIDAS identifier it knows you by (PID)',
    queryAge: 'Only that you are 18 or over (PID)',
    queryNameBirthdate: 'Your names and birth date (PID)',
    queryPidFull: 'Your whole PID (every claim)',
    queryPidMdoc: 'Your PID as ISO mdoc: names, birth date, nationality, 18 or over',
    queryResidence: 'Setagaya City’s certificate of residence: names, birth date, address',
    crossDevice: 'Scan with your wallet (another device)',
    sameDevice: 'Open the wallet on this device',
    qrHint: 'Scan this QR code with your wallet, or copy the request:',
    sameDeviceLink: 'Open in the wallet on this device',
    waiting: 'Waiting for the wallet…',
    verdictValid: 'Verified: the presentation is valid',
    verdictInvalid: 'Refused by the verifier',
    refused: 'Refused: the holder declined to share',
    walletError: 'The wallet answered with an error',
    rule: 'rule',
    disclosed: 'What the wallet disclosed',
    start: 'Start again',
    walletTitle: 'EU Digital Identity Wallet (TEST ONLY)',
    persona: 'Wallet of',
    credentials: 'Credentials',
    noCredentials: 'No credential yet.',
    receive: 'Receive a PID',
    receiveFrom: 'from the PID provider of',
    receiveButton: 'Receive',
    openRequest: 'Open an authorization request',
    openRequestHint: 'Paste the openid4vp:// request a relying party shows:',
    openButton: 'Open',
    consentTitle: 'A relying party asks for your data',
    verifier: 'Relying party',
    subject: 'Access certificate subject',
    country: 'Country',
    clientId: 'Client identifier',
    trusted: 'Its access certificate chains to the trusted lists',
    asks: 'It asks for',
    from: 'from your credential',
    share: 'Share',
    decline: 'Decline',
    shared: 'Shared. The relying party has your answer.',
    declined: 'Declined. The relying party was told you refused (access_denied).',
    back: 'Back to the wallet',
    cannotOpen: 'This request cannot be answered',
    noMatch: 'No credential in this wallet matches what it asks for.',
    testOnly: 'TEST ONLY — keys and data are fictional.',
  },
  ja: {
    rpTitle: '利用者サービス — EU デジタル ID ウォレットでログイン',
    rpIntro: 'このサービスがウォレットに求める項目を選び、応答の方法を選んでください。',
    rpChoose: 'サービスが求める項目',
    rpAsked: '求めた項目',
    queryLogin: 'ログイン：氏名・生年月日・このサービス向けの eIDAS 識別子（PID）',
    queryAge: '18 歳以上であることだけ（PID）',
    queryNameBirthdate: '氏名と生年月日（PID）',
    queryPidFull: 'PID のすべての項目',
    queryPidMdoc: 'ISO mdoc 形式の PID：氏名・生年月日・国籍・18 歳以上',
    queryResidence: '世田谷区の住民票の写し：氏名・生年月日・住所',
    crossDevice: 'ウォレットで読み取る（別の端末）',
    sameDevice: 'この端末のウォレットを開く',
    qrHint: 'この QR コードをウォレットで読み取るか、要求をコピーしてください：',
    sameDeviceLink: 'この端末のウォレットで開く',
    waiting: 'ウォレットの応答を待っています…',
    verdictValid: '確認済み：提示は有効です',
    verdictInvalid: '検証者が拒否しました',
    refused: '拒否：利用者が提供を断りました',
    walletError: 'ウォレットがエラーを返しました',
    rule: '規則',
    disclosed: 'ウォレットが開示した項目',
    start: 'もう一度始める',
    walletTitle: 'EU デジタル ID ウォレット（テスト専用）',
    persona: 'ウォレットの持ち主',
    credentials: 'クレデンシャル',
    noCredentials: 'クレデンシャルはまだありません。',
    receive: 'PID を受け取る',
    receiveFrom: '発行元の PID 提供者の国',
    receiveButton: '受け取る',
    openRequest: '認可要求を開く',
    openRequestHint: '利用者サービスが示す openid4vp:// の要求を貼り付けてください：',
    openButton: '開く',
    consentTitle: '利用者サービスがあなたのデータを求めています',
    verifier: '利用者サービス',
    subject: 'アクセス証明書の主体者',
    country: '国',
    clientId: 'クライアント識別子',
    trusted: 'アクセス証明書はトラストリストにつながっています',
    asks: '求めている項目',
    from: '提示するクレデンシャル',
    share: '提供する',
    decline: '断る',
    shared: '提供しました。利用者サービスが回答を受け取りました。',
    declined: '断りました。利用者サービスには拒否（access_denied）が伝えられました。',
    back: 'ウォレットに戻る',
    cannotOpen: 'この要求には応答できません',
    noMatch: 'このウォレットには求められた項目を満たすクレデンシャルがありません。',
    testOnly: 'テスト専用 — 鍵とデータは架空のものです。',
  },
} as const;

export type TextKey = keyof (typeof TEXT)['en'];

/** The page's words in `lang`. */
export const textOf =
  (lang: PageLang) =>
  (key: TextKey): string =>
    TEXT[lang][key];

/** The PID rulebook's claim names (and Kakehashi's eIDAS mapping) as a person reads them. */
const CLAIM_LABELS: Record<string, { en: string; ja: string }> = {
  family_name: { en: 'Family name', ja: '姓' },
  given_name: { en: 'Given name', ja: '名' },
  birthdate: { en: 'Date of birth', ja: '生年月日' },
  place_of_birth: { en: 'Place of birth', ja: '出生地' },
  nationalities: { en: 'Nationalities', ja: '国籍' },
  address: { en: 'Address', ja: '住所' },
  email: { en: 'E-mail address', ja: 'メールアドレス' },
  phone_number: { en: 'Phone number', ja: '電話番号' },
  personal_administrative_number: { en: 'Personal administrative number', ja: '個人行政番号' },
  issuing_authority: { en: 'Issuing authority', ja: '発行機関' },
  issuing_country: { en: 'Issuing country', ja: '発行国' },
  date_of_issuance: { en: 'Date of issuance', ja: '発行日' },
  date_of_expiry: { en: 'Date of expiry', ja: '有効期限' },
  eidas_person_identifiers: { en: 'eIDAS person identifier', ja: 'eIDAS 個人識別子' },
  age_over_18: { en: 'Age over 18', ja: '18 歳以上' },
  age_equal_or_over: { en: 'Age statements', ja: '年齢の証明' },
  resident_address: { en: 'Resident address', ja: '居住地住所' },
  // the PID's mdoc element names (where they differ from the SD-JWT VC's)
  birth_date: { en: 'Date of birth', ja: '生年月日' },
  nationality: { en: 'Nationality', ja: '国籍' },
  resident_country: { en: 'Country of residence', ja: '居住国' },
  resident_city: { en: 'City of residence', ja: '居住市区町村' },
  resident_postal_code: { en: 'Postal code of residence', ja: '居住地郵便番号' },
  resident_street: { en: 'Street of residence', ja: '居住地の通り' },
  email_address: { en: 'E-mail address', ja: 'メールアドレス' },
  mobile_phone_number: { en: 'Mobile phone number', ja: '携帯電話番号' },
  issuance_date: { en: 'Date of issuance', ja: '発行日' },
  expiry_date: { en: 'Date of expiry', ja: '有効期限' },
  // Setagaya City's certificate of residence
  family_name_latin: { en: 'Family name (Latin)', ja: '姓（ローマ字）' },
  given_name_latin: { en: 'Given name (Latin)', ja: '名（ローマ字）' },
  family_name_kana: { en: 'Family name (kana)', ja: '姓（かな）' },
  given_name_kana: { en: 'Given name (kana)', ja: '名（かな）' },
  sex: { en: 'Sex', ja: '性別' },
  issuing_authority_local: { en: 'Issuing authority (Japanese)', ja: '発行者' },
};

/** `age_equal_or_over` members as a person reads them ("18 or over"). */
const AGE_LABEL = { en: (n: string) => `Age ${n} or over`, ja: (n: string) => `${n} 歳以上` };

/**
 * A DCQL claim path as a person reads it: the claim's label in `lang`, then any further path members
 * (`eIDAS person identifier (DE)`); an mdoc path `[namespace, element]` by its element. Unknown names stay as they are.
 */
export function claimLabel(path: readonly unknown[], lang: PageLang): string {
  const parts = path.map((p) => (p === null ? '*' : String(p)));
  const mdoc = parts.length === 2 && parts[0]?.includes('.') ? 1 : 0;
  const head = parts[mdoc] ?? '';
  if (head === 'age_equal_or_over' && parts.length === mdoc + 2) return AGE_LABEL[lang](parts[mdoc + 1] as string);
  const label = CLAIM_LABELS[head]?.[lang] ?? head;
  const rest = parts.slice(mdoc + 1);
  return rest.length ? `${label} (${rest.join(' / ')})` : label;
}

/** Text for HTML: `&<>"'` escaped (every value shown comes from the network). */
export function esc(value: unknown): string {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string,
  );
}

/** The page around a body: language, title, the en/ja switch, the TEST ONLY note, a little style. */
export function pageShell(opts: {
  lang: PageLang;
  title: string;
  body: string;
  langLinks: { en: string; ja: string };
  head?: string;
}): string {
  const t = textOf(opts.lang);
  return `<!doctype html>
<html lang="${opts.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)}</title>${opts.head ?? ''}
<style>
body{font-family:${CJK_FONT_STACK};max-width:46rem;margin:1.5rem auto;padding:0 1rem;color:#1d2330;line-height:1.5}
h1{font-size:1.35rem}h2{font-size:1.1rem;margin-top:1.5rem}
.lang{float:right;font-size:.9rem}.note{color:#8a4b00;font-size:.85rem}
.box{border:1px solid #c8cfdb;border-radius:6px;padding:.75rem 1rem;margin:.75rem 0}
.ok{color:#0b6b2b;font-weight:600}.fail{color:#a3141b;font-weight:600}
.mono,textarea{font-family:ui-monospace,monospace;font-size:.8rem;word-break:break-all}
textarea{width:100%;min-height:5rem}button{font-size:1rem;padding:.4rem 1.1rem;margin:.25rem .5rem .25rem 0}
.qr svg{width:260px;height:260px}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}
</style></head>
<body><nav class="lang"><a href="${esc(opts.langLinks.en)}" data-testid="lang-en">English</a> · <a href="${esc(opts.langLinks.ja)}" data-testid="lang-ja">日本語</a></nav>
<h1>${esc(opts.title)}</h1>
${opts.body}
<p class="note">${esc(t('testOnly'))}</p>
</body></html>`;
}
