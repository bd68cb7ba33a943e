/** A setting that is missing or malformed: the CLI prints the message on one line and exits 2. */
export class SettingError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
  }
}
