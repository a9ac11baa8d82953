/**
 * A request handed from one component to another inside one process (the in-process `fetch`), without the web
 * streams a WHATWG `Request` builds for its body: the body stays the string or bytes the caller gave, and is read
 * from there (`text`, `json`, `arrayBuffer`, `bytes`). Everything else — the body as a stream, `clone`,
 * `formData`, `blob`, the rarely read fields — is answered by a real `Request` made on first use, with the same
 * URL, method, headers, body, redirect mode and signal. It is a `Request` (`instanceof`), and it carries what a
 * socket would deliver: `content-length` for a body of known size, and the content type `fetch` derives from a
 * string or URLSearchParams body when the caller gave none.
 * A `Request` with a web-stream body costs tens of microseconds to build and as much to read, per hop.
 * @see https://fetch.spec.whatwg.org/#request-class
 * @see https://fetch.spec.whatwg.org/#concept-bodyinit-extract (the content types of string and form bodies)
 */
import { lightBodyMethods } from './light-body.ts';

/** The methods a light request takes as they are (anything else — other casing, CONNECT… — builds a real one). */
const PLAIN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
/** Lower-case spellings `fetch` normalises to upper case (PATCH is not among them: it stays as written). */
const NORMALISED = new Map(['get', 'head', 'post', 'put', 'delete', 'options'].map((m) => [m, m.toUpperCase()]));

const STATE = Symbol('in-process request');

interface LightState {
  url: string;
  method: string;
  headers: Headers;
  /** The body as given (a string, or bytes), or null. */
  source: string | Uint8Array | null;
  redirect: RequestRedirect;
  signal: AbortSignal | undefined;
  used: boolean;
  real: Request | undefined;
}

type Light = Request & { [STATE]: LightState };

/** The real `Request` of a light one, made once (its body from the kept source). */
function real(r: Light): Request {
  const s = r[STATE];
  if (!s.real) {
    const init: RequestInit = { method: s.method, headers: s.headers, redirect: s.redirect, signal: r.signal };
    if (s.source !== null && !s.used) init.body = s.source as BodyInit;
    s.real = new Request(s.url, init);
    // A body already read here is read there too (a second read fails in both).
    if (s.used && s.source !== null) void s.real.arrayBuffer().catch(() => {});
  }
  return s.real;
}

/** The kept body for one read, or a TypeError as `fetch` gives for a body read twice. */
function take(r: Light): string | Uint8Array | null {
  const s = r[STATE];
  if (s.real) throw new TypeError('in-process request: read through its real Request');
  if (s.used) throw new TypeError('Body is unusable: Body has already been read');
  s.used = s.source !== null;
  return s.source;
}

const PROTO = Object.create(Request.prototype) as Record<PropertyKey, unknown>;
Object.defineProperties(PROTO, {
  method: {
    get(this: Light) {
      return this[STATE].method;
    },
  },
  url: {
    get(this: Light) {
      return this[STATE].url;
    },
  },
  headers: {
    get(this: Light) {
      return this[STATE].headers;
    },
  },
  redirect: {
    get(this: Light) {
      return this[STATE].redirect;
    },
  },
  signal: {
    get(this: Light) {
      const s = this[STATE];
      s.signal ??= new AbortController().signal;
      return s.signal;
    },
  },
  body: {
    get(this: Light) {
      return real(this).body;
    },
  },
  bodyUsed: {
    get(this: Light) {
      const s = this[STATE];
      return s.real ? s.real.bodyUsed : s.used;
    },
  },
  ...lightBodyMethods<Light>((r) => r[STATE].real !== undefined, real, take),
});
// The rest of Request's interface, from the real request.
for (const k of [
  'cache',
  'credentials',
  'destination',
  'duplex',
  'integrity',
  'mode',
  'referrer',
  'referrerPolicy',
  'keepalive',
])
  Object.defineProperty(PROTO, k, {
    get(this: Light) {
      return (real(this) as unknown as Record<string, unknown>)[k];
    },
  });
for (const k of ['clone', 'formData', 'blob'])
  Object.defineProperty(PROTO, k, {
    value(this: Light, ...args: unknown[]) {
      const r = real(this) as unknown as Record<string, (...a: unknown[]) => unknown>;
      return (r[k] as (...a: unknown[]) => unknown).apply(r, args);
    },
  });
Object.defineProperty(PROTO, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: Light) {
    return `Request (in-process) ${this.method} ${this.url}`;
  },
});

/**
 * A light request for `fetch(input, init)`, or undefined when the call needs a real `Request` (input already a
 * Request, a stream, Blob or FormData body, an unusual method, a GET or HEAD with a body — which `new Request`
 * refuses, as the caller then learns).
 */
export function inProcessRequest(input: string | URL, init: RequestInit | undefined): Request | undefined {
  const raw = init?.method ?? 'GET';
  const method = NORMALISED.get(raw) ?? raw;
  if (!PLAIN_METHODS.has(method)) return undefined;
  const b = init?.body;
  let source: string | Uint8Array | null;
  let type: string | undefined;
  if (b === undefined || b === null) source = null;
  else if (typeof b === 'string') {
    source = b;
    type = 'text/plain;charset=UTF-8';
  } else if (b instanceof URLSearchParams) {
    source = b.toString();
    type = 'application/x-www-form-urlencoded;charset=UTF-8';
  } else if (b instanceof Uint8Array) source = new Uint8Array(b);
  else if (b instanceof ArrayBuffer) source = new Uint8Array(b.slice(0));
  else return undefined;
  if (source !== null && (method === 'GET' || method === 'HEAD')) return undefined;
  const headers = new Headers(init?.headers);
  if (type !== undefined && !headers.has('content-type')) headers.set('content-type', type);
  if (source !== null)
    headers.set('content-length', String(typeof source === 'string' ? Buffer.byteLength(source) : source.byteLength));
  const light = Object.create(PROTO) as Light;
  light[STATE] = {
    url: (input instanceof URL ? input : new URL(input)).href,
    method,
    headers,
    source,
    redirect: init?.redirect ?? 'follow',
    signal: init?.signal ?? undefined,
    used: false,
    real: undefined,
  };
  return light;
}

/**
 * Whether `request` has a body, without building a body stream where none is needed: a light request knows; a GET
 * or HEAD has none (`fetch` refuses one, the Node adapter drops one); a valid declared length says whether one
 * follows. Only then is `body` asked — which a request from a socket (the Node adapter's) builds on first use, as a
 * web stream, where its own readers (`text`, `arrayBuffer`) read the socket directly.
 */
export function hasBody(request: Request): boolean {
  const s = (request as Partial<Light>)[STATE];
  if (s) return s.real ? s.real.body !== null : s.source !== null;
  const method = request.method;
  if (method === 'GET' || method === 'HEAD') return false;
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d{1,15}$/.test(declared) && !request.headers.has('transfer-encoding'))
    return Number(declared) > 0;
  return request.body !== null;
}

/** Whether `request` is a light in-process one (see {@link inProcessRequest}). */
export function isInProcessRequest(request: Request): boolean {
  return (request as Partial<Light>)[STATE] !== undefined;
}

/** A real `Request` for `request` (itself unless it is a light one): for what needs the real thing, e.g. a socket. */
export function realRequest(request: Request): Request {
  return (request as Partial<Light>)[STATE] ? real(request as Light) : request;
}
