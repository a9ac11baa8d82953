import { z } from '@hono/zod-openapi';

const Token = z.string().trim().min(1).max(500);

export const PropertySchema = z.object({
  name: z.string().min(1).max(200),
  value: z.string().max(2000),
  type: z.string().min(1).max(200).optional(),
});

export const PartySchema = z.object({
  partyId: Token,
  partyIdType: Token.optional(),
  role: Token,
});

export const PartInfoSchema = z.object({
  /** `cid:<content-id>` for an attachment, `#<id>` for an element of the Body; absent: the Body itself. */
  href: z.string().min(1).max(300).optional(),
  properties: z.array(PropertySchema).max(50),
});

/**
 * The ebMS 3.0 UserMessage header as the access point reads and writes it.
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/core/os/ebms_core-3.0-spec.html §5.2.2
 */
export const UserMessageSchema = z.object({
  messageId: z
    .string()
    .min(3)
    .max(255)
    .regex(/^[^\s<>"]+$/, 'a MessageId has no whitespace, quotes or angle brackets'),
  timestamp: z.string().datetime({ offset: true, local: true }),
  refToMessageId: z.string().min(1).max(255).optional(),
  mpc: z.string().min(1).max(300).optional(),
  from: PartySchema,
  to: PartySchema,
  agreementRef: z.object({ value: Token, type: Token.optional(), pmode: Token.optional() }).optional(),
  service: z.object({ value: Token, type: Token.optional() }),
  action: Token,
  conversationId: Token,
  properties: z.array(PropertySchema).max(50),
  parts: z.array(PartInfoSchema).max(50),
});

export type UserMessage = z.infer<typeof UserMessageSchema>;
export type Party = z.infer<typeof PartySchema>;
export type PartInfo = z.infer<typeof PartInfoSchema>;
export type MessageProperty = z.infer<typeof PropertySchema>;

/** The value of a named property, if present. */
export function propertyValue(props: readonly MessageProperty[], name: string): string | undefined {
  return props.find((p) => p.name === name)?.value;
}
