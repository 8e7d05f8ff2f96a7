/** A problem found by a rule that a schema alone cannot express; `path` is the property path, `message` says what to change. */
export interface Problem {
    readonly path: readonly (string | number)[];
    readonly message: string;
}
