// @ts-nocheck
import * as z from 'zod/mini';
import { createNotification } from '../../shared/app/notifications';
import { fromEnvironment, type Dependencies } from '../../shared/dependencies';
import {
  DEFAULT_NOTIFICATION_TTL_SECONDS,
  MAX_NOTIFICATION_TTL_SECONDS,
} from '../../shared/domain/notification';
import { apiHandler } from '../../shared/http/api-handler';
import { integer, parseParams } from '../../shared/http/params';
import { notificationJson } from '../../shared/http/resources';
import { created } from '../../shared/http/responses';
import { pathParams } from '../../shared/http/schemas';

/** Notifies a pending push challenge's device again; the sender delivers it like the first notification. */
export const build = (deps: Dependencies) =>
  apiHandler(deps, async ({ pathParams: path, form, principal }) => {
    const p = pathParams(path, {
      ServiceSid: 'ServiceSid',
      Identity: 'Identity',
      ChallengeSid: 'ChallengeSid',
    });
    const { Ttl } = parseParams(form, { Ttl: z.optional(integer(0, MAX_NOTIFICATION_TTL_SECONDS)) });
    const key = {
      accountSid: principal.accountSid,
      serviceSid: p.ServiceSid,
      identity: p.Identity,
      sid: p.ChallengeSid,
    };
    const notification = await createNotification(
      deps,
      principal,
      key,
      Ttl ?? DEFAULT_NOTIFICATION_TTL_SECONDS,
    );
    return created(notificationJson(notification));
  });

export const handler = fromEnvironment(build);
