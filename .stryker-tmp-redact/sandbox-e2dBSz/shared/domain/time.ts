/** Twilio's wire format for dates: UTC, whole seconds, `Z` suffix (the Verify SDKs reject anything else). */
// @ts-nocheck

export function formatDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):?(\d{2}))$/;
const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
const daysInMonth = (year: number, month: number) =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/**
 * An ISO 8601 date-time (`YYYY-MM-DDTHH:MM:SS`, optional fractional seconds, then `Z` or an offset
 * `±HH:MM`/`±HHMM`), or undefined unless every field is a real one: a month 1–12, a day the month has, hours
 * ≤ 23, minutes and seconds ≤ 59, an offset of at most 14 hours. `new Date()` alone turns
 * `2030-13-45T99:99:99Z` into an Invalid Date (NaN slips past range checks) and rolls `02-31` over to March.
 */
export function parseIsoDateTime(text: string): Date | undefined {
  const match = ISO_8601.exec(text);
  if (!match) return undefined;
  // The date, time and offset groups are digits (absent for no offset), so each reads as a number.
  const numbers = Array.from(match, (group = '0') => Number(group));
  const [, year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = numbers;
  const [offsetHours = 0, offsetMinutes = 0] = numbers.slice(9);
  const [fraction = '', sign] = [match[7], match[8]];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (offsetHours > 14 || offsetMinutes > 59) return undefined;
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number(fraction.slice(0, 3).padEnd(3, '0')));
  const offset = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  return new Date(date.getTime() - offset * 60_000);
}
