import { defineFaults, type FaultSwitchboard } from '@kakehashi/core';

/**
 * The incidents Japan's network can reproduce, each off by default (faults `jp.<name>`, `GET /admin/faults`). When
 * one is on, the failure it names happens; when it is off, the safeguard beside it prevents or detects it. One
 * table, not scattered `if`s.
 * @see ../../../../shared/design/jp-cooperation-network.md ("Incidents worth simulating"), property 11
 */
export const JP_FAULTS = {
  'partial-match-enrolment': {
    incident: '2023 mis-linking: insurers matched members on name + date of birth only and linked strangers',
    whenOn: 'J-LIS resolves a code request on name + date of birth alone (first match wins)',
    safeguard: 'strict four-fact match (name, date of birth, gender, address), ambiguity refused',
  },
  'stale-session-write': {
    incident: 'shared help-desk terminals left logged in: benefit accounts registered to the wrong person',
    whenOn: 'a portal write action is accepted on the session alone',
    safeguard: 're-authentication with the card, bound to the session subject, for every write',
  },
  'concurrent-issuance-crossing': {
    incident: 'convenience-store certificate printers handed out other people’s certificates under concurrency',
    whenOn: 'the kiosk uses one shared print spool slot across concurrent jobs',
    safeguard: 'job-scoped state, a per-subject lock and a final check that the certificate is the card holder’s',
  },
  'agency-table-leak': {
    incident: '2015 pension breach: an agency table copied out and stolen',
    whenOn: 'an agency’s whole table can be exported (GET /admin/jp/incidents/agency-table-leak/{agencyId})',
    safeguard:
      'the table holds only that agency’s own codes (no My Number, no resident record code, no join key); rotating the agency key retires the leaked codes',
  },
  'network-key-leak': {
    incident: 'compromise of the network’s keys',
    whenOn: 'the custodian’s raw link and master keys can be exported (GET /admin/jp/incidents/network-key-leak)',
    safeguard: 'no API returns a raw key; rotating the master key and every agency key contains the blast radius',
  },
  'index-wrong-mapping': {
    incident: 'a corrupted code index maps a code to another person',
    whenOn: 'translation resolves a requester code to the link id of another index row',
    safeguard: 'reconciliation: both codes are recomputed from the resolved link id and must match the index',
  },
} as const;

/** An incident's short name (`JP_FAULTS`' keys). */
export type JpIncident = keyof typeof JP_FAULTS;
/** The fault's name on the component's fault surface: `jp.<incident>`. */
export type JpFaultName = `jp.${JpIncident}`;

/**
 * Japan's incidents as the network's faults (kind `incident`), switched with `PUT /admin/faults` like every other
 * block's. The description says what happens while it is on, the incident it reproduces, and the safeguard that
 * holds while it is off.
 */
export const JP_FAULT_DEFS = defineFaults(
  'jp-network',
  (Object.keys(JP_FAULTS) as JpIncident[]).map((incident) => {
    const f = JP_FAULTS[incident];
    return {
      name: `jp.${incident}` as JpFaultName,
      kind: 'incident' as const,
      description: `While on: ${f.whenOn}. Reproduces: ${f.incident}. While off: ${f.safeguard}.`,
    };
  }),
);

/**
 * The network's view of its faults on the node's switchboard: the code that honours an incident asks here, and an
 * incident that is on fires (logged, and on the trace hop of the request it touched).
 */
export class JpFaults {
  readonly #switchboard: FaultSwitchboard;

  constructor(switchboard: FaultSwitchboard) {
    this.#switchboard = switchboard;
    switchboard.offer(JP_FAULT_DEFS);
  }

  /** True when the incident's fault is on (and reports it as fired). */
  isOn(incident: JpIncident): boolean {
    return this.#switchboard.fire(`jp.${incident}`);
  }
}
