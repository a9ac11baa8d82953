import { inspectCertificate, OID } from '@kakehashi/trust';
import { iso } from '../common/signature-facts.ts';
import type { CertificateSummary } from '../report/z-report.ts';

const JPKI_NAMES: Record<string, string> = {
  [OID.jpkiName]: 'name',
  [OID.jpkiSex]: 'sex',
  [OID.jpkiDateOfBirth]: 'dateOfBirth',
  [OID.jpkiAddress]: 'address',
};

/** The report's summary of a certificate (with the JPKI personal data when present); undefined when unreadable. */
export function summariseCertificate(pem: string): CertificateSummary | undefined {
  try {
    const f = inspectCertificate(pem);
    const out: CertificateSummary = {
      subject: f.subject,
      label: f.label,
      serialHex: f.serialHex,
      issuer: f.issuer,
      notBefore: iso(f.notBefore),
      notAfter: iso(f.notAfter),
    };
    if (f.country) out.country = f.country;
    const jpki = f.otherNames.filter((o) => JPKI_NAMES[o.oid]);
    if (jpki.length > 0) out.jpki = Object.fromEntries(jpki.map((o) => [JPKI_NAMES[o.oid] as string, o.value]));
    return out;
  } catch {
    return undefined;
  }
}
