import { sampleRevenueGoal } from '../testing';
import { EVENT_SCHEMA_VERSIONS, EVENT_SCHEMAS, eventJsonSchemas, isEventType, parseEvent, planLedgerEventSchema } from './events';

const goalSet = {
  goalId: 'g1',
  projectId: 'p1',
  ...sampleRevenueGoal,
  smart: { specific: { ok: true }, measurable: { ok: true }, achievable: { ok: true }, relevant: { ok: true }, timeBound: { ok: true } },
};

describe('event contracts', () => {
  it('parses an event through the discriminated union by its type', () => {
    expect(planLedgerEventSchema.parse({ type: 'GoalSet', data: goalSet })).toEqual({ type: 'GoalSet', data: goalSet });
    expect(parseEvent('GoalWithdrawn', { goalId: 'g1', reason: 'merged into the national goal' }).type).toBe('GoalWithdrawn');
  });

  it('names the event type and the field when stored data does not match', () => {
    expect(() => parseEvent('GoalTargetAdjusted', { goalId: 'g1', before: 1, after: 2, reason: '' })).toThrow(
      /^Event GoalTargetAdjusted does not match its schema: reason must give a reason/,
    );
    expect(() => parseEvent('NoSuchThing', {})).toThrow('Unknown event type "NoSuchThing"');
    expect(isEventType('ProjectOpened')).toBe(true);
  });

  it('refuses what the rules of the data forbid: bad dates, units, ids and phasing kinds', () => {
    const bad = (change: object) => planLedgerEventSchema.safeParse({ type: 'GoalSet', data: { ...goalSet, ...change } }).success;
    expect(bad({ deadline: '2026-13-01' })).toBe(false);
    expect(bad({ kpi: { ...goalSet.kpi, unit: '' } })).toBe(false);
    expect(bad({ goalId: 'has space' })).toBe(false);
    expect(bad({ phasing: { kind: 'quarterly' } })).toBe(false);
    expect(bad({ target: Number.POSITIVE_INFINITY })).toBe(false);
  });

  it('gives every event type a version and a JSON Schema generated from its zod schema', () => {
    const schemas = eventJsonSchemas();
    for (const type of Object.keys(EVENT_SCHEMAS)) {
      expect(EVENT_SCHEMA_VERSIONS[type as keyof typeof EVENT_SCHEMAS]).toBe(1);
      expect(schemas[type as keyof typeof schemas]).toMatchObject({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
      });
    }
    expect(schemas.GoalSet).toMatchObject({ required: expect.arrayContaining(['goalId', 'kpi', 'target', 'deadline', 'smart']) });
  });
});
