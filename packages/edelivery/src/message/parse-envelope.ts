import { EbmsError } from '../errors/ebms-error.ts';
import type { ReferenceInfo } from './build-signal.ts';
import { childrenNs, elementChildren, onlyChild, textOf } from './dom.ts';
import { NS } from './ns.ts';
import { type PartInfo, type Party, type UserMessage, UserMessageSchema } from './z-user-message.ts';

/** An ebMS signal message as read from `eb:Messaging/eb:SignalMessage`. */
export interface ParsedSignal {
  messageId: string;
  timestamp: string;
  refToMessageId?: string | undefined;
  receipt?: { references: ReferenceInfo[] } | undefined;
  errors: {
    code: string;
    severity: string;
    shortDescription?: string | undefined;
    description?: string | undefined;
    detail?: string | undefined;
    refToMessageInError?: string | undefined;
  }[];
  pullRequest?: { mpc?: string | undefined } | undefined;
}

export interface ParsedEnvelope {
  doc: Document;
  envelope: Element;
  header: Element;
  body: Element;
  /** The one `eb:Messaging` header block: the element that is processed (and must be the one signed). */
  messaging: Element;
  /** `wsse:Security` header blocks (the AS4 profile uses one, without a role). */
  securities: Element[];
  /** Header blocks marked mustUnderstand that this access point does not understand (qualified names). */
  notUnderstood: string[];
  userMessage?: UserMessage | undefined;
  signal?: ParsedSignal | undefined;
}

const invalid = (detail: string, rule = 'ebMS 3.0 core §5.2') => new EbmsError('EBMS:0009', detail, { rule });

function mustUnderstand(el: Element): boolean {
  const v = el.getAttributeNS(NS.soap, 'mustUnderstand');
  return v === 'true' || v === '1';
}

/**
 * Reads a SOAP 1.2 envelope carrying an ebMS 3.0 header: exactly one Header and one Body, exactly one
 * `eb:Messaging` with exactly one UserMessage or SignalMessage. Structural problems are `EBMS:0009` InvalidHeader;
 * nothing here checks signatures (see `verifyEnvelope`).
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/core/os/ebms_core-3.0-spec.html §5.2
 * @see https://www.w3.org/TR/soap12-part1/#soaphead
 */
export function parseEnvelope(doc: Document): ParsedEnvelope {
  const envelope = doc.documentElement;
  if (envelope?.localName !== 'Envelope' || envelope.namespaceURI !== NS.soap) {
    throw invalid(
      `The root element is ${envelope ? `{${envelope.namespaceURI ?? ''}}${envelope.localName}` : 'missing'}; an AS4 message is a SOAP 1.2 Envelope (${NS.soap}).`,
      'SOAP 1.2 part 1 §5',
    );
  }
  const kids = elementChildren(envelope);
  const headers = childrenNs(envelope, NS.soap, 'Header');
  const bodies = childrenNs(envelope, NS.soap, 'Body');
  if (headers.length !== 1 || bodies.length !== 1 || kids.length !== 2 || kids[0] !== headers[0]) {
    throw invalid('The Envelope must hold exactly one Header followed by exactly one Body.', 'SOAP 1.2 part 1 §5.1');
  }
  const header = headers[0] as Element;
  const body = bodies[0] as Element;
  const messagings = childrenNs(header, NS.eb, 'Messaging');
  if (messagings.length !== 1) {
    throw invalid(
      `The SOAP Header must hold exactly one eb:Messaging block (found ${messagings.length}).`,
      'ebMS 3.0 core §5.2.1',
    );
  }
  const messaging = messagings[0] as Element;
  const securities: Element[] = [];
  const notUnderstood: string[] = [];
  for (const block of elementChildren(header)) {
    if (block === messaging) continue;
    if (block.namespaceURI === NS.wsse && block.localName === 'Security') {
      securities.push(block);
      continue;
    }
    if (mustUnderstand(block)) notUnderstood.push(`{${block.namespaceURI ?? ''}}${block.localName}`);
  }
  const users = childrenNs(messaging, NS.eb, 'UserMessage');
  const signals = childrenNs(messaging, NS.eb, 'SignalMessage');
  if (users.length + signals.length !== 1) {
    throw invalid(
      `eb:Messaging must hold exactly one UserMessage or one SignalMessage (found ${users.length} and ${signals.length}).`,
      'ebMS 3.0 core §5.2.1 / AS4 profile §2.1',
    );
  }
  const result: ParsedEnvelope = { doc, envelope, header, body, messaging, securities, notUnderstood };
  if (users[0]) result.userMessage = readUserMessage(users[0]);
  if (signals[0]) result.signal = readSignal(signals[0]);
  return result;
}

function one(parent: Element, local: string, required: true): Element;
function one(parent: Element, local: string, required: false): Element | undefined;
function one(parent: Element, local: string, required: boolean): Element | undefined {
  const el = onlyChild(parent, NS.eb, local, () => invalid(`eb:${parent.localName} holds more than one eb:${local}.`));
  if (!el && required) throw invalid(`eb:${parent.localName} lacks the required eb:${local}.`);
  return el;
}

function readParty(el: Element): Party {
  const ids = childrenNs(el, NS.eb, 'PartyId');
  if (ids.length !== 1)
    throw invalid(`eb:${el.localName} must hold exactly one eb:PartyId here (found ${ids.length}).`);
  const id = ids[0] as Element;
  const type = id.getAttribute('type');
  return { partyId: textOf(id), ...(type ? { partyIdType: type.trim() } : {}), role: textOf(one(el, 'Role', true)) };
}

