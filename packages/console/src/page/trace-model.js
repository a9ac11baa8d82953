// The console's pure logic, shared by the browser (served as an ES module) and the unit tests (imported by Node).
// No DOM here: it turns a trace's events into lifelines and ordered hops, and explains what it can.
// Types: ./trace-model.d.ts. Trace events are attacker-controlled data: nothing here builds markup.
import { jpCallOf, jpKey, jpPartOf, nodeRoles, outsideCallerOf, pathOf, roleLabel } from './roles.js';

/** Where the console draws an event: `hub`, `node:DE`, or the component name for anything else. */
export function lifelineKey(event) {
  const component = typeof event?.component === 'string' && event.component ? event.component : 'unknown';
  if (component === 'node' && typeof event.country === 'string' && event.country) return `node:${event.country}`;
  return component;
}

/** A readable name for a lifeline key, without a trace to tell its role (see roles.js). */
export function lifelineLabel(key, lang = 'en') {
  return roleLabel(key, lang);
}

/**
 * The lifeline an origin or caller label belongs to, given the federation's origins: `node:DE` and `hub` are
 * taken as they are; a URL is matched by its origin.
 */
export function lifelineOfPeer(peer, origins) {
  if (typeof peer !== 'string' || peer === '') return undefined;
  if (peer === 'hub' || /^node:[A-Z]{2}$/.test(peer)) return peer;
  let origin;
  try {
    origin = new URL(peer).origin;
  } catch {
    return undefined;
  }
  if (origins?.hub && origin === origins.hub) return 'hub';
  for (const [cc, url] of Object.entries(origins?.nodes ?? {})) if (url === origin) return `node:${cc}`;
  return undefined;
}

/**
 * The faults that fired on a hop (`event.faults`: deliberate misbehaviour switched on with PUT /admin/faults or
 * asked for by the request), as names; anything else in that field is ignored (the event is attacker-controlled).
 */
export function faultsOf(event) {
  const f = event?.faults;
  if (!Array.isArray(f)) return [];
  return f
    .filter((x) => typeof x === 'string' && x !== '')
    .slice(0, 20)
    .map((x) => x.slice(0, 200));
}

/** `ok` (a verdict that passed), `fail` (a failed verdict or an error status) or `neutral`. */
export function toneOf(event) {
  if (event?.verdict && typeof event.verdict === 'object') return event.verdict.valid === true ? 'ok' : 'fail';
  if (typeof event?.status === 'number' && event.status >= 400) return 'fail';
  return 'neutral';
}

/**
 * Orders a trace's events as a sequence diagram and says where each is drawn.
 *
 * A component records its inbound hop when the request *ends*, so the store lists callees before callers. The
 * call tree is rebuilt from `parentSpanId`: an event's parent is the inbound event of the span it names. When
 * several inbound events share that span id, the parent is the first of them recorded after the event (a caller
 * finishes after its callees), else the last one before it. The diagram is the tree in pre-order: a request
 * arrow, then what happened inside it.
 * @see https://www.w3.org/TR/trace-context/#parent-id
 */
