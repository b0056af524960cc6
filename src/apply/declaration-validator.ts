/** Checks a declaration; '' when valid, else the first errors, one per line. */
export type DeclarationValidator = (declaration: unknown) => string;
