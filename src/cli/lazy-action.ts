/**
 * A command's action, imported on first use. Commands are declared (name, arguments, options,
 * help) in commands/*.ts with nothing but commander and options.ts; what runs them, and with it the
 * Okta SDK, jsforce, got, ajv and the rest, lives in actions/*.ts and loads only for the command
 * that was asked for. So `accord --help`, `--version` and `accord CMD --help` load none of it.
 */
// Commander passes arguments, then options, then the command; each action types its own.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Action = (...args: any[]) => void | Promise<void>;

export const lazyAction =
  <A extends Action>(load: () => Promise<{ default: A }>) =>
  async (...args: Parameters<A>): Promise<void> => {
    const { default: action } = await load();
    // eslint-disable-next-line no-restricted-syntax -- forwards commander's own few arguments unchanged
    await action(...args);
  };
