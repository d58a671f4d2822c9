import { useEffect, useState } from 'preact/hooks';
import { ComponentChildren } from 'preact';
import { query, Page } from '../api';
import { DateField } from '../components/date_field';
import { Card, Empty, ErrorBox, Field, KeyValue, Loading, Money, PageHeader, Pager, StatusBadge } from '../components/ui';
import { auditActionText } from '../codes';
import { date, dateTime, detailText, iban, money } from '../format';
import { useApi, useCursor, useDebounced } from '../hooks';
import { Key, t, tv } from '../i18n';
import { reasonText } from '../reason_text';
import { href, navigate, Route } from '../router';

export interface EntrySummary {
  id: number | string;
  statement_id: number | string;
  account_iban: string;
  booking_date: string;
  value_date: string;
  amount: string;
  currency: string;
  counterparty_name: string | null;
  counterparty_iban: string | null;
  purpose: string | null;
  status: string;
  end_to_end_id?: string | null;
  bank_reference?: string | null;
  pending?: boolean;
}

interface EntryDetail extends EntrySummary {
  fields: Record<string, unknown>;
  matches: { item: string | null; amount: string; decision: string; status: string; score: number | null; reasons: string[]; decided_by: string | null; decided_at: string | null }[];
  audit: { seq: number; at: string; actor: string; action: string; detail: unknown }[];
}

