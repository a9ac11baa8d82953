import { describe, expect, it } from 'vitest';
import { SCENARIOS } from '../src/scenarios.ts';

/** The console tells each scenario in Japanese with ?lang=ja: every step needs its Japanese title. */
describe('scenario step titles', () => {
  const steps = Object.entries(SCENARIOS).flatMap(([name, s]) => s.steps.map((step, i) => ({ name, i, step })));

  it('every step of every scenario has a Japanese title (titleJa)', () => {
    const missing = steps.filter(({ step }) => !step.titleJa?.trim()).map(({ name, i }) => `${name} step ${i + 1}`);
    expect(missing).toEqual([]);
  });

  it('a Japanese title is Japanese (has kana or kanji), not the English one copied', () => {
    const notJapanese = steps
      .filter(
        ({ step }) =>
          step.titleJa && (!/[\u3040-\u30ff\u4e00-\u9fff]/.test(step.titleJa) || step.titleJa === step.title),
      )
      .map(({ name, i }) => `${name} step ${i + 1}`);
    expect(notJapanese).toEqual([]);
  });
});
