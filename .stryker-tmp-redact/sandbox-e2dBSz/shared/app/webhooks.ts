// @ts-nocheck
import { invalidParameter, missingParameter, notFound, tooManyWebhooks } from '../domain/errors';
import { formatDate } from '../domain/time';
import {
  dedupe,
  MAX_WEBHOOKS_PER_SERVICE,
  newWebhook,
  webhookUrlProblem,
  type Webhook,
  type WebhookStatus,
  type WebhookSubscription,
  type WebhookVersion,
} from '../domain/webhook';
import type { AppDeps, PageRequest } from './ports';

type Deps = Pick<AppDeps, 'services' | 'webhooks' | 'now'>;

/** What a create or update request gives; create requires the first three. */
export interface WebhookInput {
  friendlyName?: string;
  eventTypes?: WebhookSubscription[];
  webhookUrl?: string;
  status?: WebhookStatus;
  version?: WebhookVersion;
}

/** Whether http URLs are accepted (development); deployed, https only. */
export interface WebhookRules {
  allowHttp: boolean;
}

function checkUrl(url: string | undefined, rules: WebhookRules) {
  if (url === undefined) return;
  const problem = webhookUrlProblem(url, rules.allowHttp);
  if (problem) throw invalidParameter('WebhookUrl', problem);
}

export async function createWebhook(
  deps: Deps,
  rules: WebhookRules,
  owner: { accountSid: string; serviceSid: string },
  input: WebhookInput,
) {
  if (input.friendlyName === undefined) throw missingParameter('FriendlyName');
  if (input.eventTypes === undefined) throw missingParameter('EventTypes');
  if (input.webhookUrl === undefined) throw missingParameter('WebhookUrl');
  checkUrl(input.webhookUrl, rules);
  const webhook = newWebhook(
    owner.accountSid,
    owner.serviceSid,
    {
      ...input,
      friendlyName: input.friendlyName,
      eventTypes: input.eventTypes,
      webhookUrl: input.webhookUrl,
    },
    deps.now(),
  );
  const outcome = await deps.webhooks.create(webhook, MAX_WEBHOOKS_PER_SERVICE);
  if (outcome === 'no-service') throw notFound();
  if (outcome === 'limit') throw tooManyWebhooks(MAX_WEBHOOKS_PER_SERVICE);
  return webhook;
}

export async function getWebhook(deps: Deps, accountSid: string, serviceSid: string, sid: string) {
  const [service, webhook] = await Promise.all([
    deps.services.get(accountSid, serviceSid),
    deps.webhooks.get(accountSid, serviceSid, sid),
  ]);
  if (!service || !webhook) throw notFound();
  return webhook;
}

export async function listWebhooks(deps: Deps, accountSid: string, serviceSid: string, page: PageRequest) {
  if (!(await deps.services.get(accountSid, serviceSid))) throw notFound();
  return deps.webhooks.list(accountSid, serviceSid, page);
}

export async function updateWebhook(
  deps: Deps,
  rules: WebhookRules,
  key: { accountSid: string; serviceSid: string; sid: string },
  input: WebhookInput,
) {
  checkUrl(input.webhookUrl, rules);
  const current = await getWebhook(deps, key.accountSid, key.serviceSid, key.sid);
  const webhook: Webhook = {
    ...current,
    friendlyName: input.friendlyName ?? current.friendlyName,
    eventTypes: input.eventTypes ? dedupe(input.eventTypes) : current.eventTypes,
    webhookUrl: input.webhookUrl ?? current.webhookUrl,
    status: input.status ?? current.status,
    version: input.version ?? current.version,
    dateUpdated: formatDate(deps.now()),
  };
  if (!(await deps.webhooks.update(webhook))) throw notFound();
  return webhook;
}

export async function deleteWebhook(deps: Deps, accountSid: string, serviceSid: string, sid: string) {
  if (!(await deps.services.get(accountSid, serviceSid))) throw notFound();
  if (!(await deps.webhooks.delete(accountSid, serviceSid, sid))) throw notFound();
}
