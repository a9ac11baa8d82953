export {
  childSpan,
  formatTraceparent,
  type HopEvent,
  MemoryTraceSink,
  parseTraceparent,
  recordHop,
  type TraceContext,
  type TraceEvent,
  type TraceSink,
  teeSinks,
} from './trace.ts';
