// @ts-nocheck
import { loadConfig, type Config } from '../../shared/config';
import { localDependencies } from '../../infra/local/dependencies';
import type { dependencies, Dependencies } from '../../shared/dependencies';
import { DomainError } from '../../shared/domain/errors';
import { twilioError } from '../../shared/http/errors';

let shared: Dependencies | undefined;

/**
 * The dependencies the functions would build from this test worker's environment (test/support/env.ts):
 * the test table on DynamoDB Local and the local key file. `settings` override configuration values.
 */
export function testDeps(settings: Partial<Config> = {}, overrides: Parameters<typeof dependencies>[1] = {}) {
  if (Object.keys(settings).length === 0 && Object.keys(overrides).length === 0) {
    return (shared ??= localDependencies(loadConfig()));
  }
  return localDependencies({ ...loadConfig(), ...settings }, overrides);
}

/** The Twilio error code a failed use case would answer with, or undefined when it did not fail so. */
export const twilioCode = (error: unknown) =>
  error instanceof DomainError ? twilioError(error).code : undefined;

/** How a call that must fail is answered: its Twilio status, code and message. */
export function answeredFailure(call: () => unknown) {
  try {
    call();
  } catch (error) {
    if (error instanceof DomainError) {
      const { status, code, message } = twilioError(error);
      return { status, code, message };
    }
    throw error;
  }
  throw new Error('expected a failure');
}
