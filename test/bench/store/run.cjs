#!/usr/bin/env node
// Entry point of `npm run bench:store`: installs the peer store in its own folder on first use
// (its peers conflict with the workspace's), then runs the TypeScript benchmark.
const { existsSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..', '..', '..');
const peer = join(root, 'test', 'bench', 'peer');
if (!existsSync(join(peer, 'node_modules', '@event-driven-io', 'emmett-postgresql'))) {
  process.stderr.write('Installing the peer store (emmett-postgresql 0.42.0) into test/bench/peer ...\n');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--prefix', peer], { stdio: ['ignore', 'ignore', 'inherit'] });
}
process.env.SWC_NODE_PROJECT = join(root, 'tsconfig.base.json');
require('@swc-node/register');
require('./bench-store.ts');
