import type { ComponentApp } from '@kakehashi/core';
import '../error-codes.ts';
import { samlAdminRoutes } from './admin/routes.ts';
import { SAML_FAULTS } from './faults.ts';
import { samlIdpRoutes } from './idp/routes.ts';
import { samlMetadataRoutes } from './metadata/routes.ts';
import { createSamlContext, type SamlDeps } from './saml-context.ts';
import { samlSloRoutes } from './slo/routes.ts';
import { samlSpRoutes } from './sp/routes.ts';
import { clearSamlTables, SAML_NODE_MIGRATIONS } from './store/saml-migrations.ts';

export type { SamlCredential, SamlDeps } from './saml-context.ts';

/** The SAML endpoints of a node, and its admin reset. */
export interface SamlMount {
  idpEntityId: string;
  spEntityId: string;
  ssoUrl: string;
  acsUrl: string;
  /** Clears the SAML tables (admin reset). */
  reset(): void;
}

/**
 * Mounts the eIDAS SAML 2.0 IdP (proxy service) and SP (connector) of a national node. IdP: signed metadata,
 * SSO with the HTTP-Redirect and HTTP-POST bindings (signed AuthnRequests from known SPs: every registered node's
 * connector, the test-only demo SP, admin-registered SPs), the persona picker or headless login, and a signed
 * Response carrying a signed, encrypted assertion (HTTP-POST). SP: signed metadata, a login starter that sends a
 * signed AuthnRequest to another node's IdP, and the ACS that validates the Response strictly. Both: SP-initiated
 * Single Logout on the HTTP-Redirect binding.
 * @see https://docs.oasis-open.org/security/saml/v2.0/saml-profiles-2.0-os.pdf (§4.1 Web Browser SSO)
 * @see eIDAS SAML Message Format v1.2
 */
export function mountSaml(app: ComponentApp, deps: SamlDeps): SamlMount {
  deps.store.migrate(SAML_NODE_MIGRATIONS);
  // The forged Responses of the IdP and the weak node mode of the SP (GET/PUT /admin/faults, kakehashi_fault).
  deps.faults.offer(SAML_FAULTS);
  const ctx = createSamlContext(deps);
  app.route('/', samlMetadataRoutes(ctx));
  app.route('/', samlIdpRoutes(ctx));
  app.route('/', samlSpRoutes(ctx));
  app.route('/', samlSloRoutes(ctx));
  app.route('/', samlAdminRoutes(ctx));
  return {
    idpEntityId: ctx.idpEntityId,
    spEntityId: ctx.spEntityId,
    ssoUrl: ctx.ssoUrl,
    acsUrl: ctx.acsUrl,
    reset: () => {
      clearSamlTables(deps.store);
      ctx.lastAssertionIds.clear();
    },
  };
}
