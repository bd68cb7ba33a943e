import { z } from 'zod';

const text = z
  .string()
  .nullable()
  .optional()
  .transform((v) => v ?? null);
const number = z
  .number()
  .nullable()
  .optional()
  .transform((v) => v ?? null);

/**
 * One file of a `/jsonsummary` answer, reduced to the fields a notification uses.
 * Unknown fields are dropped on parse so a large answer does not stay in memory whole.
 */
export const archiveEntrySchema = z.object({
  name: z.string().min(1),
  filename: z.string().min(1),
  program_id: text,
  observation_id: text,
  data_label: text,
  telescope: text,
  instrument: text,
  ut_datetime: text,
  object: text,
  observation_class: text,
  observation_type: text,
  qa_state: text,
  exposure_time: number,
});

export type ArchiveEntry = z.output<typeof archiveEntrySchema>;

/** The archive's cap for a query constrained by night, program, observation or data label. */
export const ARCHIVE_RESULT_LIMIT = 2000;
