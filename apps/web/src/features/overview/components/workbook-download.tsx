import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { Button, Space } from 'antd';
import { Link } from 'react-router';
import { formatDate } from '../../../lib/format';
import { useLanguage } from '../../../lib/i18n';
import { useCan } from '../../auth/api/get-me';

/**
 * The project workbook for people (GET /projects/{id}/export.xlsx), for the day the overview shows
 * and in the page's language, and the way to the import page; each offered only to whom /me allows it.
 */
export function WorkbookDownload({ projectId, date }: { projectId: string; date?: string }) {
  const { t, language } = useLanguage();
  const can = useCan(projectId);
  const query = new URLSearchParams({ lang: language, ...(date ? { date } : {}) });
  return (
    <Space>
      {can('project.read') && (
        <Button
          icon={<DownloadOutlined aria-hidden />}
          href={`/projects/${encodeURIComponent(projectId)}/export.xlsx?${query.toString()}`}
          download
          data-testid="export-workbook"
        >
          {date ? t('imports.downloadFor', { date: formatDate(date, language) }) : t('imports.download')}
        </Button>
      )}
      {can('goal.plan') && (
        <Link to={`/ui/projects/${encodeURIComponent(projectId)}/import`} data-testid="open-import">
          <UploadOutlined aria-hidden /> {t('imports.nav')}
        </Link>
      )}
    </Space>
  );
}
