import { describe, expect, it } from 'vitest';
import type { BusEvent } from '../../../infra/smoke/events';
import { secretsIn } from '../../../infra/smoke/secrets';

const event = (detail: Record<string, unknown>, type = 'factor.created'): BusEvent => ({
  id: '6a7e1c1e-0000-4000-8000-000000000000',
  'detail-type': type,
  source: 'verify-push-totp',
  detail: { factor_sid: `YF${'0'.repeat(32)}`, ...detail },
});

const SECRETS = [
  { kind: 'TOTP secret', value: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' },
  { kind: 'TOTP code', value: '123456' },
  { kind: 'auth token', value: 'f'.repeat(32) },
];

describe('looking for secrets in events', () => {
  it('finds a secret in any field, nested or not, and names the event and the kind (not the value)', () => {
    const leaks = secretsIn(
      [
        event({ binding: { uri: 'otpauth://totp/x?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' } }),
        event({ metadata: { auth_payload: '123456' } }, 'challenge.approved'),
        event({ note: `token ${'f'.repeat(32)}` }),
      ],
      SECRETS,
    );
    expect(leaks).toEqual([
      { kind: 'TOTP secret', event: `factor.created YF${'0'.repeat(32)}` },
      { kind: 'TOTP code', event: `challenge.approved YF${'0'.repeat(32)}` },
      { kind: 'auth token', event: `factor.created YF${'0'.repeat(32)}` },
    ]);
    expect(JSON.stringify(leaks)).not.toContain('JBSWY3DP');
  });

  it('does not take a code’s digits inside a SID or an id for the code', () => {
    const clean = event({ challenge_sid: `YC0a1234567b${'0'.repeat(20)}`, idempotency_key: 'x123456y' });
    expect(secretsIn([clean], SECRETS)).toEqual([]);
    expect(secretsIn([event({ code: 'code: 123456.' })], SECRETS)).toHaveLength(1);
  });
});
