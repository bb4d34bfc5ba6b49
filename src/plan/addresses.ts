/**
 * The address grammar of plans (`okta.user["ana@acme.test"]`, `salesforce.prod.user["..."]
 * .permissionSet["Sales_Cloud_User"]`): one place, so plans, state and `--target` agree.
 */
const q = (s: string) => `[${JSON.stringify(s)}]`;

export const oktaUser = (login: string) => `okta.user${q(login)}`;
export const oneloginUser = (username: string) => `onelogin.user${q(username)}`;
export const idpUser = (platform: 'okta' | 'onelogin', key: string) =>
  platform === 'okta' ? oktaUser(key) : oneloginUser(key);
export const idpGroup = (platform: 'okta' | 'onelogin', name: string) =>
  platform === 'okta' ? `okta.group${q(name)}` : `onelogin.role${q(name)}`;
export const idpMember = (platform: 'okta' | 'onelogin', group: string, key: string) =>
  `${idpGroup(platform, group)}.member${q(key)}`;
export const salesforceUser = (org: string, username: string) => `salesforce.${org}.user${q(username)}`;
export const salesforcePermissionSet = (org: string, username: string, name: string) =>
  `${salesforceUser(org, username)}.permissionSet${q(name)}`;
export const salesforcePermissionSetGroup = (org: string, username: string, name: string) =>
  `${salesforceUser(org, username)}.permissionSetGroup${q(name)}`;
export const salesforceRecords = (org: string, username: string, object: string) =>
  `${salesforceUser(org, username)}.records${q(object)}`;
export const salesforceContact = (org: string, key: string) => `salesforce.${org}.contact${q(key)}`;
export const salesforceCrmAccount = (org: string, field: string, value: string) =>
  `salesforce.${org}.account${q(`${field}=${value}`)}`;
