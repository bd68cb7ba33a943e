/**
 * "Did you mean …?" for `yougotdata why TEXT` when no notification's id, label or selection matches:
 * the rows whose program ids or other selection terms are a typo away from TEXT, or whose email
 * fields contain it (a PI asking about their mail gives their address, not their program id).
 */
import { selectionTerms } from '../../archive/selection.js';
import { compactTerm, editDistance } from '../../archive/selection-suggest.js';
import { EMAIL_FIELDS, type Notification } from '../../domain/notification.js';

export interface NearMatch {
  id: number;
  label: string | null;
  selection: string | null;
  /** Why it was suggested, e.g. `selection term "GN-2026B-Q-101"` or `piemail contains "jane"`. */
  reason: string;
}

/** The pieces of a row a person might type: each selection term, the label and each word of it. */
function candidatesOf(notification: Notification): { text: string; where: string }[] {
  const label = notification.label ?? '';
  return [
    ...selectionTerms(notification.selection).map((text) => ({ text, where: 'selection term' })),
    { text: label.trim(), where: 'label' },
    ...label.split(/[\s/,;:()[\]]+/).map((word) => ({ text: word, where: 'label word' })),
  ].filter((candidate) => compactTerm(candidate.text).length >= 3);
}

/** Edits allowed for a query of this many letters and digits: none under 4, at most 3. */
const allowedEdits = (length: number): number => Math.min(3, Math.floor(length / 4));

/**
 * The rows nearest to `text`, best first, at most `limit`: an email field containing it, a selection term or
 * label equal to it but for case and punctuation, then those a few edits away (more edits allowed for longer text).
 */
export function nearMatches(text: string, notifications: readonly Notification[], limit = 5): NearMatch[] {
  const query = compactTerm(text);
  const needle = text.trim().toLowerCase();
  const scored: (NearMatch & { score: number })[] = [];
  for (const notification of notifications) {
    const base = { id: notification.id, label: notification.label, selection: notification.selection };
    const email = needle.length >= 3 ? EMAIL_FIELDS.find((field) => notification[field]?.toLowerCase().includes(needle)) : undefined;
    if (email) {
      scored.push({ ...base, score: 0, reason: `${email} contains ${JSON.stringify(text.trim())}` });
      continue;
    }
    if (query.length < 3) continue;
    let best: { score: number; reason: string } | undefined;
    for (const candidate of candidatesOf(notification)) {
      const distance = editDistance(query, compactTerm(candidate.text));
      if (distance > allowedEdits(query.length) && distance !== 0) continue;
      if (!best || distance < best.score) best = { score: distance, reason: `${candidate.where} ${JSON.stringify(candidate.text)}` };
    }
    if (best) scored.push({ ...base, ...best });
  }
  return scored
    .sort((x, y) => x.score - y.score || x.id - y.id)
    .slice(0, limit)
    .map(({ score: _score, ...match }) => match);
}
