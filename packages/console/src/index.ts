/**
 * @kakehashi/console — the teaching console: a web page on the hub's origin (`/console`) that shows the
 * federation's topology, draws any trace as a live sequence diagram with every hop's decoded artefact and
 * verdict, runs scenarios, browses personas, controls the virtual clock and links Japan's citizen portal.
 * TEST ONLY. It depends on no component: it takes origins, a `fetch` and a scenario runner.
 */

export { CONSOLE_BASE_PATH, isConsolePath } from './base-path.ts';
export type { ConsoleDeps, ScenarioInfo, ScenarioReport } from './console-deps.ts';
export { createConsole, documentConsoleRoutes } from './create-console.ts';
