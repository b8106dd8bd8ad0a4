import { Segmented } from 'antd';
import { changeLanguage, useLanguage } from '../lib/i18n';
import type { Language } from '../lib/format';

export function LanguageSwitch() {
  const { t, language } = useLanguage();
  return (
    <Segmented<Language>
      aria-label={t('app.language')}
      value={language}
      onChange={changeLanguage}
      options={[
        { label: '中文', value: 'zh-CN' },
        { label: 'English', value: 'en' },
      ]}
    />
  );
}
