import { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { ApiError } from '../api';
import { money, sign } from '../format';
import { t, tv } from '../i18n';
import { signal, useSignal } from '../signal';

/** A ref that focuses the element once, when it appears (the autofocus attribute works only on a
 *  page's first load, not for fields a single-page app shows later). Stable: never re-focuses. */
export function focusOnMount(el: HTMLElement | null): void {
  el?.focus();
}

export function PageHeader(props: { title: string; children?: ComponentChildren; subtitle?: ComponentChildren }) {
  return (
    <header class="page-header">
      <div>
        <h1>{props.title}</h1>
        {props.subtitle && <p class="subtitle">{props.subtitle}</p>}
      </div>
      {props.children && <div class="page-actions">{props.children}</div>}
    </header>
  );
}

export function Card(props: { title?: ComponentChildren; children: ComponentChildren; class?: string; actions?: ComponentChildren }) {
  return (
    <section class={'card ' + (props.class ?? '')}>
      {(props.title || props.actions) && (
        <div class="card-head">
          {props.title && <h2>{props.title}</h2>}
          {props.actions && <div class="card-actions">{props.actions}</div>}
        </div>
      )}
      {props.children}
    </section>
  );
}

const badgeTone: Record<string, string> = {
  reconciled: 'green',
  imported: 'green',
  processed: 'blue',
  pending: 'gray',
  review: 'amber',
  unmatched: 'orange',
  error: 'red',
  duplicate_file: 'gray',
  open: 'amber',
  closed: 'green',
};

export function StatusBadge(props: { status: string | null | undefined }) {
  if (!props.status) return null;
  return <span class={'badge badge-' + (badgeTone[props.status] ?? 'gray')}>{tv('status', props.status)}</span>;
}

export function Money(props: { amount: string | number | null | undefined; currency?: string | null; colored?: boolean }) {
  const s = sign(props.amount);
  const tone = props.colored === false ? '' : s < 0 ? ' neg' : s > 0 ? ' pos' : '';
  return <span class={'money' + tone}>{money(props.amount, props.currency)}</span>;
}

export function Light(props: { color: 'green' | 'yellow' | 'red' | string; label?: string }) {
  return <span class={'light light-' + props.color} role="img" aria-label={props.label ?? props.color} title={props.label ?? props.color} />;
}

export function Loading() {
  return (
    <div class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {t('loading')}
    </div>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <div class="empty">{props.children}</div>;
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.missing) return t('err_missing_api');
    if (error.status === 0) return t('err_network');
    if (error.status === 403 && error.code === 'forbidden') return t('err_forbidden');
    return error.message;
  }
  if (error instanceof Error) return t('err_generic', { message: error.message });
  return String(error);
}

/** An error from the API as a notice; a missing API route is shown calmly, not as a failure. */
export function ErrorBox(props: { error: unknown; onRetry?: () => void }) {
  const missing = props.error instanceof ApiError && props.error.missing;
  return (
    <div class={'notice ' + (missing ? 'notice-info' : 'notice-error')} role={missing ? 'status' : 'alert'}>
      <span>{errorText(props.error)}</span>
      {props.onRetry && !missing && (
        <button class="btn btn-small" onClick={props.onRetry}>
          {t('retry')}
        </button>
      )}
    </div>
  );
}

export function Notice(props: { tone: 'info' | 'success' | 'warning' | 'error'; children: ComponentChildren }) {
  return (
    <div class={'notice notice-' + props.tone} role={props.tone === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

export function Pager(props: { page: number; hasNext: boolean; onPrev: () => void; onNext: () => void; count?: number }) {
  if (props.page <= 1 && !props.hasNext) return null;  // one page: nothing to page through
  return (
    <nav class="pager" aria-label="pagination">
      <button class="btn btn-small" disabled={props.page <= 1} onClick={props.onPrev}>
        ‹ {t('previous')}
      </button>
      <span class="pager-label">
        {t('page_n', { n: props.page })}
        {props.count !== undefined && ' · ' + t('rows_shown', { n: props.count })}
      </span>
      <button class="btn btn-small" disabled={!props.hasNext} onClick={props.onNext}>
        {t('next')} ›
      </button>
    </nav>
  );
}

export function Field(props: { label: string; children: ComponentChildren; hint?: string; class?: string }) {
  return (
    <label class={'field ' + (props.class ?? '')}>
      <span class="field-label">{props.label}</span>
      {props.children}
      {props.hint && <span class="field-hint">{props.hint}</span>}
    </label>
  );
}

/** A modal dialog: focus moves in, Escape closes, focus returns afterwards. */
export function Modal(props: { title: string; onClose: () => void; children: ComponentChildren; footer?: ComponentChildren }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>('input, select, textarea, button:not(.modal-x)');
    first?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') props.onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      before?.focus?.();
    };
  }, []);
  return (
    <div class="modal-backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div class="modal" role="dialog" aria-modal="true" aria-label={props.title} ref={ref}>
        <div class="modal-head">
          <h2>{props.title}</h2>
          <button class="modal-x" aria-label={t('close')} onClick={props.onClose}>
            ×
          </button>
        </div>
        <div class="modal-body">{props.children}</div>
        {props.footer && <div class="modal-foot">{props.footer}</div>}
      </div>
    </div>
  );
}

interface Toast {
  id: number;
  text: string;
  tone: 'success' | 'error' | 'info';
  action?: { label: string; run: () => void };
}
const toasts = signal<Toast[]>([]);
let toastId = 0;

export function toast(text: string, tone: Toast['tone'] = 'success', action?: Toast['action']): void {
  const id = ++toastId;
  toasts.set([...toasts.get(), { id, text, tone, action }]);
  setTimeout(() => toasts.set(toasts.get().filter((x) => x.id !== id)), action ? 8000 : 4000);
}

export function Toasts() {
  const list = useSignal(toasts);
  return (
    <div class="toasts" aria-live="polite">
      {list.map((x) => (
        <div key={x.id} class={'toast toast-' + x.tone}>
          <span>{x.text}</span>
          {x.action && (
            <button
              class="btn btn-small btn-ghost"
              onClick={() => {
                toasts.set(toasts.get().filter((y) => y.id !== x.id));
                x.action!.run();
              }}
            >
              {x.action.label}
            </button>
          )}
        </div>
      ))}
    </div>
  );
}

export function KeyValue(props: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="kv">
      {props.rows.map(([k, v]) => (
        <div class="kv-row" key={k}>
          <dt>{k}</dt>
          <dd>{v === '' || v === null || v === undefined ? '—' : v}</dd>
        </div>
      ))}
    </dl>
  );
}

export type Child = JSX.Element | string | number | null | false | undefined;
