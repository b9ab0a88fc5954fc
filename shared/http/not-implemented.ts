import { matchPath } from './routes';

/**
 * Twilio Verify v2 paths this service does not serve (its OpenAPI spec's paths minus the route table): the
 * SMS, voice, email and WhatsApp verifications and what belongs to them. A request to one answers 501
 * (20501) saying so, instead of the 404 (20404) of a mistyped path: a client pointed here for push and
 * TOTP learns at once that the feature is missing, not that its URL is wrong. The CDK stack creates these
 * resources so that API Gateway sends them to the fallback function too.
 *
 * Path parameters are named as the route table names its own (`{Sid}` wherever a sibling has one):
 * API Gateway allows one variable part per level.
 */
export const NOT_IMPLEMENTED: readonly { resource: string; path: string }[] = [
  { resource: 'Verifications', path: '/v2/Services/{ServiceSid}/Verifications' },
  { resource: 'Verifications', path: '/v2/Services/{ServiceSid}/Verifications/{Sid}' },
  { resource: 'VerificationCheck', path: '/v2/Services/{ServiceSid}/VerificationCheck' },
  { resource: 'RateLimits', path: '/v2/Services/{ServiceSid}/RateLimits' },
  { resource: 'RateLimits', path: '/v2/Services/{ServiceSid}/RateLimits/{Sid}' },
  { resource: 'Buckets', path: '/v2/Services/{ServiceSid}/RateLimits/{Sid}/Buckets' },
  { resource: 'Buckets', path: '/v2/Services/{ServiceSid}/RateLimits/{Sid}/Buckets/{BucketSid}' },
  { resource: 'MessagingConfigurations', path: '/v2/Services/{ServiceSid}/MessagingConfigurations' },
  {
    resource: 'MessagingConfigurations',
    path: '/v2/Services/{ServiceSid}/MessagingConfigurations/{Country}',
  },
  { resource: 'Attempts', path: '/v2/Attempts' },
  // Before `{Sid}`, which it would match too.
  { resource: 'Attempts Summary', path: '/v2/Attempts/Summary' },
  { resource: 'Attempts', path: '/v2/Attempts/{Sid}' },
  { resource: 'Forms', path: '/v2/Forms/{FormType}' },
  { resource: 'SafeList', path: '/v2/SafeList/Numbers' },
  { resource: 'SafeList', path: '/v2/SafeList/Numbers/{PhoneNumber}' },
  { resource: 'Templates', path: '/v2/Templates' },
];

/** The Twilio resource a path belongs to, when it is one this service does not implement. */
export function notImplementedResource(path: string): string | undefined {
  return NOT_IMPLEMENTED.find((entry) => matchPath(entry.path, path) !== undefined)?.resource;
}
