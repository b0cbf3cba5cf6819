/** The run store: every run, stress campaign, benchmark and replay, recorded in SQLite. */
export { openStore, type StoreDb } from './open-store.ts';
export { storePath, DEFAULT_STORE } from './store-path.ts';
export { RunRecorder } from './run-recorder.ts';
export { ALL_DECISIONS, DEFAULT_DETAIL_LIMIT, FLUSH_EVERY_MS } from './store-limits.ts';
export { detailLimitFor, insertRun, newRunId, scenarioRunStart, signsAudit, type RunStart } from './run-row.ts';
export { RunWriter, type RunEnd, type WriterCounts } from './writer-core.ts';
export { scenarioRunEnd, brokenRunEnd } from './run-end.ts';
export { ReportRecorder } from './report-recorder.ts';
export { auditKey, keyDir, type AuditKey } from './audit-keys.ts';
