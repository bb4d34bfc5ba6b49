// TypeScript policies run as code: they can share constants and compute rules. `accord validate
// --no-code` (or settings.allowCode: false) refuses them, for repositories that plan untrusted forks.
import { definePolicy, type SalesforceGrant } from 'accord-access';

const support: SalesforceGrant = {
  profile: 'Support User',
  permissionSets: ['Service_Cloud_User'],
};

export default definePolicy({
  access: [
    {
      id: 'support-agents',
      description: 'Support works cases in production, with the knowledge base.',
      when: { oktaGroup: 'Support' },
      priority: 10,
      grants: {
        prod: {
          ...support,
          role: 'Support Agent',
          permissionSets: [...support.permissionSets!, 'Knowledge_User'],
        },
      },
    },
    {
      id: 'emea-support',
      description: 'EMEA support also works in the EMEA org.',
      when: { all: [{ oktaGroup: 'Support' }, { oktaGroup: 'EMEA' }] },
      priority: 10,
      grants: { emea: { ...support, permissionSets: [...support.permissionSets!, 'GDPR_Data_Access'] } },
    },
    {
      id: 'finance',
      description: 'Finance approves billing on the platform license.',
      when: { oktaGroup: 'Finance' },
      priority: 10,
      grants: { prod: { profile: 'Finance User', role: 'Finance', permissionSets: ['Billing_Approver'] } },
    },
    {
      id: 'salesforce-admins',
      description: 'Administrators of every org. Membership of the group is managed in groups.json.',
      when: { oktaGroup: 'Salesforce Admins' },
      priority: 100,
      grants: { '*': { profile: 'System Administrator', permissionSets: ['Modify_All_Data'] } },
    },
  ],
});
