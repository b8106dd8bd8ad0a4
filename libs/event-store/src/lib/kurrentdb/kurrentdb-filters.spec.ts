import { EVENT_TYPE } from '@kurrent/kurrentdb-client';
import { allFilter, escapeRegex } from './kurrentdb-filters';

// The server runs these patterns with .NET's engine; JavaScript reads \uXXXX escapes the same way.
const matches = (filter: ReturnType<typeof allFilter>, type: string) => new RegExp((filter as { regex: string }).regex).test(type);

describe('filters on $all', () => {
  it('filters on the event type, matching exactly the types asked for', () => {
    const filter = allFilter(['GoalSet', 'ActualRecorded']);
    expect(filter).toMatchObject({ filterOn: EVENT_TYPE, regex: '^(?:GoalSet|ActualRecorded)$' });
    expect(['GoalSet', 'ActualRecorded', 'GoalSetAgain', 'XGoalSet', 'Goal', '$>'].map((t) => matches(filter, t))).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });

  it('escapes every character that could change the pattern', () => {
    expect(escapeRegex('Task.Completed-v2')).toBe('Task\\u002eCompleted\\u002dv2');
    const filter = allFilter(['a.b', '(x|y)*', '销售目标', '😀']);
    expect(['a.b', 'aXb', '(x|y)*', 'x', 'xy', '销售目标', '😀'].map((t) => matches(filter, t))).toEqual([
      true,
      false,
      true,
      false,
      false,
      true,
      true,
    ]);
  });

  it('without types, leaves out the server’s own events (types starting with "$")', () => {
    const filter = allFilter(undefined);
    expect(filter.filterOn).toBe(EVENT_TYPE);
    expect(['GoalSet', '$>', '$metadata', '$statsCollected'].map((t) => matches(filter, t))).toEqual([true, false, false, false]);
    expect(allFilter([])).toEqual(filter);
  });

  it('asks for each type once', () => {
    expect((allFilter(['A', 'A', 'B']) as { regex: string }).regex).toBe('^(?:A|B)$');
  });
});
