/**
 * The accord policy language.
 *
 * This file is the single source of truth for policy shapes: `npm run schemas` generates
 * `schemas/policy.schema.json` from it, and the validator checks every policy file against that
 * schema before any cross-document check runs. Every field carries its description, default and
 * an example, because those JSDoc comments become the schema's descriptions and so the editor
 * completion a policy author sees.
 *
 * Keep this file free of imports and runtime code: the schema generator reads it on its own.
 */

/** A platform that holds identities and can be a source of people. */
export type IdpId = 'okta' | 'onelogin';

/**
 * One policy file. Every section is optional; the loader merges all documents of a folder into
 * one policy, and cross-document validation makes sure the pieces fit (one `identity`, each
 * platform declared once, rule ids unique, ...).
 * @example { "$schema": "../schemas/policy.schema.json", "access": [] }
 */
export interface PolicyDocument {
  /**
   * Path or URL of the JSON Schema, for editor completion. Ignored by accord.
   * @example "../schemas/policy.schema.json"
   */
  $schema?: string;
  /** Settings for the whole policy (at most one document may set each field). */
  settings?: Settings;
  /** Where the platforms are and how to reach them. Secrets are never written here. */
  platforms?: Platforms;
  /** Who the people are, how accounts are matched across platforms, and which attributes flow where. Declared in exactly one document. */
  identity?: Identity;
  /** Explicit identity link decisions that override matching (UC-13). */
  links?: IdentityLink[];
  /** Okta groups and OneLogin roles whose members are declared in Git. */
  groups?: ManagedGroup[];
  /** Memberships mirrored between Okta groups and OneLogin roles, each in one direction (UC-12). */
  mirrors?: Mirror[];
  /** Access rules: conditions on groups, roles and attributes that lead to Salesforce entitlements (UC-01, UC-02, UC-04). */
  access?: AccessRule[];
  /** Time-bound individual grants, each with an expiry date and a ticket (UC-05). */
  exceptions?: AccessException[];
  /**
   * Contacts accord keeps in Salesforce for people of the directories (UC-14 partner contacts,
   * UC-15 contact enrichment), each declaration owning the Contact fields it names. Contacts are
   * upserted by external id and never deleted: a person who leaves gets `inactive`. Without any,
   * accord reads no Contact or Account.
   */
  contacts?: ContactSync[];
  /** How people leave: offboarding per platform and record ownership transfer (UC-06, UC-07). */
  lifecycle?: Lifecycle;
  /** Guard rails: protected accounts, deprovisioning caps, sensitive entitlements, separation of duties (UC-09). */
  guardrails?: Guardrails;
  /** Login audit and security events: what `accord events pull` reads, where it writes, which alerts it sends (UC-18, UC-19). */
  events?: EventsSettings;
}

/** Settings that apply to the whole policy. */
export interface Settings {
  /**
   * Whether `.ts` policy files may be loaded. TypeScript policies run as code; set this to false
   * in repositories that plan pull requests from forks. `--no-code` on the command line has the
   * same effect.
   * @default true
   * @example false
   */
  allowCode?: boolean;
  /**
   * Name of the environment this policy manages; the state file is `state/<environment>.state.json`.
   * @default "default"
   * @pattern ^[a-z][a-z0-9-]*$
   * @example "production"
   */
  environment?: string;
  /**
   * What `accord reconcile` does in this environment on its schedule. `report` lists drift,
   * lifecycle and pending work and changes nothing. `self-heal` also applies what the unchanged
   * policy and the directories call for (joiners, leavers, expired exceptions, live edits made
   * outside Git), within the guard rails, like Argo CD's self-heal. It never applies policy that
   * has not been applied by a merge, and never overrides a guard rail.
   * @default "report"
   * @example "self-heal"
   */
  reconcile?: 'report' | 'self-heal';
}

// ---------------------------------------------------------------------------------------------
// Platforms
// ---------------------------------------------------------------------------------------------

/** The platforms accord manages. Each may be declared in only one document. */
export interface Platforms {
  /** The Okta org. Omit it if the company does not use Okta. */
  okta?: OktaPlatform;
  /** The OneLogin account. Omit it if the company does not use OneLogin. */
  onelogin?: OneLoginPlatform;
  /**
   * Salesforce orgs by key. The key names the org in rules (`grants.prod`) and in the
   * environment variables of its connection (`SF_PROD_INSTANCE_URL`), so it is lowercase letters,
   * digits and underscores, starting with a letter.
   * @example { "prod": { "label": "Production" }, "emea": { "label": "EMEA" } }
   * @propertyNames {"pattern": "^(?!(constructor|prototype)$)[a-z][a-z0-9_]*$"}
   */
  salesforce?: { [orgKey: string]: SalesforceOrg };
}

/** How to reach Okta. Only the names of environment variables appear here, never their values. */
export interface OktaPlatform {
  /** A human label for plans and reports. @example "Acme Okta" */
  label?: string;
  /** Names of the environment variables that hold the connection. */
  connection?: OktaConnection;
}

/**
 * Environment variable names for Okta. accord uses an API token when `tokenEnv` is set in the
 * environment, otherwise OAuth 2.0 with a private key.
 */
export interface OktaConnection {
  /** Variable with the org URL. @default "OKTA_ORG_URL" @example "OKTA_ORG_URL" */
  orgUrlEnv?: string;
  /** Variable with an SSWS API token. @default "OKTA_API_TOKEN" */
  tokenEnv?: string;
  /** Variable with the OAuth service app client id. @default "OKTA_CLIENT_ID" */
  clientIdEnv?: string;
  /** Variable with the OAuth private key (PEM or JWK JSON). @default "OKTA_PRIVATE_KEY" */
  privateKeyEnv?: string;
  /** Variable with the key id (`kid`) of the private key. @default "OKTA_KEY_ID" */
  keyIdEnv?: string;
  /** Variable with space-separated OAuth scopes. @default "OKTA_SCOPES" @example "OKTA_SCOPES" */
  scopesEnv?: string;
}

