/**
 * The attack and conformance runner: `kakehashi attack list | run`, and {@link runAttack} for tests.
 * @see ../../../../../shared/design/attack-catalogue.md
 */
export { ATTACK_HELP, runAttackCommand, writeReports } from './attack-command.ts';
export { type AttackCase, attackCases, selectCases, TARGET_KINDS, type TargetKind } from './cases.ts';
export { compileProbe, type ProbeOptions, type ProbeSide, type TargetAnswer } from './probe.ts';
export { type AttackReport, type CaseResult, type CaseStatus, exitCodeOf, renderHtml, renderJunit } from './report.ts';
export { type AttackRunOptions, DEFAULT_ADMIN_TOKEN, DEFAULT_NODE, runAttack } from './run-attack.ts';
