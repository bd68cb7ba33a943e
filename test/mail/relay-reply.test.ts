import { describe, expect, it } from 'vitest';
import { queueIdOf } from '../../src/mail/relay-reply.js';

describe('the queue id in a relay reply', () => {
  it.each([
    ['250 2.0.0 Ok: queued as 4XyZ1k2Lmn', '4XyZ1k2Lmn'],
    ['250 2.0.0 Ok: queued as 3F2A41C0B7', '3F2A41C0B7'],
    ['250 Ok: queued as Ab3_-x9@mail-sink', 'Ab3_-x9@mail-sink'],
    ['250 OK id=1tAbCd-000123-Xy', '1tAbCd-000123-Xy'],
    ['250 2.0.0 5B1Hx2Lw012345 Message accepted for delivery', '5B1Hx2Lw012345'],
    ['250 2.0.0 OK  1733313600 d9443c01a7336-21f2a3b4c5sm123456.1 - gsmtp', null],
    ['250 Accepted', null],
    ['', null],
  ])('%j names %j', (reply, id) => {
    expect(queueIdOf(reply)).toBe(id);
  });
});
