/** Attribute templates: single placeholders (returned as they are), cuts, literals, missing values. */
import { describe, expect, it } from '@jest/globals';
import { renderTemplate } from '../../src/compile/templates.js';

const ana = {
  firstName: 'Ana',
  lastName: 'Lopez-Garcia',
  email: 'ana.lopez@acme.test',
  title: '',
  city: null,
};

describe('renderTemplate', () => {
  it.each<[string, string | null]>([
    ['{firstName}', 'Ana'],
    ['{lastName:5}', 'Lopez'],
    ['{firstName:0}', null],
    ['{title}', null],
    ['{city}', null],
    ['{nope}', null],
    ['{emailLocal}', 'ana.lopez'],
    ['{firstName:1}{lastName:7}', 'ALopez-G'],
    ['{email}.emea', 'ana.lopez@acme.test.emea'],
    ['{title} {city}', null],
    ['{title}-x', '-x'],
    ['fixed', 'fixed'],
  ])('%s → %s', (template, expected) => {
    expect(renderTemplate(template, ana)).toBe(expected);
  });
});
