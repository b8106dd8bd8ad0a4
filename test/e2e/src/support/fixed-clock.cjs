// Preloaded into a built API (NODE_OPTIONS=--require <this file>) with PLANLEDGER_TEST_CLOCK set to
// an ISO instant: the process's wall clock (`Date`) starts at that instant and runs on at the real
// pace, so a test can put the API at a moment of its choosing (a time of day where the project's
// date and the UTC date differ) whatever the hour it runs. Timers and performance.now stay real.
'use strict';
const FakeTimers = require('@sinonjs/fake-timers');

const start = process.env.PLANLEDGER_TEST_CLOCK;
if (start) {
  const startMs = Date.parse(start);
  if (Number.isNaN(startMs)) throw new Error(`PLANLEDGER_TEST_CLOCK is not an ISO instant: ${start}`);
  const realStart = performance.now();
  const clock = FakeTimers.install({ now: startMs, toFake: ['Date'] });
  const follow = () => clock.setSystemTime(startMs + Math.round(performance.now() - realStart));
  // The real setInterval (only Date is faked), unref'd so it never keeps the process alive.
  setInterval(follow, 1).unref();
}
