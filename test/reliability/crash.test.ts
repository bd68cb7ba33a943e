import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Peers, scienceFiles, spawnYougotdata, startPeers } from '../harness/peers.js';
import {
  copiesPerNotification,
  piAddress,
  piRow,
  type Report,
  reliabilityEnv,
  sendingRows,
  sendUntilLocked,
  until,
} from '../harness/reliability.js';
import { type SmtpProxy, startSmtpProxy } from '../harness/smtp-proxy.js';

/**
 * A run killed with SIGKILL at many moments — starting up, searching, transmitting a message, with a message
 * accepted by the server but not yet known to be, just after it is known — then the same command again.
 * Every notification with data must be delivered; a notification may get a second copy only if its message
 * was being submitted at the kill (its send record said `sending` when the run died).
 */

const WITH_DATA = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const IDS = [...WITH_DATA, 11, 12];
const CONCURRENCY = 2;
/** The README's bound: messages being submitted at a crash, at most one per notification in progress (2 × ARCHIVE_CONCURRENCY). */
const IN_FLIGHT_BOUND = 2 * CONCURRENCY;
/** The sink's acceptance reaches the client this late: the window in which a kill leaves a message delivered but unrecorded. */
const HOLD_MS = 120;

type Moment =
  | { kind: 'after-spawn'; ms: number }
  | { kind: 'after-first-search'; ms: number }
  | { kind: 'at-data'; n: number }
  | { kind: 'accepted'; n: number }
  | { kind: 'told'; n: number };

const describeMoment = (m: Moment) => {
  switch (m.kind) {
    case 'after-spawn':
      return `${m.ms} ms after the start`;
    case 'after-first-search':
      return `${m.ms} ms after the first archive search`;
    case 'at-data':
      return `as message ${m.n} starts its DATA`;
    case 'accepted':
      return `with message ${m.n} accepted by the server, the client not yet told`;
    case 'told':
      return `just after the client was told message ${m.n} was accepted`;
  }
};

const MOMENTS: Moment[] = [
  { kind: 'after-spawn', ms: 150 },
  { kind: 'after-spawn', ms: 700 },
  ...[0, 50, 120, 200, 280, 360, 440, 520].map((ms) => ({ kind: 'after-first-search' as const, ms })),
  ...[1, 3, 6, 9].map((n) => ({ kind: 'at-data' as const, n })),
  ...[1, 2, 4, 5, 7, 10].map((n) => ({ kind: 'accepted' as const, n })),
  ...[2, 5, 8].map((n) => ({ kind: 'told' as const, n })),
];

interface Outcome {
  moment: string;
  killed: boolean;
  inFlight: number[];
  duplicates: number[];
  lost: number[];
}

let peers: Peers;
let smtp: SmtpProxy;
/** The kill the proxy performs when its event comes. */
let armed: { kind: 'at-data' | 'accepted' | 'told'; n: number; pid: number; base: number; onKill: (reply?: string) => void } | null = null;
/** What each test ran into, for the summary afterAll prints; no test reads another's. */
const outcomes: Outcome[] = [];

/** SIGKILL, unless the run has already ended. */
function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // ESRCH: it finished first; the test sees it ran out.
  }
}

function fire(kind: 'at-data' | 'accepted' | 'told', count: number, reply?: string) {
  if (!armed || armed.kind !== kind || count - armed.base !== armed.n) return;
  kill(armed.pid);
  armed.onKill(reply);
  armed = null;
}

beforeAll(async () => {
  peers = await startPeers();
  smtp = await startSmtpProxy(peers.sink, {
    holdAcceptanceMs: HOLD_MS,
    onData: (n) => fire('at-data', n),
    onAccepted: (n, reply) => fire('accepted', n, reply),
    onAcceptanceForwarded: (n) => fire('told', n),
  });
  await peers.addNotifications(IDS.map((id) => piRow(id)));
  MOMENTS.forEach((_, i) => {
    for (const id of WITH_DATA) peers.archive.addEntries(scienceFiles(`GN-2026B-Q-${id}`, 2, nightOf(i)));
  });
  peers.archive.setLatency(40);
});

afterAll(async () => {
  const kills = outcomes.filter((o) => o.killed).length;
  const duplicates = outcomes.reduce((sum, o) => sum + o.duplicates.length, 0);
  const inFlight = outcomes.reduce((sum, o) => sum + o.inFlight.length, 0);
  const lost = outcomes.reduce((sum, o) => sum + o.lost.length, 0);
  console.log(
    [
      `crash test: ${outcomes.length} runs, ${kills} killed with SIGKILL; ${inFlight} messages in flight at the kills, ${duplicates} delivered twice, ${lost} lost`,
      ...outcomes.map(
        (o) =>
          `  ${o.killed ? 'killed' : 'ran out'} ${o.moment}: in flight ${JSON.stringify(o.inFlight)}, delivered twice ${JSON.stringify(o.duplicates)}, lost ${JSON.stringify(o.lost)}`,
      ),
    ].join('\n'),
  );
  await smtp?.close();
  await peers?.close();
});