/** How to reach OneLogin. */
export interface OneLoginPlatform {
  /** A human label for plans and reports. @example "Globex OneLogin" */
  label?: string;
  /** Names of the environment variables that hold the connection. */
  connection?: OneLoginConnection;
}

/** Environment variable names for OneLogin (client-credentials OAuth). */
export interface OneLoginConnection {
  /** Variable with the API base URL, e.g. https://globex.onelogin.com. @default "ONELOGIN_URL" */
  urlEnv?: string;
  /** Variable with the API client id. @default "ONELOGIN_CLIENT_ID" */
  clientIdEnv?: string;
  /** Variable with the API client secret. @default "ONELOGIN_CLIENT_SECRET" */
  clientSecretEnv?: string;
}

/** One Salesforce org. */
export interface SalesforceOrg {
  /** A human label for plans and reports. @example "Production" */
  label?: string;
  /**
   * REST API version accord pins for this org.
   * @default "62.0"
   * @pattern ^[0-9]+\.[0-9]$
   * @example "62.0"
   */
  apiVersion?: string;
  /**
   * Daily API calls to leave untouched: accord stops with an error before the org's remaining
   * daily requests drop below this.
   * @default 1000
   * @minimum 0
   * @TJS-type integer
   */
  apiReserve?: number;
  /**
   * Names of the environment variables that hold the connection. The defaults use the org key
   * upper-cased: for key `prod`, `SF_PROD_INSTANCE_URL` and so on.
   */
  connection?: SalesforceConnection;
}

/**
 * People who become Contacts in one org, under which Account, with which fields (UC-14, UC-15).
 * A person is claimed by the first declaration of the org (in load order) whose `when` they
 * meet; each Contact field named here (with the source tag and the inactive flag) is owned by the
 * declaration, and fields it does not name are never written, so CRM-side edits to them survive.
 * @example { "id": "employees", "org": "prod", "when": { "attribute": { "name": "userType", "equals": "Employee" } }, "externalId": { "field": "Accord_Id__c" }, "source": { "field": "Accord_Source__c", "value": "okta" }, "account": { "field": "Name", "value": "Acme Corp" }, "fields": { "LastName": "{lastName}", "Email": "{email}" }, "inactive": { "field": "Accord_Inactive__c", "value": true } }
 */
export interface ContactSync {
  /** Unique id, cited in plans. @pattern ^[a-z][a-z0-9-]*$ @example "partners" */
  id: string;
  /** The Salesforce org key. @pattern ^(?!(constructor|prototype)$)[a-z][a-z0-9_]*$ @example "prod" */
  org: string;
  /** What the declaration is for. */
  description?: string;
  /**
   * Who becomes a Contact: a condition on people (user type, an attribute, an app assignment).
   * It is judged on every active person of the directories, in the identity scope or not, since
   * partners are usually outside the workforce scope.
   * @example { "attribute": { "name": "userType", "equals": "Partner" } }
   */
  when: Condition;
  /** The Contact's key: an External ID field and the template of its value. */
  externalId: ContactExternalId;
  /**
   * The source tag written on every Contact of this declaration: a Contact that carries it and
   * matches no present person is a leaver of this declaration.
   * @example { "field": "Accord_Source__c", "value": "okta-partners" }
   */
  source: ContactSource;
  /** The Account each Contact goes under, found by a field's value, created when `create` says how. */
  account: ContactAccount;
  /**
   * Owned Contact fields → template (see AttributeFlow for the person attributes; `{emailDomain}`
   * is the part after `@`, `{idp}` the person's home directory, `{idpId}` their id there). A
   * Contact needs `LastName`.
   * @example { "FirstName": "{firstName}", "LastName": "{lastName}", "Email": "{email}", "Title": "{title}" }
   */
  fields: { [contactField: string]: string };
  /** What a leaver's Contact gets instead of a delete: one field set to one value. */
  inactive: ContactInactive;
}

/** The External ID field that keys accord's Contacts, and its value per person. */
export interface ContactExternalId {
  /** Contact field marked External ID (and unique) in Salesforce. @example "Accord_Id__c" */
  field: string;
  /**
   * Template of the value; the default is stable across renames and email changes.
   * @default "{idp}:{idpId}"
   * @example "{idp}:{idpId}"
   */
  value?: string;
}

/** A tag field and its literal value. */
export interface ContactSource {
  /** Contact field. @example "Accord_Source__c" */
  field: string;
  /** Literal value (no template). @minLength 1 @example "okta" */
  value: string;
}

/** How a person's Account is found (and, when allowed, created). */
export interface ContactAccount {
  /** Account field compared, without case. @example "Website" */
  field: string;
  /**
   * Template of the value looked for: a literal for one declared Account (UC-15), or a person
   * attribute for one Account per partner organisation (UC-14).
   * @example "{emailDomain}"
   */
  value: string;
  /**
   * Fields of the Account accord creates when none has the value (the looked-up field is added).
   * An Account needs `Name`. Without `create`, a missing Account is a blocking finding and the
   * person's Contact is not planned.
   * @example { "Name": "{company}", "Type": "Partner" }
   */
  create?: { [accountField: string]: string };
}

/** The treatment of a leaver's Contact: a field set to a value (never a delete). */
export interface ContactInactive {
  /** Contact field. @example "Accord_Inactive__c" */
  field: string;
  /** Value a leaver's Contact gets. @example true */
  value: string | boolean;
  /**
   * Value a present person's Contact has: `false` for a boolean `value`, else null (empty).
   * @example "Active"
   */
  activeValue?: string | boolean | null;
}

