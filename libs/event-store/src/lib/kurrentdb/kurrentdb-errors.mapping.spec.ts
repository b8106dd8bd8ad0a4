import {
  AccessDeniedError,
  AppendConsistencyViolationError,
  AppendRecordSizeExceededError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  StreamDeletedError,
  StreamTombstonedError,
  TransactionMaxSizeExceededError,
  UnavailableError,
  UnknownError,
  UnsupportedError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import { InvalidAppend, WrongExpectedVersion } from '../errors';
import { isTransient, toAppendError, type AppendContext } from './kurrentdb-errors.mapping';

const single: AppendContext = {
  appends: [{ streamId: 'goal-1', expected: 4, eventIds: ['0190a4b0-0000-7000-8000-00000000000a'] }],
  conditions: [
    { streamId: 'project-1', revision: 2 },
    { streamId: 'team-1', revision: 'no_stream' },
  ],
  multi: false,
};
const multi: AppendContext = {
  appends: [
    { streamId: 'meeting-1', expected: 'no_stream', eventIds: ['0190a4b0-0000-7000-8000-000000000001'] },
    { streamId: 'task-1', expected: 3, eventIds: ['0190a4b0-0000-7000-8000-000000000002', '0190a4b0-0000-7000-8000-000000000003'] },
  ],
  conditions: [{ streamId: 'project-1', revision: 0 }],
  multi: true,
};
const violation = (checkIndex: number, stream: string, expectedState: string, actualState: string) =>
  new AppendConsistencyViolationError(
    undefined as never,
    { violationsList: [{ checkIndex, streamState: { stream, expectedState, actualState } }] } as never,
  );

describe('refusals from KurrentDB as the port’s errors', () => {
  it('names the stream, what was expected and the actual revision of a wrong expected version', () => {
    const error = toAppendError(new WrongExpectedVersionError(undefined, { streamName: 'goal-1', expected: 4n, current: 6n }), single);
    expect(error).toBeInstanceOf(WrongExpectedVersion);
    expect(error).toMatchObject({ streamId: 'goal-1', expected: 4, actual: 6, code: 'WRONG_EXPECTED_VERSION' });
    expect(
      toAppendError(new WrongExpectedVersionError(undefined, { streamName: 'goal-1', expected: 0n, current: 'no_stream' }), single),
    ).toMatchObject({
      actual: 'no_stream',
    });
  });

  it('names the first condition, in the caller’s order, that a consistency check found moved', () => {
    const error = new AppendConsistencyViolationError(
      undefined as never,
      {
        violationsList: [
          { checkIndex: 2, streamState: { stream: 'team-1', expectedState: '-1', actualState: '0' } },
          { checkIndex: 1, streamState: { stream: 'project-1', expectedState: '2', actualState: '5' } },
        ],
      } as never,
    );
    expect(toAppendError(error, single)).toMatchObject({ streamId: 'project-1', expected: 2, actual: 5 });
    expect(toAppendError(violation(2, 'team-1', '-1', '0'), single)).toMatchObject({
      streamId: 'team-1',
      expected: 'no_stream',
      actual: 0,
    });
  });

  it('names an appended stream before any condition, and reads a missing stream as no_stream', () => {
    const error = new AppendConsistencyViolationError(
      undefined as never,
      {
        violationsList: [
          { checkIndex: 2, streamState: { stream: 'project-1', expectedState: '0', actualState: '1' } },
          { checkIndex: 1, streamState: { stream: 'task-1', expectedState: '3', actualState: '-1' } },
        ],
      } as never,
    );
    expect(toAppendError(error, multi)).toMatchObject({ streamId: 'task-1', expected: 3, actual: 'no_stream' });
  });

  it('refuses appends too large for the server as InvalidAppend, naming the event', () => {
    expect(toAppendError(new MaxAppendSizeExceededError(undefined, 1_048_576), single)).toEqual(
      new InvalidAppend([{ path: 'events', message: "are together larger than the server's maximum append size (1048576 bytes)" }]),
    );
    expect(toAppendError(new TransactionMaxSizeExceededError(undefined as never, { size: 9, maxSize: 8 }), multi)).toBeInstanceOf(
      InvalidAppend,
    );
    const record = new AppendRecordSizeExceededError(undefined as never, {
      stream: 'task-1',
      recordId: '0190A4B0-0000-7000-8000-000000000003',
      size: 20,
      maxSize: 10,
    });
    expect((toAppendError(record, multi) as InvalidAppend).issues).toEqual([
      { path: 'appends[1].events[1]', message: "is larger than the server's maximum event size (10 bytes)" },
    ]);
  });

  it('refuses an append to a deleted stream as InvalidAppend naming it', () => {
    expect((toAppendError(StreamDeletedError.fromStreamName('goal-1'), single) as InvalidAppend).issues).toEqual([
      { path: 'streamId', message: 'names stream goal-1, which is deleted in KurrentDB' },
    ]);
    expect(
      (toAppendError(new StreamTombstonedError(undefined as never, { stream: 'task-1' }), multi) as InvalidAppend).issues[0].path,
    ).toBe('appends[1].streamId');
  });

  it('refuses conditions a server too old cannot check, naming the field and the version needed', () => {
    const error = toAppendError(new UnsupportedError('appendRecords', '26.1'), single) as InvalidAppend;
    expect(error).toBeInstanceOf(InvalidAppend);
    expect(error.message).toBe(
      'Invalid append: options.conditions: need KurrentDB 26.1 or later (appendRecords); this server (older than 26.1) cannot check them atomically',
    );
    expect(
      (toAppendError(new UnsupportedError('multiStreamAppend', '25.1'), { ...multi, conditions: [] }) as InvalidAppend).issues[0],
    ).toEqual({
      path: 'appends',
      message:
        'need KurrentDB 25.1 or later (multiStreamAppend) to be written to several streams atomically; this server is older than 25.1',
    });
  });

  it('says which access is missing when the server denies it, and passes other errors on as they are', () => {
    expect((toAppendError(new AccessDeniedError(), single) as Error).message).toMatch(
      /user in EVENT_STORE_URL needs to read and write these streams/,
    );
    const unknown = new UnknownError();
    expect(toAppendError(unknown, single)).toBe(unknown);
  });

  it('knows which failures leave an append’s fate unknown, so it is sent again with the same ids', () => {
    const leader = new NotLeaderError({ metadata: { 'leader-endpoint-host': 'node2', 'leader-endpoint-port': '2113' } } as never);
    expect(
      [new DeadlineExceededError(), new UnavailableError(), leader, new Error('14 UNAVAILABLE: No connection established')].every(
        isTransient,
      ),
    ).toBe(true);
    expect(
      [
        new WrongExpectedVersionError(undefined, { streamName: 's', expected: 0n, current: 1n }),
        new AccessDeniedError(),
        new Error('x'),
      ].some(isTransient),
    ).toBe(false);
  });
});
