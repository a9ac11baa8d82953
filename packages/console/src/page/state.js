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
};
