// A day typed in the user's language, not the browser's: <input type="date"> shows Chromium's own
// locale (mm/dd/yyyy for a German user with an English browser). The field shows the day with the
// format helpers (31.01.2026 in German, 31/01/2026 in en-GB), reads what people type (31.1.26,
// 31.1. for this year, ISO 2026-01-31), and hands the ISO day to the page on Enter or when focus
// leaves. An impossible day (31.02.2026) is named inline and not applied. Arrow up and down move
// the day by one, Page up and down by a month; Escape restores the applied day.
import { useEffect, useRef, useState } from 'preact/hooks';
import { addDays, date, dayFormat, parseDay } from '../format';
import { language, locale, t } from '../i18n';
import { useSignal } from '../signal';

let fieldId = 0;

function addMonths(day: string, months: number): string {
  const y = +day.slice(0, 4);
  const m = +day.slice(5, 7) - 1 + months;
  const year = y + Math.floor(m / 12);
  const month = ((m % 12) + 12) % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const d = Math.min(+day.slice(8, 10), last);
  return `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function DateField(props: {
  label: string;
  /** the applied day, ISO (YYYY-MM-DD), or "" */
  value: string;
  onCommit: (iso: string) => void;
  testid?: string;
}) {
  useSignal(language);
  useSignal(locale);
  const [id] = useState(() => 'date-field-' + ++fieldId);
  const shown = (iso: string) => (iso ? date(iso) : '');
  const [text, setText] = useState(shown(props.value));
  const [error, setError] = useState<string | null>(null);
  const editing = useRef(false);
  const fmt = dayFormat();

  // A new applied day (the URL changed, the language changed) replaces the text unless the person is typing.
  useEffect(() => {
    if (!editing.current) {
      setText(shown(props.value));
      setError(null);
    }
  }, [props.value, locale.get(), language.get()]);

  const commit = (raw: string) => {
    editing.current = false;
    const r = parseDay(raw);
    if ('error' in r) {
      setError(r.error === 'invalid' ? t('df_bad_day', { text: raw.trim() }) : t('df_bad_format', { pattern: fmt.pattern }));
      return;
    }
    setError(null);
    setText(shown(r.ok));
    if (r.ok !== props.value) props.onCommit(r.ok);
  };

  const step = (e: KeyboardEvent, move: (day: string) => string) => {
    e.preventDefault();
    const r = parseDay(text);
    const from = 'ok' in r && r.ok ? r.ok : props.value || new Date().toISOString().slice(0, 10);
    editing.current = true;
    setError(null);
    setText(shown(move(from)));
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    switch (e.key) {
      case 'Enter':
        e.preventDefault();
        commit((e.currentTarget as HTMLInputElement).value);
        break;
      case 'Escape':
        if (editing.current || error) {
          e.preventDefault();
          e.stopPropagation();
          editing.current = false;
          setError(null);
          setText(shown(props.value));
        }
        break;
      case 'ArrowUp':
        step(e, (d) => addDays(d, 1));
        break;
      case 'ArrowDown':
        step(e, (d) => addDays(d, -1));
        break;
      case 'PageUp':
        step(e, (d) => addMonths(d, 1));
        break;
      case 'PageDown':
        step(e, (d) => addMonths(d, -1));
        break;
    }
  };

  return (
    <div class="field field-date" data-testid={props.testid}>
      <label class="field-label" for={id}>{props.label}</label>
      <input
        id={id}
        class={'input date-input' + (error ? ' input-invalid' : '')}
        type="text"
        autocomplete="off"
        spellcheck={false}
        placeholder={fmt.pattern}
        value={text}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={id + '-hint' + (error ? ' ' + id + '-error' : '')}
        onInput={(e) => {
          editing.current = true;
          setText(e.currentTarget.value);
          if (error) setError(null);
        }}
        onKeyDown={onKeyDown}
        onBlur={(e) => editing.current && commit(e.currentTarget.value)}
      />
      <span id={id + '-hint'} class="visually-hidden">{t('df_hint', { pattern: fmt.pattern })}</span>
      {error && <span id={id + '-error'} class="field-error" role="alert">{error}</span>}
    </div>
  );
}
