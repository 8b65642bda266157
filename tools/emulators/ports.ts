/**
 * Refusing to start on a taken port. The fixed ports themselves (firebase.json's emulators, the
 * local FCM and metadata servers) are in tools/local-env/local-env.ts: `localEnv().ports`.
 */
import { createServer } from 'node:net';

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export async function assertPortsFree(ports: Record<string, number>): Promise<void> {
  const busy: string[] = [];
  for (const [name, port] of Object.entries(ports)) {
    if (!(await isFree(port))) busy.push(`${name} port ${port}`);
  }
  if (busy.length) {
    throw new Error(
      `In use: ${busy.join(', ')}. Stop whatever holds them (often a running \`npm start\`) and try again.`,
    );
  }
}
