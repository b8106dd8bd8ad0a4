import { z } from 'zod';

export const dependencyStatusSchema = z.enum(['up', 'down']);

export const healthReportSchema = z
  .object({
    status: z.enum(['ok', 'degraded', 'down']).describe('ok: all up; degraded: Redis down (commands still work, jobs wait); down: the event store is unreachable'),
    version: z.string(),
    uptimeSeconds: z.number().int().nonnegative(),
    checks: z.object({
      eventStore: z.object({
        status: dependencyStatusSchema,
        adapter: z.enum(['postgres', 'pglite', 'in-memory']),
        location: z.string().describe('Where the store lives, password removed'),
        latencyMs: z.number().nonnegative().optional(),
        error: z.string().optional(),
      }),
      redis: z.object({
        status: dependencyStatusSchema,
        url: z.string(),
        latencyMs: z.number().nonnegative().optional(),
        error: z.string().optional(),
      }),
      projections: z
        .array(
          z.object({
            name: z.string().describe('name@version'),
            position: z.string().nullable().describe('The checkpoint: the last event applied'),
            applied: z.number().int().nonnegative(),
            pending: z.number().int().nonnegative().describe('Events still to apply (counted up to 1000)'),
            deadLetters: z.number().int().nonnegative(),
          }),
        )
        .optional()
        .describe('How far each read model lags behind the log; a lag makes views stale, never commands fail'),
    }),
  });

export type HealthReport = z.infer<typeof healthReportSchema>;
