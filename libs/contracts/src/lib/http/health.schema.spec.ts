import { healthReportSchema } from './health.schema';

describe('healthReportSchema', () => {
  const report = {
    status: 'degraded',
    version: '0.1.0',
    uptimeSeconds: 3,
    checks: {
      eventStore: { status: 'up', adapter: 'pglite', location: './data/pglite', latencyMs: 1.2 },
      redis: { status: 'down', url: 'redis://127.0.0.1:6379', error: 'connect ECONNREFUSED' },
    },
  };

  it('accepts a report of an up store and a down Redis', () => {
    expect(healthReportSchema.parse(report)).toEqual(report);
  });

  it('refuses an unknown status', () => {
    expect(healthReportSchema.safeParse({ ...report, status: 'fine' }).success).toBe(false);
  });

  it('drops fields it does not describe, so they never reach a client', () => {
    expect(healthReportSchema.parse({ ...report, secret: 'x' })).not.toHaveProperty('secret');
  });
});
