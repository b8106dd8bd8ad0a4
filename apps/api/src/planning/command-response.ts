import type { CommandResult } from '@planledger/application';
import type { Response } from 'express';
import { etag } from '../http/request-context';

/** Says on every command answer whether it replays an earlier one (the same Idempotency-Key). */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** The body every command endpoint answers with; the new revision also travels as the ETag. */
export function commandResponse(response: Response, id: string, result: CommandResult) {
  const replayed = result.replayed === true;
  response.setHeader('ETag', etag(result.revision));
  response.setHeader(REPLAYED_HEADER, String(replayed));
  return {
    id,
    streamId: result.streamId,
    revision: result.revision ?? null,
    position: result.position ?? null,
    events: result.events.map((e) => e.type),
    replayed,
  };
}
