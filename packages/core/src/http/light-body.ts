/**
 * The body-reading methods a light in-process Request and a light in-process Response share: the body is read from
 * the string or bytes it was given (once: a second read fails as a used body does), or from the real object once
 * one was made for something else (a stream, a clone).
 * @see https://fetch.spec.whatwg.org/#body-mixin
 */
const UTF8 = new TextEncoder();
const UTF8_DECODER = new TextDecoder('utf-8');

/** The body as bytes (a string as UTF-8; none as no bytes). */
export const bytesOf = (source: string | Uint8Array | null): Uint8Array =>
  source === null ? new Uint8Array(0) : typeof source === 'string' ? UTF8.encode(source) : source;

/**
 * `text`, `json`, `arrayBuffer` and `bytes` for a light object `L`: `hasReal` says whether a real object was made,
 * `real` gives it (making it if needed), `take` hands the source over once (throwing as a used body does).
 */
export function lightBodyMethods<L>(
  hasReal: (light: L) => boolean,
  real: (light: L) => { text(): Promise<string>; arrayBuffer(): Promise<ArrayBuffer> },
  take: (light: L) => string | Uint8Array | null,
): PropertyDescriptorMap {
  return {
    text: {
      value(this: L): Promise<string> {
        if (hasReal(this)) return real(this).text();
        try {
          const source = take(this);
          return Promise.resolve(
            source === null ? '' : typeof source === 'string' ? source : UTF8_DECODER.decode(source),
          );
        } catch (e) {
          return Promise.reject(e);
        }
      },
    },
    json: {
      value(this: { text(): Promise<string> }): Promise<unknown> {
        return this.text().then((t) => JSON.parse(t));
      },
    },
    arrayBuffer: {
      value(this: L): Promise<ArrayBuffer> {
        if (hasReal(this)) return real(this).arrayBuffer();
        try {
          const b = bytesOf(take(this));
          return Promise.resolve(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
        } catch (e) {
          return Promise.reject(e);
        }
      },
    },
    bytes: {
      value(this: { arrayBuffer(): Promise<ArrayBuffer> }): Promise<Uint8Array> {
        return this.arrayBuffer().then((b) => new Uint8Array(b));
      },
    },
  };
}
