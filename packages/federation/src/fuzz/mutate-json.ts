import { type FuzzRandom, nastyString, randomText } from './fuzz-random.ts';

/** A mutated artefact and the names of the operations that made it (for the report and to reproduce). */
export interface Mutated<T = string> {
  value: T;
  ops: string[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

/** Every path to a value in `v` (the root is `[]`). */
function paths(v: Json, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (out.length > 2000) return out;
  if (Array.isArray(v)) v.forEach((x, i) => void paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k] as Json, [...at, k], out);
  return out;
}

function getAt(v: Json, p: Path): Json {
  let cur: Json = v;
  for (const k of p) cur = (cur as Record<string | number, Json>)[k] as Json;
  return cur;
}

/** A replacement value of any JSON type, chosen to upset a schema: wrong types, extremes, nasty strings. */
export function nastyJsonValue(rng: FuzzRandom): Json {
  switch (rng.int(12)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, -1e-308, 4294967296]);
    case 3:
      return [];
    case 4:
      return {};
    case 5:
      return [nastyString(rng)];
    case 6:
      return { [nastyString(rng)]: nastyString(rng) };
    default:
      return nastyString(rng);
  }
}

/** Structural JSON operations on a parsed value (mutates it in place; returns the new root). */
const VALUE_OPS: Record<string, (root: Json, rng: FuzzRandom) => Json> = {
  'json.replace-value': (root, rng) => {
    const all = paths(root);
    const p = rng.pick(all);
    if (p.length === 0) return nastyJsonValue(rng);
    const parent = getAt(root, p.slice(0, -1)) as Record<string | number, Json>;
    parent[p[p.length - 1] as string] = nastyJsonValue(rng);
    return root;
  },
  'json.delete-member': (root, rng) => {
    const all = paths(root).filter((p) => p.length > 0);
    if (all.length === 0) return root;
    const p = rng.pick(all);
    const parent = getAt(root, p.slice(0, -1));
    const k = p[p.length - 1] as string | number;
    if (Array.isArray(parent)) parent.splice(k as number, 1);
    else delete (parent as Record<string, Json>)[k];
    return root;
  },
  'json.add-member': (root, rng) => {
    const objs = paths(root).filter((p) => {
      const v = getAt(root, p);
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    });
    if (objs.length === 0) return root;
    const o = getAt(root, rng.pick(objs)) as Record<string, Json>;
    const key = rng.pick(['__proto__', 'constructor', 'toString', 'extra', '', nastyString(rng).slice(0, 200)]);
    Object.defineProperty(o, key, { value: nastyJsonValue(rng), enumerable: true, writable: true, configurable: true });
    return root;
  },
  'json.stringify-number': (root, rng) => {
    const nums = paths(root).filter((p) => p.length > 0 && typeof getAt(root, p) === 'number');
    if (nums.length === 0) return root;
    const p = rng.pick(nums);
    const parent = getAt(root, p.slice(0, -1)) as Record<string | number, Json>;
    const k = p[p.length - 1] as string;
    parent[k] = String(parent[k]);
    return root;
  },
  'json.wrap-in-array': (root, rng) => {
    const all = paths(root).filter((p) => p.length > 0);
    if (all.length === 0) return [root];
    const p = rng.pick(all);
    const parent = getAt(root, p.slice(0, -1)) as Record<string | number, Json>;
    const k = p[p.length - 1] as string;
    parent[k] = [parent[k] as Json, parent[k] as Json];
    return root;
  },
};

/** Operations on the JSON text itself: duplicate keys, deep nesting, broken syntax, odd encodings. */
const TEXT_OPS: Record<string, (text: string, rng: FuzzRandom) => string> = {
  'json.duplicate-key': (text, rng) => {
    const keys = [...text.matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)];
    if (keys.length === 0) return text;
    const m = rng.pick(keys);
    const insert = `"${m[1]}":${JSON.stringify(nastyJsonValue(rng))},`;
    return text.slice(0, m.index) + insert + text.slice(m.index);
  },
  'json.deep-nesting': (text, rng) => {
    const depth = rng.pick([100, 1000, 10_000, 100_000]);
    const open = rng.chance(0.5) ? '[' : '{"a":';
    const close = open === '[' ? ']' : '}';
    const at = text.indexOf(':');
    const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
    return at < 0 ? nested : `${text.slice(0, at + 1)}${nested},"z":${text.slice(at + 1)}`;
  },
  'json.truncate': (text, rng) => text.slice(0, rng.int(text.length)),
  'json.insert-char': (text, rng) => {
    const i = rng.int(text.length + 1);
    return (
      text.slice(0, i) + rng.pick(['"', '{', '}', ',', ':', '\\', '\u0000', '\uFFFF', '\uD800', 'NaN']) + text.slice(i)
    );
  },
  'json.trailing-garbage': (text, rng) => text + rng.pick([' x', '}', ',', '\u0000', randomText(rng, 20)]),
  'json.bom': (text) => `\uFEFF${text}`,
  'json.not-json': (_text, rng) => rng.pick(['', 'null', '[]', '"x"', '1', 'undefined', '<xml/>', nastyString(rng)]),
};

/** The names of every JSON operation (structural and textual). */
export const JSON_OPS: readonly string[] = [...Object.keys(VALUE_OPS), ...Object.keys(TEXT_OPS)];

/** Applies JSON operation `name` to `text` (a structural one needs `text` to parse; else it is returned as is). */
export function applyJsonOp(name: string, text: string, rng: FuzzRandom): string {
  const valueOp = VALUE_OPS[name];
  if (valueOp) {
    try {
      return JSON.stringify(valueOp(JSON.parse(text) as Json, rng));
    } catch {
      // Not JSON, or nested too deep to walk (an earlier deep-nesting operation): left as it is.
      return text;
    }
  }
  const textOp = TEXT_OPS[name];
  if (!textOp) throw new RangeError(`unknown JSON operation ${name}`);
  return textOp(text, rng);
}

/** One to three JSON operations on `text`, structural ones most of the time. */
export function mutateJson(text: string, rng: FuzzRandom): Mutated {
  const ops: string[] = [];
  let value = text;
  const n = 1 + (rng.chance(0.3) ? rng.int(3) : 0);
  for (let i = 0; i < n; i++) {
    const op = rng.chance(0.7) ? rng.pick(Object.keys(VALUE_OPS)) : rng.pick(Object.keys(TEXT_OPS));
    value = applyJsonOp(op, value, rng);
    ops.push(op);
  }
  return { value, ops };
}
