// Starts the server every test shares and hands its URL to the tests through CARLINK_URL.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer } from './server';

export const serverStateFile = path.join(__dirname, '.server.json');

export default async function globalSetup(): Promise<void> {
  const server = await startServer();
  process.env.CARLINK_URL = server.url;
  writeFileSync(serverStateFile, JSON.stringify({ pid: server.process.pid, folder: server.folder }));
}
