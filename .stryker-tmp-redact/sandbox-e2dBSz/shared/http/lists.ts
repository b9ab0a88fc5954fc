// @ts-nocheck
import * as z from 'zod/mini';
import type { Page, PageRequest } from '../app/ports';
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
}

/** `PageSize`, `Page` and `PageToken` (or `pageToken`) of a list request. The token is the store's to read. */
export function listRequest(query: Params): ListRequest {
  const { PageSize, Page, PageToken, pageToken } = parseParams(query, pagingFields);
  return { pageSize: PageSize ?? DEFAULT_PAGE_SIZE, page: Page ?? 0, token: PageToken ?? pageToken };
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
      previous_page_url: page.previous ? query(Math.max(request.page - 1, 0), page.previous) : null,
      url: query(request.page, request.token),
      next_page_url: page.next ? query(request.page + 1, page.next) : null,
      key,
    },
  };
}
