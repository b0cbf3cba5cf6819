/**
 * Default ms between two looks of `conclave monitor --follow`. Its own file so the command line
 * can show it in `--help` without loading the monitor (and the SQLite store under it).
 */
export const MONITOR_INTERVAL_MS = 500;
