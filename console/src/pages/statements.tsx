import { query, Page } from '../api';
import { Card, Empty, ErrorBox, Field, KeyValue, Loading, Money, Notice, PageHeader, Pager, StatusBadge } from '../components/ui';
import { Icon } from '../components/icons';
import { dateTime, iban, num, period } from '../format';
import { useApi, useCursor } from '../hooks';
import { t, tv } from '../i18n';
import { href, navigate, Route } from '../router';
import { EntrySummary, EntryTable } from './transactions';

export interface Statement {
  id: number | string;
  file_id: number | string;
  file_name: string;
  source: string;
  bank: string;
  account_iban: string;
  currency: string;
  period_from: string;
  period_to: string;
  opening_balance: string;
  closing_balance: string;
  entries: number | EntrySummary[];
  entry_count?: number;
  status: string;
  received_at: string;
  warnings: string[];
}

const statuses = ['pending', 'processed', 'reconciled', 'review', 'error'];
const sources = ['upload', 'inbox', 'api', 'cli'];

/** "inbox/2026-11-20.sta" or a CLI import's absolute path → "2026-11-20.sta" (the whole path in the title). */
function baseName(path: string | null | undefined): string {
  return (path ?? '').split(/[\\/]/).pop() ?? '';
}

export function Statements(props: { route: Route }) {
  const q = props.route.query;
  const filters = { account: q.get('account') ?? '', source: q.get('source') ?? '', status: q.get('status') ?? '' };
  const key = JSON.stringify(filters);
  const cursor = useCursor(key);
  const { data, error, loading, reload } = useApi<Page<Statement>>(
    '/api/v1/statements' + query({ ...filters, limit: 50, after: cursor.after }),
  );
  const set = (k: string, v: string) => navigate('/statements', { ...filters, [k]: v }, true);
  return (
    <div class="page" data-testid="page-statements">
      <PageHeader title={t('st_title')}>
        <button class="btn" onClick={reload}><Icon name="refresh" /> {t('refresh')}</button>
      </PageHeader>
      <div class="filters">
        <Field label={t('filter_status')}>
          <select class="input" value={filters.status} onChange={(e) => set('status', e.currentTarget.value)}>
            <option value="">{t('all')}</option>
            {statuses.map((s) => <option key={s} value={s}>{tv('status', s)}</option>)}
          </select>
        </Field>
        <Field label={t('filter_source')}>
          <select class="input" value={filters.source} onChange={(e) => set('source', e.currentTarget.value)}>
            <option value="">{t('all')}</option>
            {sources.map((s) => <option key={s} value={s}>{tv('source', s)}</option>)}
          </select>
        </Field>
        <Field label={t('filter_account')}>
          <input class="input mono" value={filters.account} placeholder="DE…"
            onChange={(e) => set('account', e.currentTarget.value.replace(/\s+/g, ''))} />
        </Field>
      </div>
      {error !== undefined && <ErrorBox error={error} onRetry={reload} />}
      {loading && !data && <Loading />}
      {data && (
        <Card>
          {data.items.length === 0 ? (
            <Empty>{t('st_empty')}</Empty>
          ) : (
            <div class="table-wrap">
              <table class="table table-click" data-testid="statements-table">
                <thead>
                  <tr>
                    <th>{t('st_received')}</th><th>{t('st_source')}</th><th>{t('col_account')}</th>
                    <th>{t('st_period')}</th><th class="num">{t('st_entries')}</th><th class="num">{t('st_closing')}</th>
                    <th>{t('st_status')}</th><th>{t('st_file')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((s) => (
                    <tr key={s.id} onClick={() => navigate('/statements/' + s.id)}>
                      <td class="nowrap">{dateTime(s.received_at)}</td>
                      <td>{tv('source', s.source)}</td>
                      <td class="nowrap">
                        <span class="mono">{iban(s.account_iban)}</span>
                        {s.bank && <div class="muted small">{s.bank}</div>}
                      </td>
                      <td class="nowrap">{period(s.period_from, s.period_to)}</td>
                      <td class="num">{num(typeof s.entries === 'number' ? s.entries : s.entries.length)}</td>
                      <td class="num"><Money amount={s.closing_balance} currency={s.currency} /></td>
                      <td>
                        <StatusBadge status={s.status} />
                        {s.warnings?.length > 0 && <span class="badge badge-amber" title={s.warnings.join('\n')}>⚠ {s.warnings.length}</span>}
                      </td>
                      <td><a href={href('/statements/' + s.id)} class="link ellipsis file-cell" title={s.file_name} onClick={(e) => e.stopPropagation()}>{baseName(s.file_name)}</a></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager page={cursor.page} hasNext={!!data.next} count={data.items.length} onPrev={cursor.back} onNext={() => data.next && cursor.forward(data.next)} />
        </Card>
      )}
    </div>
  );
}

export function StatementDetail(props: { id: string }) {
  const { data: s, error, loading, reload } = useApi<Statement>('/api/v1/statements/' + encodeURIComponent(props.id));
  const entries = s && Array.isArray(s.entries) ? s.entries : [];
  return (
    <div class="page" data-testid="page-statement">
      <PageHeader title={t('st_detail', { id: props.id })} subtitle={<a href="#/statements" class="link">‹ {t('st_title')}</a>}>
        {s && (
          <a class="btn" href={'/api/v1/files/' + encodeURIComponent(String(s.file_id)) + '/original'} download={s.file_name}>
            <Icon name="download" /> {t('st_download')}
          </a>
        )}
      </PageHeader>
      {error !== undefined && <ErrorBox error={error} onRetry={reload} />}
      {loading && !s && <Loading />}
      {s && (
        <>
          {s.warnings?.length > 0 && (
            <Notice tone="warning">
              <ul class="plain">{s.warnings.map((w) => <li key={w}>{w}</li>)}</ul>
            </Notice>
          )}
          <div class="grid-2">
            <Card>
              <KeyValue rows={[
                [t('col_account'), <span class="mono">{iban(s.account_iban)}</span>],
                [t('col_bank'), s.bank],
                [t('st_period'), period(s.period_from, s.period_to)],
                [t('st_status'), <StatusBadge status={s.status} />],
              ]} />
            </Card>
            <Card>
              <KeyValue rows={[
                [t('st_opening'), <Money amount={s.opening_balance} currency={s.currency} />],
                [t('st_closing'), <Money amount={s.closing_balance} currency={s.currency} />],
                [t('st_source'), tv('source', s.source)],
                [t('st_received'), dateTime(s.received_at)],
                [t('st_file'), s.file_name],
              ]} />
            </Card>
          </div>
          <Card title={t('st_entries_title') + ' (' + num(s.entry_count ?? entries.length) + ')'}>
            {entries.length ? <EntryTable entries={entries} showAccount={false} /> : <Empty>{t('tx_empty')}</Empty>}
          </Card>
        </>
      )}
    </div>
  );
}