export function buildSequence(events, origins = {}, options = {}) {
  const lang = options.lang ?? 'en';
  const list = Array.isArray(events) ? events.filter((e) => e && typeof e === 'object') : [];
  const parentIndex = list.map((event, i) => findParent(list, i, event));
  const children = list.map(() => []);
  const roots = [];
  for (const [i, p] of parentIndex.entries()) {
    if (p === -1) roots.push(i);
    else children[p].push(i);
  }
  const order = [];
  const depth = new Map();
  const seen = new Set();
  const visit = (i, d) => {
    if (seen.has(i)) return;
    seen.add(i);
    order.push(i);
    depth.set(i, d);
    for (const c of children[i]) visit(c, d + 1);
  };
  for (const r of roots) visit(r, 0);
  // Whatever a malformed trace left unreachable (a parent cycle) is drawn at the top level, in recorded order.
  for (let i = 0; i < list.length; i++) visit(i, 0);

  const place = placer(list, parentIndex, origins);
  const keys = [];
  const addKey = (k) => {
    if (!keys.includes(k)) keys.push(k);
  };
  const hops = order.map((i, n) => {
    const event = list[i];
    const p = parentIndex[i];
    const { from, to } = place(i);
    const common = {
      n: n + 1,
      index: i,
      event,
      depth: depth.get(i) ?? 0,
      tone: toneOf(event),
      parent: p === -1 ? undefined : p,
      faults: faultsOf(event),
    };
    addKey(from);
    addKey(to);
    if (event.direction === 'inbound' || event.direction === 'outbound')
      return { ...common, kind: 'arrow', from, to, label: arrowLabel(event) };
    return { ...common, kind: 'note', from, to, label: String(event.operation ?? '(no operation)') };
  });
  // The callers outside the federation stand first, as they start the story: the citizen's browser leftmost.
  const outside = (k) => ['client', 'caller', 'operator'].includes(k) || /^(?:rp|app|clerk):/.test(k);
  const ordered = [
    ...keys.filter((k) => k === 'client'),
    ...keys.filter((k) => k !== 'client' && outside(k)),
    ...keys.filter((k) => !outside(k)),
  ];
  const roles = nodeRoles(list);
  return { lifelines: ordered.map((key) => ({ key, label: roleLabel(key, lang, roles) })), hops };
}

/**
 * Where each event is drawn, by role: the part of a node that served a request (Japan's network, J-LIS, an
 * agency's intermediary server, the portal) from its path; what happened inside a request on the lifeline of the
 * part that served it; a request from outside on the lifeline of whoever makes such requests; a call to a peer
 * outside the federation on a lifeline named with that peer's origin.
 */
function placer(list, parentIndex, origins) {
  const atMemo = new Map();
  const at = (i, guard = 0) => {
    if (atMemo.has(i)) return atMemo.get(i);
    const event = list[i];
    const base = lifelineKey(event);
    let key = base;
    if (event.component === 'node') {
      const call = jpCallOf(event.operation);
      const part = call?.from ?? jpPartOf(pathOf(event.operation));
      const p = parentIndex[i];
      if (part) key = jpKey(part);
      else if (event.direction !== 'inbound' && p !== -1 && guard < 64 && lifelineKey(list[p]) === base)
        key = at(p, guard + 1);
    }
    atMemo.set(i, key);
    return key;
  };
  return (i) => {
    const event = list[i];
    const here = at(i);
    const p = parentIndex[i];
    if (event.direction === 'inbound') {
      if (p !== -1) {
        // The callee's side of a call its caller recorded (outbound): the arrow starts where that call started.
        return { from: at(p), to: here };
      }
      const peer = typeof event.peer === 'string' ? event.peer : '';
      const jp = /^jp:([a-z0-9-]{1,60})$/.exec(peer);
      const from = jp ? jpKey(jp[1]) : (lifelineOfPeer(peer, origins) ?? outsideCallerOf(event, here));
      return { from, to: here };
    }
    if (event.direction === 'outbound') {
      const call = jpCallOf(event.operation);
      if (call) return { from: here, to: jpKey(call.to) };
      return { from: here, to: lifelineOfPeer(event.peer, origins) ?? outsideKey(event.peer) };
    }
    return { from: here, to: here };
  };
}

/** A peer outside the federation, named by its origin (or what the event said, when no URL). */
function outsideKey(peer) {
  if (typeof peer !== 'string' || peer === '') return 'ext:unknown';
  try {
    return `ext:${new URL(peer).origin}`;
  } catch {
    return `ext:${peer.slice(0, 60)}`;
  }
}

