import { query, Page } from '../api';
import { auditActions, auditActionText } from '../codes';
import { DateField } from '../components/date_field';
import { Icon } from '../components/icons';
import { Card, Empty, ErrorBox, Field, Loading, Notice, PageHeader, Pager } from '../components/ui';
import { dateTime, detailText, num } from '../format';
import { useApi, useCursor } from '../hooks';
import { t } from '../i18n';
import { navigate, Route } from '../router';

interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  object: string;
  detail: unknown;
  hash: string;
}
interface Verify {
  ok: boolean;
  entries: number;
  checkpoints: number;
  first_bad_seq: number | null;
  message: string;
}

function ChainStatus() {
  const { data, error } = useApi<Verify>('/api/v1/audit/verify');
  if (error !== undefined) return <ErrorBox error={error} />;
  if (!data) return <Notice tone="info">{t('au_chain_unknown')}</Notice>;
  return data.ok ? (
    <Notice tone="success"><span data-testid="chain-ok">{t('au_chain_ok', { entries: num(data.entries), checkpoints: num(data.checkpoints) })}</span></Notice>
  ) : (
    <Notice tone="error">{t('au_chain_bad', { seq: data.first_bad_seq ?? '?', message: data.message })}</Notice>
  );
}

/** The actions to filter by: the code (what the filter takes), named in the user's language. */
function actionChoices(): [string, string][] {
  return Object.keys(auditActions)
    .map((code): [string, string] => [code, auditActionText(code)])
    .sort((a, b) => a[1].localeCompare(b[1]));
}

export function Audit(props: { route: Route }) {
  const q = props.route.query;
  const filters = { actor: q.get('actor') ?? '', action: q.get('action') ?? '', object: q.get('object') ?? '', from: q.get('from') ?? '', to: q.get('to') ?? '' };
  const key = JSON.stringify(filters);
  const cursor = useCursor(key);
  const { data, error, loading, reload } = useApi<Page<AuditEntry>>('/api/v1/audit' + query({ ...filters, limit: 100, after: cursor.after }));
  const set = (k: string, v: string) => navigate('/audit', { ...filters, [k]: v }, true);
  return (
    <div class="page" data-testid="page-audit">
      <PageHeader title={t('au_title')}>
        <a class="btn" href={'/api/v1/audit/export' + query({ from: filters.from, to: filters.to })} download="bankrec-audit.jsonl">
          <Icon name="download" /> {t('au_export')}
        </a>
      </PageHeader>
      <ChainStatus />
      <div class="filters">
        <Field label={t('au_actor')}><input class="input" value={filters.actor} onChange={(e) => set('actor', e.currentTarget.value)} /></Field>
        <Field label={t('au_action')}>
          <input class="input mono" list="audit-actions" value={filters.action} onChange={(e) => set('action', e.currentTarget.value.trim())} />
          <datalist id="audit-actions">
            {actionChoices().map(([code, label]) => <option key={code} value={code} label={label} />)}
          </datalist>
        </Field>
        <Field label={t('au_object')}><input class="input" value={filters.object} onChange={(e) => set('object', e.currentTarget.value)} /></Field>
        <DateField label={t('filter_from')} value={filters.from} onCommit={(v) => set('from', v)} testid="filter-from" />
        <DateField label={t('filter_to')} value={filters.to} onCommit={(v) => set('to', v)} testid="filter-to" />
      </div>
      {error !== undefined && <ErrorBox error={error} onRetry={reload} />}
      {loading && !data && <Loading />}
      {data && (
        <Card>
          {data.items.length === 0 ? (
            <Empty>{t('au_empty')}</Empty>
          ) : (
            <div class="table-wrap">
              <table class="table" data-testid="audit-table">
                <thead><tr><th class="num">{t('au_seq')}</th><th>{t('au_at')}</th><th>{t('au_actor')}</th><th>{t('au_action')}</th><th>{t('au_object')}</th><th>{t('au_detail')}</th></tr></thead>
                <tbody>
                  {data.items.map((a) => (
                    <tr key={a.seq}>
                      <td class="num mono">{a.seq}</td>
                      <td class="nowrap">{dateTime(a.at)}</td>
                      <td>{a.actor}</td>
                      <td class="nowrap"><span class="chip" title={a.action} data-testid="audit-action">{auditActionText(a.action)}</span></td>
                      <td class="mono small">{a.object}</td>
                      <td class="small wide-cell ellipsis mono" title={detailText(a.detail)}>{detailText(a.detail)}</td>
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
