/**
 * Values kept by a long text — a JWS header segment with its `x5c`, a status list token — found by comparing the
 * text, not hashing it. A `Map` keyed by a string hashes it in full at every lookup of a string freshly cut from a
 * request (V8 keeps a string's hash in that string object only): ~6 µs for a 3.4 KB issuer header, twice a
 * presentation. Here the text's length picks the few entries of that length and the text is compared with them
 * (a memory comparison, ~0.1 µs; equal texts only ever match). At most `max` entries: the oldest goes first, so a
 * flood of distinct texts costs what it did without the memo (and a flood of one length at most `max` comparisons).
 */
export class TextMemo<V> {
  readonly #byLength = new Map<number, { text: string; value: V }[]>();
  readonly #order: { text: string; value: V }[] = [];
  readonly #max: number;

  /** @param max the most entries kept (at least 1). */
  constructor(max: number) {
    this.#max = Math.max(1, max);
  }

  /** The value kept for exactly this text, if any. */
  get(text: string): V | undefined {
    const bucket = this.#byLength.get(text.length);
    if (bucket) for (const e of bucket) if (e.text === text) return e.value;
    return undefined;
  }

  /** Keeps `value` for `text` (replacing what was kept for it), the oldest entry going when `max` are kept. */
  set(text: string, value: V): void {
    this.delete(text);
    while (this.#order.length >= this.#max) this.#remove(this.#order[0] as { text: string; value: V });
    const entry = { text, value };
    this.#order.push(entry);
    const bucket = this.#byLength.get(text.length);
    if (bucket) bucket.push(entry);
    else this.#byLength.set(text.length, [entry]);
  }

  /** Forgets what was kept for `text`. */
  delete(text: string): void {
    const bucket = this.#byLength.get(text.length);
    const entry = bucket?.find((e) => e.text === text);
    if (entry) this.#remove(entry);
  }

  /** How many texts are kept. */
  get size(): number {
    return this.#order.length;
  }

  #remove(entry: { text: string; value: V }): void {
    const at = this.#order.indexOf(entry);
    if (at !== -1) this.#order.splice(at, 1);
    const bucket = this.#byLength.get(entry.text.length);
    if (!bucket) return;
    const i = bucket.indexOf(entry);
    if (i !== -1) bucket.splice(i, 1);
    if (bucket.length === 0) this.#byLength.delete(entry.text.length);
  }
}
