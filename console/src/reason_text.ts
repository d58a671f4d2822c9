// The engine's reasons in the user's language and number format (the table: reasons.ts).
import { money, num } from './format';
import { language } from './i18n';
import { ReasonFormat, translateReason, translateWriteoff } from './reasons';

function format(currency: string | null | undefined): ReasonFormat {
  return {
    language: language.get(),
    money: (d) => (currency ? money(d, currency) : money(d, null)),
    integer: (n) => num(n),
  };
}

/** A reason of a decision or suggestion; the server's text when no template fits. */
export function reasonText(text: string, currency?: string | null): string {
  return translateReason(text, format(currency)) ?? text;
}

/** A write-off reason; what a person typed stays as typed. */
export function writeoffText(text: string, currency?: string | null): string {
  return translateWriteoff(text, format(currency)) ?? text;
}
