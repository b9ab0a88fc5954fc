import * as z from 'zod/mini';
import type { Page, PageRequest } from '../app/ports';
import { invalidParameter } from '../domain/errors';
import type { Params } from './form';
import { integer, parseParams, text } from './params';

export const DEFAULT_PAGE_SIZE = 50;

const pagingFields = {
  PageSize: z.optional(integer(1, 1000)),
  Page: z.optional(integer(0, 1_000_000)),
  PageToken: z.optional(text(2048)),
  /** The iOS SDK spells it this way. */
  pageToken: z.optional(text(2048)),
};

export interface ListRequest extends PageRequest {
  page: number;
  token?: string;
}

const encodeToken = (position: { after: string } | { before: string }) =>
  Buffer.from(JSON.stringify(position)).toString('base64url');

function decodeToken(token: string): { after?: string; before?: string } {
  try {
    const position = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (typeof position === 'object' && position !== null) {
      const { after, before } = position as Record<string, unknown>;
      if (typeof after === 'string' && before === undefined) return { after };
      if (typeof before === 'string' && after === undefined) return { before };
    }
  } catch {
    // fall through to the error below
  }
  throw invalidParameter('PageToken', 'is not a token this API issued');
}

/** `PageSize`, `Page` and `PageToken` (or `pageToken`) of a list request. */
export function listRequest(query: Params): ListRequest {
  const { PageSize, Page, PageToken, pageToken } = parseParams(query, pagingFields);
  const token = PageToken ?? pageToken;
  return {
    pageSize: PageSize ?? DEFAULT_PAGE_SIZE,
    page: Page ?? 0,
    token,
    ...(token ? decodeToken(token) : {}),
  };
}

/** The position a page token names must lie in the collection being listed. */
export function assertTokenWithin(request: PageRequest, skPrefix: string) {
  const position = request.after ?? request.before;
  if (position !== undefined && !position.startsWith(skPrefix)) {
    throw invalidParameter('PageToken', 'does not belong to this list');
  }
}

/** Twilio's list envelope: the records under `key`, and `meta` with absolute paging URLs. */
export function listJson(
  key: string,
  records: unknown[],
  page: Page<unknown>,
  request: ListRequest,
  listUrl: string,
  filters: Record<string, string | undefined> = {},
) {
  const query = (pageNumber: number, token?: string) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(filters)) if (value !== undefined) params.set(name, value);
    params.set('PageSize', String(request.pageSize));
    params.set('Page', String(pageNumber));
    if (token) params.set('PageToken', token);
    return `${listUrl}?${params.toString()}`;
  };
  return {
    [key]: records,
    meta: {
      page: request.page,
      page_size: request.pageSize,
      first_page_url: query(0),
      previous_page_url: page.previous
        ? query(Math.max(request.page - 1, 0), encodeToken(page.previous))
        : null,
      url: query(request.page, request.token),
      next_page_url: page.next ? query(request.page + 1, encodeToken(page.next)) : null,
      key,
    },
  };
}
