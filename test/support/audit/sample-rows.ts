import { expect } from 'vitest';
import type { Notification } from '../../../src/domain/notification.js';
import type { Problem, ProblemKind } from '../../../src/support/audit/problem.js';
import { type AuditRequest, auditNotifications } from '../../../src/support/audit/report.js';

/** A clean row of a synced program: nothing to report. */
export const synced = (id: number, extra: Partial<Notification> = {}): Notification => ({
  id,
  label: `Auto - GN-2026B-Q-${id}`,
  selection: `GN-2026B-Q-${id}/science`,
  piemail: `pi${id}@uni.test`,
  ngoemail: 'ngo@partner.test',
  csemail: `cs${id}@gemini.edu`,
  ...extra,
});

/** A clean row staff added by hand. */
export const manual = (id: number, extra: Partial<Notification> = {}): Notification => ({
  ...synced(id),
  label: `Extra mail for program ${id}`,
  ...extra,
});

export const audit = (rows: Notification[], options?: AuditRequest) => auditNotifications(rows, options);
export const kinds = (rows: Notification[], options?: AuditRequest): ProblemKind[] => audit(rows, options).problems.map((p) => p.kind);
export const only = (rows: Notification[], kind: ProblemKind, options?: AuditRequest): Problem[] =>
  audit(rows, options).problems.filter((p) => p.kind === kind);
export const one = (rows: Notification[], kind: ProblemKind, options?: AuditRequest): Problem => {
  const found = only(rows, kind, options);
  expect(found).toHaveLength(1);
  return found[0]!;
};
