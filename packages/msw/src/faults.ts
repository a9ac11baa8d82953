import type { FaultState, FaultSwitch } from '@kakehashi/core';
import { EDELIVERY_FAULTS, type EdeliveryFaultName } from '@kakehashi/edelivery';
import { JP_FAULT_DEFS, type JpFaultName } from '@kakehashi/jp-network';
import type { Call } from './admin-api.ts';

/** eDelivery's faults (receipts, an outage, bad messages sent): the block's own names. */
export const EDELIVERY_FAULT_NAMES = EDELIVERY_FAULTS.map((f) => f.name) as EdeliveryFaultName[];
/** Japan's Cooperation Network: the incidents it can reproduce (`jp.*`, all off by default): the block's own names. */
export const JP_FAULT_NAMES = JP_FAULT_DEFS.map((f) => f.name) as JpFaultName[];

export type { EdeliveryFaultName, FaultState, FaultSwitch, JpFaultName };

/** A fault as one component offers it, with the component (`hub` or a country code). */
export type ComponentFault = FaultState & { component: string };

/**
 * The federation's fault switches over each component's one fault surface (`GET`/`PUT /admin/faults`), so a switch
 * behaves exactly as when flipped over HTTP. `component` is `hub` or a node's country code.
 */
export interface Faults {
  /** The faults `component` offers, each with its switch; without `component`, every component's. */
  list(component?: string): Promise<ComponentFault[]>;
  /**
   * Switches faults of one component (`disable` first, then `enable`; names or patterns such as `edelivery.*`);
   * answers every fault it offers after the switch. An unknown name changes nothing and throws (400 fault-unknown).
   */
  set(component: string, change: FaultSwitch): Promise<ComponentFault[]>;
  /** Every switch off again, on every component. */
  clear(): Promise<void>;
  /** Japan's incident faults (`jp.*` on the JP node); throws when JP is not in the federation. */
  jp: {
    list(): Promise<ComponentFault[]>;
    set(name: JpFaultName, enabled: boolean): Promise<ComponentFault[]>;
  };
  /** A node's access point (`edelivery.*`): its receipts, its availability, the messages it sends. */
  edelivery: {
    set(
      country: string,
      change: { enable?: readonly EdeliveryFaultName[]; disable?: readonly EdeliveryFaultName[] },
    ): Promise<ComponentFault[]>;
  };
}

export function createFaults(call: Call, origins: Record<string, string>): Faults {
  const keyOf = (component: string) => (component.toLowerCase() === 'hub' ? 'hub' : component.toUpperCase());
  const urlOf = (component: string) => {
    const url = origins[keyOf(component)];
    if (!url)
      throw new Error(
        `No component ${component} in this test federation (it runs ${Object.keys(origins).join(', ')}).`,
      );
    return url;
  };
  const tag = (component: string, faults: FaultState[]) => faults.map((f) => ({ ...f, component: keyOf(component) }));
  const listOne = async (component: string) =>
    tag(
      component,
      (await call<{ faults: FaultState[] }>('GET', `${urlOf(component)}/admin/faults`, undefined, ADMIN)).faults,
    );
  const set = async (component: string, change: FaultSwitch) =>
    tag(
      component,
      (await call<{ faults: FaultState[] }>('PUT', `${urlOf(component)}/admin/faults`, change, ADMIN)).faults,
    );
  const list = async (component?: string) =>
    component === undefined
      ? (await Promise.all(Object.keys(origins).map((c) => listOne(c)))).flat()
      : listOne(component);
  return {
    list,
    set,
    clear: async () => {
      for (const component of Object.keys(origins)) {
        const on = (await listOne(component)).filter((f) => f.enabled).map((f) => f.name);
        if (on.length > 0) await set(component, { disable: on });
      }
    },
    jp: {
      list: async () => (await listOne('JP')).filter((f) => f.block === 'jp-network'),
      set: (name, enabled) => set('JP', enabled ? { enable: [name] } : { disable: [name] }),
    },
    edelivery: {
      set: (country, change) => set(country, change),
    },
  };
}

const ADMIN = { admin: true } as const;
