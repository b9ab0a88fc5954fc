import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ApiError } from '../domain/errors';

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const ok = (body: unknown): ApiResponse => ({ status: 200, body });
export const created = (body: unknown): ApiResponse => ({ status: 201, body });
export const noContent = (): ApiResponse => ({ status: 204 });

export function errorResponse(error: ApiError): ApiResponse {
  return {
    status: error.status,
    headers: error.headers,
    body: {
      code: error.code,
      message: error.message,
      more_info: `https://www.twilio.com/docs/errors/${error.code}`,
      status: error.status,
    },
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
