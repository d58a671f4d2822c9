import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, get, post, query, Page } from '../api';
import { Icon } from '../components/icons';
import { Card, Empty, ErrorBox, Field, Loading, Money, Notice, PageHeader, StatusBadge, toast } from '../components/ui';
import { date, iban, money } from '../format';
import { useApi, useDebounced } from '../hooks';
import { t } from '../i18n';
import { reasonText, writeoffText } from '../reason_text';
import { href, navigate, Route } from '../router';
import { can } from '../session';
import { EntrySummary } from './transactions';

interface Suggestion {
  index: number;
  score: number;
  matches: { item: string; amount: string; partner?: string | null }[];
  reasons: string[];
  writeoff: { amount: string; reason: string } | null;
}

interface ReviewItem {
  entry: EntrySummary;
  suggestions: Suggestion[];
}

interface OpenItem {
  id: string;
  kind: string;
  partner: string;
  partner_name: string;
  amount: string;
  open_amount: string;
  currency: string;
  issue_date: string;
  due_date: string;
  reference: string;
  status: string;
}

const cents = (s: string | number) => Math.round(Number(s) * 100);
const fromCents = (c: number) => (c / 100).toFixed(2);

function ScoreBar(props: { score: number }) {
  const pct = Math.max(0, Math.min(100, props.score <= 1 ? props.score * 100 : props.score));
  const tone = pct >= 80 ? 'green' : pct >= 50 ? 'amber' : 'red';
  return (
    <span class="score" title={t('rv_score', { s: Math.round(pct) })}>
      <span class={'score-bar score-' + tone}><span class="score-fill" ref={(el) => { if (el) el.style.width = pct + '%'; }} /></span>
      <span class="score-num">{Math.round(pct)}</span>
    </span>
  );
}

async function undo(entryId: string | number, after: () => void) {
  try {
    await post('/api/v1/review/' + entryId + '/undo');
    toast(t('rv_undone'), 'info');
    after();
  } catch (e) {
    toast((e as Error).message, 'error');
  }
}

