import { describe, expect, it } from 'vitest';
import type { EventWatch } from '../../../infra/smoke/events';
import { AwsEventWatch } from '../../../infra/smoke/events';
import { runSmoke } from '../../../infra/smoke/run';

describe('a smoke run', () => {
  it('interrupted (Ctrl+C), stops its checks and still removes its event watch', async () => {
    const interrupt = new AbortController();
    const calls: string[] = [];
    const watch: EventWatch = {
      description: 'a watch',
      start: async () => {
        calls.push('start');
        // Ctrl+C while it waits for the new rule to apply, before the first write.
        setTimeout(() => interrupt.abort(new Error('interrupted')), 10);
      },
      poll: async () => [],
      stop: async () => void calls.push('stop'),
    };
    const results = await runSmoke({
      url: 'http://127.0.0.1:9',
      accountSid: `AC${'a'.repeat(32)}`,
      username: `AC${'a'.repeat(32)}`,
      password: 'f'.repeat(32),
      origin: 'https://app.example',
      watch,
      eventWaitMs: 1000,
      settleMs: 60_000,
      signal: interrupt.signal,
    });
    expect(calls).toEqual(['start', 'stop']);
    expect(results.map((r) => `${r.ok ? 'PASS' : 'FAIL'} ${r.name}: ${r.detail}`)).toEqual([
      'PASS event watch set up: a watch',
      'FAIL run: interrupted',
      'PASS cleanup: event watch removed: a watch',
    ]);
  });

  it('names its rule and queue verify-smoke- and 8 random hex digits', () => {
    const name = () => new AwsEventWatch({ bus: 'bus', accountSid: `AC${'a'.repeat(32)}` }).name;
    expect(name()).toMatch(/^verify-smoke-[0-9a-f]{8}$/);
    expect(name()).not.toBe(name());
  });
});
