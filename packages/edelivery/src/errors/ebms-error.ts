/**
 * ebMS 3.0 error codes (core §6.7) and the AS4 additions (AS4 profile §3.6 / eDelivery AS4). The receiver answers
 * a failed UserMessage with an `eb:SignalMessage/eb:Error` carrying one of these, never with problem+json.
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/core/os/ebms_core-3.0-spec.html §6.7
 * @see https://docs.oasis-open.org/ebxml-msg/ebms/v3.0/profiles/AS4-profile/v1.0/os/AS4-profile-v1.0-os.html §5.2
 */
export const EBMS_ERRORS = {
  'EBMS:0001': { short: 'ValueNotRecognized', category: 'Content', severity: 'failure', origin: 'ebMS' },
  'EBMS:0002': { short: 'FeatureNotSupported', category: 'Content', severity: 'warning', origin: 'ebMS' },
  'EBMS:0003': { short: 'ValueInconsistent', category: 'Content', severity: 'failure', origin: 'ebMS' },
  'EBMS:0004': { short: 'Other', category: 'Content', severity: 'failure', origin: 'ebMS' },
  'EBMS:0005': { short: 'ConnectionFailure', category: 'Communication', severity: 'failure', origin: 'ebMS' },
  'EBMS:0006': {
    short: 'EmptyMessagePartitionChannel',
    category: 'Communication',
    severity: 'warning',
    origin: 'ebMS',
  },
  'EBMS:0007': { short: 'MimeInconsistency', category: 'Unpackaging', severity: 'failure', origin: 'ebMS' },
  'EBMS:0009': { short: 'InvalidHeader', category: 'Unpackaging', severity: 'failure', origin: 'ebMS' },
  'EBMS:0010': { short: 'ProcessingModeMismatch', category: 'Processing', severity: 'failure', origin: 'ebMS' },
  'EBMS:0011': { short: 'ExternalPayloadError', category: 'Content', severity: 'failure', origin: 'ebMS' },
  'EBMS:0101': { short: 'FailedAuthentication', category: 'Processing', severity: 'failure', origin: 'security' },
  'EBMS:0102': { short: 'FailedDecryption', category: 'Processing', severity: 'failure', origin: 'security' },
  'EBMS:0103': { short: 'PolicyNoncompliance', category: 'Processing', severity: 'failure', origin: 'security' },
  'EBMS:0202': { short: 'DeliveryFailure', category: 'Communication', severity: 'failure', origin: 'reliability' },
  'EBMS:0301': { short: 'MissingReceipt', category: 'Communication', severity: 'failure', origin: 'ebMS' },
  'EBMS:0302': { short: 'InvalidReceipt', category: 'Communication', severity: 'failure', origin: 'ebMS' },
  'EBMS:0303': { short: 'DecompressionFailure', category: 'Communication', severity: 'failure', origin: 'ebMS' },
} as const;

export type EbmsErrorCode = keyof typeof EBMS_ERRORS;

/**
 * A failure of ebMS processing. `detail` is what the peer is told (what failed and how to fix it; never a key or
 * a whole message); `rule` names the clause or attack-catalogue entry.
 */
export class EbmsError extends Error {
  readonly code: EbmsErrorCode;
  readonly detail: string;
  readonly rule: string | undefined;
  /** The MessageId of the message in error, when it could be read. */
  refToMessageId: string | undefined;

  constructor(
    code: EbmsErrorCode,
    detail: string,
    options: { rule?: string; refToMessageId?: string; cause?: unknown } = {},
  ) {
    super(
      `${code} ${EBMS_ERRORS[code].short}: ${detail}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'EbmsError';
    this.code = code;
    this.detail = detail;
    this.rule = options.rule;
    this.refToMessageId = options.refToMessageId;
  }

  get shortDescription(): string {
    return EBMS_ERRORS[this.code].short;
  }
  get severity(): string {
    return EBMS_ERRORS[this.code].severity;
  }
  get category(): string {
    return EBMS_ERRORS[this.code].category;
  }
  get origin(): string {
    return EBMS_ERRORS[this.code].origin;
  }
}

export function isEbmsError(e: unknown, code?: EbmsErrorCode): e is EbmsError {
  return e instanceof EbmsError && (code === undefined || e.code === code);
}
