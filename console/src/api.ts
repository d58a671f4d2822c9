// The REST API client: JSON over same-origin HTTPS with the session cookie, the CSRF header on
// every state-changing call, and step-up (a fresh TOTP code) asked for and retried once on
// 403 step_up_required.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
  /** The route does not exist on this server (an API part not installed yet). */
  get missing(): boolean {
    return this.status === 404 && this.message === 'no such resource';
  }
}

export interface Page<T> {
  items: T[];
  next: string | null;
  total?: number;
}

type StepUpPrompt = () => Promise<boolean>;
type Unauthorised = () => void;

let csrfToken = '';
let stepUpPrompt: StepUpPrompt = async () => false;
let onUnauthorised: Unauthorised = () => {};

export function setCsrfToken(token: string): void {
  csrfToken = token;
}
export function csrf(): string {
  return csrfToken;
}
/** The UI registers the dialog that asks for a code; it resolves true once step-up succeeded. */
export function setStepUpPrompt(prompt: StepUpPrompt): void {
  stepUpPrompt = prompt;
}
export function setUnauthorisedHandler(handler: Unauthorised): void {
  onUnauthorised = handler;
}

function isStateChanging(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}

async function errorOf(res: Response): Promise<ApiError> {
  let code = 'http_' + res.status;
  let message = res.statusText || 'request failed';
  try {
    const body = await res.json();
    if (body?.error) {
      code = body.error.code ?? code;
      message = body.error.message ?? message;
    }
  } catch {
    /* not JSON */
  }
  return new ApiError(res.status, code, message);
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Do not treat 401 as "signed out" (the login call itself). */
  quiet401?: boolean;
}

export async function request<T>(path: string, options: RequestOptions = {}, retried = false): Promise<T> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (isStateChanging(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  if (res.ok) {
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
  const error = await errorOf(res);
  if (error.status === 401 && !options.quiet401) onUnauthorised();
  if (error.status === 403 && error.code === 'step_up_required' && !retried) {
    if (await stepUpPrompt()) return request<T>(path, options, true);
  }
  throw error;
}

export const get = <T>(path: string) => request<T>(path);
export const post = <T>(path: string, body: unknown = {}) => request<T>(path, { method: 'POST', body });
export const put = <T>(path: string, body: unknown) => request<T>(path, { method: 'PUT', body });
export const patch = <T>(path: string, body: unknown) => request<T>(path, { method: 'PATCH', body });
export const del = <T>(path: string) => request<T>(path, { method: 'DELETE' });

/** "?a=1&b=x" from the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? '?' + s : '';
}

export interface UploadOutcome {
  file: string;
  status: 'imported' | 'duplicate_file' | 'error';
  file_id?: number | string;
  statements?: number;
  entries?: number;
  duplicates?: number;
  error?: { message: string; line?: number; column?: number } | null;
}

/** POST /api/v1/uploads with the raw file, reporting progress (0..1) from XHR upload events. */
export function upload(file: File, onProgress: (fraction: number) => void): Promise<UploadOutcome> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/uploads');
    xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.setRequestHeader('X-File-Name', encodeURIComponent(file.name));
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: any = undefined;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body as UploadOutcome);
      if (xhr.status === 401) onUnauthorised();
      reject(new ApiError(xhr.status, body?.error?.code ?? 'http_' + xhr.status, body?.error?.message ?? xhr.statusText));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'network error'));
    xhr.send(file);
  });
}
