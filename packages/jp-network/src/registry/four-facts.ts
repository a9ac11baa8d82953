import { z } from '@hono/zod-openapi';

/** The basic four facts (基本4情報): name, date of birth, gender, address. */
export const FourFactsSchema = z
  .object({
    name: z.string().min(1).max(200),
    dateOfBirth: z.iso.date(),
    gender: z.enum(['male', 'female']),
    address: z.string().min(1).max(400),
  })
  .openapi('FourFacts');
export type FourFacts = z.infer<typeof FourFactsSchema>;

/** Partial facts, as a careless record may hold them (only name and date of birth). */
export const PartialFactsSchema = FourFactsSchema.partial({ gender: true, address: true });
export type PartialFacts = z.infer<typeof PartialFactsSchema>;

/** NFKC (full-width → half-width, ideographic space → space), whitespace collapsed, trimmed. */
export function normaliseFact(s: string): string {
  return s.normalize('NFKC').replace(/\s+/g, ' ').trim();
}
