// Starts the release server built by `cargo leptos build --release` on a free port with a fresh
// SQLite file, as the browser tests use it.
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..');

export interface RunningServer {
  url: string;
  process: ChildProcess;
  folder: string;
}

export async function startServer(extraEnv: Record<string, string> = {}): Promise<RunningServer> {
  const folder = mkdtempSync(path.join(tmpdir(), 'carlink-e2e-'));
  const binary = path.join(root, 'target', 'release', 'server');
  const server = spawn(binary, [], {
    cwd: root,
    env: {
      ...process.env,
      CARLINK_ADDR: '127.0.0.1:0',
      CARLINK_DATABASE: path.join(folder, 'carlink.db'),
      LEPTOS_SITE_ROOT: path.join(root, 'target', 'site'),
      // Empty values win over a developer's .env, so the tests always use the built-in sandbox.
      CARLINK_PUBLIC_URL: '',
      ENODE_ENVIRONMENT: '',
      ENODE_CLIENT_ID: '',
      ENODE_CLIENT_SECRET: '',
      // The benchmark completes Link UI sessions through the sandbox's control endpoints.
      CARLINK_SANDBOX_CONTROL: 'true',
      NO_COLOR: '1',
      ...extraEnv,
      // The start-up line with the URL must be logged whatever RUST_LOG sets.
      RUST_LOG: `${extraEnv.RUST_LOG ?? process.env.RUST_LOG ?? 'info'},server::startup=info`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      server.kill('SIGTERM');
      reject(new Error(`the server did not start within 30 s:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /carlink listening url=(http:\/\/[^\s/]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.on('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(
          `the server exited with code ${code} before listening (was it built with cargo leptos build --release?):\n${output}`,
        ),
      );
    });
  });

  if (process.env.E2E_SERVER_LOG) {
    server.stdout?.on('data', (chunk: Buffer) => process.stdout.write(chunk));
    server.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  } else {
    server.stdout?.resume();
    server.stderr?.resume();
  }
  return { url, process: server, folder };
}

export function stopServer(pid: number | undefined, folder: string): void {
  if (pid !== undefined) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already stopped.
    }
  }
  rmSync(folder, { recursive: true, force: true });
}
