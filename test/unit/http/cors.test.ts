import { describe, expect, it } from 'vitest';
import { corsHeaders } from '../../../shared/http/cors';

const COMMON = {
  'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept',
  'Access-Control-Expose-Headers':
    'Twilio-Verify-Signature-Fields, Twilio-Verify-Challenge-Signature, Twilio-Verify-Factor-Signature',
  'Access-Control-Max-Age': '600',
};

/**
 * CORS is a guard: a browser attaches cached Basic credentials to a cross-site request only when the answer
 * allows credentials for that exact origin. Only listed origins get that; `*` never does.
 */
describe('CORS headers', () => {
  const listed = ['https://app.example.com', 'https://admin.example.com'];

  it('echo a listed origin, with credentials allowed and Vary: Origin', () => {
    expect(corsHeaders('https://admin.example.com', listed)).toEqual({
      ...COMMON,
      'Access-Control-Allow-Origin': 'https://admin.example.com',
      'Access-Control-Allow-Credentials': 'true',
      Vary: 'Origin',
    });
  });

  it('give nothing to an origin that is not listed, to a near miss, or to a request without one', () => {
    for (const origin of [
      'https://evil.example.com',
      'https://app.example.com.evil.test',
      'http://app.example.com',
      'https://APP.example.com',
      'null',
      '',
      undefined,
    ]) {
      expect(corsHeaders(origin, listed), String(origin)).toEqual({});
    }
  });

  it('allow any origin under `*`, never with credentials', () => {
    for (const origin of ['https://anywhere.test', undefined]) {
      const headers = corsHeaders(origin, ['*']);
      expect(headers).toEqual({ ...COMMON, 'Access-Control-Allow-Origin': '*' });
      expect(headers).not.toHaveProperty('Access-Control-Allow-Credentials');
    }
  });

  it('give a listed origin credentials even when `*` is listed too, and the others `*`', () => {
    const both = ['https://app.example.com', '*'];
    expect(corsHeaders('https://app.example.com', both)).toMatchObject({
      'Access-Control-Allow-Origin': 'https://app.example.com',
      'Access-Control-Allow-Credentials': 'true',
    });
    expect(corsHeaders('https://other.test', both)).toEqual({
      ...COMMON,
      'Access-Control-Allow-Origin': '*',
    });
  });
});
