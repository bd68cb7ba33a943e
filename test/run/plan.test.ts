import { describe, expect, it } from 'vitest';
import { type EmailAddress, parseEmailAddress } from '../../src/addresses/index.js';
import type { Notification } from '../../src/domain/notification.js';
import { planNotification, recipientsOf } from '../../src/run/plan.js';

const row = (over: Partial<Notification>): Notification => ({
  id: 1,
  label: null,
  selection: 'GN-2026B-Q-1/science',
  piemail: null,
  ngoemail: null,
  csemail: null,
  ...over,
});
const addresses = (list: { address: string }[]) => list.map((a) => a.address);
const bcc = [parseEmailAddress('audit@gemini.test') as EmailAddress];

describe('recipients', () => {
  it('PI mode: To the PI, Cc the partner office then the contact scientist', () => {
    const r = recipientsOf(row({ piemail: 'pi@uni.test', ngoemail: 'ngo@x.test', csemail: 'cs@gemini.test' }), 'pi', []);
    expect([addresses(r.to), addresses(r.cc), r.bcc]).toEqual([['pi@uni.test'], ['ngo@x.test', 'cs@gemini.test'], []]);
  });

  it('CHECK mode: To the contact scientist only, no one copied', () => {
    const r = recipientsOf(row({ piemail: 'pi@uni.test', ngoemail: 'ngo@x.test', csemail: 'cs@gemini.test; N/A' }), 'check', bcc);
    expect([addresses(r.to), addresses(r.cc), r.bcc, r.rejected]).toEqual([['cs@gemini.test'], [], ['audit@gemini.test'], ['N/A']]);
  });

  it('never names one address twice across To, Cc and Bcc', () => {
    const r = recipientsOf(
      row({ piemail: 'PI@uni.test', ngoemail: 'pi@UNI.test, audit@gemini.test', csemail: 'Audit@gemini.test' }),
      'pi',
      bcc,
    );
    expect([addresses(r.to), addresses(r.cc), r.bcc]).toEqual([['PI@uni.test'], ['audit@gemini.test'], []]);
  });

  it('keeps the rejected pieces of every field it reads', () => {
    expect(recipientsOf(row({ piemail: 'TBD', ngoemail: 'none', csemail: '-' }), 'pi', []).rejected).toEqual(['TBD', 'none', '-']);
  });
});

describe('planNotification', () => {
  it('reads the selection', () => {
    expect(planNotification(row({ selection: null }), 'pi', []).selection.kind).toBe('invalid');
    expect(planNotification(row({}), 'pi', []).selection.kind).toBe('valid');
    expect(planNotification(row({ selection: 'GN-2026B-Q-1/sceince' }), 'pi', []).selection.kind).toBe('needs-confirmation');
  });
});
