/** Text shared by the file parsers (CSV, UCR, model files): errors that stay on one line. */

/** `s` with control characters (line breaks, a lone CR) escaped as in JSON, so an error message quoting it stays one line. */
export function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}
