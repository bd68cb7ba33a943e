import type { Night } from './night.js';
import type { EmailField } from './notification.js';

/** PI mode mails the PI about new data from the archive; CHECK mode mails the contact scientist about data set to QA CHECK. */
export type Mode = 'pi' | 'check';

export const MODES: readonly Mode[] = ['pi', 'check'];

/** What a mode means, in one place: the rest of the code asks its mode's profile, and never compares modes. */
export interface ModeProfile {
  /** How reports, mail and support output name it. */
  name: 'PI' | 'CHECK';
  /** The option of `send` and `why` that chooses it; none for PI mode, the default. */
  option: '--check' | null;
  /** The field mailed To, and those mailed Cc. */
  to: EmailField;
  cc: readonly EmailField[];
  /** Whether messages carry `EMAIL_REPLY_TO`: a PI may answer; a contact scientist needs no one to answer to. */
  replyTo: boolean;
  server: {
    /** The setting that names the server searched. */
    setting: 'ARCHIVE_URL' | 'FITS_SERVER_URL';
    /** How messages name it ("the summit FITS server is unavailable"), and how `why` does ("the summit server has…"). */
    name: string;
    shortName: string;
  };
  /** Exactly the old job's subjects: people filter their mail on them. */
  subjectPrefix: string;
  /** A term every search of the mode adds to the selection's: CHECK mode asks only for files in QA state CHECK. */
  extraTerm: string | null;
}

const PROFILES: Record<Mode, ModeProfile> = {
  pi: {
    name: 'PI',
    option: null,
    to: 'piemail',
    cc: ['ngoemail', 'csemail'],
    replyTo: true,
    server: { setting: 'ARCHIVE_URL', name: 'the archive', shortName: 'archive' },
    subjectPrefix: 'New Data for',
    extraTerm: null,
  },
  check: {
    name: 'CHECK',
    option: '--check',
    to: 'csemail',
    cc: [],
    replyTo: false,
    server: { setting: 'FITS_SERVER_URL', name: 'the summit FITS server', shortName: 'summit server' },
    subjectPrefix: 'Data set to CHECK for',
    extraTerm: 'CHECK',
  },
};

export const profileOf = (mode: Mode): ModeProfile => PROFILES[mode];

/** The command that sends a night again: all of it, or one notification (`--match ID`). */
export const sendCommandFor = (night: Night, mode: Mode, id?: number): string =>
  `yougotdata send --date ${night}${optionText(mode)}${id === undefined ? '' : ` --match ${id}`}`;

/** ` --check`, or nothing: the mode's option as it follows a command. */
export const optionText = (mode: Mode): string => {
  const { option } = profileOf(mode);
  return option === null ? '' : ` ${option}`;
};
