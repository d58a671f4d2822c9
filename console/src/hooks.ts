import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { get } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** GET path (null: nothing to load); reloads when the path changes. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: path !== null });
  const [tick, setTick] = useState(0);
  const current = useRef(0);
  useEffect(() => {
    if (path === null) return;
    const id = ++current.current;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    get<T>(path).then(
      (data) => id === current.current && setState({ data, loading: false }),
      (error) => id === current.current && setState({ error, loading: false }),
    );
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Keyset paging: a stack of cursors so "previous" works without OFFSET. */
export function useCursor(resetKey: string) {
  const [stack, setStack] = useState<string[]>([]);
  useEffect(() => setStack([]), [resetKey]);
  return {
    after: stack.length ? stack[stack.length - 1] : undefined,
    page: stack.length + 1,
    forward: (next: string) => setStack((s) => [...s, next]),
    back: () => setStack((s) => s.slice(0, -1)),
  };
}

/** The value, but only after it stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms = 300): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}