/**
 * Environment variable names for one Salesforce org. accord tries, in order: an access token
 * (instance URL + token), the JWT bearer flow (login URL + client id + username + private key),
 * then client credentials (login URL + client id + client secret).
 */
export interface SalesforceConnection {
  /** @default "SF_<ORG>_INSTANCE_URL" */
  instanceUrlEnv?: string;
  /** @default "SF_<ORG>_ACCESS_TOKEN" */
  accessTokenEnv?: string;
  /** @default "SF_<ORG>_LOGIN_URL" */
  loginUrlEnv?: string;
  /** @default "SF_<ORG>_CLIENT_ID" */
  clientIdEnv?: string;
  /** @default "SF_<ORG>_USERNAME" */
  usernameEnv?: string;
  /** @default "SF_<ORG>_PRIVATE_KEY" */
  privateKeyEnv?: string;
  /** @default "SF_<ORG>_CLIENT_SECRET" */
  clientSecretEnv?: string;
}

// ---------------------------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------------------------

/**
 * A key that matches accounts across platforms, tried in the order given:
 * - `federationId`: Salesforce FederationIdentifier = the person's login;
 * - `employeeNumber`: employee number in the IdP, EmployeeNumber in Salesforce;
 * - `email`: normalised email address;
 * - `login`: IdP login = Salesforce Username (after the username template);
 * - `phone`: phone number in E.164 form (IdP mobile or primary phone, Salesforce Phone); numbers
 *   written without a country code need `normalize.phoneRegion`, and ones that cannot be read as a
 *   phone number match nothing.
 */
export type MatchKey = 'federationId' | 'employeeNumber' | 'email' | 'login' | 'phone';

/**
 * Match keys in precedence order, for one platform.
 * @minItems 1
 */
export type MatchOrder = MatchKey[];

/** Who the people are and how their accounts relate across platforms. */
export interface Identity {
  /**
   * The directory that is the source of people: a person exists because they have an account here.
   * @example "okta"
   */
  source: IdpId;
  /**
   * Match keys in precedence order. The first key that yields exactly one candidate wins; two or
   * more candidates make a conflict that a `links` entry resolves.
   * @default ["federationId", "employeeNumber", "email"]
   * @minItems 1
   * @example ["federationId", "employeeNumber", "email"]
   */
  match?: MatchKey[];
  /**
   * Match keys for one platform, in place of `match` there. Salesforce's apply to every org. IdP
   * accounts carry no federation id, so `federationId` is refused for `okta` and `onelogin`.
   * @example { "onelogin": ["employeeNumber", "email"] }
   */
  matchOn?: { okta?: MatchOrder; onelogin?: MatchOrder; salesforce?: MatchOrder };
  /** How values are normalised before matching. */
  normalize?: Normalization;
  /** The people in scope. Without it, every account of the source (and of owned populations) is in scope. */
  scope?: Scope;
  /**
   * Populations owned by a directory other than `source`, e.g. an acquired subsidiary that stays
   * in OneLogin. Their people are in scope too, and can be cross-provisioned (UC-10).
   */
  populations?: Population[];
  /**
   * Attribute flows, each field owned by exactly one flow (UC-03). Fields that no flow names are
   * never written, so customisations on the target survive.
   */
  attributes?: AttributeFlow[];
  /**
   * Salesforce user settings by org key, or `*` for every org. An org's own entry overrides `*`
   * field by field.
   * @example { "*": { "username": "{email}", "defaults": { "TimeZoneSidKey": "America/New_York" } } }
   * @propertyNames {"pattern": "^(\\*|(?!(constructor|prototype)$)[a-z][a-z0-9_]*)$"}
   */
  salesforce?: { [orgKeyOrStar: string]: SalesforceUserSettings };
}

/** Normalisation applied to match keys. */
export interface Normalization {
  /**
   * Compare case-insensitively.
   * @default true
   */
  caseInsensitive?: boolean;
  /**
   * Trim surrounding whitespace.
   * @default true
   */
  trim?: boolean;
  /**
   * Email domains that mean the same mailbox, alias → canonical.
   * @example { "acme-corp.test": "acme.test" }
   */
  domainAliases?: { [alias: string]: string };
  /**
   * Country (ISO 3166-1 alpha-2) of phone numbers written without a country code, for the `phone`
   * match key. Without it such numbers match nothing.
   * @pattern ^[A-Z]{2}$
   * @example "US"
   */
  phoneRegion?: string;
}

/** The people in scope: everyone matched by `include` (or everyone when absent) and by no `exclude`. */
export interface Scope {
  /** A person is in scope if any of these match. @example [{ "attribute": { "name": "userType", "in": ["Employee", "Contractor"] } }] */
  include?: Condition[];
  /** A person is out of scope if any of these match. @example [{ "oktaGroup": "Service Accounts" }] */
  exclude?: Condition[];
}

/** A population owned by a directory other than the identity source (UC-10). */
export interface Population {
  /** Unique id. @pattern ^[a-z][a-z0-9-]*$ @example "globex" */
  id: string;
  /** The directory that owns these people. @example "onelogin" */
  owner: IdpId;
  /** Which accounts of the owner belong to the population. @example { "attribute": { "name": "email", "matches": "*@globex.test" } } */
  when: Condition;
  /**
   * Create (and deactivate) mirrored accounts for these people in the other IdP.
   * @default false
   */
  crossProvision?: boolean;
}

/**
 * A flow of attributes from one directory to a target (UC-03). Each target field is owned by this
 * flow alone; two flows writing one field is a validation error.
 */
