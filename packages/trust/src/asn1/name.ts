import forge from 'node-forge';
import { children, readOid, valueBytes } from './der.ts';

const SHORT: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/** Renders a DER Name the way node:crypto's X509Certificate does (`C=DE\nO=…\nCN=…`, most significant first). */
export function nameToString(name: forge.asn1.Asn1): string {
  const parts: string[] = [];
  for (const rdn of children(name)) {
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      const oid = readOid(type);
      const raw = valueBytes(value);
      const text = value?.type === forge.asn1.Type.BMPSTRING ? raw.swap16().toString('utf16le') : raw.toString('utf8');
      parts.push(`${SHORT[oid] ?? oid}=${text}`);
    }
  }
  return parts.join('\n');
}
