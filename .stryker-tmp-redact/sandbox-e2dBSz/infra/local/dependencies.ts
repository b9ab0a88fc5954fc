// @ts-nocheck
import { loadConfig, type Config } from '../../shared/config';
import { accountTokenSealer, secretSealer } from '../../shared/crypto';
import { dependencies, type Dependencies } from '../../shared/dependencies';

/**
 * The dependencies of every function at once, as `npm start`, the tests and the benchmarks run them in
 * one process: the sealer included (on AWS only the secret-handling functions bring it). `settings` are
 * the functions' environment variables, or an already parsed configuration.
 */
export const localDependencies = (
  settings: Config | Record<string, string | undefined>,
  overrides: Parameters<typeof dependencies>[1] = {},
): Dependencies =>
  dependencies(isConfig(settings) ? settings : loadConfig(settings), overrides, {
    sealer: secretSealer,
    tokenSealer: accountTokenSealer,
  });

const isConfig = (settings: object): settings is Config => 'allowedOrigins' in settings;
