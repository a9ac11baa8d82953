import type { ComponentInfo, HubClient } from '@kakehashi/core';
import type { RegisteredNodes } from '../hub/registry-cache.ts';
import type { NodeDeps } from '../node-deps.ts';
import type { ValidateCertificate } from '../trust/certificate-validator.ts';

/** What every building block of a node is wired with: the node's deps and the few things built once for all. */
export interface BlockWiring {
  deps: NodeDeps;
  info: ComponentInfo;
  /** The typed client of the hub (registry, discovery, trust publication). */
  hub: HubClient;
  /** The hub's registry, cached on the virtual clock. */
  registeredNodes: RegisteredNodes;
  /** The one certificate validation every block uses: the node's own trust view. */
  validateCertificate: ValidateCertificate;
}