function findParent(list, i, event) {
  const pick = (span, outboundToo) => {
    if (typeof span !== 'string' || span === '') return -1;
    let before = -1;
    let outbound = -1;
    for (let j = 0; j < list.length; j++) {
      if (j === i || list[j].spanId !== span) continue;
      if (list[j].direction === 'outbound') {
        if (outboundToo && outbound === -1) outbound = j;
        continue;
      }
      if (list[j].direction !== 'inbound') continue;
      if (j > i) return j;
      before = j;
    }
    return before !== -1 ? before : outbound;
  };
  // A request's parent span is the inbound request its caller was serving, or the span of the call its caller
  // recorded (an outbound event: Japan's network records both sides of its calls).
  const byParent = pick(event.parentSpanId, event.direction === 'inbound');
  if (byParent !== -1) return byParent;
  // An internal or outbound event may carry the span of the request it happened in.
  if (event.direction !== 'inbound') return pick(event.spanId, false);
  return -1;
}

function arrowLabel(event) {
  const op = String(event.operation ?? '(no operation)');
  return typeof event.status === 'number' ? `${op} → ${event.status}` : op;
}

/** Claims that are NumericDate (seconds since the epoch), shown with their ISO 8601 form. */
export const TIME_CLAIMS = ['exp', 'iat', 'nbf', 'auth_time'];

/**
 * The parts of an artefact worth a table of their own: a JOSE header and the claims of a token (an ID token, an
 * SD-JWT VC with its disclosures), an mdoc's elements, MSO and signatures, SAML attributes, AS4 message info, a
 * signature report. Each section's `title` is English; the page shows `insp.section.<key>` in its language.
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4
 */
export function artefactSections(artefact) {
  if (!artefact || typeof artefact !== 'object' || Array.isArray(artefact)) return [];
  const sections = [];
  for (const [key, title] of [
    ['header', 'Header'],
    ['claims', 'Claims'],
    // an SD-JWT VC: each disclosure by name, and the key binding JWT's payload (the wallet's hops)
    ['disclosures', 'Disclosures'],
    ['keyBinding', 'Key binding'],
    // an ISO mdoc (mso_mdoc): the DeviceResponse or IssuerSigned, each element by namespace/identifier, the MSO,
    // the issuer's COSE_Sign1 and the device-signed part (ISO/IEC 18013-5 §8.3.2.1.2.2, §9.1.2.4)
    ['document', 'Document'],
    ['issuerSigned', 'Issuer-signed elements'],
    ['mso', 'Mobile security object (MSO)'],
    ['issuerAuth', 'Issuer signature (issuerAuth)'],
    ['deviceSigned', 'Device-signed'],
    ['attributes', 'Attributes'],
    ['messageInfo', 'Message info'],
    ['report', 'Report'],
  ]) {
    const value = artefact[key];
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      sections.push({
        key,
        title,
        rows: Object.entries(value).map(([name, v]) => ({
          name,
          value: typeof v === 'string' ? v : JSON.stringify(v),
          note:
            (key === 'claims' || key === 'keyBinding') &&
            TIME_CLAIMS.includes(name) &&
            typeof v === 'number' &&
            Number.isFinite(v)
              ? safeIso(v * 1000)
              : undefined,
        })),
      });
    }
  }
  return sections;
}

function safeIso(ms) {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The checks of a verdict as table rows; anything malformed becomes a row that says so. */
export function verdictRows(verdict) {
  const checks = Array.isArray(verdict?.checks) ? verdict.checks : [];
  return checks.map((c) => {
    const o = c && typeof c === 'object' ? c : {};
    const s = (v) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));
    return { rule: s(o.rule), name: s(o.name), outcome: s(o.outcome), reason: s(o.reason), code: s(o.code) };
  });
}

