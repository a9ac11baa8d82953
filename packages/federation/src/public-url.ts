import { KakehashiError } from '@kakehashi/core';

/** The origins of the federation's components: the hub's and each node's, by country. */
export interface ComponentUrls {
  hub: string;
  nodes: Record<string, string>;
}

/** How the `publicUrl` option applies to one process. */
export interface PublicUrlPlan {
  /** The option's value: empty, one origin, or a template with `{component}` / `{port}`. */
  publicUrl: string;
  /** Whether `hubUrl` was configured: an explicit hub URL is never rewritten for a hub running elsewhere. */
  hubUrlConfigured: boolean;
  /** The components of this process. */
  running: { hub: boolean; nodes: string[] };
}

const PLACEHOLDER = /\{(component|port)\}/;

/** The `publicUrl` template filled in for one component (`hub` or a country code) on `url`'s port. */
export function fillPublicUrl(template: string, component: string, url: string): string {
  const port = new URL(url).port;
  return template.replaceAll('{component}', component.toLowerCase()).replaceAll('{port}', port);
}

/**
 * The URLs the components are known by — advertised in issuers, endpoints, metadata and registrations — from the
 * URLs they are bound at (or configured at, for components of other processes) and the `publicUrl` option, which
 * separates what others reach from the bind address (a proxy, a container, another host).
 *
 * - empty: the bind URLs, unchanged;
 * - one origin, no placeholder: the one component of this process (`--only`); a process running several would
 *   advertise the same origin for all of them, which is refused;
 * - a template: every component's URL, `{component}` being `hub` or the country code in lower case and `{port}`
 *   its port (bound here, or the configured port order for the others); an explicit `hubUrl` stays as given.
 */
export function advertisedUrls(urls: ComponentUrls, plan: PublicUrlPlan): ComponentUrls {
  const template = plan.publicUrl;
  if (!template) return urls;
  if (!PLACEHOLDER.test(template)) {
    const running = [...(plan.running.hub ? ['hub'] : []), ...plan.running.nodes];
    if (running.length !== 1)
      throw new KakehashiError(
        'config-invalid',
        `publicUrl "${template}" names one component, but this process runs ${running.length} (${running.join(', ')}): start one component per process (--only hub, --only node:CC), or make it a template with {component} or {port}.`,
      );
    if (plan.running.hub) return { ...urls, hub: template };
    const cc = plan.running.nodes[0] as string;
    return { ...urls, nodes: { ...urls.nodes, [cc]: template } };
  }
  const hub = plan.running.hub || !plan.hubUrlConfigured ? fillPublicUrl(template, 'hub', urls.hub) : urls.hub;
  const nodes = Object.fromEntries(
    Object.entries(urls.nodes).map(([cc, url]) => [cc, fillPublicUrl(template, cc, url)]),
  );
  return { hub, nodes };
}
