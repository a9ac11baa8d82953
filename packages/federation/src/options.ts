import { CORE_OPTIONS } from '@kakehashi/core';
import { EID_OPTIONS } from '@kakehashi/eid';
import { HUB_OPTIONS } from '@kakehashi/hub';
import { TRUST_OPTIONS } from '@kakehashi/trust';

/**
 * The federation's configuration: the union of the options each package declares. Every component reads its
 * settings from one `LayeredConfig` of these; the README's configuration reference is generated from this list
 * (a test keeps them in step).
 */
export const FEDERATION_OPTIONS = [...CORE_OPTIONS, ...TRUST_OPTIONS, ...EID_OPTIONS, ...HUB_OPTIONS] as const;

export type FederationOptions = typeof FEDERATION_OPTIONS;
