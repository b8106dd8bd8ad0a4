import { InvalidAppend } from '../errors';
import { FULL_CAPABILITIES } from '../event-store.port';
import {
  APPEND_RECORDS_METHOD,
  APPEND_SESSION_METHOD,
  capabilitiesFor,
  readServerFeatures,
  routeAppend,
  type ServerFeatures,
} from './kurrentdb-server-features';

const v26_1: ServerFeatures = { version: '26.1.0', appendRecords: true, multiStreamAppend: true };
const v25_1: ServerFeatures = { version: '25.1.2', appendRecords: false, multiStreamAppend: true };
const v24_10: ServerFeatures = { version: '24.10.6', appendRecords: false, multiStreamAppend: false };

describe('what a KurrentDB server can do', () => {
  it('reads the version and methods from the list the client fetched from the server', async () => {
    const listed = new Set([APPEND_SESSION_METHOD.path]);
    const client = { capabilities: Promise.resolve({ serverVersion: '25.1.2', supports: (m: { path: string }) => listed.has(m.path) }) };
    expect(await readServerFeatures(client as never)).toEqual(v25_1);
    expect(APPEND_RECORDS_METHOD.path).toBe('/kurrentdb.protocol.v2.streams.StreamsService/AppendRecords');
  });

  it.each([
    ['26.1', v26_1, 'atomic', 'atomic'],
    ['25.1', v25_1, 'refused', 'atomic'],
    ['24.10', v24_10, 'refused', 'refused'],
  ] as const)('on %s, promises conditions %p and appends to several streams %p', (_label, features, conditions, multi) => {
    expect(capabilitiesFor(features)).toMatchObject({ conditions, multiStreamAppends: multi });
  });

  it('declares where every server promises less than PostgreSQL', () => {
    const capabilities = capabilitiesFor(v26_1);
    expect(capabilities).toEqual({
      ...FULL_CAPABILITIES,
      duplicateFlag: 'per-process',
      idsInOtherStreams: 'not-detected',
      looseRetries: 'recent',
      reservedMetadataKeys: ['planledger', '$schema.name', '$schema.format', '$schema.id'],
      reservedStreamPrefixes: ['$'],
    });
    expect(Object.isFrozen(capabilities)).toBe(true);
  });

  it('sends an append to one stream without conditions through the classic append on every server', () => {
    for (const features of [v26_1, v25_1, v24_10]) expect(routeAppend(features, 1, 0)).toBe('append');
  });

  it('sends conditions through appendRecords, and refuses them on a server without it rather than read first', () => {
    expect(routeAppend(v26_1, 1, 2)).toBe('appendRecords');
    expect(routeAppend(v26_1, 3, 1)).toBe('appendRecords');
    for (const features of [v25_1, v24_10]) {
      const refusal = routeAppend(features, 1, 1);
      expect(refusal).toBeInstanceOf(InvalidAppend);
      expect((refusal as InvalidAppend).issues).toEqual([
        {
          path: 'options.conditions',
          message: `need KurrentDB 26.1 or later (appendRecords); this server (${features.version}) cannot check them atomically`,
        },
      ]);
    }
  });

  it('sends an append to several streams through appendRecords, else multiStreamAppend, else refuses it', () => {
    expect(routeAppend(v26_1, 2, 0)).toBe('appendRecords');
    expect(routeAppend(v25_1, 2, 0)).toBe('multiStreamAppend');
    expect((routeAppend(v24_10, 2, 0) as InvalidAppend).issues[0]).toMatchObject({
      path: 'appends',
      message: expect.stringContaining('25.1 or later'),
    });
  });
});