export interface AttributeFlow {
  /**
   * Directory the values come from: each person's account there (for people whose accounts accord
   * provisions there from their home, the home account). People without one are not written.
   * @example "okta"
   */
  from: IdpId;
  /**
   * Where they go: `okta`, `onelogin`, `salesforce` (every org) or `salesforce.<org>`.
   * @pattern ^(okta|onelogin|salesforce(\.(?!(constructor|prototype)$)[a-z][a-z0-9_]*)?)$
   * @example "salesforce"
   */
  to: string;
  /**
   * Target field → template. Templates insert person attributes with `{name}`; any other text is
   * literal. Person attributes are login, email, firstName, lastName, displayName,
   * employeeNumber, department, title, division, manager (the manager's login), phone, location,
   * userType, plus any custom profile attribute by its name.
   * @example { "Department": "{department}", "Title": "{title}", "Phone": "{phone}" }
   */
  fields: { [targetField: string]: string };
}

/** How accord creates and fills Salesforce users in one org (UC-01). */
export interface SalesforceUserSettings {
  /**
   * Template of the Salesforce Username (unique across all Salesforce orgs).
   * @default "{email}"
   * @example "{emailLocal}@acme.test.emea"
   */
  username?: string;
  /**
   * Template of FederationIdentifier, the SAML subject.
   * @default "{login}"
   */
  federationId?: string;
  /**
   * Template of the Alias (cut to 8 characters).
   * @default "{firstName:1}{lastName:7}"
   */
  alias?: string;
  /** Required fields accord cannot derive. */
  defaults?: SalesforceUserDefaults;
}

/** Required Salesforce User fields that come from policy. */
export interface SalesforceUserDefaults {
  /** @default "America/Los_Angeles" @example "Europe/Berlin" */
  TimeZoneSidKey?: string;
  /** @default "en_US" @example "de_DE" */
  LocaleSidKey?: string;
  /** @default "UTF-8" */
  EmailEncodingKey?: string;
  /** @default "en_US" */
  LanguageLocaleKey?: string;
}

/**
 * A condition on a person. Set exactly one field.
 * @minProperties 1
 * @maxProperties 1
 * @example { "all": [{ "oktaGroup": "Sales" }, { "attribute": { "name": "country", "equals": "DE" } }] }
 */
export interface Condition {
  /** Member of this Okta group (by name). @example "Sales" */
  oktaGroup?: string;
  /** Holds this OneLogin role (by name). @example "Globex Sales" */
  oneloginRole?: string;
  /**
   * Assigned to this application (by label, ignoring case) in the person's own directory: Okta
   * for Okta people, OneLogin for people a OneLogin population owns. Direct assignments count, and
   * so do assignments through an Okta group or a OneLogin role. A label no directory has blocks
   * the plan (accord never creates apps, so it must be a mistake).
   * @example "Salesforce"
   */
  app?: string;
  /** A test on a person attribute. */
  attribute?: AttributeTest;
  /**
   * A test on the MFA factors of the person's own account (UC-17): Okta for Okta people. Only
   * accounts that can sign in are read (not staged, not deprovisioned); for anyone else, and for
   * a directory whose factors accord does not read, neither `enrolled: true` nor `enrolled: false`
   * holds.
   * @example { "enrolled": false, "graceDays": 14 }
   */
  mfa?: MfaTest;
  /**
   * A test on a field of the person's Salesforce user in one org (UC-16): the user accord matches
   * to the person there (identity match keys and links). A person without a user there has no
   * value (`present: false` holds). Not usable in `identity.scope`.
   * @example { "org": "prod", "name": "Territory__c", "equals": "EMEA" }
   */
  salesforceField?: SalesforceFieldTest;
  /**
   * An open Case of a type in one Salesforce org naming the person (UC-16): the Case's Contact has
   * the person's email (Contact.Email, ignoring case). Open: `IsClosed = false`. When the Case
   * closes, the next plan takes away what the condition gave (lifecycle, not drift). Not usable in
   * `identity.scope`.
   * @example { "org": "prod", "type": "Access Request" }
   */
  salesforceCase?: SalesforceCaseTest;
  /** All of these hold. @minItems 1 */
  all?: Condition[];
  /** At least one of these holds. @minItems 1 */
  any?: Condition[];
  /** This does not hold. */
  not?: Condition;
}

/**
 * A test on one field of the person's Salesforce user in one org (UC-16). Set `org`, `name` and
 * exactly one of equals, in, matches, present. `Profile.Name` and `UserRole.Name` read the user's
 * profile and role, which access rules may write: the flow validator rejects a rule that reads back
 * what it grants.
 * @minProperties 3
 * @maxProperties 3
 * @example { "org": "prod", "name": "Territory__c", "in": ["EMEA", "APAC"] }
 */
export interface SalesforceFieldTest {
  /** Org key (platforms.salesforce). @example "prod" */
  org: string;
  /** User field API name. @pattern ^([A-Za-z][A-Za-z0-9_]*|Profile\.Name|UserRole\.Name)$ @example "Territory__c" */
  name: string;
  /** Equal to this value (ignoring case). @example "EMEA" */
  equals?: string;
  /** One of these values. @minItems 1 @example ["EMEA", "APAC"] */
  in?: string[];
  /** Glob with `*` and `?`. @example "EMEA*" */
  matches?: string;
  /** Has (true) or lacks (false) a non-empty value. */
  present?: boolean;
}

/**
 * An open Case of one type naming the person (UC-16), read with one SOQL query per org.
 * @example { "org": "prod", "type": "Access Request" }
 */
export interface SalesforceCaseTest {
  /** Org key (platforms.salesforce). @example "prod" */
  org: string;
  /** The Case's Type (exact picklist value). @minLength 1 @example "Access Request" */
  type: string;
  /** Only Cases whose Subject matches this glob (`*`, `?`, ignoring case). @example "*Partner Portal*" */
  subject?: string;
}

/**
 * Whether the person's home account has an ACTIVE MFA factor (UC-17). A factor that is enrolled
 * but not yet activated (`PENDING_ACTIVATION`) does not count.
 * @example { "enrolled": false, "graceDays": 14 }
 */
