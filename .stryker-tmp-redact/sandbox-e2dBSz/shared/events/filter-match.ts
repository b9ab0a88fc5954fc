/**
 * The subset of EventBridge pattern matching (which Lambda event filtering uses) that the stream filter
 * patterns need, so the local stream pump drops the records the event source mapping would drop on AWS:
 * an object is an AND over its keys, an array is an OR over allowed values, each a literal, `{ prefix }`
 * or `{ exists }`. A record value that is an array matches when any of its elements does. Any other
 * operator throws, so a pattern this does not understand cannot pass or drop records silently.
 */
// @ts-nocheck

type Pattern = Record<string, unknown>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function matchesRule(value: unknown, rule: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  if (!isObject(rule)) return value !== undefined && values.some((v) => v === rule);
  if (typeof rule.exists === 'boolean') return (value !== undefined) === rule.exists;
  if (typeof rule.prefix === 'string') {
    const prefix = rule.prefix;
    return values.some((v) => typeof v === 'string' && v.startsWith(prefix));
  }
  throw new Error(`Unsupported filter rule: ${JSON.stringify(rule)}`);
}

export function matchesPattern(record: unknown, pattern: Pattern): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const value = isObject(record) ? record[key] : undefined;
    if (Array.isArray(rule)) return rule.some((allowed) => matchesRule(value, allowed));
    if (isObject(rule)) return matchesPattern(value, rule);
    throw new Error(`Filter pattern field ${key} must be an array or an object`);
  });
}

/** Lambda invokes for a record that matches any one of the event source mapping's filters. */
export const matchesAnyPattern = (record: unknown, patterns: readonly Pattern[]) =>
  patterns.some((pattern) => matchesPattern(record, pattern));
