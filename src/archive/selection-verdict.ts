import type { ArchiveAnswer } from './client.js';
import { confirmSelection, type SelectionReading, unrecognisedTerms, type ValidSelection } from './selection.js';

/**
 * Whether a selection may be searched, as the run judges it: by the local grammar or, for terms only the server knows,
 * by the server. `checkedBy` (so named in `why --json`): which of the two said so.
 */
export type SelectionVerdict =
  | { kind: 'valid'; selection: ValidSelection; checkedBy: 'grammar' | 'archive' }
  | { kind: 'invalid'; reason: string; checkedBy: 'grammar' | 'archive'; url: string | null }
  /** Terms only the server can confirm, and its summary page could not be read: nothing may be searched. */
  | { kind: 'unconfirmed'; unknownTerms: readonly string[]; error: string; url: string };

/**
 * The server's HTML summary names the terms it drops (docs/archive.md#unrecognised-terms); it is asked only when the
 * local grammar does not know a term, so a `<progid>/science` row costs no request. `send` and `why` share this.
 */
export async function judgeSelection(
  reading: SelectionReading,
  summaryPage: (terms: readonly string[]) => Promise<ArchiveAnswer<string>>,
): Promise<SelectionVerdict> {
  if (reading.kind === 'invalid') return { kind: 'invalid', reason: reading.reason, checkedBy: 'grammar', url: null };
  if (reading.kind === 'valid') return { kind: 'valid', selection: reading.selection, checkedBy: 'grammar' };
  const page = await summaryPage(reading.terms);
  if (!page.ok) return { kind: 'unconfirmed', unknownTerms: reading.unknownTerms, error: page.error, url: page.url };
  const confirmed = confirmSelection(reading, unrecognisedTerms(page.value));
  if (confirmed.kind === 'invalid') return { kind: 'invalid', reason: confirmed.reason, checkedBy: 'archive', url: page.url };
  return { kind: 'valid', selection: confirmed.selection, checkedBy: 'archive' };
}
