export { DEFAULT_XML_LIMITS, parseXml, type SafeXmlLimits, serializeXml } from './safe-parse.ts';
