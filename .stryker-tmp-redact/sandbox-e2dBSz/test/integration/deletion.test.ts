// @ts-nocheck
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { build as buildDeleter } from '../../functions/deleter/handler';
import { ensureTable } from '../../infra/local/dynamodb';
import { startStreamPump } from '../../infra/local/stream-pump';
import { createChallenge } from '../../shared/app/challenges';
import { createEntity, deleteEntity } from '../../shared/app/entities';
import { createFactor } from '../../shared/app/factors';
import { deleteService } from '../../shared/app/services';
import type { Dependencies } from '../../shared/dependencies';
import { newChallenge } from '../../shared/domain/challenge';
import { DomainError } from '../../shared/domain/errors';
import { MAX_PUSH_FACTORS_PER_ENTITY, type Factor } from '../../shared/domain/factor';
import { createService } from '../../shared/domain/service';
import { newSid, SidPrefix } from '../../shared/domain/sid';
import { DELETER_FILTER_PATTERNS } from '../../shared/events/filters';
import { twilioError } from '../../shared/http/errors';
import { Keys } from '../../shared/store/keys';
import { testDeps } from '../support/deps';
import { leftovers, populate, pushFactorRequest, rawItem } from '../support/deletion';
import { newIdentity } from '../support/fixtures';

// A table of this file's own: the scans for leftovers stay small, and the stream pump sees only this file's
// deletions.
process.env.TABLE_NAME = `verify-deletion-${process.pid}`;
beforeAll(() => ensureTable(process.env.DYNAMODB_ENDPOINT!, process.env.TABLE_NAME!));
const deps = testDeps();
const backend = (accountSid: string) => ({ kind: 'account' as const, accountSid });

async function newService(on: Dependencies = deps) {
  const accountSid = newSid(SidPrefix.account);
  const service = createService(accountSid, { friendlyName: 'Bank' }, new Date());
  await on.services.create(service);
  return { accountSid, serviceSid: service.sid };
}

/** How each of many concurrent calls ended: 'ok', or the HTTP status the API would answer. */
async function outcomes(calls: Promise<unknown>[]): Promise<string[]> {
  return (await Promise.allSettled(calls)).map((result) => {
    if (result.status === 'fulfilled') return 'ok';
    if (!(result.reason instanceof DomainError)) throw result.reason;
    return String(twilioError(result.reason).status);
  });
}

