import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Progress, Result, Select, Space, Table, Tag, Typography, Upload } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { PageLoading } from '../../../components/page-state';
import { formatNumber } from '../../../lib/format';
import { useLanguage } from '../../../lib/i18n';
import { useCan, useMe } from '../../auth/api/get-me';
import {
  csvTemplateUrl,
  templateUrl,
  useDryRun,
  useImportJob,
  useStartImport,
  type FileLocale,
  type ImportProblem,
  type ImportReport,
  type ImportSheetSummary,
} from '../api/imports';

/** Upload a workbook or CSV, read the dry run's report by sheet and row, then import it and follow the job. */
export function ImportPage() {
  const { projectId = '' } = useParams();
  const { t, language } = useLanguage();
  const me = useMe();
  const can = useCan(projectId);
  const [file, setFile] = useState<File | undefined>();
  const [locale, setLocale] = useState<FileLocale>(language === 'zh-CN' ? 'zh' : 'en');
  const dryRun = useDryRun(projectId);
  const start = useStartImport(projectId);
  const job = useImportJob(projectId, start.data?.jobId);
  const client = useQueryClient();
  const finished = job.data && job.data.status !== 'running' ? job.data : undefined;

  useEffect(() => {
    // What the import wrote shows on the other pages when they are opened next.
    if (finished?.status === 'succeeded') void client.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
  }, [finished?.status, client]);

  if (me.isPending) return <PageLoading />;
  if (!can('goal.plan')) return <Result status="403" title={t('imports.forbidden')} />;

  const choose = (chosen: File) => {
    setFile(chosen);
    start.reset();
    dryRun.mutate({ file: chosen, locale });
  };
  const recheck = (next: FileLocale) => {
    setLocale(next);
    if (file) dryRun.mutate({ file, locale: next });
  };
  const report = dryRun.data;
  const running = start.isPending || job.data?.status === 'running' || (start.data !== undefined && job.data === undefined);

  return (
    <div data-testid="import-page" style={{ maxWidth: 1100 }}>
      <Typography.Title level={1} style={{ fontSize: 24, marginTop: 0 }}>
        {t('imports.title')}
      </Typography.Title>
      <Typography.Paragraph>{t('imports.intro')}</Typography.Paragraph>

      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('imports.templates')}</h2>} size="small" style={{ marginBottom: 16 }}>
        <Space wrap>
          <Button icon={<DownloadOutlined aria-hidden />} href={templateUrl('en')} download data-testid="template-en">
            {t('imports.templateEn')}
          </Button>
          <Button icon={<DownloadOutlined aria-hidden />} href={templateUrl('zh-CN')} download data-testid="template-zh">
            {t('imports.templateZh')}
          </Button>
          <Button type="link" href={csvTemplateUrl(language)} download>
            {t('imports.csvTemplate')}
          </Button>
        </Space>
      </Card>

      <Space direction="vertical" style={{ width: '100%' }} size="middle">
        <label style={{ display: 'flex', gap: 8, alignItems: 'center', flexWrap: 'wrap' }}>
          <span>{t('imports.locale')}</span>
          <Select<FileLocale>
            value={locale}
            onChange={recheck}
            style={{ minWidth: 260 }}
            aria-label={t('imports.locale')}
            options={(['en', 'zh', 'de'] as const).map((value) => ({ value, label: t(`imports.locales.${value}`) }))}
          />
        </label>
        <div data-testid="import-file">
          <Upload.Dragger
            accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            multiple={false}
            showUploadList={false}
            disabled={running}
            beforeUpload={(chosen) => {
              choose(chosen);
              return false;
            }}
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined aria-hidden />
            </p>
            <p className="ant-upload-text">{t('imports.choose')}</p>
            <p className="ant-upload-hint">{t('imports.chooseHint')}</p>
          </Upload.Dragger>
        </div>

        {dryRun.isPending && file && <Alert type="info" showIcon role="status" title={t('imports.checking', { file: file.name })} />}
        {dryRun.error && (
          <Alert
            type="error"
            showIcon
            role="alert"
            data-testid="import-error"
            title={t('imports.failed', { message: dryRun.error.message })}
          />
        )}

        {report && !dryRun.isPending && !start.data && (
          <DryRunReport report={report} onImport={() => file && start.mutate({ file, locale })} importing={start.isPending} />
        )}
        {start.error && (
          <Alert
            type="error"
            showIcon
            role="alert"
            data-testid="import-error"
            title={t('imports.failed', { message: start.error.message })}
          />
        )}

        {start.data && (
          <Card
            data-testid="import-job"
            data-status={job.data?.status ?? 'running'}
            title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('imports.importing', { file: start.data.fileName })}</h2>}
          >
            {job.data?.status === 'running' || !job.data ? (
              <div role="status" aria-live="polite">
                <Typography.Text>
                  {t(`imports.phases.${(job.data ?? start.data).progress.phase}`)}{' '}
                  {formatNumber((job.data ?? start.data).progress.done, language)} /{' '}
                  {formatNumber((job.data ?? start.data).progress.total, language)}
                </Typography.Text>
                <Progress
                  percent={percentOf(job.data ?? start.data)}
                  status="active"
                  aria-label={t('imports.importing', { file: start.data.fileName })}
                  data-testid="import-progress"
                />
              </div>
            ) : finished?.status === 'succeeded' && finished.report ? (
              <ImportResult
                report={finished.report}
                projectId={projectId}
                onAnother={() => (start.reset(), dryRun.reset(), setFile(undefined))}
              />
            ) : (
              <Alert
                type="error"
                showIcon
                role="alert"
                data-testid="import-error"
                title={t('imports.failed', {
                  message: finished?.error?.message ?? finished?.report?.problems.find((p) => p.severity === 'error')?.message ?? '',
                })}
              />
            )}
          </Card>
        )}
      </Space>
    </div>
  );
}

