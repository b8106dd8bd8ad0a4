import { z } from 'zod';

/** Limits every free-text field shares; the API refuses longer input with a message naming the field. */
export const TEXT_LIMITS = { name: 200, short: 500, long: 10_000 } as const;

export const idSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'must hold only letters, digits, "-" and "_"');

export const nameSchema = z.string().trim().min(1, 'must not be empty').max(TEXT_LIMITS.name);
export const shortTextSchema = z.string().trim().max(TEXT_LIMITS.short);
export const longTextSchema = z.string().max(TEXT_LIMITS.long);

/**
 * Why a planned thing changed: required on every adjustment, so the history explains itself. One
 * non-blank character is enough: a Chinese word ("病假", sick leave) is one or two.
 */
export const reasonSchema = z.string().trim().min(1, 'must give a reason (it is blank)').max(TEXT_LIMITS.short);

/** A calendar day, YYYY-MM-DD: business dates (periods, deadlines, when a sale happened). */
export const isoDateSchema = z.iso.date({ error: 'must be a date like 2026-10-01' });

export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR or CNY');

// Building an Intl.DateTimeFormat is costly and every stored ProjectOpened is parsed again on
// load; the answer for a zone never changes, so remember zones already known to be valid.
const knownTimeZones = new Set<string>();
function isTimeZone(zone: string): boolean {
  if (knownTimeZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    return false;
  }
  if (knownTimeZones.size < 1000) knownTimeZones.add(zone);
  return true;
}

export const timeZoneSchema = z
  .string()
  .max(100)
  .refine(isTimeZone, { error: 'must be an IANA time zone such as Europe/Berlin or Asia/Shanghai' });

export const finiteNumberSchema = z.number({ error: 'must be a number' }).finite();

/** A before → after pair, recorded on every adjustment. */
export const changeOf = <T extends z.ZodType>(value: T) => z.object({ before: value, after: value });

/** An event as it travels: its type and its data as the schema parses it. */
export type EventOf<T extends string, S extends z.ZodType> = { type: T; data: z.infer<S> };
