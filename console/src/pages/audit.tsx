import { post, query, Page } from '../api';
import { auditActions, auditActionText } from '../codes';
import { DateField } from '../components/date_field';
import { Icon } from '../components/icons';
import { Card, Empty, ErrorBox, Field, Loading, Notice, PageHeader, Pager } from '../components/ui';
import { dateTime, detailText, num } from '../format';
import { useState } from 'preact/hooks';
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
  whole_chain: boolean;
  checked: number;
  whole_chain_verified_at: string | null;
}

/** The chain's status: the server walks the whole chain once a day (or when asked here) and in
 *  between checks only what was added since, so the page stays fast with millions of entries. */
function ChainStatus() {
  const loaded = useApi<Verify>('/api/v1/audit/verify');
  const [whole, setWhole] = useState<{ data?: Verify; error?: unknown; busy: boolean }>({ busy: false });
  const data = whole.data ?? loaded.data;
  const error = whole.error ?? loaded.error;
  const verifyWhole = () => {
    setWhole({ busy: true });
    post<Verify>('/api/v1/audit/verify').then(
      (v) => setWhole({ data: v, busy: false }),
      (e) => setWhole({ error: e, busy: false }),
    );
  };
  const button = (
    <button class="btn btn-small" data-testid="verify-whole-chain" disabled={whole.busy} onClick={verifyWhole}>
      {whole.busy ? t('au_verifying') : t('au_verify_whole')}
    </button>
  );
  if (error !== undefined) return <ErrorBox error={error} />;
  if (!data) return <Notice tone="info">{t('au_chain_unknown')}</Notice>;
  if (!data.ok)
    return (
      <Notice tone="error">
        {t('au_chain_bad', { seq: data.first_bad_seq ?? '?', message: data.message })} {button}
      </Notice>
    );
  return (
    <Notice tone="success">
      <span data-testid="chain-ok">{t('au_chain_ok', { entries: num(data.entries), checkpoints: num(data.checkpoints) })}</span>{' '}
      <span class="muted small" data-testid="chain-when">
        {data.whole_chain
          ? t('au_chain_whole_now')
          : t('au_chain_whole_at', { at: dateTime(data.whole_chain_verified_at ?? ''), checked: num(data.checked) })}
      </span>{' '}
      {button}
    </Notice>
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
