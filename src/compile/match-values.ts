import type { IdpAccount } from '../model/snapshot.js';
import type { Normalizer } from './normalize.js';
import { renderTemplate } from './templates.js';

/**
 * Normalised match-key values of people, by the person's position, from their home account. The
 * other IdP and every Salesforce org ask the same questions about the same people, so each column
 * is worked out once, the first time it is asked for.
 */
export class MatchValues {
  private readonly columns = new Map<string, readonly (string | undefined)[]>();

  constructor(
    private readonly homeAccounts: readonly IdpAccount[],
    private readonly normalize: Normalizer,
  ) {}

  employeeNumber(i: number): string | undefined {
    return this.column('employeeNumber', (a) => this.normalize(a.attributes.employeeNumber))[i];
  }

  email(i: number): string | undefined {
    return this.column('email', (a) => this.normalize(a.email, 'email'))[i];
  }

  login(i: number): string | undefined {
    return this.column('login', (a) => this.normalize(a.login, 'email'))[i];
  }

  /** A template's value (a Salesforce FederationIdentifier or Username), normalised. */
  rendered(template: string, i: number): string | undefined {
    return this.column(`{}${template}`, (a) => this.normalize(renderTemplate(template, a.attributes)))[i];
  }

  private column(name: string, compute: (a: IdpAccount) => string | undefined) {
    let values = this.columns.get(name);
    if (!values) this.columns.set(name, (values = this.homeAccounts.map(compute)));
    return values;
  }
}
