export {
  defineFaults,
  type FaultDefinition,
  type FaultKind,
  faultDefinition,
  registeredFaults,
  renderFaultsTable,
} from './fault-registry.ts';
export {
  currentFaultScope,
  FAULT_HEADER,
  FAULT_PARAM,
  type FaultScope,
  type FaultState,
  type FaultSwitch,
  FaultSwitchboard,
  runInFaultScope,
} from './fault-switchboard.ts';
