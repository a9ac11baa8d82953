/** JAdES (ETSI TS 119 182-1) header parameters and identifiers used here. */
export const JADES = {
  /** sigD mechanism: detached objects referenced by URI, with their hashes in the header (§5.2.8.3.2). */
  objectIdByUriHash: 'http://uri.etsi.org/19182/ObjectIdByURIHash',
  /** Header parameters this implementation understands when listed in `crit`. */
  understoodCrit: ['sigT', 'sigD'] as readonly string[],
} as const;

export function b64u(data: Uint8Array | string): string {
  return Buffer.from(data).toString('base64url');
}

/** Strict base64url: alphabet only, no padding, and a canonical encoding (no stray trailing bits). */
export function fromB64u(s: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return undefined;
  const b = Buffer.from(s, 'base64url');
  return b.toString('base64url') === s ? b : undefined;
}
