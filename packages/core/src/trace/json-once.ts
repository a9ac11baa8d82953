/**
 * JSON text made once per object: a verdict's checks are answered to the caller and recorded on the trace hop of
 * the same request — one serialisation for both instead of one each (a verdict's checks are a few KB).
 * Only for objects that do not change once made (verdicts, trace events).
 */
const TEXT = new WeakMap<object, string>();

/** `JSON.stringify(value)`, kept with the object: the same object serialised again reuses the text. */
export function jsonOnce(value: object): string {
  let text = TEXT.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    TEXT.set(value, text);
  }
  return text;
}

const isPlainObject = (v: object): v is Record<string, unknown> => {
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
};

/**
 * `JSON.stringify(value)`, the same text, reusing what {@link jsonOnce} made for any object found down to
 * `depth` levels of plain objects (e.g. a trace event → its verdict → the verdict's checks).
 */
export function jsonReusing(value: unknown, depth = 3): string | undefined {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const kept = TEXT.get(value);
  if (kept !== undefined) return kept;
  if (depth <= 0 || Array.isArray(value) || !isPlainObject(value)) return JSON.stringify(value);
  const parts: string[] = [];
  for (const key of Object.keys(value)) {
    const member = value[key];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    const text = jsonReusing(member, depth - 1);
    if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${parts.join(',')}}`;
}
