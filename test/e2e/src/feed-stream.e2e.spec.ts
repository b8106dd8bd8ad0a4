import { sampleCharter, sampleRevenueGoal } from '@planledger/contracts/testing';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { SecuredApi } from './support/secured-api';
import { tokenFor } from './support/tokens';

jest.setTimeout(180_000);

/**
 * A consumer of GET /events/stream that is killed (its connection dropped) at random points and
 * restarted with Last-Event-ID, while three writers append concurrently, must end with every event
 * of the log exactly once and in order.
 */
describe('the event stream (SSE)', () => {
  let api: SecuredApi;
  let admin: string;

  beforeAll(async () => {
    api = await SecuredApi.start({ FEED_HEARTBEAT_MS: '300' });
    admin = `Bearer ${await tokenFor('admin')}`;
  });

  afterAll(async () => {
    await api?.stop();
  });

  /**
   * Reads the stream until `take` messages arrived, or none came for a second (the heartbeat wakes
   * the reader), then drops the connection.
   */
  async function consume(
    lastEventId: string | undefined,
    take: number,
    onMessage: (m: EventSourceMessage) => void,
  ): Promise<{ comments: number }> {
    const stop = new AbortController();
    const response = await fetch(`${api.base}/events/stream`, {
      headers: { authorization: admin, accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
      signal: stop.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    let received = 0;
    let comments = 0;
    const parser = createParser({
      onEvent: (message) => {
        if (received >= take) return;
        received++;
        onMessage(message);
        if (received >= take) stop.abort();
      },
      onComment: () => void comments++,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    try {
      for (let quietSince = Date.now(), before = 0; ;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
        if (received >= take) break;
        if (received > before) [quietSince, before] = [Date.now(), received];
        else if (Date.now() - quietSince > 1000) break;
      }
    } catch (error) {
      if (!stop.signal.aborted) throw error;
    }
    stop.abort();
    return { comments };
  }

  async function logIds(): Promise<string[]> {
    const ids: string[] = [];
    for (let after: string | undefined; ;) {
      const page = await api.call(admin, 'GET', `/events?limit=1000${after ? `&after=${after}` : ''}`);
      ids.push(...(page.body['events'] as { id: string }[]).map((e) => e.id));
      after = page.body['next'] as string;
      if (page.body['caughtUp']) return ids;
    }
  }

  it('delivers every event exactly once, in order, to a consumer restarted with Last-Event-ID at random points', async () => {
    const projectId = (await api.call(admin, 'POST', '/projects', sampleCharter)).body['id'] as string;
    const goals = await Promise.all(
      [0, 1, 2].map(async () => (await api.call(admin, 'POST', `/projects/${projectId}/goals`, sampleRevenueGoal)).body['id'] as string),
    );

    let writing = true;
    const writers = Promise.all(
      goals.map(async (goalId, w) => {
        for (let i = 0; i < 120; i++) {
          const answer = await api.call(admin, 'POST', `/goals/${goalId}/actuals`, {
            value: i + 1,
            businessDate: '2026-11-02',
            source: 'CRM',
            externalRef: `w${w}-${i}`,
          });
          expect(answer.status).toBe(201);
        }
      }),
    ).finally(() => (writing = false));

    const received: { id: string; position: string }[] = [];
    let last: string | undefined;
    let restarts = 0;
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    for (;;) {
      const take = 1 + Math.floor(random() * 40);
      await consume(last, take, (message) => {
        const event = JSON.parse(message.data) as { id: string; position: string };
        expect(message.id).toBe(event.position);
        received.push({ id: event.id, position: event.position });
        last = message.id;
      });
      restarts++;
      if (!writing) {
        const expected = await logIds();
        if (received.length >= expected.length) {
          expect(received.map((r) => r.id)).toEqual(expected);
          break;
        }
      }
      if (restarts > 2000) throw new Error(`never caught up: ${received.length} events after ${restarts} restarts`);
    }
    await writers;
    expect(restarts).toBeGreaterThan(10);
    expect(new Set(received.map((r) => r.id)).size).toBe(received.length);
  });

  it('sends heartbeats while idle, refuses a malformed Last-Event-ID, and keeps other projects’ events from a non-admin', async () => {
    // Caught up and idle for a second: the 300 ms heartbeat shows up as comments.
    const stop = new AbortController();
    const response = await fetch(`${api.base}/events/stream?type=ProjectClosed`, {
      headers: { authorization: admin },
      signal: stop.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const deadline = Date.now() + 1500;
    while (Date.now() < deadline && (text.match(/: heartbeat/g) ?? []).length < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    stop.abort();
    expect((text.match(/: heartbeat/g) ?? []).length).toBeGreaterThanOrEqual(2);

    const bad = await fetch(`${api.base}/events/stream`, { headers: { authorization: admin, 'last-event-id': 'nope' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'INVALID_LAST_EVENT_ID' });

    // An outsider's stream carries nothing at all: it reaches the end of the log and idles.
    const outsider = `Bearer ${await tokenFor('outsider')}`;
    const seen: string[] = [];
    const outsiderStop = new AbortController();
    const outsiderStream = await fetch(`${api.base}/events/stream`, { headers: { authorization: outsider }, signal: outsiderStop.signal });
    expect(outsiderStream.status).toBe(200);
    const outsiderReader = (outsiderStream.body as ReadableStream<Uint8Array>).getReader();
    const parser = createParser({ onEvent: (m) => void seen.push(m.data) });
    const until = Date.now() + 1000;
    while (Date.now() < until) {
      const { value, done } = await outsiderReader.read();
      if (done) break;
      parser.feed(new TextDecoder().decode(value));
    }
    outsiderStop.abort();
    expect(seen).toEqual([]);
  });

  it('caps the streams one principal holds open (429 past STREAMS_PER_PRINCIPAL), frees them on close, and others are served meanwhile', async () => {
    const analyst = `Bearer ${await tokenFor('stream-hog')}`;
    const stops = Array.from({ length: 300 }, () => new AbortController());
    const answers = await Promise.all(
      stops.map((stop) =>
        fetch(`${api.base}/events/stream`, { headers: { authorization: analyst }, signal: stop.signal }).then(async (r) => {
          if (r.status !== 200) await r.text();
          return r.status;
        }),
      ),
    );
    // The default of 10 open at once; the other 290 are told so.
    expect(answers.filter((s) => s === 200)).toHaveLength(10);
    expect(answers.filter((s) => s === 429)).toHaveLength(290);
    const refused = await api.call(analyst, 'GET', '/events/stream');
    expect(refused).toMatchObject({ status: 429, body: { code: 'TOO_MANY_STREAMS' } });
    // Someone else is served at once, and may open a stream of their own.
    const started = performance.now();
    expect((await api.call(admin, 'GET', '/projects')).status).toBe(200);
    const elapsed = performance.now() - started;
    process.stdout.write(`GET /projects while one principal tried 300 streams (10 open): ${elapsed.toFixed(1)} ms\n`);
    const own = new AbortController();
    expect((await fetch(`${api.base}/events/stream`, { headers: { authorization: admin }, signal: own.signal })).status).toBe(200);
    own.abort();
    // Closed streams give their slots back.
    for (const stop of stops) stop.abort();
    let again = 0;
    for (let i = 0; i < 50 && again !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const probe = new AbortController();
      again = (await fetch(`${api.base}/events/stream`, { headers: { authorization: analyst }, signal: probe.signal })).status;
      probe.abort();
    }
    expect(again).toBe(200);
  });
});
