export { createLogger, createMemoryLogger, type Logger, type LoggerOptions, type LogLevel, redact } from './logger.ts';