export interface MfaTest {
  /**
   * true: holds for an account with at least one ACTIVE factor. false: holds for an account
   * without one, once its grace period is over.
   */
  enrolled: boolean;
  /**
   * With `enrolled: false`, whole days an account may go without an active factor before the test
   * holds. The grace starts when the account was activated (Okta `activated`), else when it was
   * created (`created`); it holds from day graceDays + 1. Ignored with `enrolled: true`.
   * @minimum 0
   * @maximum 3650
   * @default 0
   * @TJS-type integer
   */
  graceDays?: number;
}

/**
 * A test on one person attribute. Set `name` and exactly one of equals, in, matches, present.
 * @minProperties 2
 * @maxProperties 2
 */
export interface AttributeTest {
  /** Person attribute name. @example "department" */
  name: string;
  /** Equal to this value (after normalisation of case). @example "Sales" */
  equals?: string;
  /** One of these values. @minItems 1 @example ["Sales", "Support"] */
  in?: string[];
  /** Glob with `*` and `?`. @example "*@globex.test" */
  matches?: string;
  /** Has (true) or lacks (false) a non-empty value. */
  present?: boolean;
}

/**
 * An explicit link decision (UC-13): which accounts belong to one person. It wins over matching,
 * and `null` says that the person has no account there even if one matches.
 * @example { "person": "ana.lopez@acme.test", "salesforce": { "prod": "ana.lopez@acme.test" }, "ticket": "SEC-1042" }
 */
export interface IdentityLink {
  /** The person, by their login in the source directory. @example "ana.lopez@acme.test" */
  person: string;
  /** Okta login of the person's Okta account (when the source is OneLogin), or null for none. */
  okta?: string | null;
  /** OneLogin username of the person's OneLogin account (when the source is Okta), or null for none. */
  onelogin?: string | null;
  /**
   * Salesforce Username by org key, or null for "no account in that org".
   * @example { "prod": "ana.lopez@acme.test", "emea": null }
   * @propertyNames {"pattern": "^(?!(constructor|prototype)$)[a-z][a-z0-9_]*$"}
   */
  salesforce?: { [orgKey: string]: string | null };
  /** Why this decision was taken. */
  reason?: string;
  /** Ticket that records the decision. @example "SEC-1042" */
  ticket?: string;
}

// ---------------------------------------------------------------------------------------------
// Groups and mirrors
// ---------------------------------------------------------------------------------------------

/**
 * An Okta group or OneLogin role whose members are declared in Git. A group has one owner: a group
 * that is managed here may not also be the target of a mirror.
 */
export interface ManagedGroup {
  /** Platform of the group. @example "okta" */
  platform: IdpId;
  /** Group (Okta) or role (OneLogin) name. Created when it does not exist. @example "Salesforce Admins" */
  name: string;
  /** Description for a group accord creates. */
  description?: string;
  /**
   * `authoritative`: members not declared are removed. `additive`: declared members are added,
   * others are left alone.
   * @default "authoritative"
   */
  mode?: 'authoritative' | 'additive';
  /** Members by login (Okta) or username (OneLogin). @example ["ana.lopez@acme.test"] */
  members?: string[];
  /** Members derived from a condition on people, in addition to `members`. */
  rule?: Condition;
}

/**
 * A membership mirror between Okta groups and OneLogin roles (UC-12). Memberships of each source
 * group flow to the paired target; the target is owned by this mirror.
 */
export interface Mirror {
  /** Unique id. @pattern ^[a-z][a-z0-9-]*$ @example "sales-to-globex" */
  id: string;
  /** Which way memberships flow. @example "okta-to-onelogin" */
  direction: 'okta-to-onelogin' | 'onelogin-to-okta';
  /**
   * `authoritative`: target members that are not source members are removed. `additive`: only adds.
   * @default "authoritative"
   */
  mode?: 'authoritative' | 'additive';
  /** Pairs of names, Okta group and OneLogin role. @minItems 1 */
  pairs: MirrorPair[];
}

/** One Okta group paired with one OneLogin role. */
export interface MirrorPair {
  /** Okta group name. @example "Sales" */
  okta: string;
  /** OneLogin role name. @example "Sales" */
  onelogin: string;
}

// ---------------------------------------------------------------------------------------------
// Access
// ---------------------------------------------------------------------------------------------

/**
 * An access rule: people who match `when` get the entitlements of `grants` (UC-01, UC-02, UC-04).
 * Permission sets and groups of all matching rules are united; for profile and role the matching
 * rule with the highest priority wins.
 */
export interface AccessRule {
  /** Unique id, cited in plans and the audit log. @pattern ^[a-z][a-z0-9-]*$ @example "sales-reps" */
  id: string;
  /** What the rule is for. */
  description?: string;
  /** Who the rule applies to. */
  when: Condition;
  /**
   * Priority for single-valued fields (profile, role); higher wins. Two matching rules with the
   * same priority that set different values make a conflict.
   * @default 0
   * @TJS-type integer
   */
  priority?: number;
  /**
   * Entitlements by Salesforce org key, or `*` for every org. An org's own entry is used instead of `*`.
   * @example { "prod": { "profile": "Sales User", "permissionSets": ["Sales_Cloud"] } }
   * @propertyNames {"pattern": "^(\\*|(?!(constructor|prototype)$)[a-z][a-z0-9_]*)$"}
   */
  grants: { [orgKeyOrStar: string]: SalesforceGrant };
}

/** Salesforce entitlements in one org. */
export interface SalesforceGrant {
  /** Profile name. @example "Standard User" */
  profile?: string;
  /** Role, by UserRole.Name or DeveloperName. @example "Sales Rep EMEA" */
  role?: string;
  /** Permission set API names (PermissionSet.Name). @example ["Sales_Cloud_User"] */
  permissionSets?: string[];
  /** Permission set group API names (DeveloperName). @example ["Sales_Ops"] */
  permissionSetGroups?: string[];
}

