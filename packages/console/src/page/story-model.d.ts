/** Types of ./story-model.js (plain JavaScript, loaded by the browser as it is). */
import type { ConsoleTraceEvent, Hop, Sequence } from './trace-model.js';

export type SetupKind = 'registry' | 'keys' | 'metadata' | 'trust' | 'discovery' | 'directory' | 'codes' | 'personas';
export type StoryHop = Hop & { setup?: SetupKind | undefined };
export type Row =
  | { kind: 'hop'; hop: StoryHop }
  | { kind: 'fold'; first: number; hops: number[]; kinds: Partial<Record<SetupKind, number>>; open: boolean };
export interface StoryStep {
  n: number;
  title: string;
  detail: string;
  ok: boolean;
  hops: number[];
  focus: number | undefined;
  rules: string[];
  blocks: string[];
  fired: string[];
}
export interface FaultInfo {
  name: string;
  block?: string;
  kind: string;
  rule?: string;
  [k: string]: unknown;
}
export interface RunReport {
  name?: string;
  steps: { title: string; titleJa?: string; ok: boolean; detail: string; spans?: string[] }[];
}

export function setupKindOf(event: ConsoleTraceEvent): SetupKind | undefined;
export function markSetup(seq: Sequence): StoryHop[];
export function foldRows(hops: StoryHop[], isOpen?: (first: number) => boolean): Row[];
export function assignSteps(hops: Hop[], steps: RunReport['steps']): number[];
export function focusHop(hops: StoryHop[]): StoryHop | undefined;
export function buildStory(seq: Sequence, report: RunReport, lang?: string): StoryStep[];
export function blockOf(event: ConsoleTraceEvent): string | undefined;
export function faultsForStep<F extends FaultInfo>(
  step: Pick<StoryStep, 'rules' | 'blocks' | 'fired'>,
  faults: F[],
): { faults: F[]; attacks: F[] };
export function traceTitle(seq: Sequence, scenario?: string): string;

export interface ScenarioUndo {
  restored: boolean;
  actions: string[];
  problems: string[];
}
/** What undoing a run did, in plain words in `lang`; undefined when the report has no undo. */
export function undoLines(
  undo: unknown,
  lang: string,
): { lines: string[]; restored: boolean; problems: string[] } | undefined;
/** What the hub's POST /admin/reset answered it did, in plain words in `lang`. */
export function resetLines(answer: unknown, lang: string): { lines: string[]; ok: boolean };
