import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

/** One line of the events panel: what happened, to what, and when. No details, metadata or keys. */
export interface PanelEvent {
  time: string;
  type: string;
  factorType: string | null;
  identity: string | null;
  /** The challenge's SID for challenge events, else the factor's. */
  sid: string | null;
  status: string | null;
}

/** The tail read from the file: the newest events fit in it many times over. */
const TAIL_BYTES = 256 * 1024;

const text = (value: unknown) => (typeof value === 'string' ? value : null);

/**
 * The newest `limit` events of `serviceSid` in the local bus's file (`npm start` appends one EventBridge
 * envelope per line), newest first. A missing file is no events; a line cut by the tail is skipped.
 */
export function latestEvents(file: string, serviceSid: string, limit = 12): PanelEvent[] {
  if (!existsSync(file)) return [];
  const size = statSync(file).size;
  const length = Math.min(size, TAIL_BYTES);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  const events: PanelEvent[] = [];
  const lines = buffer.toString('utf8').split('\n').reverse();
  for (const line of lines) {
    if (events.length === limit) break;
    let envelope: { time?: unknown; 'detail-type'?: unknown; detail?: Record<string, unknown> };
    try {
      envelope = JSON.parse(line) as typeof envelope;
    } catch {
      continue;
    }
    const detail = envelope.detail;
    if (!detail || detail.service_sid !== serviceSid) continue;
    events.push({
      time: text(envelope.time) ?? '',
      type: text(envelope['detail-type']) ?? '',
      factorType: text(detail.factor_type),
      identity: text(detail.entity_identity),
      sid: text(detail.challenge_sid) ?? text(detail.factor_sid),
      status: text(detail.status),
    });
  }
  return events;
}

/** The file's size and modification time, to notice appends without reading. */
export const fileStamp = (file: string) => {
  if (!existsSync(file)) return 'none';
  const { size, mtimeMs } = statSync(file);
  return `${size}:${mtimeMs}`;
};