function readProperties(el: Element | undefined) {
  return childrenNs(el ?? ({} as Element), NS.eb, 'Property').map((p) => {
    const type = p.getAttribute('type');
    return { name: p.getAttribute('name') ?? '', value: textOf(p), ...(type ? { type } : {}) };
  });
}

/** Reads `eb:UserMessage` into the validated model. */
export function readUserMessage(u: Element): UserMessage {
  const info = one(u, 'MessageInfo', true);
  const partyInfo = one(u, 'PartyInfo', true);
  const collab = one(u, 'CollaborationInfo', true);
  const agreement = one(collab, 'AgreementRef', false);
  const service = one(collab, 'Service', true);
  const props = one(u, 'MessageProperties', false);
  const payloadInfo = one(u, 'PayloadInfo', false);
  const parts: PartInfo[] = childrenNs(payloadInfo ?? ({} as Element), NS.eb, 'PartInfo').map((pi) => {
    const href = pi.getAttribute('href');
    const pp = onlyChild(pi, NS.eb, 'PartProperties', () =>
      invalid('eb:PartInfo holds more than one eb:PartProperties.'),
    );
    return { ...(href ? { href: href.trim() } : {}), properties: readProperties(pp) };
  });
  const ref = one(info, 'RefToMessageId', false);
  const mpc = u.getAttribute('mpc');
  const raw = {
    messageId: textOf(one(info, 'MessageId', true)),
    timestamp: textOf(one(info, 'Timestamp', true)),
    ...(ref ? { refToMessageId: textOf(ref) } : {}),
    ...(mpc ? { mpc } : {}),
    from: readParty(one(partyInfo, 'From', true)),
    to: readParty(one(partyInfo, 'To', true)),
    ...(agreement
      ? {
          agreementRef: {
            value: textOf(agreement),
            ...(agreement.getAttribute('type') ? { type: agreement.getAttribute('type') as string } : {}),
            ...(agreement.getAttribute('pmode') ? { pmode: agreement.getAttribute('pmode') as string } : {}),
          },
        }
      : {}),
    service: {
      value: textOf(service),
      ...(service.getAttribute('type') ? { type: service.getAttribute('type') as string } : {}),
    },
    action: textOf(one(collab, 'Action', true)),
    conversationId: textOf(one(collab, 'ConversationId', true)),
    properties: readProperties(props),
    parts,
  };
  const parsed = UserMessageSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EbmsError(
      'EBMS:0009',
      `The UserMessage header is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'schema mismatch'}.`,
      { rule: 'ebMS 3.0 core §5.2.2', ...(raw.messageId ? { refToMessageId: raw.messageId.slice(0, 255) } : {}) },
    );
  }
  return parsed.data;
}

/** Reads the `ds:Reference` elements under a node (receipt NRI or a SignedInfo). */
export function readReferences(parent: Element): ReferenceInfo[] {
  const out: ReferenceInfo[] = [];
  const walk = (el: Element) => {
    for (const c of elementChildren(el)) {
      if (c.namespaceURI === NS.ds && c.localName === 'Reference') {
        const transforms = childrenNs(c, NS.ds, 'Transforms').flatMap((t) =>
          childrenNs(t, NS.ds, 'Transform').map((x) => x.getAttribute('Algorithm') ?? ''),
        );
        out.push({
          uri: c.getAttribute('URI') ?? '',
          transforms,
          digestMethod: childrenNs(c, NS.ds, 'DigestMethod')[0]?.getAttribute('Algorithm') ?? '',
          digestValue: textOf(childrenNs(c, NS.ds, 'DigestValue')[0]).replace(/\s+/g, ''),
        });
      } else walk(c);
    }
  };
  walk(parent);
  return out;
}

/** Reads `eb:SignalMessage`: Receipt (with its NRI references), Errors, PullRequest. */
export function readSignal(s: Element): ParsedSignal {
  const info = one(s, 'MessageInfo', true);
  const ref = one(info, 'RefToMessageId', false);
  const receipt = one(s, 'Receipt', false);
  const pull = one(s, 'PullRequest', false);
  const messageId = textOf(one(info, 'MessageId', true));
  if (!messageId) throw invalid('The SignalMessage has an empty MessageId.');
  return {
    messageId,
    timestamp: textOf(one(info, 'Timestamp', true)),
    ...(ref ? { refToMessageId: textOf(ref) } : {}),
    ...(receipt ? { receipt: { references: readReferences(receipt) } } : {}),
    errors: childrenNs(s, NS.eb, 'Error').map((e) => ({
      code: e.getAttribute('errorCode') ?? '',
      severity: e.getAttribute('severity') ?? '',
      shortDescription: e.getAttribute('shortDescription') ?? undefined,
      description: textOf(childrenNs(e, NS.eb, 'Description')[0]) || undefined,
      detail: textOf(childrenNs(e, NS.eb, 'ErrorDetail')[0]) || undefined,
      refToMessageInError: e.getAttribute('refToMessageInError') ?? undefined,
    })),
    ...(pull ? { pullRequest: { mpc: pull.getAttribute('mpc') ?? undefined } } : {}),
  };
}
