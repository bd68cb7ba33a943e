import type { Night } from '../../src/domain/night.js';
import type { Result } from '../../src/domain/result.js';

/** The night of result(). */
export const RESULT_NIGHT = '20261126' as Night;

/** A PI result for notification 1 on RESULT_NIGHT with no data, with the given fields changed. */
export const result = (over: Partial<Result>): Result => ({
  id: 1,
  label: 'Auto - GN-2026B-Q-1',
  selection: 'GN-2026B-Q-1/science',
  night: RESULT_NIGHT,
  status: 'no-data',
  files: 0,
  to: [],
  cc: [],
  rejected: [],
  refused: [],
  error: null,
  notTried: null,
  messageId: null,
  url: null,
  ...over,
});
