import { drained } from './drained.js';

const OUTPUT_CHUNK = 64 * 1024;

/** Writes the pieces in chunks of about 64 KiB, waiting whenever the stream asks to: a long report is never one string. */
export async function writePieces(stream: NodeJS.WritableStream, pieces: Iterable<string>): Promise<void> {
  let chunk = '';
  const write = async (text: string) => {
    if (!stream.write(text)) await drained(stream);
  };
  for (const piece of pieces) {
    chunk += piece;
    if (chunk.length >= OUTPUT_CHUNK) {
      await write(chunk);
      chunk = '';
    }
  }
  if (chunk) await write(chunk);
}
