import { describe, expect, it } from 'vitest';
import { type Address, parseEmailAddress, withoutRepeats } from '../../src/addresses/index.js';

function person(address: string, name: string | null = null): Address {
  const valid = parseEmailAddress(address);
  if (!valid) throw new Error(`test address ${address} is not valid`);
  return { name, address: valid };
}

describe('withoutRepeats', () => {
  it('keeps an address in the first of To, Cc, Bcc that holds it, comparing case-insensitively', () => {
    const to = [person('PI@uni.edu', 'The PI')];
    const cc = [person('pi@UNI.edu'), person('ngo@partner.org'), person('cs@gemini.edu')];
    const bcc = [person('ngo@partner.org'), person('CS@gemini.edu'), person('archive@gemini.edu')];
    expect(withoutRepeats({ to, cc, bcc })).toEqual({
      to: [person('PI@uni.edu', 'The PI')],
      cc: [person('ngo@partner.org'), person('cs@gemini.edu')],
      bcc: [person('archive@gemini.edu')],
    });
  });

  it('takes To first whatever order the keys are written in', () => {
    const shared = person('cs@gemini.edu');
    expect(withoutRepeats({ bcc: [shared], cc: [shared], to: [shared] })).toEqual({ to: [shared], cc: [], bcc: [] });
  });

  it('drops repeats within one list too, as when Cc joins ngoemail and csemail', () => {
    const cc = [person('ngo@partner.org', 'NGO'), person('cs@gemini.edu'), person('NGO@partner.org', 'Office')];
    expect(withoutRepeats({ to: [], cc, bcc: [] }).cc).toEqual([person('ngo@partner.org', 'NGO'), person('cs@gemini.edu')]);
  });

  it('treats an IDN domain and its xn-- form as one address', () => {
    const result = withoutRepeats({ to: [person('jm@müller.de')], cc: [person('jm@xn--mller-kva.de')], bcc: [] });
    expect(result.cc).toEqual([]);
  });

  it('leaves its input alone', () => {
    const to = [person('pi@uni.edu')];
    const cc = [person('pi@uni.edu')];
    withoutRepeats({ to, cc, bcc: [] });
    expect(cc).toEqual([person('pi@uni.edu')]);
  });
});
