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
    }),
  });

export type HealthReport = z.infer<typeof healthReportSchema>;
