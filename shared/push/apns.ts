// TEMPORARY stand-in until the provider layer lands (issue8-providers branch): the agreed interface.
import type { PushProvider } from './types';

export function createApnsProvider(_options: { baseUrl?: string; ca?: string | string[]; timeoutMs?: number; now?: () => number } = {}): PushProvider {
  return {
    send: () => Promise.resolve({ kind: 'permanent', reason: 'not implemented' }),
    close: () => Promise.resolve(),
  };
}
