import { useState } from 'preact/hooks';
import { ApiError, post, Page } from '../api';
import { Icon } from '../components/icons';
import { Card, Empty, ErrorBox, KeyValue, Light, Loading, PageHeader, toast } from '../components/ui';
import { dateTime, iban } from '../format';
import { useApi } from '../hooks';
import { t } from '../i18n';
import { can } from '../session';

interface Connector {
  name: string;
  type: string;
  enabled: boolean;
  state: string;
  last_success: string | null;
  last_error: string | null;
  consent_expires_at: string | null;
  next_run: string | null;
  accounts: string[];
  light?: string;
}

interface LogLine {
  at: string;
  account: string;
  outcome: string;
  status: number | string;
  request_id: string;
  message: string;
}

function lightOf(c: Connector): 'green' | 'yellow' | 'red' {
  if (c.light === 'green' || c.light === 'yellow' || c.light === 'red') return c.light;
  if (!c.enabled) return 'yellow';
  if (c.last_error && (!c.last_success || c.last_error > c.last_success)) return 'red';
  if (c.consent_expires_at && new Date(c.consent_expires_at).getTime() - Date.now() < 7 * 86400e3) return 'yellow';
  return c.last_success ? 'green' : 'yellow';
}

function ConnectorLog(props: { name: string }) {
  const { data, error, loading } = useApi<Page<LogLine>>('/api/v1/connectors/' + encodeURIComponent(props.name) + '/log?limit=10');
  if (error !== undefined) return <ErrorBox error={error} />;
  if (loading && !data) return <Loading />;
  if (!data?.items.length) return <Empty>{t('cn_no_log')}</Empty>;
  return (
    <table class="table table-compact">
      <thead><tr><th>{t('er_at')}</th><th>{t('col_account')}</th><th>{t('cn_outcome')}</th><th>{t('er_message')}</th></tr></thead>
      <tbody>
        {data.items.map((l, i) => (
          <tr key={i}>
            <td class="nowrap">{dateTime(l.at)}</td>
            <td class="mono nowrap">{iban(l.account)}</td>
            <td>{l.outcome} {l.status ? <span class="muted">({l.status})</span> : null}</td>
            <td class="small">{l.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Connectors() {
  const { data, error, loading, reload } = useApi<Page<Connector>>('/api/v1/connectors');
  const [open, setOpen] = useState<string | null>(null);
  const [consentUrl, setConsentUrl] = useState<Record<string, string>>({});
  const admin = can('manage_connectors');

  const run = async (c: Connector) => {
    try {
      const r = await post<{ job_id: string | number }>('/api/v1/connectors/' + encodeURIComponent(c.name) + '/run');
      toast(t('cn_started', { id: r?.job_id ?? '?' }));
      setTimeout(reload, 1500);
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  };
  const reauth = async (c: Connector) => {
    try {
      const r = await post<{ url: string }>('/api/v1/connectors/' + encodeURIComponent(c.name) + '/consent');
      setConsentUrl({ ...consentUrl, [c.name]: r.url });
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'step_up_required')) toast((e as Error).message, 'error');
    }
  };

  return (
    <div class="page" data-testid="page-connectors">
      <PageHeader title={t('cn_title')}>
        <button class="btn" onClick={reload}><Icon name="refresh" /> {t('refresh')}</button>
      </PageHeader>
      {error !== undefined && <ErrorBox error={error} onRetry={reload} />}
      {loading && !data && <Loading />}
      {data && data.items.length === 0 && <Card><Empty>{t('cn_empty')}</Empty></Card>}
      <div class="cards">
        {data?.items.map((c) => (
          <Card key={c.name} title={<span class="row-gap"><Light color={lightOf(c)} label={c.state} /> {c.name} <span class="muted small">{c.type}{!c.enabled && ' · ' + t('cn_disabled')}</span></span>}
            actions={admin && (
              <>
                <button class="btn btn-small" onClick={() => run(c)}><Icon name="play" size={14} /> {t('cn_run')}</button>
                <button class="btn btn-small" onClick={() => reauth(c)}><Icon name="key" size={14} /> {t('cn_reauth')}</button>
              </>
            )}>
            <KeyValue rows={[
              [t('st_status'), c.state],
              [t('cn_last_success'), dateTime(c.last_success)],
              [t('cn_last_error'), c.last_error ? <span class="text-error">{c.last_error}</span> : ''],
              [t('cn_consent'), dateTime(c.consent_expires_at)],
              [t('cn_next'), dateTime(c.next_run)],
              [t('cn_accounts'), <span class="mono small">{c.accounts?.map(iban).join(', ')}</span>],
            ]} />
            {consentUrl[c.name] && (
              <p><a class="btn btn-primary" href={consentUrl[c.name]} target="_blank" rel="noopener noreferrer">{t('cn_open_bank')}</a></p>
            )}
            <button class="link" onClick={() => setOpen(open === c.name ? null : c.name)} aria-expanded={open === c.name}>
              {open === c.name ? '▾' : '▸'} {t('cn_log')}
            </button>
            {open === c.name && <ConnectorLog name={c.name} />}
          </Card>
        ))}
      </div>
    </div>
  );
}
