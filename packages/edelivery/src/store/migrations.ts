import type { Migration } from '@kakehashi/core';

/** The access point's persistent message store (`node:sqlite`): what must survive a crash lives here. */
export const EDELIVERY_MIGRATIONS: readonly Migration[] = [
  {
    id: 'edelivery/messages/001',
    up: `
      CREATE TABLE edelivery_messages (
        message_id TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
        status TEXT NOT NULL,
        pmode_id TEXT NOT NULL,
        service TEXT NOT NULL,
        action TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        original_sender TEXT,
        final_recipient TEXT,
        from_party TEXT NOT NULL,
        to_party TEXT NOT NULL,
        header_json TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        endpoint TEXT,
        peer_country TEXT,
        peer_signing_cert TEXT,
        peer_encryption_cert TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        last_error TEXT,
        nr_references TEXT,
        ts_digests TEXT NOT NULL DEFAULT '[]',
        receipt_xml TEXT,
        duplicates INTEGER NOT NULL DEFAULT 0,
        trace_parent TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (message_id, direction)
      );
      CREATE INDEX edelivery_messages_due ON edelivery_messages (direction, status, next_attempt_at);
      CREATE TABLE edelivery_payloads (
        message_id TEXT NOT NULL,
        direction TEXT NOT NULL,
        cid TEXT NOT NULL,
        mime_type TEXT NOT NULL,
        compressed INTEGER NOT NULL DEFAULT 0,
        content BLOB NOT NULL,
        PRIMARY KEY (message_id, direction, cid)
      );
      CREATE TABLE edelivery_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        message_id TEXT NOT NULL,
        direction TEXT NOT NULL,
        status TEXT NOT NULL,
        at TEXT NOT NULL,
        detail TEXT
      );
      CREATE INDEX edelivery_events_message ON edelivery_events (message_id, direction);
      CREATE TABLE edelivery_webhooks (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        events TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE edelivery_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    // The sending faults one submission asked for (`X-Kakehashi-Fault`), applied when the message is sent.
    id: 'edelivery/messages/002',
    up: `ALTER TABLE edelivery_messages ADD COLUMN faults TEXT NOT NULL DEFAULT '[]';`,
  },
  {
    // A subscription made with `batch: true` receives its status changes batched (one post carries many).
    id: 'edelivery/webhooks/003',
    up: `ALTER TABLE edelivery_webhooks ADD COLUMN batch INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    // The sender's due scan in the order it reads (MessageStore.due): only the messages waiting to be sent, by when
    // they are due — without it the two statuses' rows were sorted in a temporary b-tree at every scan.
    id: 'edelivery/messages/004',
    up: `CREATE INDEX edelivery_messages_due_only ON edelivery_messages (next_attempt_at)
           WHERE direction = 'out' AND status IN ('READY_TO_SEND', 'WAITING_FOR_RETRY');`,
  },
  {
    // What is written once per message — the header, the peer's two PEM certificates, the receipt — in a table of
    // its own: a status change updates the small row of edelivery_messages instead of rewriting (and reading back)
    // a row of several kilobytes that spilled onto overflow pages. The rows already stored move with their values.
    id: 'edelivery/messages/005',
    up: `
      CREATE TABLE edelivery_message_bodies (
        message_id TEXT NOT NULL,
        direction TEXT NOT NULL,
        header_json TEXT NOT NULL,
        peer_signing_cert TEXT,
        peer_encryption_cert TEXT,
        receipt_xml TEXT,
        PRIMARY KEY (message_id, direction)
      );
      INSERT INTO edelivery_message_bodies (message_id, direction, header_json, peer_signing_cert, peer_encryption_cert,
          receipt_xml)
        SELECT message_id, direction, header_json, peer_signing_cert, peer_encryption_cert, receipt_xml
        FROM edelivery_messages;
      ALTER TABLE edelivery_messages DROP COLUMN header_json;
      ALTER TABLE edelivery_messages DROP COLUMN peer_signing_cert;
      ALTER TABLE edelivery_messages DROP COLUMN peer_encryption_cert;
      ALTER TABLE edelivery_messages DROP COLUMN receipt_xml;
    `,
  },
];
