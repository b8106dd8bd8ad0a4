import type { CommandResult } from '@planledger/application';
import type { Response } from 'express';
import { etag } from '../http/request-context';

/** The body every command endpoint answers with; the new revision also travels as the ETag. */
export function commandResponse(response: Response, id: string, result: CommandResult) {
  response.setHeader('ETag', etag(result.revision));
  return {
    id,
    streamId: result.streamId,
    revision: result.revision ?? null,
    position: result.position ?? null,
    events: result.events.map((e) => e.type),
  };
}
