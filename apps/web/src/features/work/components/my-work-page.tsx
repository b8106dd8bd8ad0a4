import { Card, Empty, List, Space, Typography } from 'antd';
import { Link } from 'react-router';
import { PageError, PageLoading } from '../../../components/page-state';
import { StatusTag, ToneTag } from '../../../components/status-tag';
import { formatDate, formatNumber, formatPercent } from '../../../lib/format';
import { useLanguage } from '../../../lib/i18n';
import { useMyWork } from '../api/work';

/** A person's own goals and open tasks across all their projects, on one page. */
export function MyWorkPage() {
  const { t, language } = useLanguage();
  const work = useMyWork();
  if (work.isPending) return <PageLoading />;
  if (work.error) return <PageError error={work.error} retry={() => void work.refetch()} />;
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('work.title')}
      </Typography.Title>
      {work.data.projects.length === 0 && <Empty description={t('work.none')} />}
      <Space direction="vertical" size="large" style={{ width: '100%' }}>
        {work.data.projects.map((p) => (
          <Card
            key={p.projectId}
            data-testid={`work-${p.projectId}`}
            title={<Link to={`/ui/projects/${encodeURIComponent(p.projectId)}`}>{p.name}</Link>}
          >
            <Typography.Title level={2} style={{ fontSize: 16 }}>
              {t('work.goals')}
            </Typography.Title>
            <List
              dataSource={p.goals}
              locale={{ emptyText: t('work.noGoals') }}
              renderItem={(g) => (
                <List.Item>
                  <Space wrap>
                    <Link to={`/ui/projects/${encodeURIComponent(p.projectId)}?goal=${encodeURIComponent(g.goalId)}`}>{g.title}</Link>
                    <span>
                      {formatNumber(g.actualToDate, language, { unit: g.kpi.unit })} /{' '}
                      {formatNumber(g.target, language, { unit: g.kpi.unit })}
                    </span>
                    <span>{formatPercent(g.attainment, language)}</span>
                    <StatusTag status={g.status} />
                  </Space>
                </List.Item>
              )}
            />
            <Typography.Title level={2} style={{ fontSize: 16 }}>
              {t('work.tasks')}
            </Typography.Title>
            <List
              dataSource={p.tasks}
              locale={{ emptyText: t('work.noTasks') }}
              renderItem={(task) => (
                <List.Item data-testid={`work-task-${task.taskId}`}>
                  <Space wrap>
                    <Link to={`/ui/projects/${encodeURIComponent(p.projectId)}/tasks?assignee=${encodeURIComponent(p.memberId)}`}>
                      {task.title}
                    </Link>
                    <span>
                      {t('tasks.due')}: {formatDate(task.dueDate, language)}
                    </span>
                    <ToneTag tone="neutral">{t(`tasks.states.${task.status}`)}</ToneTag>
                    {task.overdue && <ToneTag tone="bad">{t('tasks.overdue', { days: task.daysOverdue })}</ToneTag>}
                  </Space>
                </List.Item>
              )}
            />
          </Card>
        ))}
      </Space>
    </>
  );
}
