// A parser's error message with its recurring frame (line, column, byte, field) in the user's language.
import { num } from './format';
import { t } from './i18n';

/** A parser's "file:line:column (byte N, locator): message" with the frame labelled in the user's
 *  language; the message itself stays the server's (English) text. */
export function parseFrame(message: string): { parts: string[]; detail: string } | null {
  const withLine = /^(.+?):(\d+):(\d+) \(byte (\d+)(?:, ([^)]*))?\): ([\s\S]*)$/.exec(message);
  const byteOnly = /^(.+?) \(byte (\d+)(?:, ([^)]*))?\): ([\s\S]*)$/.exec(message);
  const m = withLine ?? (byteOnly && [byteOnly[0], byteOnly[1], '', '', byteOnly[2], byteOnly[3], byteOnly[4]]);
  if (!m) return null;
  const [, , line, column, byte, locator, detail] = m;
  const parts: string[] = [];
  if (line) parts.push(t('er_at_line', { line: num(Number(line)) }));
  if (column) parts.push(t('er_at_column', { column: num(Number(column)) }));
  if (byte) parts.push(t('er_at_byte', { byte: num(Number(byte)) }));
  if (locator) parts.push(t('er_at_field', { field: locator }));
  return { parts, detail };
}