export function EntryTable(props: { entries: EntrySummary[]; showAccount?: boolean }) {
  return (
    <div class="table-wrap">
      <table class="table table-click" data-testid="entries-table">
        <thead>
          <tr>
            <th>{t('tx_booking')}</th>
            {props.showAccount !== false && <th>{t('col_account')}</th>}
            <th>{t('tx_counterparty')}</th><th>{t('tx_purpose')}</th><th class="num">{t('tx_amount')}</th><th>{t('tx_status')}</th>
          </tr>
        </thead>
        <tbody>
          {props.entries.map((e) => (
            <tr key={e.id} onClick={() => navigate('/transactions/' + e.id)}>
              <td class="nowrap">
                <a class="link" href={href('/transactions/' + e.id)} onClick={(ev) => ev.stopPropagation()}>{date(e.booking_date)}</a>
              </td>
              {props.showAccount !== false && <td class="mono nowrap">{iban(e.account_iban)}</td>}
              <td class="ellipsis">{e.counterparty_name || <span class="muted">—</span>}</td>
              <td class="ellipsis wide-cell" title={e.purpose ?? ''}>{e.purpose || <span class="muted">—</span>}</td>
              <td class="num"><Money amount={e.amount} currency={e.currency} /></td>
              <td>
                <StatusBadge status={e.status} />
                {e.pending && <span class="badge badge-gray">{t('tx_pending_flag')}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const statuses = ['processed', 'reconciled', 'review', 'unmatched', 'error'];
const sorts: [string, Parameters<typeof t>[0]][] = [
  ['-booking_date', 'sort_newest'],
  ['booking_date', 'sort_oldest'],
  ['-amount', 'sort_amount_desc'],
  ['amount', 'sort_amount_asc'],
];

export function Transactions(props: { route: Route }) {
  const q = props.route.query;
  const filters = {
    account: q.get('account') ?? '',
    from: q.get('from') ?? '',
    to: q.get('to') ?? '',
    status: q.get('status') ?? '',
    min: q.get('min') ?? '',
    max: q.get('max') ?? '',
    q: q.get('q') ?? '',
    sort: q.get('sort') ?? '',
  };
  const [text, setText] = useState(filters.q);
  const debounced = useDebounced(text, 350);
  useEffect(() => {
    if (debounced !== filters.q) navigate('/transactions', { ...filters, q: debounced }, true);
  }, [debounced]);
  const key = JSON.stringify(filters);
  const cursor = useCursor(key);
  const { data, error, loading, reload } = useApi<Page<EntrySummary>>('/api/v1/entries' + query({ ...filters, limit: 50, after: cursor.after }));
  const set = (k: string, v: string) => navigate('/transactions', { ...filters, [k]: v }, true);
  return (
    <div class="page" data-testid="page-transactions">
      <PageHeader title={t('tx_title')} />
      <div class="filters">
        <Field label={t('tx_search')} class="grow">
          <input class="input" type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} data-shortcut-search />
        </Field>
        <Field label={t('filter_account')}>
          <input class="input mono" value={filters.account} placeholder="DE…" onChange={(e) => set('account', e.currentTarget.value.replace(/\s+/g, ''))} />
        </Field>
        <DateField label={t('filter_from')} value={filters.from} onCommit={(v) => set('from', v)} testid="filter-from" />
        <DateField label={t('filter_to')} value={filters.to} onCommit={(v) => set('to', v)} testid="filter-to" />
        <Field label={t('filter_status')}>
          <select class="input" value={filters.status} onChange={(e) => set('status', e.currentTarget.value)}>
            <option value="">{t('all')}</option>
            {statuses.map((s) => <option key={s} value={s}>{tv('status', s)}</option>)}
          </select>
        </Field>
        <Field label={t('tx_min')}>
          <input class="input num-input" inputMode="decimal" value={filters.min} onChange={(e) => set('min', e.currentTarget.value)} />
        </Field>
        <Field label={t('tx_max')}>
          <input class="input num-input" inputMode="decimal" value={filters.max} onChange={(e) => set('max', e.currentTarget.value)} />
        </Field>
        <Field label={t('tx_sort')}>
          <select class="input" value={filters.sort} onChange={(e) => set('sort', e.currentTarget.value)}>
            {sorts.map(([v, k]) => <option key={v} value={v === '-booking_date' ? '' : v}>{t(k)}</option>)}
          </select>
        </Field>
      </div>
      {error !== undefined && <ErrorBox error={error} onRetry={reload} />}
      {loading && !data && <Loading />}
      {data && (
        <Card>
          {data.items.length ? <EntryTable entries={data.items} /> : <Empty>{t('tx_empty')}</Empty>}
          <Pager page={cursor.page} hasNext={!!data.next} count={data.items.length} onPrev={cursor.back} onNext={() => data.next && cursor.forward(data.next)} />
        </Card>
      )}
    </div>
  );
}

const fieldLabels: Record<string, Key> = {
  booking_date: 'fld_booking_date', value_date: 'fld_value_date', amount: 'fld_amount', currency: 'fld_currency',
  status: 'fld_status', reversal: 'fld_reversal', bank_reference: 'fld_bank_reference',
  customer_reference: 'fld_customer_reference', end_to_end_id: 'fld_end_to_end_id', mandate_id: 'fld_mandate_id',
  creditor_id: 'fld_creditor_id', transaction_code: 'fld_transaction_code', posting_text: 'fld_posting_text',
  counterparty: 'fld_counterparty', remittance: 'fld_remittance', structured_reference: 'fld_structured_reference',
  original_amount: 'fld_original_amount', charges: 'fld_charges', return: 'fld_return', details: 'fld_details',
  uetr: 'fld_uetr',
};

/** The parts of a nested field ("Counterparty · IBAN"). */
const subLabels: Record<string, Key> = {
  name: 'sub_name', iban: 'sub_iban', bic: 'sub_bic', iso: 'sub_iso', proprietary: 'sub_proprietary', swift: 'sub_swift',
  gvc: 'sub_gvc', amount: 'sub_amount', currency: 'sub_currency', reason: 'sub_reason', code: 'sub_code',
};

const bookingStatus: Record<string, Key> = { booked: 'booking_booked', pending: 'booking_pending', info: 'booking_info' };

/** Every parsed field as a row: nested objects flattened ("Counterparty · iban"), days, amounts
 *  and yes/no in the user's locale, the raw value in the title. */
function fieldRows(fields: Record<string, unknown>, currency: string): [string, ComponentChildren][] {
  const rows: [string, ComponentChildren][] = [];
  const value = (key: string, v: unknown): ComponentChildren => {
    if (v === null || v === undefined || v === '') return '';
    if (typeof v === 'boolean') return v ? t('yes') : t('no');
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return <span title={v}>{date(v)}</span>;
    if (key === 'amount' && (typeof v === 'string' || typeof v === 'number')) return <span class="mono small" title={String(v)}>{money(v, currency)}</span>;
    if (key.endsWith('iban') && typeof v === 'string') return <span class="mono small">{iban(v)}</span>;
    if (key === 'status' && typeof v === 'string' && bookingStatus[v]) return <span title={v}>{t(bookingStatus[v])}</span>;
    if (Array.isArray(v)) return v.length ? <span class="mono small">{v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ')}</span> : '';
    return <span class="mono small">{typeof v === 'object' ? JSON.stringify(v) : String(v)}</span>;
  };
  for (const [k, v] of Object.entries(fields)) {
    const label = fieldLabels[k] ? t(fieldLabels[k]) : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const inner = Object.entries(v as Record<string, unknown>);
      if (!inner.length) rows.push([label, '']);
      for (const [ik, iv] of inner) rows.push([label + ' · ' + (subLabels[ik] ? t(subLabels[ik]) : ik), value(ik, iv)]);
    } else {
      rows.push([label, value(k, v)]);
    }
  }
  return rows;
}

/** A match's state beside its kind: the one that was taken, the ones put aside, the ones still open. */
const matchStatus: Record<string, [Key, string]> = {
  approved: ['decision_accepted', 'badge-green'],
  rejected: ['decision_rejected', 'badge-gray'],
  proposed: ['decision_proposed', 'badge-amber'],
};

export function TransactionDetail(props: { id: string }) {
  const { data: e, error, loading, reload } = useApi<EntryDetail>('/api/v1/entries/' + encodeURIComponent(props.id));
  return (
    <div class="page" data-testid="page-transaction">
      <PageHeader title={t('tx_detail', { id: props.id })} subtitle={<a href="#/transactions" class="link">‹ {t('tx_title')}</a>} />
      {error !== undefined && <ErrorBox error={error} onRetry={reload} />}
      {loading && !e && <Loading />}
      {e && (
        <>
          <div class="hero">
            <div>
              <div class="hero-amount"><Money amount={e.amount} currency={e.currency} /></div>
              <div class="muted">{e.counterparty_name ? e.counterparty_name + ' · ' : ''}{date(e.booking_date)}</div>
            </div>
            <StatusBadge status={e.status} />
          </div>
          <div class="grid-2">
            <Card>
              <KeyValue rows={[
                [t('col_account'), <span class="mono">{iban(e.account_iban)}</span>],
                [t('tx_booking'), date(e.booking_date)],
                [t('tx_value'), date(e.value_date)],
                [t('tx_counterparty'), e.counterparty_name ?? ''],
                ['IBAN', <span class="mono">{iban(e.counterparty_iban)}</span>],
                [t('tx_purpose'), e.purpose ?? ''],
                [t('tx_statement'), <a class="link" href={href('/statements/' + e.statement_id)}>{String(e.statement_id)}</a>],
              ]} />
            </Card>
            <Card title={t('tx_fields')}>
              <KeyValue rows={fieldRows(e.fields ?? {}, e.currency)} />
            </Card>
          </div>
          <Card title={t('tx_matches')}>
            {e.matches?.length ? (
              <table class="table">
                <thead><tr><th>{t('tx_item')}</th><th class="num">{t('tx_amount')}</th><th>{t('tx_decision')}</th><th class="num">{t('tx_score')}</th><th>{t('tx_decided')}</th></tr></thead>
                <tbody>
                  {e.matches.map((m, i) => (
                    <tr key={i}>
                      <td class="mono">{m.item ?? <span class="muted" title={t('tx_no_item_hint')}>{t('tx_no_item')}</span>}</td>
                      <td class="num">{m.item === null && Number(m.amount) === 0 ? <span class="muted">—</span> : <Money amount={m.amount} currency={e.currency} />}</td>
                      <td>{tv('decision', m.decision)}{matchStatus[m.status] && <> <span class={'badge ' + matchStatus[m.status][1]}>{t(matchStatus[m.status][0])}</span></>}{m.reasons?.length ? (
                        <ul class="reasons muted small" data-testid="match-reasons">{m.reasons.map((r, k) => <li key={k} title={r}>{reasonText(r, e.currency)}</li>)}</ul>
                      ) : null}</td>
                      <td class="num">{m.score ?? ''}</td>
                      <td class="nowrap">{m.decided_by} {dateTime(m.decided_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <Empty>{t('tx_no_matches')}</Empty>
            )}
          </Card>
          <Card title={t('tx_audit')}>
            {e.audit?.length ? (
              <ol class="timeline" data-testid="entry-audit">
                {e.audit.map((a) => (
                  <li key={a.seq}>
                    <span class="timeline-at">{dateTime(a.at)}</span>
                    <span class="strong" title={a.action}>{auditActionText(a.action)}</span> <span class="muted">{a.actor}</span>
                    {detailText(a.detail) && <div class="muted small mono">{detailText(a.detail)}</div>}
                  </li>
                ))}
              </ol>
            ) : (
              <Empty>{t('tx_no_audit')}</Empty>
            )}
          </Card>
        </>
      )}
    </div>
  );
}
