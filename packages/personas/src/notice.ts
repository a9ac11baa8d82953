/**
 * Every persona, organisation and identifier this package produces is synthetic test data. The names are
 * common names, the places are real-looking, but the combinations, street numbers and identifiers are drawn
 * from a seeded generator: any resemblance to a real person or company is coincidental. Never use them
 * outside a test federation, and never treat a real identifier as one of them.
 */
export const NOTICE =
  '[Kakehashi] Test-only synthetic data: these personas, organisations and identifiers are fictional, generated from a seed, and must never be used for real people or real systems.';
