import type { SeededRandom } from '@kakehashi/core';
import type { Address } from '../z-persona.ts';
import type { Area, CountryData } from './country-data.ts';

// Passport-style Hepburn (no macrons): 佐藤 → Sato, 伊藤 → Ito.
const FAMILY = [
  { local: '山田', kana: 'ヤマダ', latin: 'Yamada' },
  { local: '佐藤', kana: 'サトウ', latin: 'Sato' },
  { local: '鈴木', kana: 'スズキ', latin: 'Suzuki' },
  { local: '高橋', kana: 'タカハシ', latin: 'Takahashi' },
  { local: '田中', kana: 'タナカ', latin: 'Tanaka' },
  { local: '伊藤', kana: 'イトウ', latin: 'Ito' },
  { local: '渡辺', kana: 'ワタナベ', latin: 'Watanabe' },
  { local: '中村', kana: 'ナカムラ', latin: 'Nakamura' },
  { local: '小林', kana: 'コバヤシ', latin: 'Kobayashi' },
  { local: '加藤', kana: 'カトウ', latin: 'Kato' },
  { local: '吉田', kana: 'ヨシダ', latin: 'Yoshida' },
  { local: '松本', kana: 'マツモト', latin: 'Matsumoto' },
] as const;

const MALE = [
  { local: '太郎', kana: 'タロウ', latin: 'Taro' },
  { local: '一郎', kana: 'イチロウ', latin: 'Ichiro' },
  { local: '健太', kana: 'ケンタ', latin: 'Kenta' },
  { local: '翔太', kana: 'ショウタ', latin: 'Shota' },
  { local: '大輔', kana: 'ダイスケ', latin: 'Daisuke' },
  { local: '拓也', kana: 'タクヤ', latin: 'Takuya' },
  { local: '浩', kana: 'ヒロシ', latin: 'Hiroshi' },
  { local: '誠', kana: 'マコト', latin: 'Makoto' },
  { local: '蓮', kana: 'レン', latin: 'Ren' },
] as const;

const FEMALE = [
  { local: '花子', kana: 'ハナコ', latin: 'Hanako' },
  { local: '陽子', kana: 'ヨウコ', latin: 'Yoko' },
  { local: '美咲', kana: 'ミサキ', latin: 'Misaki' },
  { local: '由美', kana: 'ユミ', latin: 'Yumi' },
  { local: '恵子', kana: 'ケイコ', latin: 'Keiko' },
  { local: '愛', kana: 'アイ', latin: 'Ai' },
  { local: '真由美', kana: 'マユミ', latin: 'Mayumi' },
  { local: 'さくら', kana: 'サクラ', latin: 'Sakura' },
  { local: '結衣', kana: 'ユイ', latin: 'Yui' },
] as const;

// biome-ignore format: a table
const AREAS: readonly Area[] = [
  { region: '東京都', regionLatin: 'Tokyo', city: '世田谷区', cityLatin: 'Setagaya-ku', town: '太子堂', townLatin: 'Taishido', postCode: '154-0004' },
  { region: '東京都', regionLatin: 'Tokyo', city: '世田谷区', cityLatin: 'Setagaya-ku', town: '北沢', townLatin: 'Kitazawa', postCode: '155-0031' },
  { region: '東京都', regionLatin: 'Tokyo', city: '新宿区', cityLatin: 'Shinjuku-ku', town: '高田馬場', townLatin: 'Takadanobaba', postCode: '169-0075' },
  { region: '大阪府', regionLatin: 'Osaka', city: '大阪市北区', cityLatin: 'Kita-ku, Osaka-shi', town: '天満', townLatin: 'Tenma', postCode: '530-0043' },
  { region: '神奈川県', regionLatin: 'Kanagawa', city: '横浜市中区', cityLatin: 'Naka-ku, Yokohama-shi', town: '山手町', townLatin: 'Yamatecho', postCode: '231-0862' },
  { region: '愛知県', regionLatin: 'Aichi', city: '名古屋市千種区', cityLatin: 'Chikusa-ku, Nagoya-shi', town: '今池', townLatin: 'Imaike', postCode: '464-0850' },
  { region: '福岡県', regionLatin: 'Fukuoka', city: '福岡市中央区', cityLatin: 'Chuo-ku, Fukuoka-shi', town: '大名', townLatin: 'Daimyo', postCode: '810-0041' },
  { region: '宮城県', regionLatin: 'Miyagi', city: '仙台市青葉区', cityLatin: 'Aoba-ku, Sendai-shi', town: '一番町', townLatin: 'Ichibancho', postCode: '980-0811' },
];

const a = (i: number) => AREAS[i] as Area;

/** Japanese address: 〒postcode prefecture city town N丁目N番N号 (block numbers are fictional). */
function address(rng: SeededRandom, area: Area): Address {
  const [chome, ban, go] = [rng.range(1, 5), rng.range(1, 30), rng.range(1, 20)];
  const street = `${area.town}${chome}丁目${ban}番${go}号`;
  return {
    street,
    postCode: area.postCode,
    city: area.city,
    region: area.region as string,
    countryCode: 'JP',
    full: `〒${area.postCode} ${area.region}${area.city}${street}`,
    fullLatin: `${chome}-${ban}-${go} ${area.townLatin}, ${area.cityLatin}, ${area.regionLatin} ${area.postCode}, Japan`,
  };
}

export const JP: CountryData = {
  code: 'JP',
  familyNames: FAMILY,
  givenNames: { male: MALE, female: FEMALE },
  birthPlaces: ['東京都', '大阪府', '北海道', '福岡県', '愛知県', '宮城県', '広島県', '沖縄県', '新潟県'].map(
    (name) => ({ name }),
  ),
  areas: AREAS,
  address,
  phone: (rng) => `+81 ${rng.pick(['70', '80', '90'])}-${rng.digits(4)}-${rng.digits(4)}`,
  fixed: [
    // 山田太郎: the name on every Japanese specimen form.
    {
      familyName: FAMILY[0],
      givenName: MALE[0],
      gender: 'male',
      dateOfBirth: '1985-04-01',
      birthPlace: { name: '東京都' },
      area: a(0),
    },
    {
      familyName: FAMILY[1],
      givenName: FEMALE[0],
      gender: 'female',
      dateOfBirth: '1992-07-15',
      birthPlace: { name: '大阪府' },
      area: a(3),
    },
    // A pensioner, for the Japan Pension Service scenarios.
    {
      familyName: FAMILY[2],
      givenName: MALE[1],
      gender: 'male',
      dateOfBirth: '1955-11-03',
      birthPlace: { name: '愛知県' },
      area: a(5),
    },
  ],
};
