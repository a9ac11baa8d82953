import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { attackCases, TARGET_KINDS, type TargetKind } from './cases.ts';
import { type ProbeSide, parseStatusSet } from './probe.ts';
import { type AttackReport, exitCodeOf, renderHtml, renderJunit } from './report.ts';
import { DEFAULT_ADMIN_TOKEN, DEFAULT_CASE_TIMEOUT_MS, DEFAULT_NODE, runAttack } from './run-attack.ts';

export const ATTACK_HELP = `kakehashi attack — drive the attack catalogue against a target (TEST ONLY: forged artefacts)

Usage:
  kakehashi attack list [--json]
  kakehashi attack run --target <kind> <url> [--only <cases or rules, comma-separated>] [--report-dir D] [--json]
      [--node URL] [--admin-token T] [--persona ID] [--case-timeout MS]
      [--refused-status S] [--refused-redirect RE] [--refused-text RE]
      [--accepted-status S] [--accepted-redirect RE] [--accepted-text RE]
      [--recipient PARTICIPANT] [--sender PARTICIPANT]
      [--request-endpoint] [--request-body JSON] [--verdict-url TEMPLATE]

Target kinds and <url>:
  self                 a component of the federation (hub or node) whose validators must refuse each forgery
                       from --node and name its rule (eDelivery: a node, whose access point receives)
  oidc-rp              your relying party's login-start URL (it redirects to --node's /oidc/authorize)
  saml-sp              your SAML SP's login URL (it sends its AuthnRequest to --node's /saml/idp/sso)
  as4                  your AS4 endpoint, registered in discovery for --recipient; --node's access point sends
  signature-validator  your endpoint that validates a posted signature ({"signature": …} as /esig/validate takes)
  verifier             your OpenID4VP verifier: a URL that gives a fresh authorization request each time — a GET
                       answering a redirect to it, JSON naming it (request_url, authorization_request, or
                       client_id + request_uri) or a page linking it (openid4vp://…?client_id=…&request_uri=…);
                       with --request-endpoint, an endpoint POSTed to (--request-body, default {}) that answers
                       such JSON, as Kakehashi's /wallet/verifier/requests. The runner's wallet holds a PID from
                       --node's PID provider and answers each request with one forged presentation (wallet.vp-*).
                       Refused: the response URI answers 4xx/5xx, or the verdict at --verdict-url (a template with
                       {transaction_id} or {state}; Kakehashi's own is found by itself) says "valid": false; with
                       neither, the outcome probe reads the response URI's answer.

--node URL        the node that forges (its provider, IdP, signing service, access point); default ${DEFAULT_NODE}
--admin-token T   its admin token (GET /admin/faults); default KAKEHASHI_ADMIN_TOKEN or the published test token
Outcome probe (oidc-rp, saml-sp, signature-validator, verifier without a verdict): a side matches when any of its parts does.
  refused (default: status 4xx,5xx; signature-validator also an indication TOTAL-FAILED/INDETERMINATE or "valid":false)
  accepted (default: status 1xx,2xx,3xx)
  S: codes or classes, e.g. 400,401 or 4xx; RE: a JavaScript regular expression (redirect: every Location the
  target answered with after the artefact was delivered; text: its last page).
Reports in --report-dir (default ./attack-report): report.json, report.html, junit.xml.
Exit code: 0 when every case passed; 1 when one failed, errored or is unavailable; 2 when the baseline (the genuine
artefact) was not accepted (inconclusive), on a usage error, or when the run cannot start (--node unreachable).`;

const out = (s: string) => process.stdout.write(`${s}\n`);
const err = (s: string) => process.stderr.write(`${s}\n`);

