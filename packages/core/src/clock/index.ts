export { type Clock, type ClockState, parseDuration, VirtualClock } from './clock.ts';
