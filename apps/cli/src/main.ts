/**
 * `planledger`: operations on the configured store (EVENT_STORE_URL, or the embedded store under
 * DATA_DIR), the same configuration the API and the worker read. Run it with `npm run planledger --`.
 */
import { openEventStore, type EventStore } from '@planledger/event-store';
import { loadConfigOrExit } from '@planledger/runtime';
import { Command, InvalidArgumentError } from 'commander';
import { demo } from './commands/demo';
import { importSpreadsheet, type ImportCommandOptions } from './commands/import';
import { EXPORT_FORMATS, exportEvents, importEvents, replay, type ExportFormat } from './commands/events';
import { rebuild, status, UsageError } from './commands/projections';

async function withStore(run: (store: EventStore) => Promise<number>): Promise<void> {
  const config = loadConfigOrExit();
  const store = await openEventStore(config.eventStore, { poolSize: 4, groupCommit: config.EVENT_STORE_GROUP_COMMIT });
  try {
    process.exitCode = await run(store);
  } finally {
    await store.close();
  }
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new InvalidArgumentError('must be a whole number from 1 to 100000');
  return n;
}

export function program(): Command {
  const cli = new Command('planledger').description('PlanLedger operations on the configured event store').showHelpAfterError();
  cli
    .command('demo')
    .description('load the demo sales project into an empty store')
    .action(() => withStore(demo));
  const projections = cli.command('projections').description('the read models the worker keeps');
  projections
    .command('status')
    .description("each read model's checkpoint, events still to apply and dead letters")
    .action(() => withStore(status));
  projections
    .command('rebuild')
    .argument('[name]', 'one projection (e.g. goal-progress); all when omitted')
    .option('--batch-size <n>', 'events per transaction', positiveInt, 2000)
    .description('rebuild beside the live read model while it keeps serving, then swap the copy in')
    .action((name: string | undefined, options: { batchSize: number }) => withStore((store) => rebuild(store, name, options)));
  const events = cli.command('events').description('the event log itself');
  events
    .command('export')
    .description('stream the log in order to stdout or a file (constant memory)')
    .option('--after <position>', 'start after this position (a feed `next` or an exported position)')
    .option('--until <time>', 'only events recorded up to this ISO 8601 time')
    .option('--project <id>', "only this project's events")
    .option(
      '--format <format>',
      `${EXPORT_FORMATS.join(' | ')}: ndjson is the store's own form (what import reads), cloudevents one CloudEvent per line`,
      'ndjson',
    )
    .option('-o, --output <file>', 'write here instead of stdout')
    .option('--progress', 'show a progress line on stderr (default when stderr is a terminal)')
    .action((options: { after?: string; until?: string; project?: string; format: ExportFormat; output?: string; progress?: boolean }) =>
      withStore((store) => exportEvents(store, options)),
    );
  events
    .command('import')
    .argument('<file>', 'an ndjson export (events export --format ndjson)')
    .option('--progress', 'show a progress bar on stderr (default when stderr is a terminal)')
    .description('restore an export into an empty store: same ids, order, revisions and recorded times')
    .action((file: string, options: { progress?: boolean }) => withStore((store) => importEvents(store, file, options)));
  cli
    .command('import')
    .argument('<file>', 'an .xlsx workbook (sheets Members, Goals, Tasks, Actuals or 成员, 目标, 任务, 实绩) or a CSV of one kind')
    .requiredOption('--project <id>', 'the project to import into')
    .option('--commit', 'import; without it the file is only checked (a dry run) and nothing is written')
    .option('--actor <actor>', 'who imports, recorded on every event (default user:<login name>)')
    .option('--locale <locale>', 'locale the file was made in: de-DE reads 15/01/2027 and 1.234,5; en-US reads 1/15/2027')
    .option('--kind <kind>', "a CSV's rows when its headers do not tell: members, goals, tasks or actuals")
    .option('--encoding <encoding>', "a CSV's encoding when it has no BOM: utf-8, gb18030, utf-16le, utf-16be")
    .option('--progress', 'show progress on stderr (a bar on a terminal, lines otherwise; default when stderr is a terminal)')
    .option('--json', 'print the full report as JSON')
    .description('import members, goals, tasks and actuals from a spreadsheet; again after an interruption, it writes only what is missing')
    .action((file: string, options: ImportCommandOptions) => withStore((store) => importSpreadsheet(store, file, options)));
  cli
    .command('replay')
    .description('print the plan of a project as the system knew it at a moment')
    .requiredOption('--until <time>', 'the moment, ISO 8601')
    .requiredOption('--project <id>', 'the project')
    .action((options: { until: string; project: string }) => withStore((store) => replay(store, options)));
  return cli;
}

// `planledger events export | head`: a reader that goes away ends the export quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

program()
  .parseAsync()
  .catch((error: Error) => {
    process.stderr.write(`planledger: ${error.message}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  });
