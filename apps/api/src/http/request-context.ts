import { BadRequestException, createParamDecorator, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { RequestMetadata } from '@planledger/application';
import type { Request, Response } from 'express';
import { v7 as uuidv7 } from 'uuid';

/**
 * The development source of the actor: the X-PlanLedger-Actor header. Every event names its
 * actor, so a command without one is refused. The security issue replaces this source with the
 * verified credential; the rest of the API only ever sees RequestMetadata.
 */
export const ACTOR_HEADER = 'x-planledger-actor';
export const CORRELATION_HEADER = 'x-correlation-id';
const TOKEN = /^[^\s\p{Cc}]{1,200}$/u;

export const Command = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestMetadata => {
  const request = ctx.switchToHttp().getRequest<Request>();
  const response = ctx.switchToHttp().getResponse<Response>();
  const actor = request.header(ACTOR_HEADER);
  if (!actor) throw new UnauthorizedException({ code: 'ACTOR_REQUIRED', message: `name who acts in the ${ACTOR_HEADER} header` });
  if (!TOKEN.test(actor)) throw new BadRequestException({ code: 'ACTOR_INVALID', message: `${ACTOR_HEADER} must be 1–200 visible characters` });
  const sent = request.header(CORRELATION_HEADER);
  if (sent !== undefined && !TOKEN.test(sent)) throw new BadRequestException({ code: 'CORRELATION_ID_INVALID', message: `${CORRELATION_HEADER} must be 1–200 visible characters` });
  const correlationId = sent ?? uuidv7();
  response.setHeader(CORRELATION_HEADER, correlationId);
  return { actor, correlationId, now: new Date().toISOString() };
});

/** If-Match: the revision the client saw (an ETag such as "3", quoted or not). */
export const IfMatch = createParamDecorator((_: unknown, ctx: ExecutionContext): number | undefined => {
  const value = ctx.switchToHttp().getRequest<Request>().header('if-match');
  if (value === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d{1,15})"?$/.exec(value.trim());
  if (!match) throw new BadRequestException({ code: 'IF_MATCH_INVALID', message: 'If-Match must be the revision from an ETag, such as "3"' });
  return Number(match[1]);
});

export function etag(revision: number | undefined): string {
  return `"${revision ?? -1}"`;
}
