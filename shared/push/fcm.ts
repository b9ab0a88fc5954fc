// TEMPORARY stand-in until the provider layer lands (issue8-providers branch): the agreed interface.
import type { PushProvider } from './types';

export function createFcmProvider(_options: { baseUrl?: string; timeoutMs?: number; now?: () => number; fetch?: typeof fetch } = {}): PushProvider {
  return {
    send: () => Promise.resolve({ kind: 'permanent', reason: 'not implemented' }),
    close: () => Promise.resolve(),
  };
}
