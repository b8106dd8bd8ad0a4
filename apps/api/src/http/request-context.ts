import { BadRequestException, createParamDecorator, HttpException, HttpStatus, type ExecutionContext } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { idFromIdempotencyKey, type RequestMetadata } from '@planledger/application';
import type { Request, Response } from 'express';
import type { AuthenticatedRequest } from '../security/principal';
import { v7 as uuidv7 } from 'uuid';

export const CORRELATION_HEADER = 'x-correlation-id';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
const TOKEN = /^[^\s\p{Cc}]{1,200}$/u;

/** IDEMPOTENCY_KEY_REQUIRED: set once at start-up from the configuration (AppModule.forRoot). */
let keyRequired = false;
export function requireIdempotencyKeys(required: boolean): void {
  keyRequired = required;
}

/** The metadata of a command: its actor (from the credential), correlation id, time and idempotency key. */
export const Command = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestMetadata => {
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  const response = ctx.switchToHttp().getResponse<Response>();
  // The actor is the verified credential's subject, never anything the request says of itself.
  const actor = request.principal?.subject;
  if (!actor) throw new Error('a command reached its handler without a verified principal: is the AccessGuard installed?');
  const sent = request.header(CORRELATION_HEADER);
  if (sent !== undefined && !TOKEN.test(sent))
    throw new BadRequestException({ code: 'CORRELATION_ID_INVALID', message: `${CORRELATION_HEADER} must be 1–200 visible characters` });
  const correlationId = sent ?? uuidv7();
  response.setHeader(CORRELATION_HEADER, correlationId);
  const idempotency = readIdempotency(request, keyRequired);
  return { actor, correlationId, now: new Date().toISOString(), ...(idempotency ? { idempotency } : {}) };
});

/**
 * The request's Idempotency-Key with the hash of what it asks: undefined without a key, unless
 * keys are required (428 IDEMPOTENCY_KEY_REQUIRED); 400 for a malformed key.
 */
export function readIdempotency(request: Request, required: boolean): { key: string; requestHash: string } | undefined {
  const key = request.header(IDEMPOTENCY_HEADER);
  if (key === undefined && required)
    throw new HttpException(
      {
        code: 'IDEMPOTENCY_KEY_REQUIRED',
        message:
          'This installation takes commands only with an Idempotency-Key header (a fresh unique value per command, the same on its retries)',
      },
      HttpStatus.PRECONDITION_REQUIRED,
    );
  if (key !== undefined && !TOKEN.test(key))
    throw new BadRequestException({ code: 'IDEMPOTENCY_KEY_INVALID', message: 'Idempotency-Key must be 1–200 visible characters' });
  return key === undefined ? undefined : { key, requestHash: requestHash(request) };
}

/** What a keyed request is compared by: method, path and body (key order does not matter). */
function requestHash(request: Request): string {
  return createHash('sha256')
    .update(`${request.method} ${request.originalUrl}\n${canonicalJson(request.body)}`)
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The id of what a request creates: derived from its Idempotency-Key when it has one, so a retry finds it. */
export function newId(meta: RequestMetadata, purpose: string): string {
  return meta.idempotency ? idFromIdempotencyKey(meta.actor, meta.idempotency.key, purpose) : uuidv7();
}

/** If-Match: the revision the client saw (an ETag such as "3", quoted or not). */
export const IfMatch = createParamDecorator((_: unknown, ctx: ExecutionContext): number | undefined => {
  const value = ctx.switchToHttp().getRequest<Request>().header('if-match');
  if (value === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d{1,15})"?$/.exec(value.trim());
  if (!match)
    throw new BadRequestException({ code: 'IF_MATCH_INVALID', message: 'If-Match must be the revision from an ETag, such as "3"' });
  return Number(match[1]);
});

export function etag(revision: number | undefined): string {
  return `"${revision ?? -1}"`;
}
