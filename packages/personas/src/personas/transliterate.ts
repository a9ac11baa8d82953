/**
 * ICAO Doc 9303 Part 3 §6 recommends these transliterations for the machine-readable zone; other
 * diacritics are dropped. The result is plain ASCII, usable where only Latin ASCII is accepted.
 * @see https://www.icao.int/publications/Documents/9303_p3_cons_en.pdf
 */
// biome-ignore format: a table
const ICAO: Record<string, string> = {
  Ä: 'AE', ä: 'ae', Ö: 'OE', ö: 'oe', Ü: 'UE', ü: 'ue', ß: 'ss', Å: 'AA', å: 'aa', Æ: 'AE', æ: 'ae',
  Ø: 'OE', ø: 'oe', Œ: 'OE', œ: 'oe', Þ: 'TH', þ: 'th', Ð: 'D', ð: 'd', Ł: 'L', ł: 'l',
};

/** ASCII transliteration of Latin-script text (`Mühlgasse 3` → `Muehlgasse 3`); other non-ASCII is dropped. */
export function transliterate(s: string): string {
  return [...s]
    .map((c) => ICAO[c] ?? c)
    .join('')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[’‘]/g, "'")
    .replace(/[^\x20-\x7E]/g, '');
}

/** ASCII Latin transliteration of a Latin-script name: `Müller` → `Mueller`, `Niccolò` → `Niccolo`. */
export function toLatinAscii(s: string): string {
  return transliterate(s).replace(/[^A-Za-z' -]/g, '');
}

/** An e-mail local part from Latin names: lower case, letters and dots only. */
export function emailLocalPart(...parts: string[]): string {
  return parts
    .map((p) =>
      toLatinAscii(p)
        .toLowerCase()
        .replace(/[^a-z]+/g, '-')
        .replace(/^-|-$/g, ''),
    )
    .join('.');
}
