/**
 * Why a source of messages could not be read, as the command's exit code needs it (docs/commands.md#exit-codes): kept
 * apart from the IMAP client, so every command can tell them apart without loading it.
 */

/** A path given that is neither a file nor a folder: nothing is read until the command line is right (exit 2). */
export class MissingMessagePath extends Error {}

/** Fix the settings or the server first (exit 2): a refused login, a folder that does not exist. */
export class ImapRefused extends Error {}

/** The server cannot be reached, or went away mid-poll: try again later (exit 75). */
export class ImapUnavailable extends Error {}
