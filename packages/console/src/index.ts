/**
 * @kakehashi/console — the teaching console: a web page on the hub's origin (`/console`) that shows the
 * federation's topology, draws any trace as a live sequence diagram with every hop's decoded artefact and
 * verdict, runs scenarios, browses personas, controls the virtual clock and links Japan's citizen portal.
 * TEST ONLY. It depends on no component: it takes origins, a `fetch` and a scenario runner.
 */

export { ConsolePersonaSchema, readPersonas } from './api/personas.ts';
export { detectPortal, type PortalStatus } from './api/portal.ts';
export { type ComponentStatus, readTopology, type Topology } from './api/topology.ts';
export {
  type ConsoleDeps,
  type ScenarioInfo,
  type ScenarioReport,
  ScenarioReportSchema,
} from './console-deps.ts';
export {
  CONSOLE_BASE_PATH,
  CONSOLE_ROUTE_DOCS,
  createConsole,
  documentConsoleRoutes,
  isConsolePath,
} from './create-console.ts';
export { renderConsolePage } from './page/render-page.ts';
