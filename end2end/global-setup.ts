// Starts the release server built by `cargo leptos build --release` on a free port with a fresh
// SQLite file, and hands its URL to the tests through CARLINK_URL.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
export const serverStateFile = path.join(__dirname, '.server.json');

export default async function globalSetup(): Promise<void> {
  const folder = mkdtempSync(path.join(tmpdir(), 'carlink-e2e-'));
  const binary = path.join(root, 'target', 'release', 'server');
  const server = spawn(binary, [], {
    cwd: root,
    env: {
      ...process.env,
      CARLINK_ADDR: '127.0.0.1:0',
      CARLINK_DATABASE: path.join(folder, 'carlink.db'),
      LEPTOS_SITE_ROOT: path.join(root, 'target', 'site'),
      RUST_LOG: process.env.RUST_LOG ?? 'info',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /carlink listening.*url=(http:\/\/\S+?)\/?\s/.exec(output) ?? /url=(http:\/\/\S+?)\/?\s.*carlink listening/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with code ${code} before listening (was it built with cargo leptos build --release?):\n${output}`));
    });
  });

  if (process.env.E2E_SERVER_LOG) {
    server.stdout.on('data', (chunk: Buffer) => process.stdout.write(chunk));
    server.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  } else {
    server.stdout.resume();
    server.stderr.resume();
  }

  process.env.CARLINK_URL = url;
  writeFileSync(serverStateFile, JSON.stringify({ pid: server.pid, url, folder }));
}
