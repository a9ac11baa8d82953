export { type AuditEntry, type AuditEntryInput, AuditLog, type AuditVerification, canonicalJson } from './audit-log.ts';
