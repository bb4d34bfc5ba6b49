import { palette } from '../../render/colors.js';
import { auditPathFor, verifyAudit } from '../../state/audit.js';
import { defaultStatePath, readState } from '../../state/state-file.js';
import { environmentFromPolicy } from '../../engine/environment-of-policy.js';
import { secretFromEnv, type PolicyOptions } from '../options.js';

interface AuditVerifyOptions extends PolicyOptions {
  audit?: string;
  state?: string;
}

/** `x.audit.jsonl` → `x.state.json`: the state file that records the log's head. */
const statePathFor = (auditPath: string) => `${auditPath.replace(/\.audit\.jsonl$/, '')}.state.json`;

/** `accord audit verify` (declared in commands/audit.ts). */
export default async function auditVerify(options: AuditVerifyOptions): Promise<void> {
  const statePath =
    options.state ??
    (options.audit
      ? statePathFor(options.audit)
      : defaultStatePath(await environmentFromPolicy(options.policies, options.code, '--state')));
  const path = options.audit ?? auditPathFor(statePath);
  const state = await readState(statePath);
  const key = secretFromEnv('ACCORD_AUDIT_KEY');
  const result = await verifyAudit(path, {
    ...(key ? { key } : {}),
    ...(state.audit ? { head: state.audit } : {}),
    stateIdentity: { lineage: state.lineage, serial: state.serial },
  });
  const c = palette();
  if (result.ok) {
    const caveats = [
      ...(state.audit ? [] : [`no head recorded in ${statePath}, so lines cut from the end would not show`]),
      ...(result.keyed ? [] : ['ACCORD_AUDIT_KEY is not set, so a log rewritten whole would not show']),
    ];
    process.stdout.write(
      `${c.green('audit log ok:')} ${result.entries} ${result.entries === 1 ? 'entry' : 'entries'}${result.keyed ? ', every line signed' : ''}\n`,
    );
    for (const caveat of caveats) process.stderr.write(`note: ${caveat}\n`);
    process.exitCode = 0;
  } else {
    process.stdout.write(`${c.red(`audit log broken at line ${result.line}:`)} ${result.problem}\n`);
    process.exitCode = 1;
  }
}
