// @ts-nocheck
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FALLBACK_HANDLER, matchPath, resolveRoute, ROUTES } from '../../../shared/http/routes';
import { superlinearity } from '../../support/scaling';

describe('route table', () => {
  it('resolves paths to routes with their parameters', () => {
    const resolution = resolveRoute('GET', '/v2/Services/VA1/Entities/user-1/Factors/YF1');
    expect(resolution).toMatchObject({
      kind: 'route',
      route: { name: 'FetchFactor' },
      params: { ServiceSid: 'VA1', Identity: 'user-1', Sid: 'YF1' },
    });
    expect(resolveRoute('POST', '/v2/Services/')).toMatchObject({
      kind: 'route',
      route: { name: 'CreateService' },
    });
  });

  it('tells a wrong method from an unknown path', () => {
    expect(resolveRoute('PUT', '/v2/Services/VA1')).toEqual({
      kind: 'wrong-method',
      allowed: ['GET', 'POST', 'DELETE'],
    });
    expect(resolveRoute('GET', '/v2/Services/VA1/Nope')).toEqual({ kind: 'unknown-path' });
    expect(resolveRoute('GET', '/v2/Services//Entities')).toEqual({ kind: 'unknown-path' });
  });

  it('names unique routes whose handler modules exist', () => {
    expect(new Set(ROUTES.map((route) => route.name)).size).toBe(ROUTES.length);
    expect(new Set(ROUTES.map((route) => `${route.method} ${route.path}`)).size).toBe(ROUTES.length);
    for (const module of [...ROUTES.map((route) => route.handler), FALLBACK_HANDLER])
      expect(existsSync(module)).toBe(true);
  });

  it('matches a path in time linear in its length, however many slashes it has', () => {
    // 15,000 slashes used to block the event loop for seconds (a trailing-slash regex backtracking).
    const slashesInside = (n: number) => resolveRoute('GET', `/v2/Services${'/'.repeat(n)}x`);
    const slashesAtEnd = (n: number) =>
      matchPath('/v2/Services/{ServiceSid}', `/v2/Services/VA1${'/'.repeat(n)}`);
    expect(superlinearity(slashesInside, 1000)).toBeLessThan(4);
    expect(superlinearity(slashesAtEnd, 1000)).toBeLessThan(4);
    expect(slashesInside(15_000)).toEqual({ kind: 'unknown-path' });
    expect(matchPath('/v2/Services/{ServiceSid}', `/v2/Services/VA1${'/'.repeat(15_000)}`)).toEqual({
      ServiceSid: 'VA1',
    });
  });
});
