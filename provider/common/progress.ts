/**
 * Called while a long operation works or waits, so that the user sees progress on the resource's row.
 * Messages are passing (the row shows the latest) unless `lasting`: what the user should still read
 * after the run (something adopted, undone, or emptied).
 */
export type ProgressLog = (message: string, options?: { readonly lasting?: boolean }) => void;
