import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BIN } from './helpers.js';

/** Start `cns extension-service` on a free port; resolves with its URL. */
export function startService(args: string[] = []): Promise<{ url: string; stop: () => Promise<void>; log: () => string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [BIN, 'extension-service', '--port', '0', '--json', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n')) {
        try {
          const url = (JSON.parse(line!) as { url: string }).url;
          resolve({
            url,
            log: () => err,
            stop: () =>
              new Promise((r) => {
                child.once('close', () => r());
                child.kill('SIGTERM');
              }),
          });
        } catch (e) {
          reject(e);
        }
      }
    });
    child.on('close', (code) => reject(new Error(`service exited (${code}): ${err}`)));
  });
}

export function certFromImage(image: string): Buffer {
  const j = JSON.parse(readFileSync(image, 'utf8')) as { files: { path: string; data?: string }[] };
  const ef = Buffer.from(j.files.find((f) => f.path === '3F00/1100/1101')!.data!, 'hex');
  return ef.subarray(0, 4 + ef.readUInt16BE(2));
}

export function efFromImage(image: string): Buffer {
  const j = JSON.parse(readFileSync(image, 'utf8')) as { files: { path: string; data?: string }[] };
  return Buffer.from(j.files.find((f) => f.path === '3F00/1100/1101')!.data!, 'hex');
}
