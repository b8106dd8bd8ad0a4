import { useMutation, type UseMutationOptions } from '@tanstack/react-query';
import { useRef } from 'react';
import { v4 as uuidv4 } from 'uuid';
import { ApiError } from './client';

/** The headers every command carries: the If-Match of what the person saw and the action's Idempotency-Key. */
export type CommandHeaders = {
  'Idempotency-Key': string;
  'If-Match'?: string;
};

/** What the last attempt of an action left behind: its key, what it asked, and whether an answer settled it. */
export interface KeyedAttempt {
  key: string;
  fingerprint: string;
  settled: boolean;
}

/**
 * Whether a failure leaves it open that the API stored the command: no answer at all (the network
 * dropped it, the page went offline), or a server error or time-out the client cannot read. A
 * refusal (400, 403, 412, 422 …) wrote nothing and settles the action.
 */
export function leavesItOpen(error: unknown): boolean {
  if (error instanceof ApiError) return error.status >= 500 || error.status === 408 || error.status === 429;
  return true;
}

/**
 * The Idempotency-Key for sending `fingerprint` (what the action asks, with its If-Match): the same
 * key as the last attempt while that one is unsettled and asked the same (a retry, by the page or
 * by the person), so the API stores it once and answers the retry as a replay; a fresh one for
 * anything else (a new action, a changed value, a redo on the current version after a conflict).
 */
export function keyFor(previous: KeyedAttempt | undefined, fingerprint: string, fresh: () => string = uuidv4): KeyedAttempt {
  if (previous && !previous.settled && previous.fingerprint === fingerprint) return previous;
  return { key: fresh(), fingerprint, settled: false };
}

/** The headers of one attempt. */
export function commandHeaders(attempt: KeyedAttempt, etag: string | undefined): CommandHeaders {
  return etag ? { 'Idempotency-Key': attempt.key, 'If-Match': etag } : { 'Idempotency-Key': attempt.key };
}

type CommandOptions<TResult, TVariables> = Omit<UseMutationOptions<TResult, Error, TVariables>, 'mutationFn' | 'retry'>;

/**
 * A command as a mutation: `send(variables, headers)` gets the Idempotency-Key of the person's
 * action (see keyFor) and the If-Match of `variables.etag`. A lost answer is retried twice with the
 * same key; the API answers the retry `Idempotent-Replayed: true` and writes nothing again.
 */
export function useCommand<TVariables extends object, TResult>(
  send: (variables: TVariables, headers: CommandHeaders) => Promise<TResult>,
  options: CommandOptions<TResult, TVariables> = {},
) {
  const last = useRef<KeyedAttempt | undefined>(undefined);
  return useMutation<TResult, Error, TVariables>({
    ...options,
    mutationFn: async (variables) => {
      const attempt = keyFor(last.current, JSON.stringify(variables));
      last.current = attempt;
      try {
        const etag = 'etag' in variables && typeof variables.etag === 'string' ? variables.etag : undefined;
        const result = await send(variables, commandHeaders(attempt, etag));
        attempt.settled = true;
        return result;
      } catch (error) {
        if (!leavesItOpen(error)) attempt.settled = true;
        throw error;
      }
    },
    retry: (count, error) => count < 2 && leavesItOpen(error) && !(error instanceof ApiError && error.status === 429),
    retryDelay: (count) => 300 * 2 ** count,
  });
}
