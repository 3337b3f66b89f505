/** Limits of a saved message template: the engine refuses beyond them, the IPC schema and the form use the same. */
export const MAX_TEMPLATE_NAME = 60;
export const MAX_TEMPLATE_TEXT = 10_000;
