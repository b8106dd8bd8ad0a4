import { useQueries } from '@tanstack/react-query';
import { Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { PageError, PageLoading } from '../../../components/page-state';
import { StatusTag } from '../../../components/status-tag';
import type { ProjectSummary } from '../../../lib/api/types';
import { formatDate, formatPercent } from '../../../lib/format';
import { useLanguage } from '../../../lib/i18n';
import { useInbox } from '../../alerts/api/alerts';
import { projectProgressQuery } from '../../overview/api/progress';
import { evaluationsQuery, useProjects } from '../api/get-projects';

/** The projects the person may see: status, period, the attainment of each top goal, open alerts. */
export function ProjectsPage() {
  const { t, language } = useLanguage();
  const projects = useProjects();
  const alerts = useInbox(false);
  const list = projects.data ?? [];
  const progress = useQueries({ queries: list.map((p) => ({ ...projectProgressQuery(p.projectId), enabled: p.status === 'open' })) });
  // A closed quarter shows its attainment as evaluated (the published evaluation), not today's figures.
  const evaluations = useQueries({ queries: list.map((p) => ({ ...evaluationsQuery(p.projectId), enabled: p.status === 'closed' })) });
  if (projects.isPending) return <PageLoading />;
  if (projects.error) return <PageError error={projects.error} retry={() => void projects.refetch()} />;
  const openAlerts = (projectId: string) => alerts.data?.filter((a) => a.projectId === projectId).length ?? 0;
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('projects.title')}
      </Typography.Title>
      <Table<ProjectSummary>
        rowKey="projectId"
        dataSource={list}
        pagination={false}
        locale={{ emptyText: t('projects.empty') }}
        columns={[
          {
            title: t('projects.name'),
            dataIndex: 'name',
            render: (name: string, p) => <Link to={`/ui/projects/${encodeURIComponent(p.projectId)}`}>{name}</Link>,
          },
          {
            title: t('projects.status'),
            dataIndex: 'status',
            render: (s: string) => <Tag>{s === 'closed' ? t('projects.closed') : t('projects.open')}</Tag>,
          },
          {
            title: t('projects.period'),
            render: (_, p) => `${formatDate(p.periodStart, language)} – ${formatDate(p.periodEnd, language)}`,
          },
          {
            title: t('projects.attainment'),
            render: (_, p, index) => {
              if (p.status === 'closed') {
                const latest = evaluations[index]?.data?.at(-1);
                return latest ? (
                  <span data-testid={`evaluated-${p.projectId}`} data-value={latest.teamAttainment ?? ''}>
                    {t('projects.evaluated', { value: formatPercent(latest.teamAttainment, language) })}
                  </span>
                ) : (
                  '—'
                );
              }
              const tops = progress[index]?.data?.goals.filter((g) => g.parentGoalId === null && g.goalStatus === 'active') ?? [];
              return tops.map((g) => (
                <div key={g.goalId}>
                  {g.title}: {formatPercent(g.attainment, language)} <StatusTag status={g.status} />
                </div>
              ));
            },
          },
          { title: t('projects.alerts'), align: 'right', render: (_, p) => openAlerts(p.projectId) },
        ]}
      />
    </>
  );
}
