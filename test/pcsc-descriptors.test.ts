import { closeSync, mkdtempSync, openSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { descriptorsNow, socketsSince } from '../src/pcsc/winscard.js';

// Which socket a new PC/SC context opened (pcsc-lite on Linux): it is the one a stuck service's
// call is cut off through. Issue 27 made the look-up cheaper; these check it still finds that socket.
const open = (): number[] => readdirSync('/proc/self/fd').map(Number);

describe.runIf(process.platform === 'linux')('the socket a call opened, told from /proc/self/fd', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanup.splice(0)) c();
  });

  const readlinkOr = (fd: number): string => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return '';
    }
  };

  /** A listening unix socket: its descriptor exists once listen() returns. */
  async function unixSocket(): Promise<{ server: Server; fd: number }> {
    const dir = mkdtempSync(join(tmpdir(), 'cns-fd-'));
    // ground truth the slow way: every descriptor's link, before and after
    const before = new Set(open().filter((fd) => readlinkOr(fd).startsWith('socket:')));
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, 's'), resolve));
    cleanup.push(() => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const fds = open().filter((fd) => !before.has(fd) && readlinkOr(fd).startsWith('socket:'));
    expect(fds).toHaveLength(1);
    return { server, fd: fds[0]! };
  }

  it('finds the one socket opened after the mark, and nothing else that was opened', async () => {
    const mark = descriptorsNow();
    expect(mark).toBeDefined();
    const file = openSync(__filename, 'r');
    cleanup.push(() => closeSync(file));
    const { fd } = await unixSocket();
    expect(socketsSince(mark)).toEqual([fd]);
  });

  it("why the number is held: a socket on the listing's own number is not new by number", async () => {
    const mark = descriptorsNow()!;
    // the listing's number is held, so it is one of the numbers listed, and it is no socket
    expect(mark.hold).toBeDefined();
    expect(mark.listed.has(mark.hold!)).toBe(true);
    const held = mark.hold!;
    // freed (as socketsSince frees it), a socket then takes it: the lowest free number
    expect(socketsSince(mark)).toEqual([]);
    expect(mark.hold).toBeUndefined();
    const { fd } = await unixSocket();
    expect(fd).toBe(held);
    // listed before as a number, so not new by number: the mark then cannot tell, and says so by
    // finding nothing rather than the wrong descriptor
    expect(socketsSince(mark)).toEqual([]);
  });

  it('while the mark is held, the new socket cannot take the listing number', async () => {
    const mark = descriptorsNow()!;
    const { fd } = await unixSocket();
    expect(fd).not.toBe(mark.hold);
    expect(mark.listed.has(fd)).toBe(false);
    expect(socketsSince(mark)).toEqual([fd]);
  });

  it('closes the descriptor it held, once, and leaves none behind', async () => {
    const start = open().length;
    const mark = descriptorsNow()!;
    expect(open().length).toBe(start + 1);
    expect(socketsSince(mark)).toEqual([]);
    expect(socketsSince(mark)).toEqual([]);
    expect(mark.hold).toBeUndefined();
    expect(open().length).toBe(start);
  });

  it('sockets open before the mark are not reported', async () => {
    await unixSocket();
    expect(socketsSince(descriptorsNow())).toEqual([]);
  });

  it("two contexts opened at once: neither is told the other one's socket alone", async () => {
    // A marks (holding its listing's number); B marks while A holds it
    const a = descriptorsNow()!;
    const b = descriptorsNow()!;
    expect(a.hold).toBeDefined();
    expect(b.hold).toBeUndefined(); // B lists the sockets themselves
    const sa = (await unixSocket()).fd;
    // A's call ends: its held number is freed, and B's socket, made after, takes it
    const held = a.hold!;
    expect(socketsSince(a)).toEqual([sa]);
    const sb = (await unixSocket()).fd;
    expect(sb).toBe(held);
    // B sees both new sockets: not one it could take for its own (PcscClient then keeps none)
    expect(socketsSince(b).sort()).toEqual([sa, sb].sort());
    // and with A's mark gone, the next mark holds again
    const c = descriptorsNow()!;
    expect(c.hold).toBeDefined();
    expect(socketsSince(c)).toEqual([]);
  });

  it('no mark (not Linux, or no /proc): nothing found', async () => {
    expect(socketsSince(undefined)).toEqual([]);
  });
});