/** `kakehashi attack …`: returns the exit code. */
export async function runAttackCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      target: { type: 'string' },
      only: { type: 'string' },
      'report-dir': { type: 'string' },
      node: { type: 'string' },
      'admin-token': { type: 'string' },
      persona: { type: 'string' },
      'case-timeout': { type: 'string' },
      'refused-status': { type: 'string' },
      'refused-redirect': { type: 'string' },
      'refused-text': { type: 'string' },
      'accepted-status': { type: 'string' },
      'accepted-redirect': { type: 'string' },
      'accepted-text': { type: 'string' },
      recipient: { type: 'string' },
      sender: { type: 'string' },
      'request-endpoint': { type: 'boolean', default: false },
      'request-body': { type: 'string' },
      'verdict-url': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [sub, url] = positionals;
  if (values.help || !sub) {
    out(ATTACK_HELP);
    return values.help ? 0 : 2;
  }
  if (sub === 'list') {
    const cases = attackCases();
    if (values.json) out(JSON.stringify({ cases }, null, 2));
    else
      for (const c of cases)
        out(
          `${c.id.padEnd(36)} ${c.rule.padEnd(30)} ${c.kinds.join(',').padEnd(28)} ${c.description}${c.declared ? '' : '  (fault not in this build yet)'}`,
        );
    return 0;
  }
  if (sub !== 'run') {
    err(`unknown attack command "${sub}"\n\n${ATTACK_HELP}`);
    return 2;
  }
  const kind = values.target as TargetKind | undefined;
  if (!kind || !TARGET_KINDS.includes(kind) || !url) {
    err(`kakehashi attack run needs --target <${TARGET_KINDS.join('|')}> and a URL\n\n${ATTACK_HELP}`);
    return 2;
  }
  let probe: { refused: ProbeSide; accepted: ProbeSide };
  try {
    new URL(url);
    if (values['request-body']) JSON.parse(values['request-body']);
    for (const s of [values['refused-status'], values['accepted-status']]) if (s) parseStatusSet(s);
    for (const re of [
      values['refused-redirect'],
      values['refused-text'],
      values['accepted-redirect'],
      values['accepted-text'],
    ])
      if (re) new RegExp(re);
    probe = {
      refused: { status: values['refused-status'], redirect: values['refused-redirect'], text: values['refused-text'] },
      accepted: {
        status: values['accepted-status'],
        redirect: values['accepted-redirect'],
        text: values['accepted-text'],
      },
    };
  } catch (e) {
    err(`kakehashi attack: ${(e as Error).message}`);
    return 2;
  }
  const timeout = values['case-timeout'] ? Number(values['case-timeout']) : DEFAULT_CASE_TIMEOUT_MS;
  if (!Number.isInteger(timeout) || timeout < 1000) {
    err('kakehashi attack: --case-timeout is a whole number of milliseconds, at least 1000');
    return 2;
  }
  let report: AttackReport;
  try {
    report = await runAttack({
      kind,
      url,
      ...(values.node ? { node: values.node } : {}),
      adminToken: values['admin-token'] ?? process.env.KAKEHASHI_ADMIN_TOKEN ?? DEFAULT_ADMIN_TOKEN,
      ...(values.only ? { only: values.only.split(',') } : {}),
      probe,
      ...(values.persona ? { persona: values.persona } : {}),
      ...(values.recipient ? { recipient: values.recipient } : {}),
      ...(values.sender ? { sender: values.sender } : {}),
      caseTimeoutMs: timeout,
      verifier: {
        requestEndpoint: values['request-endpoint'],
        requestBody: values['request-body'],
        verdictUrl: values['verdict-url'],
      },
      onCase: (r) => {
        const line = `${r.status.toUpperCase().padEnd(11)} ${r.id.padEnd(36)} ${r.rule.padEnd(26)} ${r.detail}`;
        (values.json ? process.stderr : process.stdout).write(`${line}\n`);
      },
    });
  } catch (e) {
    err(`kakehashi attack: ${(e as Error).message}`);
    return 2;
  }
  const dir = resolve(values['report-dir'] ?? 'attack-report');
  writeReports(report, dir);
  if (values.json) out(JSON.stringify(report));
  else {
    const s = report.summary;
    out(
      `${report.verdict.toUpperCase()}: ${s.passed} of ${s.total} cases refused, ${s.failed} accepted, ${s.error} errors, ${s.unavailable} unavailable, ${s.skipped} skipped`,
    );
    out(`reports: ${join(dir, 'report.html')}, report.json, junit.xml`);
  }
  return exitCodeOf(report);
}

/** Writes report.json, report.html and junit.xml into `dir` (created when missing). */
export function writeReports(report: AttackReport, dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, 'report.html'), renderHtml(report));
  writeFileSync(join(dir, 'junit.xml'), renderJunit(report));
}
