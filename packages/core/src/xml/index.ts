export { type ExcC14nOptions, exclusiveC14n } from './exc-c14n.ts';
export { createXmlDocument } from './new-document.ts';
export { DEFAULT_XML_LIMITS, type ParseXmlOptions, parseXml, type SafeXmlLimits, serializeXml } from './safe-parse.ts';
