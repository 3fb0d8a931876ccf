// Real `verity` processes for the suites that need them (crash recovery, several processes on one database):
// a port that no in-process server can take, and a child that is ready once /healthz answers.
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// A port below Linux's ephemeral range (32768–60999): the servers other suites bind to port 0 get ports from
// that range, so one of them cannot take this port between the check and the child's bind (or a restart).
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + crypto.randomInt(10_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in 20000-29999');
}

export interface Proc {
  child: ChildProcess;
  /** The last 4000 characters of stdout and stderr, for failure messages. */
  output(): string;
  exited: Promise<number | null>;
}

/** Spawns `verity <args>` from the sources with `env` on top of this process's environment. */
export function spawnVerity(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b) => (out = (out + b).slice(-4000)));
  child.stderr!.on('data', (b) => (out = (out + b).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Waits until the process serves /healthz at url; throws with its output if it exits or takes 30 s. */
export async function untilServing(p: Proc, url: string): Promise<void> {
  let dead = false;
  void p.exited.then(() => (dead = true));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (dead) throw new Error(`verity exited before serving:\n${p.output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) throw new Error(`verity did not start in 30 s:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
