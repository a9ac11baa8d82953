import type { ComponentApp } from '@kakehashi/core';
import { createHubDiscovery, mountAccessPoint } from '@kakehashi/edelivery';
import {
  computePersonIdentifier,
  deriveEidKeys,
  type IssueIdTokenInput,
  issueIdToken,
  resetEidState,
  type SubjectIdentifiers,
} from '@kakehashi/eid';
import { createTimestampAuthority, mountSignatureService, mountTimestampAuthority } from '@kakehashi/esig';
import { createCooperationNetworkSource, createPersonaSource, mountEvidence } from '@kakehashi/evidence';
import { type CooperationNetwork, mountCooperationNetwork, recordSubject, resolveCode } from '@kakehashi/jp-network';
import type { BlockWiring } from './block-wiring.ts';
import { mountEidBlock } from './mount-eid.ts';
import { mountWalletBlock } from './mount-wallet.ts';

/** The building blocks mounted on a node: what `POST /admin/reset` clears, what `close` stops, Japan's network. */
export interface MountedBlocks {
  /** One entry per building block (the store's files and the keys stay). */
  reset(): void;
  /** Stops the background work (eDelivery pump, evidence inbox) before the stores close. */
  stop(): void;
  /** Japan only: the Cooperation Network. */
  jpNetwork?: CooperationNetwork;
  /** In-process only: an ID token as the node's OIDC provider would issue it (see `NationalNode.issueIdToken`). */
  issueIdToken(input: IssueIdTokenInput): Promise<string>;
}

/**
 * Mounts every building block of a node, each with the node's deps and the same certificate validation:
 * Japan's Cooperation Network, eID (OIDC, SAML, validation services), eDelivery (AS4 access point), eSignature
 * (signature service, time-stamping) and the once-only evidence exchange.
 */
export function mountBlocks(app: ComponentApp, w: BlockWiring): MountedBlocks {
  const { deps, validateCertificate } = w;
  const { profile } = deps;
  const resets: (() => void)[] = [() => resetEidState(deps.store)];

  // Japan only: the Cooperation Network (per-agency codes, mediation, access records, portal), under /jp/... and
  // /admin/jp/...; each agency's intermediary server keeps its own store beside the node's.
  const jpNetwork =
    profile.code === 'JP' ? mountCooperationNetwork(app, { ...deps, agencies: profile.agencies }) : undefined;
  if (jpNetwork) resets.push(() => jpNetwork.reset());

  // eID. Japan: PersonIdentifier and pairwise sub derive from the Cooperation Network's link id (never My
  // Number); custom identities (not residents) keep the node's own construction.
  const isResident = (subjectId: string) => deps.personas.some((p) => p.id === subjectId);
  const identifiers: SubjectIdentifiers | undefined = jpNetwork
    ? {
        personIdentifier: (id, dest) =>
          isResident(id) ? jpNetwork.xborderIdentifiers.personIdentifier(id, dest) : undefined,
        pairwiseSubject: (id, sector) =>
          isResident(id) ? jpNetwork.xborderIdentifiers.pairwiseSubject(id, sector) : undefined,
        identifiersOf: (id, dest, sector) =>
          isResident(id) ? jpNetwork.xborderIdentifiers.identifiersOf(id, dest, sector) : undefined,
      }
    : undefined;

  // eDelivery: the AS4 access point (POST /as4) and its backend API (/edelivery/*) — corners 2 and 3 of the
  // four-corner model; the profile's participants (agencies) are corners 1 and 4. Discovery and the From
  // party's registered certificate come from the hub (SML/SMP role).
  const edelivery = mountAccessPoint(app, {
    ...deps,
    country: profile.code,
    publicUrl: deps.publicUrl,
    signing: deps.credentials.signing,
    encryption: deps.credentials.encryption,
    otherCredentials: Object.values(deps.credentials.agencies),
    participants: profile.participants,
    countries: deps.config.get('countries'),
    validateCertificate,
    discovery: createHubDiscovery({ hub: w.hub, clock: deps.clock }),
  });
  resets.push(() => edelivery.reset());

  const eid = mountEidBlock(app, w, identifiers);
  resets.push(eid.reset);

  mountEsigBlock(app, w);

  // The EUDI wallet: PID provider (OpenID4VCI) and verifier (OpenID4VP) at every EU node.
  // Its authorization code flow logs people in at this node's OIDC provider (the PID provider is a client of it).
  resets.push(
    mountWalletBlock(app, w, {
      registerClient: (client) => eid.provider.clients.register(client, 'file'),
      identifiers,
    }).reset,
  );

  // Once-only evidence exchange (OOTS-style, over eDelivery, eSignature and eID). Japan resolves people and
  // issues evidence through the Cooperation Network; other nodes from their personas.
  const personIdKey = deriveEidKeys(deps.seed, profile.code).personIdKey;
  const evidence = mountEvidence(app, {
    ...deps,
    country: profile.code,
    participants: profile.participants,
    // The block reaches its own node's eDelivery and OIDC provider in-process, never through the admin API.
    node: {
      pumpDelivery: async () => {
        await edelivery.pump();
      },
      registerOidcClient: async (client) => {
        eid.provider.clients.register(client, 'admin');
      },
    },
    source: jpNetwork
      ? createCooperationNetworkSource({
          network: jpNetwork,
          personas: deps.personas,
          recordSubjectOf: (agency, code) =>
            recordSubject(jpNetwork.network, resolveCode(jpNetwork.network, agency, code).linkId),
        })
      : createPersonaSource({
          country: profile.code,
          seed: deps.seed,
          personas: deps.personas,
          agencies: profile.agencies,
          personIdentifier: (id, dest) => computePersonIdentifier(personIdKey, profile.code, dest, id),
        }),
  });
  resets.push(() => evidence.reset());

  return {
    reset: () => {
      for (const r of resets) r();
    },
    issueIdToken: (input) => issueIdToken(eid.provider, input),
    stop: () => {
      evidence.stop();
      edelivery.stop();
      jpNetwork?.close();
    },
    ...(jpNetwork ? { jpNetwork } : {}),
  };
}

/**
 * eSignature: sign as an agency (or, in Japan, as a citizen with the JPKI card), validate, time-stamp. Revocation
 * comes from the hub's CRLs (only the hub's CRL endpoints are ever fetched) and its OCSP responders.
 */
function mountEsigBlock(app: ComponentApp, w: BlockWiring): void {
  const { deps } = w;
  const tsa = deps.credentials.tsa
    ? createTimestampAuthority({ credential: deps.credentials.tsa, clock: deps.clock })
    : undefined;
  if (tsa) mountTimestampAuthority(app, { ...deps, tsa, component: 'node', country: deps.profile.code });
  const cards = deps.cards;
  mountSignatureService(app, {
    ...deps,
    component: 'node',
    country: deps.profile.code,
    validateCertificate: w.validateCertificate,
    loadCrl: (crlUrl, fetcher) => w.hub.crl(crlUrl, fetcher),
    trustGeneration: () => deps.trust.status(),
    faultIssuers: [deps.credentials.issuingCa, deps.credentials.jpkiCa].filter((c) => c !== undefined),
    signers: {
      agencies: deps.credentials.agencies,
      ...(cards
        ? {
            citizen: (personaId: string) => {
              const k = cards(personaId).certificates.signature;
              return { certPem: k.certPem, chainPem: k.chainPem, privateKey: k.privateKey };
            },
          }
        : {}),
    },
    ...(tsa ? { tsa } : {}),
  });
}
