/*
 * The black-box helpers test/e2e already has (built processes, free ports, a redis-server of the
 * test's own, a webhook receiver, tokens), used here as they are so there is one copy of each.
 * The boundary rule wants projects imported by alias, and an app-type test project has none.
 */
/* eslint-disable @nx/enforce-module-boundaries */
export { eventually, Receiver } from '../../../e2e/src/support/receiver';
export { OwnRedis } from '../../../e2e/src/support/redis-server';
export { freePort, ServiceProcess, workspaceRoot } from '../../../e2e/src/support/service-process';
export { TEST_JWT_SECRET, tokenFor } from '../../../e2e/src/support/tokens';
