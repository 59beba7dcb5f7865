/**
 * CSV cells that a spreadsheet will not run. A feed or a handler can put `=HYPERLINK(…)` or
 * `=1+2+cmd|' /C calc'!A0` in a result; opened in Excel or LibreOffice that is a formula. As
 * OWASP's "CSV Injection" page recommends, a cell starting with `=`, `+`, `-`, `@`, a tab or a
 * carriage return gets a leading `'`, which spreadsheets show as text and do not evaluate.
 * Plain numbers ("-1.25", "+3e5") are left alone: a number is never a formula, and quoting them
 * would turn every negative return in an export into text.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** `text` as a CSV cell a spreadsheet shows as text: a leading `'` when it could start a formula. */
export function csvSafe(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}