/** A request budget the deletions here never reach (on a loaded machine too): they finish in the request. */
const NO_DEADLINE = 600_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('deletion races', () => {
  it('leaves an entity whole or gone when factors are created while it is deleted: no orphan, no limit bypass', async () => {
    for (let round = 0; round < 4; round++) {
      const { accountSid, serviceSid } = await newService();
      const identity = newIdentity();
      for (let i = 0; i < 12; i++) {
        await createFactor(deps, backend(accountSid), pushFactorRequest(serviceSid, identity));
      }
      const create = () => createFactor(deps, backend(accountSid), pushFactorRequest(serviceSid, identity));
      const results = await outcomes([
        ...Array.from({ length: 15 }, create),
        pause(5 + round * 5).then(() => deleteEntity(deps, accountSid, serviceSid, identity, NO_DEADLINE)),
        ...Array.from({ length: 15 }, () => pause(10 + round * 5).then(create)),
      ]);
      expect(
        results.filter((r) => !['ok', '400', '409'].includes(r)),
        results.join(),
      ).toEqual([]);

      // What is left belongs to one live entity: the one created after the deletion finished, if any.
      const entity = await rawItem(deps, Keys.entity(accountSid, serviceSid, identity));
      const items = (await leftovers(deps, serviceSid)).filter((item) => item.identity === identity);
      const factors = items.filter((item) => item.type === 'factor');
      const credentials = items.filter((item) => item.type === 'credential');
      expect(entity?.deleting).toBeUndefined();
      const owners = items.filter((item) => item.type !== 'credential').map((i) => i.entitySid ?? i.sid);
      expect(new Set(owners)).toEqual(entity ? new Set([entity.sid]) : new Set());
      expect(factors.length).toBeLessThanOrEqual(MAX_PUSH_FACTORS_PER_ENTITY);
      expect(entity?.pushFactorCount ?? 0).toBe(factors.length);
      expect(credentials.map((c) => c.factorSid).sort()).toEqual(factors.map((f) => f.sid).sort());
    }
  });

  it('leaves nothing of a service deleted while entities, factors and challenges are being created in it', async () => {
    for (let round = 0; round < 3; round++) {
      const { accountSid, serviceSid } = await newService();
      const { identities, factors } = await populate(deps, accountSid, serviceSid, 20);
      const challenge = (factor: Factor) =>
        createChallenge(deps, {
          accountSid,
          serviceSid,
          identity: factor.identity,
          factorSid: factor.sid,
          expirationDate: new Date(Date.now() + 300_000),
          message: 'Log in?',
        });
      const results = await outcomes([
        ...factors.map(challenge),
        pause(5 + round * 10).then(() => deleteService(deps, accountSid, serviceSid, NO_DEADLINE)),
        ...factors.map((factor) => pause(5 + round * 10).then(() => challenge(factor))),
        ...identities.map((identity) =>
          createFactor(deps, backend(accountSid), pushFactorRequest(serviceSid, identity)),
        ),
        ...Array.from({ length: 20 }, () => createEntity(deps, accountSid, serviceSid, newIdentity())),
        ...Array.from({ length: 20 }, () =>
          createFactor(deps, backend(accountSid), pushFactorRequest(serviceSid, newIdentity())),
        ),
      ]);
      expect(
        results.filter((r) => !['ok', '404', '409'].includes(r)),
        results.join(),
      ).toEqual([]);
      expect(await rawItem(deps, Keys.service(accountSid, serviceSid))).toBeUndefined();
      expect(await leftovers(deps, serviceSid)).toEqual([]);
    }
  });
});

describe('challenges and timers of deleted factors', () => {
  it('does not store a challenge whose factor was deleted after it was read: 404, nothing written', async () => {
    const { accountSid, serviceSid } = await newService();
    const { factors } = await populate(deps, accountSid, serviceSid, 1);
    const factor = factors[0]!;
    // The factor is deleted between the read and the write.
    const factorStore = Object.create(deps.factors) as Dependencies['factors'];
    factorStore.getWithService = async (...args) => {
      const read = await deps.factors.getWithService(...args);
      await deps.factors.delete(factor);
      return read;
    };
    const racing = { ...deps, factors: factorStore };
    const request = {
      accountSid,
      serviceSid,
      identity: factor.identity,
      factorSid: factor.sid,
      expirationDate: new Date(Date.now() + 300_000),
      message: 'Log in?',
    };
    const failure = await createChallenge(racing, request).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DomainError);
    expect(twilioError(failure).status).toBe(404);
    const challenges = (await leftovers(deps, serviceSid)).filter((item) => item.type === 'challenge');
    expect(challenges).toHaveLength(1); // the one `populate` made, none more
    const later = newChallenge(
      { factor, includeDate: false, expirationDate: new Date(Date.now() + 60_000), message: 'Hi?' },
      new Date(),
    );
    expect(await deps.challenges.create(later)).toBe('no-factor');
  });

  it('writes no expiry timer for a challenge deleted before the stream got to it', async () => {
    const { accountSid, serviceSid } = await newService();
    const { factors } = await populate(deps, accountSid, serviceSid, 1);
    const factor = factors[0]!;
    const challenge = newChallenge(
      { factor, includeDate: false, expirationDate: new Date(Date.now() + 60_000), message: 'Hi?' },
      new Date(),
    );
    await deps.challenges.create(challenge);
    await deleteEntity(deps, accountSid, serviceSid, factor.identity, NO_DEADLINE);
    await deps.challenges.scheduleExpiry(challenge);
    const timer = Keys.timer(accountSid, serviceSid, factor.identity, challenge.sid);
    expect(await rawItem(deps, timer)).toBeUndefined();
  });
});

