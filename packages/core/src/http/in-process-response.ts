import type { Context } from 'hono';
import { isInProcessRequest } from './in-process-request.ts';
import { lightBodyMethods } from './light-body.ts';

/**
 * A response handed back from one component to another inside one process (the answer to an in-process request),
 * without the web stream a WHATWG `Response` builds for its body: the body stays the string or bytes the route
 * gave, and is read from there (`text`, `json`, `arrayBuffer`, `bytes`). Everything else — the body as a stream,
 * `clone`, `blob`, `formData` — is answered by a real `Response` made on first use, with the same status, status
 * text, headers and body. It is a `Response` (`instanceof`), its headers are mutable as a constructed response's
 * are, and it reads as a real one does: the content type a string body implies when none is given, a body read
 * once, a lone surrogate read as U+FFFD (as UTF-8 carries it). A body of another kind (a stream, a Blob…) makes a
 * real `Response` at once.
 * A `Response` with a string body costs ~20 µs to build and read (a stream, encoded and decoded), per hop.
 * @see https://fetch.spec.whatwg.org/#response-class
 */

/** The statuses a response with a body may not have (the Fetch standard's "null body status", and 103). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

const STATE = Symbol('in-process response');

interface LightState {
  status: number;
  statusText: string;
  headers: Headers;
  /** The body as given (a string, or bytes), or null. */
  source: string | Uint8Array | null;
  used: boolean;
  real: Response | undefined;
}

type Light = Response & { [STATE]: LightState };

/** The real `Response` of a light one, made once (its body from the kept source). */
function real(r: Light): Response {
  const s = r[STATE];
  if (!s.real) {
    const init = { status: s.status, statusText: s.statusText, headers: s.headers };
    s.real = new RealResponse(s.source === null ? null : s.used ? '' : (s.source as BodyInit), init);
    // A body already read here is read there too (a second read fails in both).
    if (s.used) void s.real.arrayBuffer().catch(() => {});
  }
  return s.real;
}

/** The kept body for one read, or a TypeError as `Response` gives for a body read twice. */
function take(r: Light): string | Uint8Array | null {
  const s = r[STATE];
  if (s.used) throw new TypeError('Body is unusable: Body has already been read');
  s.used = s.source !== null;
  return s.source;
}

const RealResponse = globalThis.Response;

const PROTO = Object.create(RealResponse.prototype) as Record<PropertyKey, unknown>;
const getters: Record<string, (this: Light) => unknown> = {
  status() {
    return this[STATE].status;
  },
  statusText() {
    return this[STATE].statusText;
  },
  ok() {
    const status = this[STATE].status;
    return status >= 200 && status < 300;
  },
  headers() {
    return this[STATE].headers;
  },
  type() {
    return 'default';
  },
  url() {
    return '';
  },
  redirected() {
    return false;
  },
  body() {
    const s = this[STATE];
    return s.source === null && !s.real ? null : real(this).body;
  },
  bodyUsed() {
    const s = this[STATE];
    return s.real ? s.real.bodyUsed : s.used;
  },
};
for (const [k, get] of Object.entries(getters)) Object.defineProperty(PROTO, k, { get });
Object.defineProperties(
  PROTO,
  lightBodyMethods<Light>((r) => r[STATE].real !== undefined, real, take),
);
for (const k of ['clone', 'formData', 'blob'])
  Object.defineProperty(PROTO, k, {
    value(this: Light, ...args: unknown[]) {
      const r = real(this) as unknown as Record<string, (...a: unknown[]) => unknown>;
      return (r[k] as (...a: unknown[]) => unknown).apply(r, args);
    },
  });
Object.defineProperty(PROTO, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: Light) {
    return `Response (in-process) ${this.status}`;
  },
});

/**
 * `new Response(body, init)` as a light response where the body is none, a string or bytes (the real one
 * otherwise), with the checks the constructor makes: a status in 200–599, no body with a null-body status.
 */
function LightResponse(body?: BodyInit | null, init?: ResponseInit): Response {
  let source: string | Uint8Array | null;
  if (body === undefined || body === null) source = null;
  // As UTF-8 carries it: a lone surrogate reads back as U+FFFD.
  else if (typeof body === 'string') source = body.isWellFormed() ? body : body.toWellFormed();
  else if (body instanceof Uint8Array) source = new Uint8Array(body);
  else return new RealResponse(body, init);
  const status = init?.status ?? 200;
  if (!Number.isInteger(status) || status < 200 || status > 599)
    throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive (got ${status}).`);
  if (source !== null && NULL_BODY_STATUSES.has(status))
    throw new TypeError(`Response constructor: a response with status ${status} cannot have a body.`);
  const headers = new Headers(init?.headers);
  if (typeof source === 'string' && !headers.has('content-type'))
    headers.set('content-type', 'text/plain;charset=UTF-8');
  const light = Object.create(PROTO) as Light;
  light[STATE] = { status, statusText: init?.statusText ?? '', headers, source, used: false, real: undefined };
  return light;
}
// Response's static members (json, redirect, error) stay the real ones.
Object.setPrototypeOf(LightResponse, RealResponse);
LightResponse.prototype = PROTO;

/**
 * A light response made directly, as a route answers an in-process request (see above): for what answers from memory
 * inside the process what a component would answer in process (the wallet bench serves a status list token so).
 * A body that is no string nor bytes gives a real `Response`.
 */
export function lightResponse(body?: BodyInit | null, init?: ResponseInit): Response {
  return LightResponse(body, init);
}

/**
 * The context methods that make the answer: each builds its Response synchronously with the global constructor
 * (`html` with a string; with a promise it answers later, with a real one).
 */
const ANSWERS = ['body', 'text', 'json', 'html', 'redirect', 'newResponse'] as const;

/**
 * Makes the answers `c` gives to an in-process request light responses (see above): Hono builds them with the
 * global `Response`, which stands for the light one during each answer method's own synchronous call. A request
 * from a socket is answered as before; an answer built later (asynchronously) is a real `Response`.
 */
export function answerInProcessLightly(c: Context): void {
  if (!isInProcessRequest(c.req.raw)) return;
  const methods = c as unknown as Record<(typeof ANSWERS)[number], (...args: unknown[]) => Response>;
  for (const name of ANSWERS) {
    const answer = methods[name];
    methods[name] = (...args) => {
      const global = globalThis as { Response: typeof Response };
      const before = global.Response;
      global.Response = LightResponse as unknown as typeof Response;
      try {
        return answer(...args);
      } finally {
        global.Response = before;
      }
    };
  }
}

/** Whether `response` is a light in-process one. */
export function isInProcessResponse(response: Response): boolean {
  return (response as Partial<Light>)[STATE] !== undefined;
}
