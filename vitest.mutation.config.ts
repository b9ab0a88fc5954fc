import { defineConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * What `npm run test:mutation` (StrykerJS) runs against each mutant of the domain, the use cases and the
 * credential checks: the unit and integration tests (DynamoDB Local), not the end-to-end and infra ones,
 * which exercise the same code through slower layers. `MUTATION_TESTS` (comma-separated globs) narrows them
 * for a run over a few files, e.g. `MUTATION_TESTS='test/unit/domain/webauthn*.test.ts'`. The list replaces
 * the base config's (`mergeConfig` would append to it, and run every test).
 */
const include = process.env.MUTATION_TESTS?.split(',') ?? [
  'test/unit/**/*.test.ts',
  'test/integration/**/*.test.ts',
];

export default defineConfig({ ...base, test: { ...base.test, include } });
