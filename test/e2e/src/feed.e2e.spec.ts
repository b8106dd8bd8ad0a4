import { DEMO_PROJECT_ID, loadDemo } from '@planledger/application';
import { createPostgresEventStore, withSettledHead, type EventStore } from '@planledger/event-store';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { CloudEvent, HTTP } from 'cloudevents';
import { SecuredApi } from './support/secured-api';
import { tokenFor } from './support/tokens';

jest.setTimeout(120_000);

/**
 * The demo project's whole log through GET /events, checked with the CloudEvents SDK and ajv; the
 * demo loaded on a quarter's first morning (in Shanghai, while it is still the old quarter in UTC)
 * and on the day the suite runs.
 */
describe.each([
  ['a quarter’s first morning', new Date('2026-12-31T17:00:00Z')],
  ['today', new Date()],
])('the event feed, the demo loaded on %s', (_, loadedAt) => {
  let api: SecuredApi;
  let store: EventStore;
  let admin: string;

  beforeAll(async () => {
    api = await SecuredApi.start();
    admin = `Bearer ${await tokenFor('admin')}`;
    // Its head waits for the demo's own appends to show in the log (see withSettledHead), so the
    // feed read next shows all of them.
    store = withSettledHead(await createPostgresEventStore({ connectionString: api.storeUrl, poolSize: 2 }));
    await loadDemo(store, loadedAt);
    await store.headPosition();
  });

  afterAll(async () => {
    await store?.close();
    await api?.stop();
  });

  async function everything(path: string, limit: number): Promise<Record<string, unknown>[]> {
    const events: Record<string, unknown>[] = [];
    for (let after: string | undefined, pages = 0; ; pages++) {
      const page = await api.call(admin, 'GET', `${path}${path.includes('?') ? '&' : '?'}limit=${limit}${after ? `&after=${after}` : ''}`);
      expect(page.status).toBe(200);
      events.push(...(page.body['events'] as Record<string, unknown>[]));
      after = page.body['next'] as string;
      if (page.body['caughtUp']) return events;
      if (pages > 10_000) throw new Error('the feed never caught up');
    }
  }

  it('serves every event as a CloudEvent the SDK parses, whose data validates against the catalogue’s JSON Schema', async () => {
    const events = await everything('/events', 1000);
    const stored = (await store.readAll({ limit: 10_000 })).events;
    expect(stored.length).toBeLessThan(10_000);
    expect(events).toHaveLength(stored.length);
    // Not a trivial log even on the quarter's first morning: the plan, the team, the previous quarter.
    expect(events.length).toBeGreaterThan(100);
    // In global order, each once.
    expect(events.map((e) => e['id'])).toEqual(stored.map((e) => e.eventId));

    const catalogue = await api.call(admin, 'GET', '/schemas');
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const entries = catalogue.body['schemas'] as { type: string; version: number; id: string; href: string }[];
    expect(entries.length).toBeGreaterThan(25);
    for (const entry of entries) {
      const schema = await api.call(admin, 'GET', entry.href);
      expect(schema.status).toBe(200);
      expect(schema.body['$id']).toBe(entry.id);
      ajv.addSchema(schema.body);
    }

    // The AsyncAPI document describes the same messages: each event validates as its message's payload.
    const asyncApi = (await api.call(admin, 'GET', '/asyncapi.json')).body as {
      asyncapi: string;
      components: { messages: Record<string, { name: string; payload: object }> };
    };
    expect(asyncApi.asyncapi).toBe('3.0.0');
    expect(Object.keys(asyncApi.components.messages).sort()).toEqual(entries.map((e) => e.type).sort());
    const payloads = new Ajv2020({ strict: false });
    addFormats(payloads);
    const messageFor = new Map(Object.values(asyncApi.components.messages).map((m) => [m.name, payloads.compile(m.payload)]));

    const failures: string[] = [];
    for (const event of events) {
      const asMessage = messageFor.get(String(event['type']));
      if (!asMessage?.(event))
        failures.push(`${event['type']} ${event['id']} is not its AsyncAPI message: ${payloads.errorsText(asMessage?.errors)}`);
      // Structured mode, as an HTTP consumer receives it: the SDK must accept and validate it.
      const parsed = HTTP.toEvent({
        headers: { 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify(event),
      }) as CloudEvent<Record<string, unknown>>;
      expect(parsed.validate()).toBe(true);
      expect(parsed.specversion).toBe('1.0');
      expect(parsed['position']).toBe(event['position']);
      const validate = ajv.getSchema(String(event['dataschema']));
      if (!validate) failures.push(`${event['type']}: no schema ${event['dataschema']}`);
      else if (!validate(parsed.data)) failures.push(`${event['type']} ${event['id']}: ${ajv.errorsText(validate.errors)}`);
    }
    expect(failures).toEqual([]);
  });

  it('pages a project’s events and filters by type, resuming exactly after `next`', async () => {
    const all = await everything(`/projects/${DEMO_PROJECT_ID}/events`, 1000);
    const small = await everything(`/projects/${DEMO_PROJECT_ID}/events`, 7);
    expect(small.map((e) => e['id'])).toEqual(all.map((e) => e['id']));
    expect(all.every((e) => e['projectid'] === DEMO_PROJECT_ID && e['source'] === `/projects/${DEMO_PROJECT_ID}`)).toBe(true);
    const adjustments = await everything(`/events?type=GoalTargetAdjusted,TaskAssigned`, 50);
    expect(new Set(adjustments.map((e) => e['type']))).toEqual(new Set(['io.planledger.GoalTargetAdjusted', 'io.planledger.TaskAssigned']));
    expect(adjustments.length).toBe(
      all.filter((e) => e['type'] === 'io.planledger.GoalTargetAdjusted' || e['type'] === 'io.planledger.TaskAssigned').length,
    );
  });

  it('refuses bad paging and filters, naming the field, and answers 404 for an unknown project or schema', async () => {
    const bad = await api.call(admin, 'GET', '/events?after=yesterday&limit=0&type=Nope');
    expect(bad.status).toBe(400);
    expect((bad.body['issues'] as { path: string }[]).map((i) => i.path).sort()).toEqual(['after', 'limit', 'type.0']);
    expect(await api.call(admin, 'GET', '/projects/nope/events')).toMatchObject({ status: 404, body: { code: 'PROJECT_NOT_FOUND' } });
    expect(await api.call(admin, 'GET', '/schemas/GoalSet/99')).toMatchObject({ status: 404, body: { code: 'SCHEMA_NOT_FOUND' } });
  });
});
