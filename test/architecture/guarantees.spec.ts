import { existsSync, readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';

// docs/guarantees.md lists every promise the README makes with the tests that prove it. This
// holds the table to the suite: a renamed or deleted test, or a row that names none, fails here.
// The rules the table follows are written at the top of that file.
const workspaceRoot = join(__dirname, '..', '..');
const DOC = 'docs/guarantees.md';
const NO_TEST = 'no test yet';

interface TestReference {
  file: string;
  /** Titles as written in the file; one ending with … is a prefix. */
  titles: string[];
}

interface Row {
  number: string;
  promise: string;
  section: string;
  tests: TestReference[] | typeof NO_TEST;
  runsOn: string;
}

/** The cells of one Markdown table line, without the outer pipes; `\|` stays inside a cell. */
function cells(line: string): string[] {
  const parts = line
    .trim()
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
  return parts.slice(1, -1);
}

/** Reads the code spans of one test reference: `path` › `title` (› `title`…). */
function reference(entry: string): TestReference {
  const spans: string[] = [];
  let at = 0;
  const text = entry.trim();
  while (at < text.length) {
    if (spans.length > 0) {
      const separator = /^\s*›\s*/.exec(text.slice(at));
      if (!separator) throw new Error(`expected › between titles in: ${entry}`);
      at += separator[0].length;
    }
    const fence = /^`+/.exec(text.slice(at))?.[0];
    if (!fence) throw new Error(`expected a code span at "${text.slice(at, at + 40)}" in: ${entry}`);
    const end = text.indexOf(fence, at + fence.length);
    if (end < 0) throw new Error(`unclosed code span in: ${entry}`);
    let content = text.slice(at + fence.length, end);
    if (content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '') content = content.slice(1, -1);
    spans.push(content);
    at = end + fence.length;
  }
  const [file, ...titles] = spans;
  if (!file || titles.length === 0) throw new Error(`a test reference needs a file and at least one title: ${entry}`);
  return { file, titles };
}

/** The rows of the table whose header starts with `| #`, or the problems that stop reading one. */
function readTable(markdown: string): { rows: Row[]; problems: string[] } {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => /^\|\s*#\s*\|/.test(line) && line.includes('Tests'));
  if (header < 0) return { rows: [], problems: ['no table whose header starts with "| #" and names Tests'] };
  const rows: Row[] = [];
  const problems: string[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.trim().startsWith('|')) break;
    const [number, promise, section, tests, runsOn, ...rest] = cells(line);
    const where = `row ${number ?? '?'}`;
    if (runsOn === undefined || rest.length > 0) {
      problems.push(`${where}: expected 5 cells, found ${cells(line).length}`);
      continue;
    }
    if (!promise || !section) problems.push(`${where}: the promise and its README section must be given`);
    if (!tests) {
      problems.push(`${where}: names neither a test nor "${NO_TEST}"`);
      continue;
    }
    if (tests.startsWith(NO_TEST)) {
      rows.push({ number, promise, section, tests: NO_TEST, runsOn });
      continue;
    }
    try {
      const references = tests.split(/<br\s*\/?>/).map(reference);
      if (!runsOn || runsOn === '—') problems.push(`${where}: says what the tests run on`);
      rows.push({ number, promise, section, tests: references, runsOn });
    } catch (error) {
      problems.push(`${where}: names neither a test nor "${NO_TEST}" (${(error as Error).message})`);
    }
  }
  return { rows, problems };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether the source holds a describe/it/test call (`.each(…)(` included) with this title. */
function holdsTitle(source: string, title: string): boolean {
  const prefix = title.endsWith('…');
  const text = prefix ? title.slice(0, -1) : title;
  if (text === '') return false;
  const call = String.raw`(?:\b(?:describe|it|test)|\))\(\s*(['"\x60])`;
  return new RegExp(call + escapeRegExp(text) + (prefix ? '' : String.raw`\1`)).test(source);
}

/** Every broken reference of the rows: a file that does not exist, a title it does not hold. */
function brokenReferences(rows: Row[], root: string): string[] {
  const failures: string[] = [];
  for (const row of rows) {
    if (row.tests === NO_TEST) continue;
    for (const { file, titles } of row.tests) {
      const path = normalize(file);
      if (path.startsWith('..') || !/\.(spec|contract)\.ts$/.test(path)) {
        failures.push(`row ${row.number}: ${file} is not a test file of the repository`);
        continue;
      }
      if (!existsSync(join(root, path))) {
        failures.push(`row ${row.number}: ${file} does not exist`);
        continue;
      }
      const source = readFileSync(join(root, path), 'utf8');
      for (const title of titles) if (!holdsTitle(source, title)) failures.push(`row ${row.number}: ${file} has no test titled "${title}"`);
    }
  }
  return failures;
}

/** The row numbers the first list under "## Gaps" names (lines "- 18 — …" or "- 39, 41 — …"). */
function gapList(markdown: string): string[] {
  const section = markdown.split(/^## Gaps$/m)[1];
  if (section === undefined) return [];
  const list = section.split(/\n\s*\n/).find((block) => block.trim().startsWith('- ')) ?? '';
  return list
    .split('\n')
    .filter((line) => line.startsWith('- '))
    .flatMap((line) => (/^- ([\d, ]+) —/.exec(line)?.[1] ?? '').split(',').map((n) => n.trim()))
    .filter((n) => n !== '');
}

const markdown = readFileSync(join(workspaceRoot, DOC), 'utf8');
const table = readTable(markdown);

describe('the promises in docs/guarantees.md', () => {
  it('are a table of promises, each with a test or marked as having none', () => {
    expect(table.problems).toEqual([]);
    expect(table.rows.length).toBeGreaterThan(50);
    const numbers = table.rows.map((row) => row.number);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('name test files that exist and titles those files hold', () => {
    expect(brokenReferences(table.rows, workspaceRoot)).toEqual([]);
  });

  it('sum up under "Gaps" exactly the rows that have no test yet', () => {
    const untested = table.rows.filter((row) => row.tests === NO_TEST).map((row) => row.number);
    expect(gapList(markdown).sort()).toEqual(untested.sort());
  });

  it('catch a wrong title, a missing file, a bad prefix and a row with neither (the check itself works)', () => {
    const probe = [
      '| # | Promise | README section | Tests | Runs on |',
      '| --- | --- | --- | --- | --- |',
      '| 1 | A | S | `test/architecture/guarantees.spec.ts` › `name test files that exist and titles those files hold` | unit |',
      '| 2 | A | S | `test/architecture/guarantees.spec.ts` › `names test files that exist` | unit |',
      '| 3 | A | S | `test/architecture/no-such.spec.ts` › `anything` | unit |',
      '| 4 | A | S | `test/architecture/guarantees.spec.ts` › `catch a wrong title…` | unit |',
      '| 5 | A | S | `test/architecture/guarantees.spec.ts` › `catches a wrong title…` | unit |',
      '| 6 | A | S |  | unit |',
      '| 7 | A | S | see the fault suite | unit |',
      '| 8 | A | S | no test yet | — |',
    ].join('\n');
    const { rows, problems } = readTable(probe);
    expect(problems).toEqual([
      expect.stringMatching(/^row 6: names neither a test nor "no test yet"/),
      expect.stringMatching(/^row 7: names neither a test nor "no test yet"/),
    ]);
    expect(rows.map((row) => row.number)).toEqual(['1', '2', '3', '4', '5', '8']);
    expect(brokenReferences(rows, workspaceRoot)).toEqual([
      'row 2: test/architecture/guarantees.spec.ts has no test titled "names test files that exist"',
      'row 3: test/architecture/no-such.spec.ts does not exist',
      'row 5: test/architecture/guarantees.spec.ts has no test titled "catches a wrong title…"',
    ]);
  });
});
