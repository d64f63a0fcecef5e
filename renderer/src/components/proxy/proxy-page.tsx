import { useTranslation } from 'react-i18next';
import { useKeygate } from '../../store/store';
import { PageHeader } from '../common/page-header';
import { ProxySettingsForm } from './proxy-settings-form';
import { ProxyStatusCard } from './proxy-status-card';

/** The local proxy: toggle, base URL, settings. */
export function ProxyPage() {
  const { t } = useTranslation();
  const proxy = useKeygate((state) => state.proxy);
  return (
    <>
      <PageHeader title={t('proxy.title')} subtitle={t('proxy.subtitle')} />
      <ProxyStatusCard />
      {proxy && <ProxySettingsForm status={proxy} />}
    </>
  );
}
