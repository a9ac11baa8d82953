/** Types of ./roles.js (plain JavaScript, loaded by the browser as it is). */
import type { ConsoleTraceEvent } from './trace-model.js';

export function pathOf(operation: unknown): string | undefined;
export function jpPartOf(path: unknown): string | undefined;
export function jpCallOf(operation: unknown): { from: string; to: string } | undefined;
export function jpKey(part: string): string;
export function outsideCallerOf(event: ConsoleTraceEvent, calleeKey: string): string;
export function nodeRoles(events: unknown): Map<string, string[]>;
export function roleLabel(key: string, lang?: string, roles?: Map<string, string[]>): string;
