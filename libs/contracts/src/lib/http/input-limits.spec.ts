import { z } from 'zod';
import * as contracts from '../../index';

type JsonSchema = {
  type?: string | string[];
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  maxItems?: number;
  [key: string]: unknown;
};

/** Every string and array a request body can hold, with the path to it, that has no upper bound. */
function unbounded(schema: unknown, path: string, found: string[]): void {
  if (schema === null || typeof schema !== 'object') return;
  const node = schema as JsonSchema;
  const types = Array.isArray(node.type) ? node.type : [node.type];
  const fixed = node.enum !== undefined || node.const !== undefined || node.format !== undefined;
  if (types.includes('string') && node.maxLength === undefined && node.pattern === undefined && !fixed)
    found.push(`${path}: string without maxLength`);
  if (types.includes('array') && node.maxItems === undefined) found.push(`${path}: array without maxItems`);
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' && value && typeof value === 'object') {
      for (const [name, child] of Object.entries(value)) unbounded(child, `${path}.${name}`, found);
    } else if (Array.isArray(value)) value.forEach((child, i) => unbounded(child, `${path}.${key}[${i}]`, found));
    else if (value && typeof value === 'object') unbounded(value, `${path}.${key}`, found);
  }
}

describe('request body limits', () => {
  const bodies = Object.entries(contracts).filter(([name, value]) => /BodySchema$/.test(name) && value instanceof z.ZodType) as [
    string,
    z.ZodType,
  ][];

  it('covers every command body the API accepts', () => {
    expect(bodies.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'openProjectBodySchema',
        'setGoalBodySchema',
        'recordActualsBatchBodySchema',
        'grantAccessBodySchema',
        'issueApiKeyBodySchema',
      ]),
    );
    expect(bodies.length).toBeGreaterThanOrEqual(20);
  });

  it('finds an unbounded string or array where there is one (the check itself works)', () => {
    const found: string[] = [];
    unbounded(
      z.toJSONSchema(z.object({ note: z.string(), rows: z.array(z.object({ ok: z.string().max(5) })), code: z.enum(['a', 'b']) })),
      'probe',
      found,
    );
    expect(found).toEqual(['probe.note: string without maxLength', 'probe.rows: array without maxItems']);
  });

  it('bounds every string and every array, so no request can make the API hold unbounded input', () => {
    const found: string[] = [];
    for (const [name, schema] of bodies) unbounded(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), name, found);
    expect(found).toEqual([]);
  });
});
