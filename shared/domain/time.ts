/** Twilio's wire format for dates: UTC, whole seconds, `Z` suffix (the Verify SDKs reject anything else). */
export function formatDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
