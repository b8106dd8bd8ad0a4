import { Input, List, Space, Tag, Typography } from 'antd';
import { Link, useSearchParams } from 'react-router';
import { PageError } from '../../../components/page-state';
import { useLanguage } from '../../../lib/i18n';
import { useSearch, type SearchHit } from '../api/work';

function linkOf(hit: SearchHit): string {
  const project = `/ui/projects/${encodeURIComponent(hit.projectId)}`;
  if (hit.kind === 'goal') return `${project}?goal=${encodeURIComponent(hit.id)}`;
  if (hit.kind === 'task') return `${project}/tasks`;
  return project;
}

/** Search over goals, tasks, issues, feedback and lessons; the words live in the URL (?q=). */
export function SearchPage() {
  const { t } = useLanguage();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const search = useSearch(q);
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('search.title')}
      </Typography.Title>
      <Input.Search
        aria-label={t('search.label')}
        placeholder={t('search.placeholder')}
        defaultValue={q}
        enterButton={t('search.submit')}
        onSearch={(value) => setParams(value.trim() ? { q: value.trim() } : {})}
        style={{ maxWidth: 560, marginBottom: 16 }}
      />
      {search.error && <PageError error={search.error} />}
      {q && (
        <List<SearchHit>
          loading={search.isFetching}
          dataSource={search.data ?? []}
          locale={{ emptyText: t('search.none', { q }) }}
          renderItem={(hit) => (
            <List.Item data-testid={`hit-${hit.kind}-${hit.id}`}>
              <List.Item.Meta
                title={
                  <Space wrap>
                    <Tag>{t(`search.kinds.${hit.kind}`)}</Tag>
                    <Link to={linkOf(hit)}>{hit.title}</Link>
                  </Space>
                }
                description={`${hit.projectName} · ${hit.excerpt}`}
              />
            </List.Item>
          )}
        />
      )}
    </>
  );
}
