import { join } from 'node:path';

/**
 * Trust material is cached here across test files and processes (generation is the slow part): the material per
 * seed, countries and hub URL, and the seed's key pairs by name, so that a federation on OS-chosen ports (another
 * hub URL each time) only reissues its certificates with the keys it already has (`keys-….json`, see
 * packages/trust KeyPairCache).
 */
export const TRUST_CACHE = join(import.meta.dirname, '..', '..', 'node_modules', '.cache', 'kakehashi-test-trust');
