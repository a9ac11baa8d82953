import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { START_NODE_FLAGS } from '../src/bench-start.ts';

describe("the V8 flags of a start (the young generation's size)", () => {
  it('are the same in ./kakehashi as in the bench: what the bench measures is what a start runs with', () => {
    const wrapper = readFileSync(join(import.meta.dirname, '..', '..', '..', 'kakehashi'), 'utf8');
    const line = wrapper.split('\n').find((l) => l.includes('"$cmd" = start'));
    expect(line).toContain(`exec node ${START_NODE_FLAGS.join(' ')} "$ROOT/packages/federation/src/cli.ts"`);
    expect(START_NODE_FLAGS).toEqual(['--max-semi-space-size=8', '--min-semi-space-size=8']);
  });
});
