/**
 * Where a fix to a notification row has to be made for it to last. FitsStorage's program sync finds a program's row
 * by its exact label `Auto - <program id>` and copies the program's PI, partner office and contact scientist
 * addresses from the observing database into it every day: an edit of those columns is undone by the next sync,
 * so the fix belongs in the program's record. It writes the selection (`<program id>/science`) only when it
 * creates the row, so a selection edited since then was edited here, and is fixed here. Rows staff added by hand
 * are fixed in the table. `audit` and `why` both give their advice through this rule.
 */
import { isProgramId } from '../archive/selection-grammar.js';
import type { EmailField, Notification } from '../domain/notification.js';
import { sentence } from '../text/words.js';

/** `sync`: the program sync maintains the row. `manual`: staff added it, and only an edit of the table changes it. */
export type RowSource = 'sync' | 'manual';

/** The column a problem is about: an email column, the selection, or none (a problem of the row as a whole). */
export type ProblemField = EmailField | 'selection' | null;

const SYNC_LABEL = /^Auto - (.+)$/;

/** The label the sync gives a program's row, the one `SYNC_LABEL` reads. */
export const syncLabelOf = (programId: string): string => `Auto - ${programId}`;

/** The program whose sync maintains the row, from its label exactly as the sync writes it; null for any other row. */
export function syncedProgramOf(label: string | null): string | null {
  const id = label === null ? undefined : SYNC_LABEL.exec(label)?.[1];
  return id !== undefined && isProgramId(id) ? id : null;
}

export const rowSourceOf = (notification: Pick<Notification, 'label'>): RowSource =>
  syncedProgramOf(notification.label) === null ? 'manual' : 'sync';

/** The selection the sync gives a program's row when it creates it. */
export const syncedSelectionOf = (programId: string): string => `${programId}/science`;

/** Who each email column names, as the program's record in the observing database calls them. */
export const FIELD_ROLE: Record<EmailField, string> = {
  piemail: 'PI',
  ngoemail: 'partner office (NGO)',
  csemail: 'contact scientist',
};

/** The change a problem asks for, in the two places it can be made; each an imperative clause without a full stop. */
export interface FixChange {
  /** The edit of the table row, e.g. `put the PI's address in piemail`. */
  row: string;
  /** The correction of the program's record, e.g. `give the program a PI email address`. */
  source: string;
  /** The job already copes (it skips the piece and mails the rest): nothing needs doing for the mail to go out. */
  harmless?: boolean;
}

export interface FixAdvice {
  source: RowSource;
  fix: string;
}

/** The program's record, named so support can find it. */
const recordOf = (programId: string): string =>
  `the observing database's contact details for program ${programId} (from its Phase I/II proposal)`;

/**
 * The advice for a change to `field` of a row. For a synced row's email column (or the row as a whole) it names
 * the program's record, never an edit of the row, which the next sync would undo; for a harmless piece it says
 * nothing needs doing. For a row added by hand, and a synced row's selection, it is the edit of the row.
 */
export function fixAdvice(notification: Pick<Notification, 'id' | 'label'>, field: ProblemField, change: FixChange): FixAdvice {
  const programId = syncedProgramOf(notification.label);
  const row = `#${notification.id}`;
  const tidy = (fix: string) => (change.harmless ? `nothing needs doing for the mail to go out; to tidy it: ${fix}` : fix);
  if (programId === null) return { source: 'manual', fix: sentence(tidy(`edit row ${row} (added by hand): ${change.row}`)) };
  if (field === 'selection') {
    const lasts = `synced for ${programId}, but the sync writes a selection only when it creates the row, so this edit lasts`;
    return { source: 'sync', fix: sentence(tidy(`edit row ${row} (${lasts}): ${change.row}`)) };
  }
  const undone = `the sync copies it into row ${row} each day, so an edit of the row would be undone`;
  const atSource = `${change.source} in ${recordOf(programId)}; ${undone}`;
  return { source: 'sync', fix: sentence(tidy(atSource)) };
}
