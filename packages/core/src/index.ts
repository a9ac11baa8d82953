/**
 * @kakehashi/core — what every component stands on: errors (RFC 9457), the virtual clock, seeded randomness,
 * layered configuration, structured logging, safe XML parsing, the Store, the audit chain, traces and the
 * HTTP scaffolding (problem+json, OpenAPI, docs, admin).
 */

export * from './audit/index.ts';
export * from './clock/index.ts';
export * from './config/index.ts';
export * from './errors/index.ts';
export * from './faults/index.ts';
export * from './http/index.ts';
export * from './log/index.ts';
export * from './protocol/index.ts';
export * from './random/index.ts';
export * from './security/index.ts';
export * from './store/index.ts';
export * from './trace/index.ts';
export * from './xml/index.ts';
