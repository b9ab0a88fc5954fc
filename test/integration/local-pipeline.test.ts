import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../infra/local/dynamodb';
import type { LocalEvent } from '../../infra/local/event-sink';
import { startPipeline } from '../../infra/local/pipeline';
import { newChallenge } from '../../shared/domain/challenge';
import { newEntity } from '../../shared/domain/entity';
import { newTotpFactor } from '../../shared/domain/factor';
import { createService, TOTP_DEFAULTS } from '../../shared/domain/service';
import { newSid, SidPrefix } from '../../shared/domain/sid';
import { testDeps } from '../support/deps';
import { newIdentity } from '../support/fixtures';

// A table of its own (read from TRIM_HORIZON), so no other test's records get in.
const tableName = `verify-pipeline-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'verify-pipeline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm start's pipeline (in process, on DynamoDB Local)", () => {
  it('expires a challenge through the sweeper with one challenge.expired, and resumes after a stop exactly once', async () => {
    await ensureTable(process.env.DYNAMODB_ENDPOINT!, tableName);
    const deps = testDeps({ tableName, eventBusName: 'test' });
    const events: LocalEvent[] = [];
    const errors: string[] = [];
    const start = () =>
      startPipeline({
        config: deps.config,
        tableName,
        eventsFile: join(dir, 'events.jsonl'),
        checkpointDir: join(dir, 'checkpoints'),
        sweepIntervalMs: 250,
        log: () => {},
        onError: (what, error) => errors.push(`${what}: ${String(error)}`),
        onEvent: (event) => events.push(event),
      });
    const of = (type: string, sid: string) =>
      events.filter(
        (e) => e['detail-type'] === type && (e.detail.challenge_sid ?? e.detail.factor_sid) === sid,
      );
    const until = async (condition: () => boolean | Promise<boolean>, what: string) => {
      const deadline = Date.now() + 30_000;
      while (!(await condition())) {
        if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; errors: ${errors}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const newFactor = async () => {
      const now = new Date();
      const service = createService(newSid(SidPrefix.account), { friendlyName: 'Bank' }, now);
      await deps.services.create(service);
      const entity = newEntity(service.accountSid, service.sid, newIdentity(), now);
      const factor = newTotpFactor(
        {
          sid: newSid(SidPrefix.factor, now),
          entity,
          friendlyName: 'Phone',
          config: { alg: 'sha1', ...TOTP_DEFAULTS },
          sealedSecret: 'sealed',
        },
        now,
      );
      expect(await deps.factors.create(factor, entity, true)).toBe('created');
      return factor;
    };

    let pipeline = await start();
    const factor = await newFactor();
    const expiresAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000);
    const challenge = newChallenge({ factor, includeDate: false, expirationDate: expiresAt }, new Date());
    expect(await deps.challenges.create(challenge)).toBe('created');
    await until(() => of('challenge.expired', challenge.sid).length > 0, 'challenge.expired');
    await pipeline.stop();

    // Written while the pipeline is down: delivered after the next start, and nothing delivered twice.
    const later = await newFactor();
    pipeline = await start();
    try {
      await until(() => of('factor.created', later.sid).length > 0, 'the factor written meanwhile');
      // A sweep after the restart finds nothing more to expire.
      const marker = await newFactor();
      await until(() => of('factor.created', marker.sid).length > 0, 'a marker');
    } finally {
      await pipeline.stop();
    }
    expect(of('challenge.created', challenge.sid)).toHaveLength(1);
    expect(of('challenge.expired', challenge.sid)).toHaveLength(1);
    expect(of('factor.created', factor.sid)).toHaveLength(1);
    expect(of('factor.created', later.sid)).toHaveLength(1);
    expect(errors).toEqual([]);
  }, 90_000);
});
