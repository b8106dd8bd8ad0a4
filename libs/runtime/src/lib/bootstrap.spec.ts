import { logLevels } from './bootstrap';

describe('logLevels', () => {
  it('enables the named level and every more severe one', () => {
    expect(logLevels('warn')).toEqual(['fatal', 'error', 'warn']);
    expect(logLevels('verbose')).toEqual(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']);
  });
});
