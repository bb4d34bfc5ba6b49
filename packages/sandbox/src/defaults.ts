/** The demo company's size and seed when none is given; importing these loads nothing else. */
export const DEFAULT_PEOPLE = 300;
export const DEFAULT_SEED = 42;