/** One night per kill, so each kill starts from a night nothing was sent for (no look-back: nights are independent). */
function nightOf(index: number): string {
  return `202611${String(index + 1).padStart(2, '0')}`;
}

describe('a run killed with SIGKILL, then run again', () => {
  it.each(MOMENTS.map((moment, index) => ({ moment, index, name: describeMoment(moment) })))(
    'killed $name',
    async ({ moment, index, name }) => {
      const night = nightOf(index);
      const argv = ['send', '--date', night, '--json'];
      const env = reliabilityEnv(peers, { SMTP_URL: smtp.url, ARCHIVE_CONCURRENCY: String(CONCURRENCY) });
      const searchesBefore = peers.archive.stats.total;
      peers.sink.clear();
      let pid = 0;
      /** The sink's reply accepting the message the kill caught (accepted, the client not yet told). */
      let untoldReply: string | undefined;
      /** Whether the proxy's event came and the kill was sent. */
      let fired = false;
      let timer: NodeJS.Timeout | undefined;
      const run = spawnYougotdata(argv, env, { onSpawn: (p) => (pid = p) });
      await until(() => pid !== 0, 5000, 'the spawn');
      if (moment.kind === 'after-spawn') timer = setTimeout(() => kill(pid), moment.ms);
      else if (moment.kind === 'after-first-search') {
        await until(() => peers.archive.stats.total > searchesBefore, 15_000, 'the first search');
        timer = setTimeout(() => kill(pid), moment.ms);
      } else {
        const base =
          moment.kind === 'at-data' ? smtp.counts.data : moment.kind === 'accepted' ? smtp.counts.accepted : smtp.counts.forwarded;
        armed = {
          kind: moment.kind,
          n: moment.n,
          pid,
          base,
          onKill: (reply) => {
            fired = true;
            untoldReply = reply;
          },
        };
      }
      const first = await run;
      // Nothing may fire at a pid the system could give another process.
      clearTimeout(timer);
      armed = null;
      const wasKilled = first.signal === 'SIGKILL';
      if (!wasKilled) expect(first.code, first.stderr).toBe(0);
      // A kill at an SMTP event always comes: the run has ten messages to send, and waits at each event's hook.
      if (moment.kind === 'at-data' || moment.kind === 'accepted' || moment.kind === 'told') {
        expect(fired, `${name}: the event came`).toBe(true);
        expect(wasKilled, `${name}: the run was killed`).toBe(true);
      }
      // The record as the dead run left it: what was being submitted, within the README's bound.
      const inFlight = wasKilled ? await sendingRows(peers.db.pool, night) : [];
      expect(inFlight.length, `in flight at the kill: ${JSON.stringify(inFlight)}`).toBeLessThanOrEqual(IN_FLIGHT_BOUND);
      const acceptedButUntold = wasKilled && untoldReply ? peers.sink.messages().find((m) => untoldReply!.endsWith(m.id)) : undefined;
      if (moment.kind === 'accepted') expect(acceptedButUntold, untoldReply).toBeDefined();

      const rerun = await sendUntilLocked(argv, reliabilityEnv(peers, { ARCHIVE_CONCURRENCY: '4' }));
      expect(rerun.code, rerun.stderr).toBe(0);
      const report: Report = rerun.json();
      for (const result of report.results) {
        expect(WITH_DATA.includes(result.id) ? ['sent', 'already-sent'] : ['no-data'], `notification ${result.id}`).toContain(
          result.status,
        );
      }
      const copies = copiesPerNotification(peers.sink.messages(), IDS);
      const duplicates = IDS.filter((id) => (copies.get(id) ?? 0) > 1);
      const lost = WITH_DATA.filter((id) => (copies.get(id) ?? 0) === 0);
      outcomes.push({ moment: name, killed: wasKilled, inFlight, duplicates, lost });

      expect(lost).toEqual([]);
      for (const id of [11, 12]) expect(copies.get(id)).toBe(0);
      for (const id of IDS) expect(copies.get(id) ?? 0, `copies for notification ${id}`).toBeLessThanOrEqual(2);
      expect(duplicates.length).toBeLessThanOrEqual(IN_FLIGHT_BOUND);
      // Only a message being submitted at the kill may arrive twice.
      expect(
        duplicates.filter((id) => !inFlight.includes(id)),
        `in flight at the kill: ${JSON.stringify(inFlight)}`,
      ).toEqual([]);
      if (acceptedButUntold) {
        // The server had it, the run had not heard: the documented duplicate.
        const id = WITH_DATA.find((candidate) => acceptedButUntold.envelope.to.includes(piAddress(candidate)));
        expect(id).toBeDefined();
        expect(inFlight).toContain(id);
        expect(copies.get(id!)).toBe(2);
      }
    },
  );
});
