/** Resolves when the stream can take more, or will never take more (closed, or failed): a gone reader never hangs the writer. */
export function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const events = ['drain', 'close', 'error'] as const;
    const done = () => {
      for (const event of events) stream.removeListener(event, done);
      resolve();
    };
    for (const event of events) stream.once(event, done);
  });
}
