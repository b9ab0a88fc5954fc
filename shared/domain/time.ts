/** Twilio's wire format for dates: UTC, whole seconds, `Z` suffix (the Verify SDKs reject anything else). */
export function formatDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Truncates to whole seconds so that a stored date and its formatted form agree. */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
