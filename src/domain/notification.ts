/** A row of FitsStorage's `notification` table, read as it is (every column but id nullable). */
export interface Notification {
  id: number;
  label: string | null;
  selection: string | null;
  piemail: string | null;
  ngoemail: string | null;
  csemail: string | null;
}

/** The columns holding addresses: the PI's, the partner office's, the contact scientist's. */
export const EMAIL_FIELDS = ['piemail', 'ngoemail', 'csemail'] as const;
export type EmailField = (typeof EMAIL_FIELDS)[number];
