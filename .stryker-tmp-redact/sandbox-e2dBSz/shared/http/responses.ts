// @ts-nocheck
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { TwilioError } from './errors';

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const ok = (body: unknown): ApiResponse => ({ status: 200, body });
export const created = (body: unknown): ApiResponse => ({ status: 201, body });
export const noContent = (): ApiResponse => ({ status: 204 });

/** Twilio's error body: `{code, message, more_info, status}`. */
export const errorBody = (code: number, status: number, message: string) => ({
  code,
  message,
  more_info: `https://www.twilio.com/docs/errors/${code}`,
  status,
});

export function errorResponse(error: TwilioError): ApiResponse {
  return {
    status: error.status,
    headers: error.headers,
    body: errorBody(error.code, error.status, error.message),
  };
}

export function toProxyResult(response: ApiResponse): APIGatewayProxyResult {
  return {
    statusCode: response.status,
    headers: {
      ...(response.body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
      ...response.headers,
    },
    body: response.body === undefined ? '' : JSON.stringify(response.body),
  };
}
