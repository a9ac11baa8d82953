/** A persona as `GET /personas` lists it: the members that are personal data. */
export interface PersonaData {
  id: string;
  familyName: string;
  givenName: string;
  familyNameLatin: string;
  givenNameLatin?: string;
  dateOfBirth: string;
  nationalId: { value: string };
  email?: string;
  phone?: string;
  myNumber?: string;
  residentRecordCode?: string;
}

/**
 * Every personal value of the personas that must never appear in a security event, a CSIRT report or the CSIRT
 * network's feed: names, birth dates, national identifiers, My Numbers, resident record codes, e-mail addresses
 * and phone numbers (values shorter than 4 characters are left out: they would match anything).
 */
export function personalValues(personas: readonly PersonaData[]): string[] {
  return personas.flatMap((p) =>
    [
      p.familyName,
      p.givenName,
      p.familyNameLatin,
      p.givenNameLatin,
      p.dateOfBirth,
      p.nationalId.value,
      p.email,
      p.phone,
      p.myNumber,
      p.residentRecordCode,
    ].filter((v): v is string => typeof v === 'string' && v.length >= 4),
  );
}
