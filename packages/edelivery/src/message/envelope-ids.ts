import { createHash } from 'node:crypto';
import type { EnvelopeIds } from './build-user-message.ts';

/** Stable NCName identifiers for the parts of a message, derived from its MessageId (a resend signs the same ids). */
export function envelopeIds(messageId: string, kind: 'user' | 'signal' = 'user'): EnvelopeIds & { prefix: string } {
  const h = createHash('sha256').update(`${kind}\0${messageId}`).digest('hex').slice(0, 20);
  return { messaging: `_msg-${h}`, body: `_body-${h}`, prefix: `_sec-${h}` };
}
