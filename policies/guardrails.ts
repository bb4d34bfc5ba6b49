import { definePolicy } from 'accord-access';

const everyOrg = (permissionSet: string) => ({ org: '*', permissionSet });

export default definePolicy({
  guardrails: {
    protectedAccounts: ['breakglass-*@acme.test', 'integration@acme.test', 'sales.ops@acme.test'],
    maxDeprovision: { absolute: 25, percent: 5 },
    sensitive: [
      everyOrg('Modify_All_Data'),
      everyOrg('Data_Export'),
      { org: '*', profile: 'System Administrator' },
    ],
    separationOfDuties: [
      {
        id: 'quote-to-cash',
        description: 'Whoever sells may not approve billing.',
        entitlements: [
          { org: 'prod', permissionSet: 'Billing_Approver' },
          { org: 'prod', permissionSet: 'Sales_Cloud_User' },
        ],
      },
    ],
  },
});
