// A separate installer process for multi-process tests. It installs what the
// parent sends and answers with the outcome; it never takes a lock.
import { install } from '../../src/index.js';

interface Request {
  id: number;
  repoDir: string;
  specifier: string;
}

process.on('message', async ({ id, repoDir, specifier }: Request) => {
  try {
    const { outcome, alias } = await install(repoDir, specifier);
    process.send?.({ id, ok: true, outcome, alias });
  } catch (error) {
    process.send?.({ id, ok: false, message: (error as Error).message });
  }
});
process.send?.({ ready: true });
