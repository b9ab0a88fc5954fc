// @ts-nocheck
import type { AppDeps } from '../../../shared/app/ports';
import {
  MemoryAccessTokenStore,
  MemoryPushCredentialStore,
  MemoryWebhookStore,
  MemoryAccountStore,
  MemoryChallengeStore,
  MemoryEntityStore,
  MemoryFactorStore,
  MemoryServiceStore,
  memorySealer,
} from './stores';
import { MemoryTable } from './table';

export { MemoryTable } from './table';
export { memorySealer } from './stores';

type Stores = Omit<AppDeps, 'now' | 'sealer'>;
type StoreName = keyof Stores;
type MethodOf<S extends StoreName> = {
  [M in keyof Stores[S]]: Stores[S][M] extends (...args: never[]) => unknown ? M : never;
}[keyof Stores[S]] &
  string;

/** A store operation by name, such as `'factors.recordFailure'`. */
export type Operation = { [S in StoreName]: `${S}.${MethodOf<S>}` }[StoreName];

/** Runs before an operation; `{ outcome }` answers in its place. */
type Interleaving = (args: unknown[]) => Promise<{ outcome: unknown } | undefined>;

/** The stores, the use cases' dependencies, over one in-memory table, with a clock the test sets. */
export interface MemoryDeps extends AppDeps {
  table: MemoryTable;
  /** Sets the clock (`now()`); it stands still otherwise. */
  setNow(now: Date): void;
  /**
   * Runs `action` just before the next `times` calls of `operation` do their work: what a concurrent
   * request does between a use case's read and its write, so that the write meets the changed state
   * (loses a race) as it would on DynamoDB. `action` gets the operation's arguments.
   */
  before<O extends Operation>(operation: O, action: (args: unknown[]) => unknown, times?: number): void;
  /** The next `times` calls of `operation` answer `outcome` without doing anything, e.g. a lost race. */
  answer<O extends Operation>(operation: O, outcome: unknown, times?: number): void;
}

/**
 * In-memory `AppDeps` for the use cases' unit tests: the store doubles of ./stores.ts over one table, the
 * memory sealer and a settable clock. Each store is also a member that `dependencies()`'s overrides accept
 * (`testDeps({}, { factors: memory.factors })`).
 */
export function memoryDeps(options: { now?: Date; challengeRetentionDays?: number } = {}): MemoryDeps {
  const table = new MemoryTable();
  let clock = options.now ?? new Date();
  const pending = new Map<string, Interleaving[]>();
  const queue = (operation: string, step: Interleaving, times: number) => {
    const steps = pending.get(operation) ?? [];
    for (let i = 0; i < times; i++) steps.push(step);
    pending.set(operation, steps);
  };

  /** The store, with each method first running what is queued for it. */
  const interleaved = <T extends object>(name: StoreName, store: T): T =>
    new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        return async (...args: unknown[]) => {
          const step = pending.get(`${name}.${property}`)?.shift();
          if (step) {
            const replaced = await step(args);
            if (replaced) return replaced.outcome;
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });

  return {
    table,
    now: () => clock,
    setNow: (now) => {
      clock = now;
    },
    accounts: interleaved('accounts', new MemoryAccountStore(table)),
    services: interleaved('services', new MemoryServiceStore(table)),
    entities: interleaved('entities', new MemoryEntityStore(table)),
    factors: interleaved('factors', new MemoryFactorStore(table)),
    challenges: interleaved('challenges', new MemoryChallengeStore(table, options.challengeRetentionDays)),
    accessTokens: interleaved('accessTokens', new MemoryAccessTokenStore(table)),
    pushCredentials: interleaved('pushCredentials', new MemoryPushCredentialStore(table)),
    webhooks: interleaved('webhooks', new MemoryWebhookStore(table)),
    sealer: memorySealer,
    tokenSealer: memorySealer,
    before: (operation, action, times = 1) =>
      queue(
        operation,
        async (args) => {
          await action(args);
          return undefined;
        },
        times,
      ),
    answer: (operation, outcome, times = 1) => queue(operation, async () => ({ outcome }), times),
  };
}
