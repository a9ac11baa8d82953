import { RECEIPT_FAULTS, RECEIVER_FAULTS } from '@kakehashi/edelivery';
import { JP_FAULTS, type JpFaultName } from '@kakehashi/jp-network';
import type { Call } from './admin-api.ts';

/** eDelivery: how the receiving access point answers with receipts (attack catalogue E1/E2): the block's own list. */
export const EDELIVERY_RECEIPT_FAULTS = RECEIPT_FAULTS;
/** eDelivery: an outage of the receiving access point (`POST /as4` answers 503): the block's own list. */
export const EDELIVERY_RECEIVER_FAULTS = RECEIVER_FAULTS;
/** Japan's Cooperation Network: the incidents it can reproduce (all off by default): the block's own names. */
export const JP_FAULT_NAMES = Object.keys(JP_FAULTS) as JpFaultName[];

export type EdeliveryReceiptFault = (typeof EDELIVERY_RECEIPT_FAULTS)[number];
export type EdeliveryReceiverFault = (typeof EDELIVERY_RECEIVER_FAULTS)[number];
export type { JpFaultName };

export interface EdeliveryFaultState {
  receipt: EdeliveryReceiptFault;
  receiver: EdeliveryReceiverFault;
}

export interface JpFault {
  name: JpFaultName;
  enabled: boolean;
  incident: string;
  whenOn: string;
  safeguard: string;
}

/**
 * The fault switches that exist today, typed, over the components' admin APIs (so a switch behaves exactly as
 * when flipped over HTTP): Japan's incident faults and each access point's receiving-side faults.
 */
export interface Faults {
  /** Japan's incident faults (`GET`/`PUT /admin/jp/faults`); throws when JP is not in the federation. */
  jp: {
    list(): Promise<JpFault[]>;
    set(name: JpFaultName, enabled: boolean): Promise<JpFault[]>;
  };
  /** A node's access point (`PUT /admin/edelivery/faults`): receipts and availability as its senders see them. */
  edelivery: {
    set(country: string, faults: Partial<EdeliveryFaultState>): Promise<EdeliveryFaultState>;
  };
  /** Every switch off again (Japan's faults, every access point's). */
  clear(): Promise<void>;
}

export function createFaults(call: Call, nodes: Record<string, string>): Faults {
  const nodeUrl = (country: string) => {
    const url = nodes[country.toUpperCase()];
    if (!url) throw new Error(`No node ${country} in this test federation (it runs ${Object.keys(nodes).join(', ')}).`);
    return url;
  };
  const jp = {
    list: async () =>
      (await call<{ faults: JpFault[] }>('GET', `${nodeUrl('JP')}/admin/jp/faults`, undefined, ADMIN)).faults,
    set: async (name: JpFaultName, enabled: boolean) =>
      (
        await call<{ faults: JpFault[] }>(
          'PUT',
          `${nodeUrl('JP')}/admin/jp/faults/${encodeURIComponent(name)}`,
          { enabled },
          ADMIN,
        )
      ).faults,
  };
  const edelivery = {
    set: (country: string, faults: Partial<EdeliveryFaultState>) =>
      call<EdeliveryFaultState>('PUT', `${nodeUrl(country)}/admin/edelivery/faults`, faults, ADMIN),
  };
  return {
    jp,
    edelivery,
    clear: async () => {
      if (nodes.JP) for (const f of await jp.list()) if (f.enabled) await jp.set(f.name, false);
      for (const cc of Object.keys(nodes)) await edelivery.set(cc, { receipt: 'none', receiver: 'none' });
    },
  };
}

const ADMIN = { admin: true } as const;
