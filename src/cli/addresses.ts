import { parseAddresses } from '../addresses/index.js';
import { jsonText } from '../text/escape.js';
import type { CommandContext } from './process-context.js';

/** `yougotdata addresses TEXT`: how an email field of the notification table parses. */
export function addressesCommand(text: string, options: { json: boolean }, context: CommandContext): number {
  const parsed = parseAddresses(text);
  if (options.json) {
    context.stdout.write(
      `${jsonText({ addresses: parsed.addresses.map((a) => ({ name: a.name, address: a.address })), rejected: parsed.rejected })}\n`,
    );
    return 0;
  }
  const lines = [
    `${parsed.addresses.length} address${parsed.addresses.length === 1 ? '' : 'es'}:`,
    ...parsed.addresses.map((a) => `  ${a.address}${a.name ? `  (${a.name})` : ''}`),
  ];
  if (parsed.rejected.length > 0) {
    lines.push(`${parsed.rejected.length} rejected (not sent to):`, ...parsed.rejected.map((r) => `  ${JSON.stringify(r)}`));
  }
  context.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
