export {
  childSpan,
  formatTraceparent,
  MemoryTraceSink,
  parseTraceparent,
  type TraceContext,
  type TraceEvent,
  type TraceSink,
  teeSinks,
} from './trace.ts';