/** What the families of rule ids stand for (the attack catalogue names every rule). */
export const RULE_FAMILIES = [
  {
    prefix: 'J',
    about:
      'ID token (JWT/JOSE) checks of the eID validation service: serialization, algorithm, keys, certificate chain, time, audience, issuer, replay, LoA (RFC 8725, OIDC Core §3.1.3.7)',
  },
  {
    prefix: 'S',
    about:
      'eIDAS SAML response and assertion checks: signature wrapping, signing, trusted key, replay, destination, audience, time, issuer, LoA',
  },
  { prefix: 'X', about: 'XML parsing checks at every XML entry point: DOCTYPE, entities, size, depth, duplicate IDs' },
  {
    prefix: 'C',
    about:
      'certificates, CMS/CAdES signatures and trusted lists: chain, validity, key usage, revocation, list signature',
  },
  { prefix: 'E', about: 'AS4 / ebMS3 delivery: signed and encrypted user messages, receipts, duplicates, retries' },
  {
    prefix: 'P',
    about: "pseudonyms in Japan's Cooperation Network: per-agency codes, mediation, the legal-basis matrix",
  },
];

const OPERATIONS = [
  [
    /\/oidc\/authorize/,
    "OIDC authorization endpoint: the citizen's browser is sent here to log in; it answers with a redirect that carries a single-use code.",
  ],
  [
    /\/oidc\/token/,
    'OIDC token endpoint: the relying party trades the code (with its PKCE verifier and client authentication) for an ID token.',
  ],
  [/\/oidc\/jwks/, "The provider's public keys (JWKS): a validator fetches them to verify the ID token's signature."],
  [/\/oidc\/userinfo/, 'OIDC userinfo: the claims about the citizen, for the holder of an access token.'],
  [
    /\/eid\/proxy\//,
    "The hub relays the eID exchange between the connector of the service's country and the proxy service of the citizen's country.",
  ],
  [
    /\/eid\/connector\//,
    "The eIDAS connector of the service's country: it sends foreign citizens to their own country (through the hub) and validates what comes back.",
  ],
  [
    /\/eid\/validate\//,
    'The validation service: checks a token or assertion against every rule and answers with a verdict.',
  ],
  [
    /\/registry\/nodes/,
    "The hub's node registry: who is in the federation, with signed metadata, endpoints and certificates.",
  ],
  [
    /\/discovery\//,
    'Discovery (the SML/SMP role): which node serves a participant and service, with which certificate.',
  ],
  [/\/trust\//, 'The trust fabric: the list of trusted lists, national trusted lists and CRLs (ETSI TS 119 612).'],
  [/\/peers\//, 'Peer discovery: a node looks another node up through the hub and validates its certificate itself.'],
  [/\/saml\//, 'eIDAS SAML 2.0: an AuthnRequest or a signed assertion with the minimum data set.'],
  [/\/as4|\/edelivery/, 'eDelivery: an AS4 user message (ebMS3 header, signed and encrypted payloads) or its receipt.'],
  [/\/esig|\/signature/, 'eSignature: creating or validating an AdES signature, with an ETSI validation report.'],
  [/\/jp\//, "Japan's Cooperation Network: per-agency codes, mediated queries and the citizen portal."],
  [
    /^oidc: ID token issued/,
    'The provider signed an ID token. Below: its decoded header and claims (the eIDAS minimum data set).',
  ],
  [
    /^eid relay/,
    'The hub relays an eID message across the border and records what passed (decoded, not yet validated).',
  ],
  [
    /^eid connector/,
    "The connector validated or used what came back from the citizen's country; the verdict lists every rule.",
  ],
];

/** A sentence for teachers: what this kind of hop is. */
export function explainOperation(event) {
  const op = String(event?.operation ?? '');
  for (const [re, text] of OPERATIONS) if (re.test(op)) return text;
  if (event?.direction === 'inbound') return 'A request this component served (the arrow comes from its caller).';
  if (event?.direction === 'outbound') return 'A call this component made to another one.';
  return 'Something this component did inside a request: a decision, a check or an artefact it produced.';
}
