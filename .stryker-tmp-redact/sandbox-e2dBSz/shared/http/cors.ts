/**
 * CORS for browser frontends, the same on every route and in every response (errors and preflights too).
 * `ALLOWED_ORIGINS`: a comma-separated list of origins, or `*` (the default). A listed origin is echoed
 * with `Access-Control-Allow-Credentials: true`; `*` allows any origin without credentials, so a browser
 * never attaches cached Basic credentials for a page of another site.
 */
// @ts-nocheck

const EXPOSED = [
  'Twilio-Verify-Signature-Fields',
  'Twilio-Verify-Challenge-Signature',
  'Twilio-Verify-Factor-Signature',
];

export function corsHeaders(origin: string | undefined, allowed: readonly string[]): Record<string, string> {
  const common = {
    'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept',
    'Access-Control-Expose-Headers': EXPOSED.join(', '),
    'Access-Control-Max-Age': '600',
  };
  if (origin && allowed.includes(origin)) {
    return {
      ...common,
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Credentials': 'true',
      Vary: 'Origin',
    };
  }
  if (allowed.includes('*')) return { ...common, 'Access-Control-Allow-Origin': '*' };
  return {};
}
