import type { NextFunction, Request, Response } from 'express';

/** Deeper than any body the API takes (a goal definition nests four levels). */
export const MAX_JSON_DEPTH = 32;

/** How deep a parsed JSON value nests, counted without recursion, and stopping once past `limit`. */
export function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(node as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Refuses a body nested deeper than MAX_JSON_DEPTH with 400, before anything walks it (schema
 * checks, idempotency fingerprints and the log's canonical JSON all recurse).
 */
export function refuseDeepJson(request: Request, response: Response, next: NextFunction): void {
  if (request.body !== undefined && jsonDepth(request.body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    response.status(400).json({
      statusCode: 400,
      code: 'BODY_TOO_DEEP',
      message: `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`,
    });
    return;
  }
  next();
}
