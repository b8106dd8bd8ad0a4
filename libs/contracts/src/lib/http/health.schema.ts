import { z } from 'zod';

export const dependencyStatusSchema = z.enum(['up', 'down']);

export const loopReportSchema = z.object({
  name: z.string().describe('The background loop: "projection <name>@<version>", "log follower", "alert dispatcher"'),
  status: z.enum(['starting', 'running', 'retrying', 'stopped']),
  since: z.iso.datetime().describe('When the loop entered its status'),
  failures: z.number().int().nonnegative().describe('Failed attempts in a row; 0 once it made progress again'),
  lastError: z
    .object({ class: z.string().describe('The error code (ECONNREFUSED, 57P01…) or class'), message: z.string(), at: z.iso.datetime() })
    .optional(),
  lastProgressAt: z.iso.datetime().optional(),
});

export const healthReportSchema = z.object({
  status: z
    .enum(['ok', 'degraded', 'down'])
    .describe(
      'ok: all up; degraded: Redis down (commands still work, jobs wait) or a background loop retrying; down: the event store is unreachable or a loop has been retrying longer than LOOP_STUCK_AFTER_MS',
    ),
  version: z.string(),
  uptimeSeconds: z.number().int().nonnegative(),
  checks: z.object({
    eventStore: z.object({
      status: dependencyStatusSchema,
      adapter: z.enum(['postgres', 'pglite', 'in-memory', 'kurrentdb']),
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
    loops: z
      .array(loopReportSchema)
      .optional()
      .describe("The background loops this process runs (when it runs them): each one's state, retrying since when, its last error"),
  }),
});

export type HealthReport = z.infer<typeof healthReportSchema>;

/** /health without an admin's credential: up or down per dependency, nothing else. */
export const publicHealthReportSchema = z.object({
  status: healthReportSchema.shape.status,
  checks: z.object({ eventStore: z.object({ status: dependencyStatusSchema }), redis: z.object({ status: dependencyStatusSchema }) }),
});
export type PublicHealthReport = z.infer<typeof publicHealthReportSchema>;
