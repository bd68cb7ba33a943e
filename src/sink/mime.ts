/** One MIME entity as MailHog shows it: raw unfolded headers, the undecoded body, and its child parts when multipart. */
export interface MimeEntity {
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: string;
  /** Bytes of the entity, headers included. */
  readonly size: number;
  /** Children of a multipart entity, null otherwise. */
  readonly parts: readonly MimeEntity[] | null;
}

/** A newline at the very start means no headers at all; otherwise the first blank line ends them. */
const HEADER_END = /^\r?\n|\r?\n\r?\n/;

export function parseMimeEntity(text: string): MimeEntity {
  const end = HEADER_END.exec(text);
  // like MailHog: without a blank line the whole text is body
  const headers = parseHeaders(end ? text.slice(0, end.index) : '');
  const body = end ? text.slice(end.index + end[0].length) : text;
  return { headers, body, size: Buffer.byteLength(text), parts: multipartChildren(headers, body) };
}

/** Every value of a header, its name matched case-insensitively. */
export function headerValues(headers: MimeEntity['headers'], name: string): readonly string[] {
  const wanted = name.toLowerCase();
  return Object.entries(headers).flatMap(([key, values]) => (key.toLowerCase() === wanted ? values : []));
}

function parseHeaders(block: string): Record<string, string[]> {
  // no prototype: a header named __proto__ must stay a header
  const headers: Record<string, string[]> = Object.create(null);
  let last: string[] | undefined;
  for (const line of block.split(/\r?\n/)) {
    if (last && /^[ \t]/.test(line)) {
      last[last.length - 1] += line; // unfold: drop the line break, keep the whitespace
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    last = headers[name] ??= [];
    last.push(line.slice(colon + 1).trimStart());
  }
  return headers;
}

function multipartChildren(headers: Record<string, string[]>, body: string): MimeEntity[] | null {
  const contentType = headerValues(headers, 'Content-Type')[0] ?? '';
  if (!/^\s*multipart\//i.test(contentType)) return null;
  const boundary = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const delimiter = boundary?.[1] ?? boundary?.[2];
  return delimiter === undefined ? [] : splitMultipart(body, delimiter).map(parseMimeEntity);
}

/** The texts between delimiter lines; the preamble and the epilogue are not parts. */
function splitMultipart(body: string, boundary: string): string[] {
  const escaped = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const delimiter = new RegExp(`^--${escaped}(--)?[ \\t]*\\r?$`, 'gm');
  const parts: string[] = [];
  let partStart: number | undefined;
  for (const match of body.matchAll(delimiter)) {
    // the line break before a delimiter belongs to the delimiter
    if (partStart !== undefined) parts.push(body.slice(partStart, match.index).replace(/\r?\n$/, ''));
    if (match[1]) return parts;
    partStart = match.index + match[0].length + 1;
  }
  if (partStart !== undefined) parts.push(body.slice(partStart)); // unterminated: keep what came
  return parts;
}
