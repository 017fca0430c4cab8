import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Pkcs11CallError, Pkcs11ModuleError } from './errors.js';
import type { CertObject, Envelope, Reply, Request, SlotInfo } from './protocol.js';

/** The module failed as a program: could not load, crashed, or hung. */
export { Pkcs11CallError, Pkcs11ModuleError } from './errors.js';

function workerPath(): string {
  // the single executable writes its worker to the user's cache (a fork of it runs that file)
  const sea = seaFile('dist/bundle/pkcs11-worker.cjs');
  if (sea) return sea;
  // the bundle puts the worker beside its chunks; tsc output keeps it beside this file
  for (const name of ['./pkcs11-worker.cjs', './worker.js']) {
    const p = fileURLToPath(new URL(name, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Pkcs11ModuleError('the PKCS#11 worker is missing from this installation', 'not-installed');
}

/**
 * The worker runs the vendor's native code: it gets the environment without the secrets a user
 * may have put there for `--env` (they reach it only inside the one call that needs them).
 */
import { childEnv } from '../util/childEnv.js';
import { seaFile } from '../util/sea.js';

/** Default time a single PKCS#11 call may take before the module is declared hung. */
const CALL_TIMEOUT_MS = Number(process.env.CNS_PKCS11_TIMEOUT_MS ?? 30000);

/** A PKCS#11 module loaded in a worker process, with every call bounded in time. */
export class Pkcs11Client {
  private readonly child: ChildProcess;
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private dead?: Pkcs11ModuleError;

  private constructor(readonly modulePath: string) {
    this.child = fork(workerPath(), [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: childEnv() });
    let stderr = '';
    this.child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    this.child.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Pkcs11CallError(m.error?.ckr ?? null, m.error?.message ?? 'PKCS#11 error'));
    });
    this.child.on('exit', (code, signal) => {
      const why = signal ? `killed by ${signal}` : `exited with code ${code}`;
      this.dead ??= new Pkcs11ModuleError(
        `the PKCS#11 module ${modulePath} crashed (${why})${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`,
        'crash',
        {
          module: modulePath,
          ...(signal ? { signal } : { exitCode: code ?? undefined }),
          ...(stderr.trim() ? { said: stderr.trim().split('\n').pop() } : {}),
        },
      );
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(this.dead);
        this.pending.delete(id);
      }
    });
  }

  static async open(modulePath: string): Promise<{ client: Pkcs11Client; info: { description: string; manufacturerID: string } }> {
    const client = new Pkcs11Client(modulePath);
    try {
      const info = (await client.call({ op: 'open', module: modulePath })) as { description: string; manufacturerID: string };
      return { client, info };
    } catch (e) {
      client.kill();
      if (e instanceof Pkcs11CallError) {
        // koffi (the FFI that also reaches PC/SC) missing from the installation
        const missing = /Cannot find module '(koffi|@koromix\/koffi[^']*)'/.test(e.message);
        throw new Pkcs11ModuleError(
          missing ? 'koffi is not installed' : `cannot load ${modulePath}: ${e.message}`,
          missing ? 'not-installed' : 'load',
          { module: modulePath, said: e.message },
        );
      }
      throw e;
    }
  }

  call(req: Request, timeoutMs = CALL_TIMEOUT_MS): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.dead = new Pkcs11ModuleError(
          `the PKCS#11 module ${this.modulePath} did not answer ${req.op} within ${Math.round(timeoutMs / 1000)} s`,
          'timeout',
          { module: this.modulePath, op: req.op, seconds: Math.round(timeoutMs / 1000) },
        );
        this.kill();
        reject(this.dead);
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      const env: Envelope = { id, req };
      this.child.send(env);
    });
  }

  slots(): Promise<SlotInfo[]> {
    return this.call({ op: 'slots' }) as Promise<SlotInfo[]>;
  }

  certs(slot: number): Promise<CertObject[]> {
    return this.call({ op: 'certs', slot }) as Promise<CertObject[]>;
  }

  async close(): Promise<void> {
    if (this.dead || this.child.exitCode !== null) return;
    try {
      await this.call({ op: 'close' }, 5000);
    } catch {
      /* it is going away anyway */
    }
    this.kill();
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
