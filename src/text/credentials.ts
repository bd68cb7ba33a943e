/**
 * `scheme://user:password@`: a URL's password, found by where it stands in the URL. Never by its value: a password
 * `p` replaced wherever `p` occurs turns `unexpectedly` into `unex***ectedly`, which shows the password instead.
 * The password runs to the last `@` before the host (`u:p@ss@host`); it holds no `/`, `?`, `#` or blank, which
 * would end the URL's authority, so no masking reaches past it.
 */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*):[^\s/?#]*@/gi;

/** Every URL password in `text` replaced by `***`; the rest left exactly as it was. */
export function maskCredentials(text: string): string {
  return text.replace(URL_PASSWORD, '$1:***@');
}
