import Handlebars from 'handlebars';
import type { StoredEntry } from './terms.js';

const SUMMARY_COLUMNS: readonly [heading: string, field: string][] = [
  ['Filename', 'filename'],
  ['Data Label', 'data_label'],
  ['UT Date Time', 'ut_datetime'],
  ['Inst', 'instrument'],
  ['Obs Class', 'observation_class'],
  ['Obs Type', 'observation_type'],
  ['Object', 'object'],
  ['QA', 'qa_state'],
];

/** Every value a page shows came from a URL or a PI's header: never markup. Escaped as the preview page escapes. */
const { escapeExpression: escapeHtml } = Handlebars;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body>\n${body}\n</body></html>\n`;
}

function termsTitle(terms: readonly string[]): string {
  return `Gemini Archive: ${terms.join('/')}`;
}

function summaryRow(entry: StoredEntry): string {
  const cells = SUMMARY_COLUMNS.map(([, field]) => `<td>${escapeHtml(String(entry.fields[field] ?? ''))}</td>`);
  return `<tr>${cells.join('')}</tr>`;
}

/** The archive's wording, which the job looks for: each term followed by a space. */
function unrecognisedWarning(unrecognised: readonly string[]): string {
  if (unrecognised.length === 0) return '';
  const terms = unrecognised.map((term) => `${escapeHtml(term)} `).join('');
  return `<H4>WARNING: I didn't recognize the following search terms: ${terms}</H4>\n`;
}

export function summaryPage(terms: readonly string[], entries: readonly StoredEntry[], unrecognised: readonly string[]): string {
  const headings = SUMMARY_COLUMNS.map(([heading]) => `<th>${heading}</th>`).join('');
  const table = `<table>\n<tr>${headings}</tr>\n${entries.map(summaryRow).join('\n')}\n</table>`;
  return page(termsTitle(terms), `${unrecognisedWarning(unrecognised)}<p>${entries.length} files</p>\n${table}`);
}

export function searchFormPage(terms: readonly string[]): string {
  const action = `/searchform/${terms.map(encodeURIComponent).join('/')}`;
  return page(
    'Gemini Observatory Archive Search Form',
    `<h1>Search</h1>\n<form action="${escapeHtml(action)}"><input name="terms" value="${escapeHtml(terms.join('/'))}"></form>`,
  );
}

export function errorPage(status: number, reason: string): string {
  return page(`${status} Error`, `<h1>${status} Error</h1>\n<p>${escapeHtml(reason)}</p>`);
}

/** What a proxy in front of the archive serves, with a 200, while the archive is down. */
export function maintenancePage(): string {
  return page('Gemini Observatory Archive', '<h1>The archive is undergoing maintenance</h1>\n<p>Please try again later.</p>');
}