/**
 * A time-bound individual grant (UC-05). It applies until `expires` and is revoked after it.
 * @example { "id": "ana-reports", "person": "ana.lopez@acme.test", "org": "prod", "permissionSets": ["Report_Builder"], "expires": "2026-12-31", "ticket": "ACC-311" }
 */
export interface AccessException {
  /** Unique id. @pattern ^[a-z][a-z0-9-]*$ */
  id: string;
  /** The person, by login in the source directory. */
  person: string;
  /** Org key, or `*` for every org. @pattern ^(\*|(?!(constructor|prototype)$)[a-z][a-z0-9_]*)$ */
  org: string;
  /** Permission set API names. */
  permissionSets?: string[];
  /** Permission set group API names. */
  permissionSetGroups?: string[];
  /**
   * Last day of the grant (inclusive, UTC).
   * @format date
   * @example "2026-12-31"
   */
  expires: string;
  /** Ticket that approved it. @minLength 1 @example "ACC-311" */
  ticket: string;
  /** Why the exception exists. */
  reason?: string;
}

// ---------------------------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------------------------

/** How people leave (UC-06, UC-07). */
/** What accord does with a Salesforce user it reclaims: report only, freeze the login, or offboard and deactivate. */
export type ReclaimAction = 'report' | 'freeze' | 'deactivate';

export interface Inactivity {
  /**
   * Days since the last login after which a user is inactive.
   * @minimum 1
   * @TJS-type integer
   */
  afterDays: number;
  action: ReclaimAction;
}

export interface Lifecycle {
  /**
   * Salesforce offboarding by org key or `*`. An org's own entry overrides `*`.
   * @example { "*": { "freeze": true, "deactivate": true, "revokePermissionSets": true } }
   * @propertyNames {"pattern": "^(\\*|(?!(constructor|prototype)$)[a-z][a-z0-9_]*)$"}
   */
  salesforce?: { [orgKeyOrStar: string]: SalesforceOffboarding };
  /** Offboarding of accounts that accord cross-provisioned into Okta. */
  okta?: IdpOffboarding;
  /** Offboarding of accounts that accord cross-provisioned into OneLogin. */
  onelogin?: IdpOffboarding;
  /**
   * What each status of a person's home account does on the other platforms (UC-06, UC-11).
   * Unset statuses keep their defaults: `suspended` freezes Salesforce users and suspends the
   * person's account in the other IdP (both restorable); `deprovisioned` and `deleted` (gone from
   * the directory) offboard fully; `locked` changes nothing. Staged and provisioned accounts
   * (never active yet) change nothing either.
   * @example { "suspended": { "salesforce": "freeze", "idp": "suspend" }, "deprovisioned": { "salesforce": "offboard", "idp": "deactivate" } }
   */
  statuses?: StatusLifecycles;
  /**
   * Successor by person: who receives a leaver's records when they have no manager.
   * @example { "sam.leaver@acme.test": "dana.boss@acme.test" }
   */
  successors?: { [personLogin: string]: string };
  /**
   * Active Salesforce users that match no person (UC-08): `report` them (the default), `freeze`
   * them, or `deactivate` them with the org's offboarding (records go to the org's fixed user or
   * queue recipients, since an orphan has no manager). Protected accounts are never touched, and
   * every one counts against `guardrails.maxDeprovision`.
   * @default "report"
   */
  orphans?: ReclaimAction;
  /**
   * Salesforce users whose LastLoginDate is older than `afterDays`, entitled or not: their licence
   * is reclaimed. Users who never logged in are not judged (a new user has not yet). Counted
   * against `guardrails.maxDeprovision`.
   * @example { "afterDays": 90, "action": "freeze" }
   */
  inactivity?: Inactivity;
}

/** The lifecycle of each home-account status that takes access away. */
export interface StatusLifecycles {
  /** Okta SUSPENDED, OneLogin Suspended (2) while still licensed. @default { "salesforce": "freeze", "idp": "suspend" } */
  suspended?: StatusLifecycle;
  /** Okta DEPROVISIONED, OneLogin Suspended and Unlicensed. @default { "salesforce": "offboard", "idp": "deactivate" } */
  deprovisioned?: StatusLifecycle;
  /** No longer in the directory, though accord linked the person's accounts before. @default { "salesforce": "offboard", "idp": "deactivate" } */
  deleted?: StatusLifecycle;
  /** Okta LOCKED_OUT, OneLogin Locked (3). @default { "salesforce": "keep", "idp": "keep" } */
  locked?: StatusLifecycle;
}

/** What one home-account status does on the other platforms. */
export interface StatusLifecycle {
  /**
   * The person's Salesforce users in every org. `offboard` runs the org's offboarding
   * (`lifecycle.salesforce`: freeze, transfer, revoke, deactivate as configured); `freeze` only
   * freezes the login, keeping the user, its licence and its assignments for a return; `keep`
   * changes nothing.
   */
  salesforce?: 'offboard' | 'freeze' | 'keep';
  /**
   * The person's account in the other IdP, mirrored or matched. `deactivate` removes access and
   * memberships; `suspend` keeps the account restorable; `keep` changes nothing. For the
   * `deprovisioned` and `deleted` statuses the default is `lifecycle.<idp>.action`, else `deactivate`.
   */
  idp?: 'deactivate' | 'suspend' | 'keep';
}

