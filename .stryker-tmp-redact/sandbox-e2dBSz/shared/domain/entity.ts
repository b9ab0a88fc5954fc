// @ts-nocheck
import { newSid, SidPrefix } from './sid';
import { formatDate } from './time';

export interface Entity {
  sid: string;
  accountSid: string;
  serviceSid: string;
  identity: string;
  dateCreated: string;
  dateUpdated: string;
}

/** 8–64 characters, alphanumeric groups separated by single dashes (Twilio's rule for `Identity`). */
export const IDENTITY_PATTERN = /^(?=.{8,64}$)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/;

export function newEntity(accountSid: string, serviceSid: string, identity: string, now: Date): Entity {
  return {
    sid: newSid(SidPrefix.entity, now),
    accountSid,
    serviceSid,
    identity,
    dateCreated: formatDate(now),
    dateUpdated: formatDate(now),
  };
}
