/**
 * One message from a stream (the mail server's pipe on stdin): its head up to a limit is kept, and the rest is read
 * and counted, never left unread: a pipe whose reader stops early fails the delivery, and the mail server would
 * bounce the bounce.
 */

export interface MessageHead {
  bytes: Uint8Array;
  /** Every byte the stream gave. */
  size: number;
}

export async function readMessageHead(stream: AsyncIterable<Buffer | string>, limit: number): Promise<MessageHead> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (kept < limit) {
      const part = bytes.subarray(0, limit - kept);
      chunks.push(part);
      kept += part.length;
    }
  }
  return { bytes: Buffer.concat(chunks), size };
}