describe('deletion steps', () => {
  it('continues a deletion from the stream: a large service goes in several deleter rounds', async () => {
    // The request and each deleter invocation do one page of work only: the rest is left to the deleter,
    // in many rounds.
    const quick = testDeps({ deleteBudgetMs: 0, deleterBudgetMs: 1 });
    const { accountSid, serviceSid } = await newService(quick);
    await populate(quick, accountSid, serviceSid, 150);
    const deleter = buildDeleter(quick);
    const rounds: number[] = [];
    // The deleter as `npm start` runs it: fed by a stream pump with the deleter's filters.
    const pump = await startStreamPump({
      endpoint: quick.config.dynamodbEndpoint!,
      tableName: quick.config.tableName!,
      fromLatest: true,
      filters: DELETER_FILTER_PATTERNS,
      handler: async (event: DynamoDBStreamEvent) => {
        for (const record of event.Records) {
          if (record.dynamodb?.Keys?.sk?.S === `SERVICE#${serviceSid}`) {
            rounds.push(Number(record.dynamodb.NewImage?.deletionRound?.N));
          }
        }
        return deleter(event);
      },
    });
    try {
      const started = Date.now();
      await deleteService(quick, accountSid, serviceSid, quick.config.deleteBudgetMs);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await quick.services.get(accountSid, serviceSid)).toBeUndefined();
      expect((await rawItem(quick, Keys.service(accountSid, serviceSid)))?.deleting).toBeDefined();

      const deadline = Date.now() + 60_000;
      while (await rawItem(quick, Keys.service(accountSid, serviceSid))) {
        if (Date.now() > deadline) throw new Error(`Not deleted after 60 s; rounds ${rounds.join()}`);
        await pause(200);
      }
      expect(await leftovers(quick, serviceSid)).toEqual([]);
      // The mark started the deleter (round 0), which handed over to itself round after round.
      expect(rounds[0]).toBe(0);
      expect(Math.max(...rounds)).toBeGreaterThanOrEqual(5);
    } finally {
      await pump.stop();
    }
  });

  it('retried on a service marked deleting, answers and finishes; a deleter step after the end does nothing', async () => {
    const { accountSid, serviceSid } = await newService();
    await populate(deps, accountSid, serviceSid, 10);
    expect(await deps.services.markDeleting(accountSid, serviceSid, new Date())).toBe('marked');
    expect(await deps.services.markDeleting(accountSid, serviceSid, new Date())).toBe('deleting');
    await deleteService(deps, accountSid, serviceSid, NO_DEADLINE);
    expect(await leftovers(deps, serviceSid)).toEqual([]);
    const work = { deadline: Date.now() + 1_000, from: 'last' } as const;
    expect(await deps.services.purge(accountSid, serviceSid, work)).toBe('done');
    expect(await deps.services.markDeleting(accountSid, serviceSid, new Date())).toBe('missing');
  });

  it('leaves alone what an entity created after the deletion finished has added', async () => {
    const { accountSid, serviceSid } = await newService();
    const identity = newIdentity();
    for (let i = 0; i < 3; i++) {
      await createFactor(deps, backend(accountSid), pushFactorRequest(serviceSid, identity));
    }
    const old = (await deps.entities.get(accountSid, serviceSid, identity))!;
    expect(await deps.entities.markDeleting(accountSid, serviceSid, identity, new Date())).toBe('marked');
    // A factor of a later entity of the same identity, as a deletion step still running after the old entity
    // went and a new one came would find it.
    const later = Keys.factor(accountSid, serviceSid, identity, newSid(SidPrefix.factor));
    const laterEntitySid = newSid(SidPrefix.entity);
    expect(laterEntitySid > old.sid).toBe(true);
    await deps.db.send(
      new PutCommand({
        TableName: deps.config.tableName,
        Item: { ...later, type: 'factor', entitySid: laterEntitySid, identity, serviceSid },
      }),
    );
    const work = { deadline: Date.now() + 5_000, from: 'first' } as const;
    expect(await deps.entities.purge(accountSid, serviceSid, identity, work)).toBe('done');
    const left = (await leftovers(deps, serviceSid)).filter((item) => item.identity === identity);
    expect(left.map((item) => item.sk)).toEqual([later.sk]);
    expect(await rawItem(deps, Keys.entity(accountSid, serviceSid, identity))).toBeUndefined();
  });
});