function percentOf(job: { progress: { phase: string; done: number; total: number } }): number {
  const { phase, done, total } = job.progress;
  if (phase === 'done') return 100;
  const share = total > 0 ? done / total : 0;
  // Checking is the first half of the work, writing the second.
  return Math.round(phase === 'writing' ? 50 + share * 50 : phase === 'checking' ? share * 50 : 0);
}

function DryRunReport({ report, onImport, importing }: { report: ImportReport; onImport: () => void; importing: boolean }) {
  const { t } = useLanguage();
  const errors = report.problems.filter((p) => p.severity === 'error').length + (report.ok ? 0 : report.moreProblems);
  return (
    <Card
      data-testid="dry-run"
      data-ok={report.ok}
      title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('imports.checked', { file: report.fileName })}</h2>}
    >
      {report.ok ? (
        <Alert type="success" showIcon role="status" title={t('imports.clean')} />
      ) : (
        <Alert type="error" showIcon role="alert" title={t('imports.hasErrors', { count: errors })} />
      )}
      <SheetTable sheets={report.sheets} dryRun />
      {report.problems.length > 0 && <ProblemList problems={report.problems} sheets={report.sheets} more={report.moreProblems} />}
      <Button
        type="primary"
        disabled={!report.ok}
        loading={importing}
        onClick={onImport}
        data-testid="run-import"
        style={{ marginTop: 16 }}
      >
        {t('imports.import')}
      </Button>
    </Card>
  );
}

function SheetTable({ sheets, dryRun }: { sheets: ImportSheetSummary[]; dryRun: boolean }) {
  const { t, language } = useLanguage();
  const n = (v: number) => formatNumber(v, language);
  return (
    <>
      <Typography.Title level={3} style={{ fontSize: 15, marginTop: 16 }}>
        {t('imports.sheets')}
      </Typography.Title>
      <Table<ImportSheetSummary>
        rowKey="sheet"
        size="small"
        pagination={false}
        dataSource={sheets}
        data-testid="import-sheets"
        onRow={(s) => ({ 'data-sheet': s.sheet }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('imports.sheet'), dataIndex: 'sheet' },
          { title: t('imports.kind'), dataIndex: 'kind', render: (kind: string) => t(`imports.kinds.${kind}`) },
          { title: t('imports.rows'), align: 'right', render: (_, s) => n(s.rows) },
          {
            title: dryRun ? t('imports.toWrite') : t('imports.written'),
            align: 'right',
            render: (_, s) => <span data-testid="sheet-written">{n(s.written)}</span>,
          },
          { title: t('imports.present'), align: 'right', render: (_, s) => n(s.alreadyPresent) },
          { title: t('imports.rejected'), align: 'right', render: (_, s) => n(s.rejected) },
        ]}
      />
    </>
  );
}

