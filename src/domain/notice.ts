import type { Mode } from './mode.js';
import type { Night } from './night.js';

/** One notification's night in one mode: what the send record keys on, and what one message announces. */
export interface NoticeKey {
  notificationId: number;
  night: Night;
  mode: Mode;
}
