import { defineFaults } from '@kakehashi/core';

/**
 * The access point's faults, all off by default, switched with `PUT /admin/faults`. The receiving side's make the
 * receipts (or the endpoint) bad, to test senders against E1/E2 and their reception awareness; the sending side's
 * make the UserMessage itself bad, to test a receiving access point against E3–E7 — one submission may ask for one
 * with `X-Kakehashi-Fault` (or `kakehashi_fault`) on `POST /edelivery/messages`, kept with the message until it is
 * sent.
 * @see ../../../../../shared/design/attack-catalogue.md (AS4 / ebMS3)
 */
export const EDELIVERY_FAULTS = defineFaults('edelivery', [
  {
    name: 'edelivery.receipt-unsigned',
    kind: 'forge',
    rule: 'E1 AS4 profile §5.1.8',
    description: 'Receipts go out without a WS-Security signature: the sender must not count the message delivered.',
  },
  {
    name: 'edelivery.receipt-wrong-signer',
    kind: 'forge',
    rule: 'E1',
    description:
      "Receipts are signed by another trusted certificate (one of the node's agencies), not the access point's registered one.",
  },
  {
    name: 'edelivery.receipt-wrong-digest',
    kind: 'forge',
    rule: 'E2 AS4 profile §5.1.8',
    description: "The receipt's non-repudiation information gives a wrong digest for the first signed part.",
  },
  {
    name: 'edelivery.receipt-wrong-ref',
    kind: 'forge',
    rule: 'E2 ebMS 3.0 core §5.2.3.3',
    description: 'The receipt refers to another MessageId (RefToMessageId).',
  },
  {
    name: 'edelivery.no-receipt',
    kind: 'forge',
    rule: 'E1 AS4 profile §3.4',
    description: 'The answer is a signal with neither a Receipt nor an Error: the sender retries, then gives up.',
  },
  {
    name: 'edelivery.receiver-unavailable',
    kind: 'outage',
    description:
      'POST /as4 answers every message with a 503 SOAP Fault Receiver, as an access point in an outage: senders retry on their reception-awareness schedule.',
  },
  {
    name: 'edelivery.unsigned-message',
    kind: 'forge',
    rule: 'E7 EBMS:0103',
    perRequest: true,
    description:
      'The sending access point sends the UserMessage without a WS-Security header (neither signed nor encrypted).',
  },
  {
    name: 'edelivery.wrong-party',
    kind: 'forge',
    rule: 'E6 EBMS:0010',
    perRequest: true,
    description:
      "The UserMessage is signed with another trusted certificate (one of the node's agencies), not the one registered for the From party.",
  },
  {
    name: 'edelivery.replayed-message-id',
    kind: 'forge',
    rule: 'E3 duplicate elimination',
    perRequest: true,
    description:
      'The UserMessage carries the MessageId of the last message this access point delivered to the same receiver, with new content: it must not be delivered (the original receipt is answered).',
  },
  {
    name: 'edelivery.tampered-attachment',
    kind: 'forge',
    rule: 'E5 EBMS:0101',
    perRequest: true,
    description:
      'The first attachment is changed after signing (before encryption): its digest no longer matches the signed reference.',
  },
  {
    name: 'edelivery.tampered-header',
    kind: 'forge',
    rule: 'E4 EBMS:0101',
    perRequest: true,
    description:
      'eb:Action is changed after signing (to another action of the P-Mode when it has one): the signed eb:Messaging no longer matches.',
  },
]);

/** The name of one of the access point's faults. */
export type EdeliveryFaultName = (typeof EDELIVERY_FAULTS)[number]['name'];

/** The sending side's faults, in the order they are applied to a UserMessage. */
export const SENDING_FAULTS = [
  'edelivery.replayed-message-id',
  'edelivery.unsigned-message',
  'edelivery.wrong-party',
  'edelivery.tampered-attachment',
  'edelivery.tampered-header',
] as const satisfies readonly EdeliveryFaultName[];
export type SendingFault = (typeof SENDING_FAULTS)[number];

/** The receiving side's faults on the receipt it answers. */
export const RECEIPT_FAULTS = [
  'edelivery.receipt-unsigned',
  'edelivery.receipt-wrong-signer',
  'edelivery.receipt-wrong-digest',
  'edelivery.receipt-wrong-ref',
  'edelivery.no-receipt',
] as const satisfies readonly EdeliveryFaultName[];
