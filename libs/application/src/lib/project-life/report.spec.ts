import { InMemoryEventStore } from '@planledger/event-store';
import { DEMO_PROJECT_ID, loadDemo } from '../demo/demo-project';
import { Planning } from '../planning';
import { ProjectLife } from './project-life';
import { buildReport, reportHtml, reportMarkdown } from './report';

describe('the Markdown report', () => {
  const now = new Date('2026-11-20T10:00:00.000Z');
  const hostile = 'CRM <img src=x onerror=alert(1)> [click](javascript:alert(1)) **bold** `code`\n# Injected heading';
  let markdown: string;
  let html: string;
  beforeAll(async () => {
    const store = new InMemoryEventStore();
    await loadDemo(store, now);
    const planning = new Planning(store);
    const life = new ProjectLife(store, planning, undefined, () => now);
    const meta = { actor: 'user:wang-fang', now: now.toISOString(), correlationId: 'c1' };
    await life.raiseIssue(
      DEMO_PROJECT_ID,
      'hostile-issue',
      { title: hostile.slice(0, 100).replace('\n', ' '), description: '', severity: 'low' },
      meta,
    );
    await life.recordFeedback(
      DEMO_PROJECT_ID,
      'hostile-feedback',
      { source: 'customer', from: 'crm-1', topic: 'Web', text: hostile },
      meta,
    );
    const report = await buildReport(store, planning, life, DEMO_PROJECT_ID);
    markdown = reportMarkdown(report, 'en');
    html = reportHtml(report, 'en');
  }, 60_000);

  it('shows user text as words: no raw HTML, no links, no emphasis, no injected headings', () => {
    expect(markdown).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(markdown).toContain('\\[click\\](javascript:alert(1))');
    expect(markdown).toContain('\\*\\*bold\\*\\* \\`code\\`');
    expect(markdown).not.toMatch(/<img|(?<!\\)\]\(javascript:|^# Injected/m);
    expect(markdown.split('\n').filter((line) => line.startsWith('# '))).toHaveLength(1);
  });

  it('keeps the report itself as it was: one heading per section, tables intact', () => {
    expect(markdown).toContain('# Project report: East region quarter push');
    expect(markdown).toContain('| Shanghai industrial automation fair | promotion | New customers won, Qualify trade fair leads |');
    // The HTML rendering escaped correctly already, and still does.
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
