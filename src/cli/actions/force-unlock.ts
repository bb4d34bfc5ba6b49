import { hostname } from 'node:os';
import { AccordError } from '../../errors.js';
import { palette } from '../../render/colors.js';
import { describeLock, forceUnlock, lockPath } from '../../state/lock.js';
import { environmentFromPolicy } from '../../engine/environment-of-policy.js';
import { defaultStatePath } from '../../state/state-file.js';
import type { PolicyOptions } from '../options.js';

interface ForceUnlockOptions extends PolicyOptions {
  state?: string;
}

/** `accord force-unlock` (declared in commands/force-unlock.ts). */
export default async function forceUnlockCommand(options: ForceUnlockOptions): Promise<void> {
  const statePath =
    options.state ?? defaultStatePath(await environmentFromPolicy(options.policies, options.code, '--state'));
  const info = await forceUnlock(statePath);
  if (!info)
    throw new AccordError(`${statePath} is not locked (no ${lockPath(statePath)})`, {
      code: 'state.not-locked',
      hint: 'nothing to remove',
    });
  const c = palette();
  process.stdout.write(`${c.green('removed the lock')} on ${statePath} held by ${describeLock(info)}\n`);
  if (info.host === hostname() && info.pid !== process.pid && isRunning(info.pid))
    process.stdout.write(
      `${c.yellow('warning:')} pid ${info.pid} is still running on this host; if it is that run, it is no longer protected\n`,
    );
  process.exitCode = 0;
}

function isRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