/** Salesforce offboarding for one org. Users are never deleted. */
export interface SalesforceOffboarding {
  /**
   * Freeze the user first (UserLogin.IsFrozen), so they cannot log in while records move.
   * @default true
   */
  freeze?: boolean;
  /**
   * Deactivate the user (IsActive = false), which frees the license.
   * @default true
   */
  deactivate?: boolean;
  /**
   * Remove permission set and permission set group assignments.
   * @default true
   */
  revokePermissionSets?: boolean;
  /** Move open records to someone else before deactivation (UC-07). */
  transfer?: OwnershipTransfer;
  /**
   * Profile per user license name, given to an in-scope user whose rules name no profile.
   * @example { "Salesforce": "Minimum Access - Salesforce" }
   */
  fallbackProfiles?: { [licenseName: string]: string };
}

/** Salesforce objects whose open records move on offboarding. */
export type TransferableObject = 'Lead' | 'Contact' | 'Account' | 'Opportunity' | 'Case';

/** Record ownership transfer (UC-07). */
export interface OwnershipTransfer {
  /** Objects whose open records move. @minItems 1 @example ["Account", "Opportunity", "Case"] */
  objects: TransferableObject[];
  /**
   * Who receives them, tried in order.
   * @minItems 1
   * @example ["manager", "successor", { "user": "sales.ops@acme.test" }]
   */
  to: TransferTarget[];
}

/** A recipient of records: the leaver's manager, their declared successor, a user or a queue. */
export type TransferTarget = 'manager' | 'successor' | TransferToUser | TransferToQueue;

/** A fixed Salesforce user, by Username. */
export interface TransferToUser {
  /** Salesforce Username. @example "sales.ops@acme.test" */
  user: string;
}

/** A Salesforce queue, by name (only for objects that queues may own: Lead, Case). */
export interface TransferToQueue {
  /** Queue name (Group.Name with Type = Queue). @example "Unassigned Leads" */
  queue: string;
}

/** Offboarding of a cross-provisioned IdP account. */
export interface IdpOffboarding {
  /**
   * `suspend` keeps the account restorable; `deactivate` removes access and memberships.
   * @default "deactivate"
   */
  action?: 'suspend' | 'deactivate';
}

// ---------------------------------------------------------------------------------------------
// Guard rails
// ---------------------------------------------------------------------------------------------

/** Guard rails (UC-09). */
export interface Guardrails {
  /**
   * Accounts accord never changes, by login, username or email; `*` is a wildcard.
   * @example ["breakglass-*@acme.test", "integration@acme.test"]
   */
  protectedAccounts?: string[];
  /** A cap on deprovisions per run. Over it, the plan is blocked unless `--allow-large-change`. */
  maxDeprovision?: DeprovisionCap;
  /** Entitlements that plans and reviews call out. */
  sensitive?: EntitlementRef[];
  /** Sets of entitlements that one person may not hold together. */
  separationOfDuties?: SeparationOfDuties[];
}

/** Deprovisioning cap: both limits apply when both are set. */
export interface DeprovisionCap {
  /** At most this many people deprovisioned per run. @minimum 0 @TJS-type integer @example 10 */
  absolute?: number;
  /** At most this percentage of the people in scope per run. @minimum 0 @maximum 100 @example 5 */
  percent?: number;
}

/**
 * A reference to one entitlement. Set `org` with exactly one Salesforce field, or one IdP field.
 * @example { "org": "*", "permissionSet": "Modify_All_Data" }
 */
export interface EntitlementRef {
  /** Org key or `*`, for Salesforce entitlements. @pattern ^(\*|(?!(constructor|prototype)$)[a-z][a-z0-9_]*)$ */
  org?: string;
  /** Profile name. */
  profile?: string;
  /** Role name. */
  role?: string;
  /** Permission set API name. */
  permissionSet?: string;
  /** Permission set group API name. */
  permissionSetGroup?: string;
  /** Okta group name. */
  oktaGroup?: string;
  /** OneLogin role name. */
  oneloginRole?: string;
}

/** A separation-of-duties rule: holding two or more of `entitlements` is a violation that blocks the plan. */
export interface SeparationOfDuties {
  /** Unique id. @pattern ^[a-z][a-z0-9-]*$ @example "pay-vs-approve" */
  id: string;
  /** Why the combination is forbidden. */
  description?: string;
  /** The entitlements that conflict. @minItems 2 */
  entitlements: EntitlementRef[];
}

// ---------------------------------------------------------------------------------------------
// Login audit and security events (UC-18, UC-19)
// ---------------------------------------------------------------------------------------------

/**
 * A normalised event type: every Okta System Log and OneLogin event is mapped to one of these by
 * `accord events pull` (README "Login audit and security events" has the table); `other` keeps
 * the platform's own type in `sourceType`.
 */
export type EventType =
  | 'auth.login'
  | 'auth.logout'
  | 'auth.mfa.bypass'
  | 'auth.factor.reset'
  | 'user.created'
  | 'user.updated'
  | 'user.activated'
  | 'user.deactivated'
  | 'user.suspended'
  | 'user.unsuspended'
  | 'user.deleted'
  | 'user.locked'
  | 'user.unlocked'
  | 'membership.added'
  | 'membership.removed'
  | 'admin.privilege.granted'
  | 'admin.privilege.revoked'
  | 'other';

/**
 * `accord events pull`: the platforms' login and admin events, pulled incrementally (the cursor
 * is kept beside the state file), normalised into one schema, written exactly once to a JSON
 * lines sink and matched against the alerts.
 * @example { "sinks": { "jsonl": { "path": "audit/events.jsonl" } }, "alerts": [{ "id": "failed-login-burst", "when": { "types": ["auth.login"], "outcome": "failure", "burst": { "count": 5, "withinMinutes": 10, "by": "actor" } }, "webhook": { "url": "https://hooks.acme.test/accord", "secretEnv": "ACCORD_WEBHOOK_SECRET" } }] }
 */
