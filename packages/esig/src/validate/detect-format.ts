import { readCades } from '../cades/verify-cades.ts';
import {
  emptyOutcome,
  type FormatOutcome,
  type SignatureInput,
  type SignatureValidationContext,
} from '../common/signature-facts.ts';
import { readJades } from '../jades/verify-jades.ts';
import { readXades } from '../xades/verify-xades.ts';

/** Decides which reader handles the bytes: XML → XAdES, JSON or compact JWS → JAdES, otherwise CMS → CAdES. */
export function detectFormat(signature: Uint8Array | string): 'XAdES' | 'JAdES' | 'CAdES' | undefined {
  const head =
    typeof signature === 'string'
      ? signature
          .slice(0, 64)
          .replace(/^\uFEFF/, '')
          .trimStart()
      : Buffer.from(signature.subarray(0, 64))
          .toString('latin1')
          .replace(/^\xEF\xBB\xBF/, '')
          .trimStart();
  if (head.startsWith('<')) return 'XAdES';
  if (head.startsWith('{')) return 'JAdES';
  if (head.startsWith('-----BEGIN')) return 'CAdES';
  if (typeof signature === 'string' && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/.test(signature.trim()))
    return 'JAdES';
  if (typeof signature !== 'string' && signature[0] === 0x30) return 'CAdES';
  if (typeof signature === 'string' && /^[A-Za-z0-9+/=\s]+$/.test(signature.slice(0, 256))) return 'CAdES';
  if (typeof signature !== 'string' && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/.test(head)) return 'JAdES';
  return undefined;
}

/**
 * Runs the format reader the bytes call for (format checking, signing-certificate identification and
 * cryptographic verification); input that is none of the three formats is a FORMAT_FAILURE outcome.
 */
export function readFormat(input: SignatureInput, ctx: SignatureValidationContext): FormatOutcome {
  const format = detectFormat(input.signature);
  if (format === 'XAdES') return readXades(input, ctx);
  if (format === 'JAdES') return readJades(input);
  if (format === 'CAdES') return readCades(input);
  const fo = emptyOutcome('CAdES');
  fo.formatFailure = 'The input is neither XML (XAdES), a JWS (JAdES) nor CMS (CAdES).';
  return fo;
}
