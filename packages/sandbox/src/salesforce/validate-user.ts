import { RecordError } from './errors.js';
import type { Row, SalesforceStore } from './store.js';

/** The User rules Salesforce enforces on create and update (sfdx-core REQUIRED_FIELDS; object reference). */

const REQUIRED = [
  'Username',
  'LastName',
  'Email',
  'Alias',
  'TimeZoneSidKey',
  'LocaleSidKey',
  'EmailEncodingKey',
  'LanguageLocaleKey',
  'ProfileId',
] as const;

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const DUPLICATE_USERNAME_MESSAGE =
  'Duplicate Username.<br>The username already exists in this or another Salesforce organization. ' +
  "Usernames must be unique across all Salesforce organizations. To resolve, use a different username (it doesn't need to match the user's email address).";

/** Throws the first rule `next` breaks; `prev` is the stored row on update. */
export function checkUser(store: SalesforceStore, next: Row, prev: Row | undefined): void {
  const missing = REQUIRED.filter((f) => next[f] === null || next[f] === undefined || next[f] === '');
  if (missing.length > 0)
    throw new RecordError(
      'REQUIRED_FIELD_MISSING',
      `Required fields are missing: [${missing.join(', ')}]`,
      missing,
    );
  // UNCONFIRMED: the code for a non-email-shaped Username; INVALID_EMAIL_ADDRESS is what Email gets.
  for (const f of ['Username', 'Email'] as const) {
    if (!EMAIL_SHAPE.test(String(next[f])))
      throw new RecordError('INVALID_EMAIL_ADDRESS', `${f}: invalid email address: ${String(next[f])}`, [f]);
  }
  if (!store.registry.isFree(String(next.Username), store.org, next.Id))
    throw new RecordError('DUPLICATE_USERNAME', DUPLICATE_USERNAME_MESSAGE, ['Username']);

  const license = store.licenseOfProfile(next.ProfileId);
  const prevLicense = prev ? store.licenseOfProfile(prev.ProfileId) : undefined;
  const takesSeat = next.IsActive === true && (prev?.IsActive !== true || prevLicense?.Id !== license?.Id);
  if (license && takesSeat && store.usedLicenses(license.Id) >= Number(license.TotalLicenses))
    throw new RecordError('LICENSE_LIMIT_EXCEEDED', 'License Limit Exceeded', []);

  if (prev && license && prevLicense?.Id !== license.Id) {
    // A profile whose license does not cover an assigned permission set is refused, as in a real org.
    for (const a of store.assignmentsOf(next.Id)) {
      const set = store.get('PermissionSet', String(a.PermissionSetId));
      if (
        set &&
        set.IsOwnedByProfile !== true &&
        typeof set.LicenseId === 'string' &&
        set.LicenseId !== license.Id
      )
        throw new RecordError(
          'FIELD_INTEGRITY_EXCEPTION',
          `The user license doesn't match the user license of permission set ${String(set.Name)}`,
          ['ProfileId'],
        );
    }
  }
}

/** UserType follows the profile's license. */
export function userTypeOf(store: SalesforceStore, profileId: unknown): string {
  const key = store.licenseOfProfile(profileId)?.LicenseDefinitionKey;
  return key === 'PID_Chatter' ? 'CsnOnly' : 'Standard';
}