export interface EventsSettings {
  /**
   * Which identity providers to read; by default every one the policy declares in `platforms`.
   * @example ["okta", "onelogin"]
   */
  sources?: IdpId[];
  /**
   * How far back the first pull reaches, in hours, when no cursor exists yet.
   * @default 24
   * @minimum 0
   * @maximum 2160
   * @TJS-type integer
   */
  startHoursAgo?: number;
  /** Where normalised events go besides the alerts. */
  sinks?: EventSinks;
  /** Filters over the normalised stream that send what they match to a webhook (UC-19). */
  alerts?: EventAlert[];
}

/** Event sinks. */
export interface EventSinks {
  /**
   * An append-only JSON lines file for a SIEM, one normalised event per line, each event once.
   * Without it the events go to `<state file's name>.events/events.jsonl`.
   */
  jsonl?: { path: string };
  /**
   * Upserts every event into a Salesforce custom object, keyed on an External ID field that
   * holds the event's `id`: sending an event again changes nothing, so each is there once.
   * @example { "org": "prod", "object": "Login_Event__c", "externalIdField": "Accord_Event_Id__c" }
   */
  salesforce?: SalesforceEventSink;
}

/**
 * The Salesforce custom-object sink (UC-18): sObject Collections upserts by External ID, 200
 * events a call, from its own place in the JSON lines sink (a failing org keeps its backlog).
 */
export interface SalesforceEventSink {
  /** The Salesforce org key (declared under `platforms.salesforce`). @example "prod" */
  org: string;
  /** The custom object's API name. @example "Login_Event__c" */
  object: string;
  /**
   * A custom text field of the object marked External ID and Unique (255 characters): it gets
   * the event's `id` (`<source>:<sourceId>`).
   * @example "Accord_Event_Id__c"
   */
  externalIdField: string;
  /**
   * Which custom field gets which part of the event, over the defaults (each part's `@default`;
   * the sandbox's Login_Event__c has them all); `null` leaves a part out. Text is cut to 255
   * characters.
   * @example { "message": null, "client.ip": "Source_IP__c" }
   */
  fields?: SalesforceEventFields;
}

/** Parts of a normalised event → custom fields of the sink's object (`null`: not written). */
export interface SalesforceEventFields {
  /** `okta` or `onelogin`. @default "Platform__c" */
  source?: string | null;
  /** The platform's own event id. @default "Source_Event_Id__c" */
  sourceId?: string | null;
  /** The platform's own type. @default "Source_Type__c" */
  sourceType?: string | null;
  /** accord's type (`auth.login`, …). @default "Event_Type__c" */
  type?: string | null;
  /** When it happened: a Date/Time field. @default "Event_Time__c" */
  time?: string | null;
  /** `success`, `failure` or `unknown`. @default "Outcome__c" */
  outcome?: string | null;
  /** Why it failed. @default "Reason__c" */
  reason?: string | null;
  /** Who acted: their login, else name, else id. @default "Actor__c" */
  actor?: string | null;
  /** The actor's platform id. @default "Actor_Id__c" */
  'actor.id'?: string | null;
  /** The first target: its login, else name, else id. @default "Target__c" */
  target?: string | null;
  /** The first target's platform id. @default "Target_Id__c" */
  'target.id'?: string | null;
  /** The client's IP address. @default "IP_Address__c" */
  'client.ip'?: string | null;
  /** The client's user agent. @default "User_Agent__c" */
  'client.userAgent'?: string | null;
  /** The platform's message. @default "Message__c" */
  message?: string | null;
}

/** A declared security alert: which events it matches and where it sends them. */
export interface EventAlert {
  /** Unique id; names the alert's outbox and the `X-Accord-Alert` header. @pattern ^[a-z][a-z0-9-]*$ @example "admin-grants" */
  id: string;
  /** What the alert is for. */
  description?: string;
  /** Which events match. */
  when: EventCondition;
  /** Where matches are sent. */
  webhook: WebhookTarget;
}

/**
 * Events match when their type is one of `types`, and (when given) their outcome and source
 * match. With `burst`, the alert fires once `count` matching events of one actor (or target)
 * fall within `withinMinutes`, and sends those events together.
 * @example { "types": ["auth.login"], "outcome": "failure", "burst": { "count": 5, "withinMinutes": 10, "by": "actor" } }
 */
export interface EventCondition {
  /** @minItems 1 @example ["admin.privilege.granted"] */
  types: EventType[];
  /** Only successes or only failures. */
  outcome?: 'success' | 'failure';
  /** Only events from these platforms. */
  sources?: IdpId[];
  /** Fire on a burst of matches rather than on each one. */
  burst?: EventBurst;
}

/** A burst: `count` matches of one actor or target within a sliding window. */
export interface EventBurst {
  /** @minimum 2 @TJS-type integer @example 5 */
  count: number;
  /** @minimum 1 @maximum 1440 @TJS-type integer @example 10 */
  withinMinutes: number;
  /** Group by the event's actor or its first target. @default "actor" */
  by?: 'actor' | 'target';
}

/**
 * A webhook that receives alert deliveries as JSON POSTs, signed with HMAC-SHA256 over the raw
 * body in `X-Accord-Signature: sha256=<hex>`. HTTPS only, except on loopback.
 */
export interface WebhookTarget {
  /** @example "https://hooks.acme.test/accord" */
  url: string;
  /**
   * The environment variable that holds the signing secret (never the secret itself).
   * @pattern ^[A-Za-z_][A-Za-z0-9_]*$
   * @example "ACCORD_WEBHOOK_SECRET"
   */
  secretEnv: string;
  /**
   * Attempts per delivery, the first included, with exponential backoff between them; a
   * delivery that fails them all stays in the alert's backlog for the next pull.
   * @default 5
   * @minimum 1
   * @maximum 10
   * @TJS-type integer
   */
  maxAttempts?: number;
}
