// The page's state, shared by its modules: the console configuration, the trace shown and the hop selected.

export const state = {
  config: { hubUrl: location.origin, nodes: [], defaultAdminToken: null },
  traceId: null,
  traceHops: 0,
  events: [],
  sequence: null,
  selected: 0,
  clock: { frozen: null },
  lastTraces: '',
  /** The folds of setup hops opened in the diagram shown (by their first hop's number). */
  openFolds: new Set(),
  /** The story of the trace shown, when it is a scenario run: `{ report, steps, current }`. */
  story: null,
  /** Scenario run reports by trace id (GET /console/api/runs): the title of those traces and their stories. */
  runs: new Map(),
  /** The same reports by the trace id of their undo (the admin requests that read and put back the federation). */
  undoRuns: new Map(),
  /** The faults of every component (for the story's links), once read. */
  faultCatalogue: null,
};
