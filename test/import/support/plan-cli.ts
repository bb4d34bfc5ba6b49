/** `accord plan -p POLICIES --state STATE --format json`, in-process against a sandbox: the plan. */
import { expect } from '@jest/globals';
import type { Sandbox } from '@accord/sandbox';
import type { Plan } from '../../../src/plan/types.js';
import { accordInProcess } from '../../apply/support/in-process.js';

export async function planCli(sandbox: Sandbox, policies: string, state: string): Promise<Plan> {
  const run = await accordInProcess(sandbox, ['plan', '-p', policies, '--state', state, '--format', 'json']);
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as Plan;
}
