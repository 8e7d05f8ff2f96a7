/**
 * The cause with a note appended to its message (what an undo or a second look found), keeping the
 * cause itself, so that a ServiceError keeps its shape (zone, endpoint, operation, code).
 */
export function withNote(cause: Error, note: string): Error {
    cause.message = `${cause.message}\n${note}`;
    return cause;
}