function isTyping(e: KeyboardEvent): boolean {
  const el = e.target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

/** Search open items and match the line to one or several (split), writing off a difference. */
function ManualMatch(props: { item: ReviewItem; searchRef: { current: HTMLInputElement | null }; onDone: () => void }) {
  const entry = props.item.entry;
  const [text, setText] = useState('');
  const q = useDebounced(text, 300);
  const [results, setResults] = useState<OpenItem[] | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setChosen({});
    setReason('');
    setText('');
  }, [entry.id]);
  useEffect(() => {
    if (!q.trim()) {
      setResults(null);
      return;
    }
    setError(undefined);
    get<Page<OpenItem>>('/api/v1/open-items' + query({ q: q.trim(), status: 'open', limit: 20 })).then(
      (p) => setResults(p.items),
      setError,
    );
  }, [q]);

  const total = Math.abs(cents(entry.amount));
  const sum = Object.values(chosen).reduce((a, v) => a + Math.abs(cents(v || '0')), 0);
  const rest = total - sum;
  const ids = Object.keys(chosen);

  const submit = async () => {
    setBusy(true);
    try {
      await post('/api/v1/review/' + entry.id + '/match', {
        matches: ids.map((id) => ({ item: id, amount: chosen[id] })),
        writeoff: rest !== 0 ? { amount: fromCents(rest), reason } : null,
      });
      toast(t('rv_accepted'), 'success', { label: t('rv_undo'), run: () => undo(entry.id, props.onDone) });
      props.onDone();
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'step_up_required')) toast((e as Error).message, 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('rv_search_title')}>
      <div class="search-box">
        <Icon name="search" />
        <input ref={(el) => { props.searchRef.current = el; }} class="input" type="search" value={text}
          placeholder={t('rv_search_placeholder')} onInput={(e) => setText(e.currentTarget.value)} aria-label={t('rv_search_title')}
          data-testid="open-item-search" />
      </div>
      {error !== undefined && <ErrorBox error={error} />}
      {results && results.length === 0 && <Empty>{t('rv_search_empty')}</Empty>}
      {results && results.length > 0 && (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr><th /><th>{t('rv_reference')}</th><th>{t('rv_partner')}</th><th>{t('rv_due')}</th><th class="num">{t('rv_open_amount')}</th><th class="num">{t('tx_amount')}</th></tr>
            </thead>
            <tbody>
              {results.map((o) => {
                const on = o.id in chosen;
                return (
                  <tr key={o.id} class={on ? 'selected' : ''}>
                    <td>
                      <input type="checkbox" checked={on} aria-label={o.id} onChange={() => {
                        const next = { ...chosen };
                        if (on) delete next[o.id];
                        else next[o.id] = fromCents(Math.min(Math.abs(cents(o.open_amount)), Math.max(rest, 0)) || Math.abs(cents(o.open_amount)));
                        setChosen(next);
                      }} />
                    </td>
                    <td class="mono">{o.id}<div class="muted small">{o.reference}</div></td>
                    <td>{o.partner_name}<div class="muted small">{o.partner}</div></td>
                    <td class="nowrap">{date(o.due_date)}</td>
                    <td class="num"><Money amount={o.open_amount} currency={o.currency} colored={false} /></td>
                    <td class="num">
                      {on && <input class="input input-small num-input" inputMode="decimal" value={chosen[o.id]}
                        aria-label={t('tx_amount')} onInput={(e) => setChosen({ ...chosen, [o.id]: e.currentTarget.value })} />}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {ids.length > 0 && (
        <div class="split-summary">
          <span>{t('rv_selected', { sum: money(fromCents(sum), entry.currency), amount: money(fromCents(total), entry.currency) })}</span>
          {rest !== 0 && <span class={rest < 0 ? 'text-error' : ''}>{t('rv_rest', { rest: money(fromCents(rest), entry.currency) })}</span>}
          {rest > 0 && (
            <>
              <Field label={t('rv_writeoff_reason')}>
                <input class="input" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
              </Field>
              {!can('approve') && <Notice tone="info">{t('rv_writeoff_needs')}</Notice>}
            </>
          )}
          <button class="btn btn-primary" disabled={busy || rest < 0 || (rest > 0 && !reason.trim())} onClick={submit}>
            {t('rv_match_selected')}
          </button>
        </div>
      )}
    </Card>
  );
}

function SuggestionCard(props: { s: Suggestion; currency: string; selected: boolean; onSelect: () => void; onAccept: () => void; canAct: boolean }) {
  const s = props.s;
  return (
    <li class={'suggestion' + (props.selected ? ' selected' : '')} onClick={props.onSelect} data-testid="suggestion">
      <div class="suggestion-head">
        <ScoreBar score={s.score} />
        <div class="suggestion-items">
          {s.matches.length === 0 && s.writeoff && <span class="chip first-cap">{writeoffText(s.writeoff.reason, props.currency)}</span>}
          {s.matches.map((m) => (
            <span key={m.item} class="chip">
              <span class="mono">{m.item}</span>
              {m.partner && <span class="muted"> · {m.partner}</span>}
              <span> · {money(m.amount, props.currency)}</span>
            </span>
          ))}
        </div>
        {props.canAct && (
          <button class="btn btn-small btn-primary" onClick={(e) => { e.stopPropagation(); props.onAccept(); }}>
            <Icon name="check" size={14} /> {t('rv_accept')}
          </button>
        )}
      </div>
      {s.reasons.length > 0 && (
        <ul class="reasons" data-testid="reasons">{s.reasons.map((r) => <li key={r} title={r}>{reasonText(r, props.currency)}</li>)}</ul>
      )}
      {s.writeoff && (
        <p class="small text-warn" data-testid="writeoff">
          {t('rv_writeoff', { amount: money(s.writeoff.amount, props.currency), reason: writeoffText(s.writeoff.reason, props.currency) })}
        </p>
      )}
    </li>
  );
}

export function Review(props: { route: Route }) {
  const mode = props.route.query.get('view') === 'table' ? 'table' : 'one';
  const { data, error, loading, reload } = useApi<Page<ReviewItem>>('/api/v1/review?limit=200');
  const [done, setDone] = useState<Set<string>>(new Set());
  const [pos, setPos] = useState(0);
  const [selected, setSelected] = useState(0);
  const searchRef = useRef<HTMLInputElement | null>(null);
  const canAct = can('review');

  const items = useMemo(() => (data?.items ?? []).filter((i) => !done.has(String(i.entry.id))), [data, done]);
  const current = items.length ? items[Math.min(pos, items.length - 1)] : undefined;
  useEffect(() => setSelected(0), [current?.entry.id]);

  const finish = (id: string | number) => setDone((d) => new Set(d).add(String(id)));
  const refresh = () => {
    setDone(new Set());
    reload();
  };

  const accept = async (item: ReviewItem, index: number) => {
    try {
      await post('/api/v1/review/' + item.entry.id + '/accept', { suggestion: index });
      finish(item.entry.id);
      toast(t('rv_accepted'), 'success', { label: t('rv_undo'), run: () => undo(item.entry.id, refresh) });
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'step_up_required')) toast((e as Error).message, 'error');
    }
  };
  const noMatch = async (item: ReviewItem) => {
    try {
      await post('/api/v1/review/' + item.entry.id + '/no-match');
      finish(item.entry.id);
      toast(t('rv_marked_no_match'), 'info', { label: t('rv_undo'), run: () => undo(item.entry.id, refresh) });
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  };
  const skip = () => setPos((p) => (items.length ? (p + 1) % items.length : 0));

  // Table view: j/k or arrows move the highlighted line, a accepts its best suggestion, n no match,
  // Enter opens it one at a time.
  const [row, setRow] = useState(0);
  useEffect(() => {
    if (mode !== 'table') return;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e) || !items.length) return;
      if (document.querySelector('.modal')) return;
      const it = items[Math.min(row, items.length - 1)];
      if (e.key === 'ArrowDown' || e.key === 'j') { e.preventDefault(); setRow((r) => Math.min(r + 1, items.length - 1)); }
      else if (e.key === 'ArrowUp' || e.key === 'k') { e.preventDefault(); setRow((r) => Math.max(r - 1, 0)); }
      else if (e.key === 'a' && canAct && it.suggestions.length) { e.preventDefault(); void accept(it, it.suggestions[0].index); }
      else if (e.key === 'n' && canAct) { e.preventDefault(); void noMatch(it); }
      else if (e.key === 'Enter' && (e.target as HTMLElement)?.tagName !== 'BUTTON' && (e.target as HTMLElement)?.tagName !== 'A') {
        e.preventDefault();
        setPos(items.indexOf(it));
        navigate('/review');
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [mode, items, row, canAct]);
  useEffect(() => {
    document.querySelector('[data-testid=review-table] tr.selected')?.scrollIntoView?.({ block: 'nearest' });
  }, [row]);

  useEffect(() => {
    if (mode !== 'one') return;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (document.querySelector('.modal')) return;  // the step-up dialog has the keys
      if (e.key === 'Escape' && isTyping(e)) return (e.target as HTMLElement).blur();
      if (isTyping(e) || !current) return;
      const s = current.suggestions;
      if (e.key === 'a' && canAct && s.length) { e.preventDefault(); void accept(current, s[Math.min(selected, s.length - 1)].index); }
      else if (e.key === 's') { e.preventDefault(); skip(); }
      else if (e.key === 'n' && canAct) { e.preventDefault(); void noMatch(current); }
      else if (e.key === '/') { e.preventDefault(); searchRef.current?.focus(); }
      else if (e.key === 'ArrowDown' || e.key === 'j') { e.preventDefault(); setSelected((x) => Math.min(x + 1, s.length - 1)); }
      else if (e.key === 'ArrowUp' || e.key === 'k') { e.preventDefault(); setSelected((x) => Math.max(x - 1, 0)); }
      else if (/^[1-9]$/.test(e.key) && Number(e.key) <= s.length) { e.preventDefault(); setSelected(Number(e.key) - 1); }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [mode, current, selected, canAct, items.length]);

  const tabs = (
    <div class="segmented" role="tablist">
      <a role="tab" aria-selected={mode === 'one'} class={mode === 'one' ? 'on' : ''} href={href('/review')}>{t('rv_one')}</a>
      <a role="tab" aria-selected={mode === 'table'} class={mode === 'table' ? 'on' : ''} href={href('/review', { view: 'table' })}>{t('rv_table')}</a>
    </div>
  );

  return (
    <div class="page" data-testid="page-review">
      <PageHeader title={t('rv_title')} subtitle={mode === 'one' ? t('rv_shortcuts') : t('rv_shortcuts_table')}>
        {tabs}
        <button class="btn" onClick={refresh}><Icon name="refresh" /> {t('refresh')}</button>
      </PageHeader>
      {error !== undefined && <ErrorBox error={error} onRetry={reload} />}
      {loading && !data && <Loading />}
      {data && items.length === 0 && <Card><Empty>{t('rv_empty')}</Empty></Card>}
      {data && current && mode === 'one' && (
        <>
          <div class="review-grid">
            <Card class="review-entry">
              <div class="review-pos muted small">{t('rv_position', { i: Math.min(pos, items.length - 1) + 1, n: items.length })}</div>
              <div class="hero-amount"><Money amount={current.entry.amount} currency={current.entry.currency} /></div>
              <div class="strong">{current.entry.counterparty_name}</div>
              <div class="mono small muted">{iban(current.entry.counterparty_iban)}</div>
              <p class="purpose">{current.entry.purpose}</p>
              <div class="muted small">
                {date(current.entry.booking_date)} · <span class="mono">{iban(current.entry.account_iban)}</span> ·{' '}
                <a class="link" href={href('/transactions/' + current.entry.id)}>{t('details')}</a>
              </div>
              <div class="review-actions">
                {canAct && current.suggestions.length > 0 && (
                  <button class="btn btn-primary" data-testid="accept"
                    onClick={() => accept(current, current.suggestions[Math.min(selected, current.suggestions.length - 1)].index)}>
                    <Icon name="check" /> {t('rv_accept')} <kbd>a</kbd>
                  </button>
                )}
                <button class="btn" onClick={skip}><Icon name="skip" /> {t('rv_skip')} <kbd>s</kbd></button>
                {canAct && (
                  <button class="btn btn-danger-ghost" onClick={() => noMatch(current)}><Icon name="x" /> {t('rv_no_match')} <kbd>n</kbd></button>
                )}
              </div>
            </Card>
            <Card title={t('rv_suggestions')} class="review-suggestions">
              {current.suggestions.length ? (
                <ol class="suggestions">
                  {current.suggestions.map((s, i) => (
                    <SuggestionCard key={s.index} s={s} currency={current.entry.currency} selected={i === selected} canAct={canAct}
                      onSelect={() => setSelected(i)} onAccept={() => accept(current, s.index)} />
                  ))}
                </ol>
              ) : (
                <Empty>{t('rv_no_suggestions')}</Empty>
              )}
            </Card>
          </div>
          {canAct && <ManualMatch item={current} searchRef={searchRef} onDone={() => finish(current.entry.id)} />}
        </>
      )}
      {data && items.length > 0 && mode === 'table' && (
        <Card>
          <div class="table-wrap">
            <table class="table" data-testid="review-table">
              <thead>
                <tr><th>{t('tx_booking')}</th><th>{t('tx_counterparty')}</th><th>{t('tx_purpose')}</th><th class="num">{t('tx_amount')}</th><th>{t('rv_best')}</th><th /></tr>
              </thead>
              <tbody>
                {items.map((it, i) => {
                  const best = it.suggestions[0];
                  const on = i === Math.min(row, items.length - 1);
                  return (
                    <tr key={it.entry.id} class={on ? 'selected' : ''} aria-selected={on} onClick={() => setRow(i)}>
                      <td class="nowrap"><a class="link" href={href('/transactions/' + it.entry.id)}>{date(it.entry.booking_date)}</a></td>
                      <td class="ellipsis">{it.entry.counterparty_name || <span class="muted">—</span>}</td>
                      <td class="ellipsis wide-cell" title={it.entry.purpose ?? ''}>{it.entry.purpose || <span class="muted">—</span>}</td>
                      <td class="num"><Money amount={it.entry.amount} currency={it.entry.currency} /></td>
                      <td>
                        {best ? (
                          <span class="best">
                            <ScoreBar score={best.score} />{' '}
                            {best.matches.length ? <span class="mono small">{best.matches.map((m) => m.item).join(', ')}</span>
                              : best.writeoff ? <span class="small first-cap">{writeoffText(best.writeoff.reason, it.entry.currency)}</span> : null}
                          </span>
                        ) : <StatusBadge status="unmatched" />}
                      </td>
                      <td class="nowrap right">
                        {canAct && best && <button class="btn btn-small btn-primary" onClick={() => accept(it, best.index)}>{t('rv_accept')}</button>}{' '}
                        <button class="btn btn-small" onClick={() => { setPos(items.indexOf(it)); navigate('/review'); }}>{t('details')}</button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </Card>
      )}
    </div>
  );
}
