import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from '@hono/zod-openapi';

export const RequirementSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{3,60}$/),
    identifier: z.string().startsWith('urn:'),
    name: z.string().min(1),
    description: z.string().min(1),
  })
  .openapi('EvidenceRequirement');

export const EvidenceTypeSchema = z
  .object({
    classification: z.string().startsWith('urn:kakehashi:evidence-type:'),
    country: z.string().regex(/^[A-Z]{2}$/),
    kind: z.enum(['residence', 'birth', 'income']),
    requirements: z.array(z.string()).min(1),
    title: z.string().min(1),
    titleLocal: z.string().min(1),
    providers: z.array(z.string().startsWith('urn:kakehashi:participant:')).min(1),
  })
  .openapi('EvidenceType');

const DirectorySchema = z.object({
  requirements: z.array(RequirementSchema).min(1),
  evidenceTypes: z.array(EvidenceTypeSchema).min(1),
});

/** The evidence broker's data: requirements, and the evidence types that satisfy them per country. */
export type EvidenceDirectory = z.infer<typeof DirectorySchema>;

/**
 * Loads and checks the evidence broker's data file: every evidence type names known requirements, and a
 * classification appears once.
 */
export function loadEvidenceDirectory(path = join(import.meta.dirname, 'evidence-directory.json')): EvidenceDirectory {
  const d = DirectorySchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  const ids = new Set(d.requirements.map((r) => r.id));
  const seen = new Set<string>();
  for (const t of d.evidenceTypes) {
    if (seen.has(t.classification)) throw new Error(`evidence directory: ${t.classification} appears twice`);
    seen.add(t.classification);
    for (const r of t.requirements)
      if (!ids.has(r)) throw new Error(`evidence directory: ${t.classification} names unknown requirement ${r}`);
  }
  return d;
}
