import { existsSync, readFileSync, rmSync } from 'node:fs';
import { serverStateFile } from './global-setup';
import { stopServer } from './server';

export default async function globalTeardown(): Promise<void> {
  if (!existsSync(serverStateFile)) return;
  const { pid, folder } = JSON.parse(readFileSync(serverStateFile, 'utf8'));
  stopServer(pid, folder);
  rmSync(serverStateFile, { force: true });
}
