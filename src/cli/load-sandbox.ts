import type * as SandboxModule from '@accord/sandbox';
import type * as SandboxDefaults from '@accord/sandbox/defaults';
import { AccordError } from '../errors.js';

/**
 * The sandbox package, loaded on demand: only `accord sandbox` and `--sandbox` need it, so a run
 * against real tenants never loads the emulators (or msw).
 */
export async function loadSandbox(): Promise<typeof SandboxModule> {
  try {
    return await import('@accord/sandbox');
  } catch (error) {
    if (isMissing(error))
      throw new AccordError('the sandbox is not installed (package @accord/sandbox)', {
        code: 'sandbox.missing',
        // The package ships it (dist/node_modules/@accord/sandbox) and a checkout has the workspace.
        hint: 'reinstall accord-access (`npm ci`, or `npm ci` in its checkout), or drop --sandbox',
      });
    if (isSourceOnly(error))
      throw new AccordError(
        'the sandbox runs from its TypeScript sources, which this build of accord cannot load',
        {
          code: 'sandbox.source-only',
          hint: 'run `node bin/accord.js` (or `npm start`) in the repository checkout',
        },
      );
    throw error;
  }
}

/**
 * The sandbox's default company size and seed, for the options' help; undefined where the
 * sandbox is not installed (a published accord) or cannot run (a build on plain Node), which
 * `loadSandbox` then explains when a command asks for it.
 */
export const sandboxDefaults: typeof SandboxDefaults | undefined =
  await import('@accord/sandbox/defaults').catch((error: unknown) => {
    if (isMissing(error) || isSourceOnly(error)) return undefined;
    throw error;
  });

function isSourceOnly(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION';
}

function isMissing(error: unknown): boolean {
  return (
    (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && /@accord\/sandbox/.test(String(error))
  );
}

/** The sandbox's own user errors (a port in use, a bad data file), as the CLI prints its own. */
export function fromSandboxError(error: unknown): unknown {
  if (!(error instanceof Error) || error.name !== 'SandboxError') return error;
  const hint = (error as Error & { hint?: string }).hint;
  return new AccordError(error.message, { code: 'sandbox.error', ...(hint ? { hint } : {}) });
}
