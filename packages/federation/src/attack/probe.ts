/**
 * The outcome probe: how the runner tells that a target refused a forged artefact, or accepted the genuine one.
 * Each side is any of a status set (`400,401` or a class `4xx`), a redirect pattern (matched against every
 * Location the target answered with after the artefact was delivered) and a page-text pattern (the last answer's
 * body). A side matches when any of its parts matches. Without options: refused = a final status of 400 or more,
 * accepted = a final status below 400 — what an application that answers a failed login with an error page does.
 */
export interface ProbeSide {
  status?: string | undefined;
  redirect?: string | undefined;
  text?: string | undefined;
}

export interface ProbeOptions {
  refused?: ProbeSide;
  accepted?: ProbeSide;
}

/** What the target did with the artefact, as the report shows it. */
export interface TargetAnswer {
  /** The final status after the target's own redirects. */
  status: number;
  /** Every Location the target answered with after the delivery (its own redirects). */
  redirects: string[];
  /** The final URL. */
  url: string;
  /** The final body (the probe reads it; the report keeps an excerpt). */
  text: string;
}

export type Outcome = 'refused' | 'accepted' | 'unclear';

const DEFAULT_REFUSED: ProbeSide = { status: '4xx,5xx' };
const DEFAULT_ACCEPTED: ProbeSide = { status: '1xx,2xx,3xx' };

/** Checks a status set: comma-separated codes (`400`) or classes (`4xx`); throws on anything else. */
export function parseStatusSet(spec: string): (status: number) => boolean {
  const parts = spec
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (parts.length === 0) throw new Error(`status set "${spec}" is empty`);
  const tests = parts.map((p) => {
    if (/^[1-5]xx$/.test(p)) {
      const klass = Number(p[0]);
      return (s: number) => Math.floor(s / 100) === klass;
    }
    if (/^[1-5]\d\d$/.test(p)) return (s: number) => s === Number(p);
    throw new Error(`status "${p}" is neither a code (400) nor a class (4xx)`);
  });
  return (s) => tests.some((t) => t(s));
}

/** Compiles a probe side (throws on a malformed status set or pattern, so the command refuses it before running). */
export function compileSide(side: ProbeSide | undefined, fallback: ProbeSide): (a: TargetAnswer) => boolean {
  const given = side && (side.status !== undefined || side.redirect !== undefined || side.text !== undefined);
  const s = given ? side : fallback;
  const checks: ((a: TargetAnswer) => boolean)[] = [];
  if (s.status !== undefined) {
    const test = parseStatusSet(s.status);
    checks.push((a) => test(a.status));
  }
  if (s.redirect !== undefined) {
    const re = new RegExp(s.redirect);
    checks.push((a) => a.redirects.some((l) => re.test(l)));
  }
  if (s.text !== undefined) {
    const re = new RegExp(s.text);
    checks.push((a) => re.test(a.text));
  }
  return (a) => checks.some((c) => c(a));
}

/**
 * A signature validator answers 200 either way: by default its refusal is also a JSON verdict that says so, in
 * the shape of Kakehashi's `/esig/validate` (`indication` TOTAL-FAILED or INDETERMINATE) or `"valid": false`.
 */
const DEFAULT_REFUSED_SIGNATURE: ProbeSide = {
  status: '4xx,5xx',
  text: '"indication"\\s*:\\s*"(TOTAL-FAILED|INDETERMINATE)"|"valid"\\s*:\\s*false',
};

/** The probe: classifies an answer as refused, accepted or unclear (refused wins when both sides match). */
export function compileProbe(options: ProbeOptions = {}, kind?: string): (a: TargetAnswer) => Outcome {
  const refused = compileSide(
    options.refused,
    kind === 'signature-validator' ? DEFAULT_REFUSED_SIGNATURE : DEFAULT_REFUSED,
  );
  const accepted = compileSide(options.accepted, DEFAULT_ACCEPTED);
  return (a) => (refused(a) ? 'refused' : accepted(a) ? 'accepted' : 'unclear');
}

/** A short, single-line excerpt of a page for the report (tags dropped, whitespace folded). */
export function excerpt(text: string, max = 300): string {
  const plain = text
    .replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > max ? `${plain.slice(0, max)}…` : plain;
}