/** Problems grouped by sheet (in the file's order), each sheet's by row. */
function ProblemList({ problems, sheets, more }: { problems: ImportProblem[]; sheets: ImportSheetSummary[]; more: number }) {
  const { t, language } = useLanguage();
  const groups = useMemo(() => {
    const order = sheets.map((s) => s.sheet);
    const bySheet = new Map<string, ImportProblem[]>();
    for (const p of problems) bySheet.set(p.sheet, [...(bySheet.get(p.sheet) ?? []), p]);
    return [...bySheet.entries()]
      .sort(([a], [b]) => (order.indexOf(a) + 1 || Infinity) - (order.indexOf(b) + 1 || Infinity))
      .map(([sheet, list]) => ({ sheet, list: [...list].sort((a, b) => (a.row ?? 0) - (b.row ?? 0)) }));
  }, [problems, sheets]);
  return (
    <section data-testid="problems">
      <Typography.Title level={3} style={{ fontSize: 15, marginTop: 16 }}>
        {t('imports.problems')}
      </Typography.Title>
      {groups.map(({ sheet, list }) => (
        <div key={sheet} data-testid="problem-sheet" data-sheet={sheet} style={{ marginBottom: 12 }}>
          <Typography.Title level={4} style={{ fontSize: 14 }}>
            {t('imports.problemsIn', { sheet })}
          </Typography.Title>
          <Table<ImportProblem & { key: number }>
            size="small"
            pagination={false}
            dataSource={list.map((p, key) => ({ ...p, key }))}
            onRow={(p) =>
              ({
                'data-testid': 'problem',
                'data-sheet': p.sheet,
                'data-row': p.row ?? '',
                'data-column': p.column ?? '',
                'data-code': p.code,
                'data-severity': p.severity,
              }) as React.HTMLAttributes<HTMLElement>
            }
            columns={[
              { title: t('imports.row'), width: 70, render: (_, p) => p.row ?? t('imports.wholeFile') },
              { title: t('imports.column'), width: 200, render: (_, p) => p.column ?? '—' },
              {
                title: t('imports.severity'),
                width: 110,
                render: (_, p) =>
                  p.severity === 'error' ? (
                    <Tag color="#a8071a">{t('imports.error')}</Tag>
                  ) : (
                    <Tag color="#ad4e00">{t('imports.warning')}</Tag>
                  ),
              },
              {
                title: t('imports.reason'),
                // The API's sentence (English, quoting the value) on the English page; elsewhere the
                // problem in the page's language by its code, the API's sentence on hover.
                render: (_, p) =>
                  language === 'en' ? (
                    p.message
                  ) : (
                    <span title={p.message}>{t(`imports.problemCodes.${p.code}`, { defaultValue: p.message })}</span>
                  ),
              },
            ]}
          />
        </div>
      ))}
      {more > 0 && <Typography.Paragraph type="secondary">{t('imports.more', { count: more })}</Typography.Paragraph>}
    </section>
  );
}

function ImportResult({ report, projectId, onAnother }: { report: ImportReport; projectId: string; onAnother: () => void }) {
  const { t, language } = useLanguage();
  return (
    <div data-testid="import-result" data-events={report.eventsWritten}>
      <Alert
        type="success"
        showIcon
        role="status"
        title={
          report.eventsWritten > 0
            ? t('imports.done', { file: report.fileName, events: formatNumber(report.eventsWritten, language) })
            : t('imports.nothingNew', { file: report.fileName })
        }
      />
      <SheetTable sheets={report.sheets} dryRun={false} />
      <Space style={{ marginTop: 16 }}>
        <Link to={`/ui/projects/${encodeURIComponent(projectId)}`} data-testid="open-overview">
          {t('imports.openOverview')}
        </Link>
        <Button onClick={onAnother}>{t('imports.another')}</Button>
      </Space>
    </div>
  );
}
