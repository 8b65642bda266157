import { createServer } from 'node:net';

/** Fixed ports of the emulators in firebase.json, plus the local FCM server of the demo project. */
export const E2E_PORTS: Record<string, number> = {
  'Firestore emulator': 8080,
  'Functions emulator': 5001,
  'Auth emulator': 9099,
  'Emulator hub': 4400,
};

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
