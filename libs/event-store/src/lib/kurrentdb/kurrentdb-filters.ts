import { eventTypeFilter, excludeSystemEvents, type Filter } from '@kurrent/kurrentdb-client';

/**
 * The server-side filter of a read of $all. The built-in filters match only an event's type or its
 * stream name, so `types` becomes an event-type regex, and without types every event whose type
 * does not start with "$" (the server's own) passes. `projectId` lives in the metadata, which no
 * built-in filter reads: the adapter checks it on the events that come back.
 */
export function allFilter(types: readonly string[] | undefined): Filter {
  if (types === undefined || types.length === 0) return excludeSystemEvents();
  return eventTypeFilter({ regex: `^(?:${[...new Set(types)].map(escapeRegex).join('|')})$` });
}

/**
 * A regex matching exactly `text`. Every character but ASCII letters, digits and "_" is written as
 * a \uXXXX escape, which the server's (.NET) regex engine reads as that one character, so no type
 * name can change the pattern's meaning.
 */
export function escapeRegex(text: string): string {
  return text.replace(/[^A-Za-z0-9_]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
