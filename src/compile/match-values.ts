import type { IdpAccount } from '../model/snapshot.js';
import type { Normalizer } from './normalize.js';
import type { KeyIndex } from './resolve-identities.js';
import { renderTemplate } from './templates.js';

/**
 * People indexed by their normalised match-key values, from their home account, by the person's
 * position. The other IdP and every Salesforce org ask the same questions about the same people,
 * so each index is built once, the first time it is asked for.
 */
export class MatchValues {
  private readonly indexes = new Map<string, KeyIndex>();

  constructor(
    private readonly homeAccounts: readonly IdpAccount[],
    private readonly normalize: Normalizer,
  ) {}

  /** By employee number, email, login (normalised as an email) or phone (E.164). */
  by(key: 'employeeNumber' | 'email' | 'login' | 'phone'): KeyIndex {
    const normalize = this.normalize;
    return this.index(key, (a) =>
      key === 'employeeNumber'
        ? normalize(a.attributes.employeeNumber)
        : key === 'phone'
          ? normalize(a.attributes.phone, 'phone')
          : normalize(key === 'email' ? a.email : a.login, 'email'),
    );
  }

  /**
   * By the value a Salesforce template renders for them (FederationIdentifier, Username), or
   * their email when it renders nothing and `orEmail` says so.
   */
  byTemplate(template: string, orEmail = false): KeyIndex {
    return this.index(`${orEmail}:${template}`, (a) =>
      this.normalize(renderTemplate(template, a.attributes) ?? (orEmail ? a.email : null)),
    );
  }

  private index(name: string, value: (a: IdpAccount) => string | undefined): KeyIndex {
    let index = this.indexes.get(name);
    if (!index) {
      const built = new Map<string, number | number[]>();
      this.homeAccounts.forEach((a, i) => {
        const v = value(a);
        if (v === undefined) return;
        const hit = built.get(v);
        if (hit === undefined) built.set(v, i);
        else if (typeof hit === 'number') built.set(v, [hit, i]);
        else hit.push(i);
      });
      this.indexes.set(name, (index = built));
    }
    return index;
  }
}
