import { existsSync, readFileSync, rmSync } from 'node:fs';
import { serverStateFile } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  if (!existsSync(serverStateFile)) return;
  const { pid, folder } = JSON.parse(readFileSync(serverStateFile, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // Already stopped.
  }
  rmSync(serverStateFile, { force: true });
  rmSync(folder, { recursive: true, force: true });
}
